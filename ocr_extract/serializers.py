"""The shapes of the cards and of an extraction, in and out."""

import regex
from django.conf import settings
from rest_framework import serializers

from api_access.policy import caller
from extraction import Document, Line, generic, templates
from ocr_api.serializers import ChoiceField
from ocr_extract.models import Card
from ocr_extract.selectors import card_named

#: What a card of your own may hold: a card is data a worker runs, so its size is bounded.
MAX_FIELDS = 50
MAX_GROUPS = 10
MAX_LABELS = 20
MAX_PATTERN_LENGTH = 500
#: The colours fields are given when their card does not choose (matplotlib's ten).
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
KEY = r"^[a-z][a-z0-9_]{0,49}$"


class CardFieldSerializer(serializers.Serializer):
    key = serializers.RegexField(KEY, help_text="Lower-case letters, digits and `_`, e.g. `invoice_number`.")
    name = serializers.CharField(max_length=100)
    type = ChoiceField(choices=generic.TYPES, default="text")
    color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$", required=False, help_text="The colour its boxes are drawn in, `#rrggbb`."
    )
    labels = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=MAX_LABELS,
        default=list,
        help_text="The words printed before or above the value, in any language.",
    )
    pattern = serializers.CharField(
        max_length=MAX_PATTERN_LENGTH,
        allow_null=True,
        default=None,
        help_text="A regular expression (Python's syntax); its first group, or the whole match, is the value.",
    )
    where = ChoiceField(
        choices=["anywhere", "right", "below", "top", "bottom", "region"],
        default="anywhere",
        help_text="Beside its label, under it, either (`anywhere`); the page's top or bottom third; a `region`.",
    )
    region = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1),
        min_length=4,
        max_length=4,
        allow_null=True,
        default=None,
        help_text="With `where: region`: left, top, right, bottom as fractions of the page.",
    )
    required = serializers.BooleanField(default=False)
    multiple = serializers.BooleanField(default=False, help_text="Every value found, each a field of this key.")

    def validate(self, data: dict) -> dict:
        if data["pattern"] is not None:
            try:
                generic.compile_pattern(data["pattern"])
            except regex.error as error:
                raise serializers.ValidationError(
                    {"pattern": [f"The pattern of '{data['key']}' is no regular expression: {error}."]}
                ) from None
        if data["where"] == "region" and data["region"] is None:
            raise serializers.ValidationError({"region": ["A field found in a region needs its `region`."]})
        if data["region"] is not None and not (
            data["region"][0] < data["region"][2] and data["region"][1] < data["region"][3]
        ):
            raise serializers.ValidationError({"region": ["Left must be less than right, and top than bottom."]})
        return data


class CardGroupSerializer(serializers.Serializer):
    key = serializers.RegexField(KEY)
    name = serializers.CharField(max_length=100)
    fields = CardFieldSerializer(many=True, max_length=MAX_FIELDS, min_length=1)
    row_pattern = serializers.CharField(
        max_length=MAX_PATTERN_LENGTH,
        allow_null=True,
        default=None,
        help_text="A regular expression matching one row, its named groups (`(?P<amount>...)`) the fields' keys; "
        "without it, the columns are found under a header holding the fields' labels.",
    )

    def validate(self, data: dict) -> dict:
        _unique_keys(data["fields"])
        if data["row_pattern"] is None:
            return data
        try:
            compiled = generic.compile_pattern(data["row_pattern"])
        except regex.error as error:
            raise serializers.ValidationError({"row_pattern": [f"This is no regular expression: {error}."]}) from None
        unknown = set(compiled.groupindex) - {spec["key"] for spec in data["fields"]}
        if unknown or not compiled.groupindex:
            raise serializers.ValidationError(
                {"row_pattern": ["Its named groups must be the group's fields' keys, e.g. (?P<amount>...)."]}
            )
        return data


def _unique_keys(fields: list[dict]) -> None:
    keys = [spec["key"] for spec in fields]
    if repeated := sorted({key for key in keys if keys.count(key) > 1}):
        raise serializers.ValidationError({"fields": [f"Each field's key once: {', '.join(repeated)} is repeated."]})


class CardSerializer(serializers.ModelSerializer):
    """A card as answered, and as sent to make or change one: `name` and its `fields` (and
    `groups`), or `name` and an `invoice2data` template."""

    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Made from the name when not given; unique among cards."
    )
    fields = CardFieldSerializer(many=True, max_length=MAX_FIELDS, required=False)
    groups = CardGroupSerializer(many=True, max_length=MAX_GROUPS, required=False)
    invoice2data = serializers.CharField(
        source="template_source",
        required=False,
        allow_null=True,
        allow_blank=False,
        trim_whitespace=False,
        max_length=templates.MAX_TEMPLATE_BYTES,
        help_text="An invoice2data template, YAML or JSON, unchanged: the card runs it as invoice2data does "
        "(its fields the template's, its line parsers the card's groups). Instead of `fields`.",
    )

    class Meta:
        model = Card
        fields = [
            "id",
            "slug",
            "name",
            "built_in",
            "rules",
            "fields",
            "groups",
            "invoice2data",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "built_in", "rules", "created_at", "updated_at"]
        extra_kwargs = {"name": {"required": False, "help_text": "Required, but for a template: its issuer then."}}

    def to_representation(self, card: Card) -> dict:
        answer = super().to_representation(card)
        answer["invoice2data"] = card.template_source or None
        return answer

    def validate_slug(self, slug: str) -> str:
        taken = Card.objects.filter(slug=slug).exclude(pk=getattr(self.instance, "pk", None))
        if taken.exists():
            raise serializers.ValidationError("Another card has this slug.")
        return slug

    def validate(self, data: dict) -> dict:
        if data.get("template_source", "") is None:  # null: no template (as a card of fields answers it)
            data.pop("template_source")
        if "template_source" in data:
            if "fields" in data or "groups" in data:
                raise serializers.ValidationError(
                    {"invoice2data": ["Send a template or fields, not both: the template's fields are the card's."]}
                )
            try:
                made = templates.card_from_template(data["template_source"])
            except templates.TemplateError as error:
                raise serializers.ValidationError({"invoice2data": [str(error)]}) from None
            data.update(template=made.template, fields=made.fields, groups=made.groups)
            data.setdefault("name", str(made.template.get("issuer") or made.template["keywords"][0])[:200])
        if self.instance is None and not data.get("name"):
            raise serializers.ValidationError({"name": ["A card needs its name."]})
        if "fields" in data:
            _unique_keys(data["fields"])
            for number, spec in enumerate(data["fields"]):
                spec.setdefault("color", PALETTE[number % len(PALETTE)])
            for group in data.get("groups", []):
                for number, spec in enumerate(group["fields"]):
                    spec.setdefault("color", PALETTE[(number + len(data["fields"])) % len(PALETTE)])
        elif self.instance is None:
            raise serializers.ValidationError({"fields": ["A card needs its fields (or an `invoice2data` template)."]})
        return data


class LineInSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    location = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        min_length=4,
        max_length=4,
        required=False,
        help_text="Four [x, y] points, clockwise from the top-left, in the page's pixels.",
    )
    page = serializers.IntegerField(min_value=1, default=1)


class ExtractRequestSerializer(serializers.Serializer):
    """One document: a `file` (image or PDF, multipart), or the `lines` of a reading, or `text`."""

    card = serializers.CharField(help_text="The card's id or slug, e.g. `receipt`.")
    file = serializers.FileField(required=False, help_text="An image or a PDF (multipart).")
    url = serializers.CharField(
        required=False, max_length=2000, help_text="A link (http or https) to an image or a PDF, instead of the file."
    )
    lines = LineInSerializer(many=True, required=False, help_text="Lines read by your own OCR, in reading order.")
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=200_000)
    lang = ChoiceField(choices=[], default="eng", help_text="The language a file is read in.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = settings.OCR_TEXT_LANGUAGES

    def validate_card(self, reference: str) -> Card:
        card = card_named(reference, user=caller(self.context["request"]))
        if card is None:
            raise serializers.ValidationError("No card has this id or slug (GET /api/cards/ lists them).")
        return card

    def validate(self, data: dict) -> dict:
        given = [name for name in ("file", "url", "lines", "text") if name in data]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"file": ["Send one document: a `file`, a `url`, or its `lines`, or its `text`."]}, code="required"
            )
        if "lines" in data:
            data["document"] = Document(
                [Line(line["text"], line.get("location"), line["page"]) for line in data.pop("lines")]
            )
        elif "text" in data:
            data["document"] = Document.from_text(data.pop("text"))
        return data


class ExtractedFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="As printed; null when not found.")
    normalized = serializers.CharField(
        allow_null=True, help_text="ISO date (`2018-12-25`), decimal amount (`9.00`), or tidied text."
    )
    confidence = serializers.FloatField(help_text="0 to 1; 0 when not found.")
    index = serializers.IntegerField(allow_null=True, help_text="Where the value starts in `text`.")
    page = serializers.IntegerField(allow_null=True)
    location = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        allow_null=True,
        help_text="Four [x, y] points in the pixels of the page as uploaded; a value over several lines covered whole.",
    )
    color = serializers.CharField()
    error = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="Why a field has no value where it is worth saying: `required` (a required field not found), "
        "`pattern_timeout` (its pattern ran out of time on this document).",
    )


class ExtractedGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    rows = serializers.ListField(child=ExtractedFieldSerializer(many=True))


class ExtractedPageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    source = ChoiceField(choices=["text_layer", "ocr"])


class ExtractionSerializer(serializers.Serializer):
    card = serializers.CharField(help_text="The card's slug.")
    text = serializers.CharField(help_text="The document's text: its lines joined by newlines.")
    confidence = serializers.FloatField(help_text="The mean of the fields' confidences.")
    template = serializers.CharField(
        allow_null=True, help_text="The invoice2data template that read it, where one of the bundled ones did."
    )
    fields = ExtractedFieldSerializer(many=True)
    groups = ExtractedGroupSerializer(many=True)
    record_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="The text records the file's pages were read into by OCR."
    )
    page_sources = ExtractedPageSerializer(
        many=True,
        help_text="Each page of a file and how it was read: `text_layer` (a born-digital PDF page, from its text) "
        "or `ocr` (a scan, an image). Empty for lines or text brought along.",
    )
