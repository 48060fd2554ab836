from django.conf import settings
from django.db import models

from extraction import Card as CardSpec


class Card(models.Model):
    """A kind of document and the fields read out of it (its groups: fields that come in rows).
    Built-in cards (the receipt) come with the service and are not edited through the API."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    built_in = models.BooleanField(default=False, editable=False)
    # [{"key", "name", "type", "color"}, ...], and [{"key", "name", "fields": [...]}, ...].
    fields = models.JSONField(default=list)
    groups = models.JSONField(default=list, blank=True)

    class Rules(models.TextChoices):
        FIELDS = "fields", "each field by its labels, pattern, type and place"
        RECEIPT = "receipt", "the receipt's own rules"
        INVOICE2DATA = "invoice2data", "an invoice2data template"
        INVOICE = "invoice", "invoice2data's bundled templates, then each field by its labels"

    rules = models.CharField(max_length=20, choices=Rules, default=Rules.FIELDS)
    # With rules "invoice2data": the template as its user sent it (YAML or JSON text) and as parsed.
    template_source = models.TextField(blank=True, default="")
    template = models.JSONField(null=True, blank=True)
    # Whose card it is: with OCR_API_AUTH=required a client sees the built-in cards and its own.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="ocr_cards"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def as_spec(self) -> CardSpec:
        """The card as the extraction core takes it."""
        return CardSpec.from_json(
            slug=self.slug,
            name=self.name,
            fields=self.fields,
            groups=self.groups,
            rules=self.rules,
            template=self.template,
        )
