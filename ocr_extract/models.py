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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def as_spec(self) -> CardSpec:
        """The card as the extraction core takes it."""
        return CardSpec.from_json(slug=self.slug, name=self.name, fields=self.fields, groups=self.groups)
