"""The shapes of the cards and of an extraction, in and out."""

from django.conf import settings
from rest_framework import serializers

from extraction import Document, Line
from ocr_extract.models import Card
from ocr_extract.selectors import card_named


class CardFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField(help_text="`text`, `date`, `amount`, `address` or `number`.")
    color = serializers.CharField(help_text="The colour its boxes are drawn in, `#rrggbb`.")


class CardGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    fields = CardFieldSerializer(many=True)


class CardSerializer(serializers.ModelSerializer):
    fields = CardFieldSerializer(many=True, read_only=True)
    groups = CardGroupSerializer(many=True, read_only=True)

    class Meta:
        model = Card
        fields = ["id", "slug", "name", "built_in", "fields", "groups"]
        read_only_fields = fields


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
    lines = LineInSerializer(many=True, required=False, help_text="Lines read by your own OCR, in reading order.")
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=200_000)
    lang = serializers.ChoiceField(choices=[], default="eng", help_text="The language a file is read in.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = settings.OCR_TEXT_LANGUAGES

    def validate_card(self, reference: str) -> Card:
        card = card_named(reference)
        if card is None:
            raise serializers.ValidationError("No card has this id or slug (GET /api/cards/ lists them).")
        return card

    def validate(self, data: dict) -> dict:
        given = [name for name in ("file", "lines", "text") if name in data]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"file": ["Send one document: a `file`, or its `lines`, or its `text`."]}, code="required"
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


class ExtractedGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    rows = serializers.ListField(child=ExtractedFieldSerializer(many=True))


class ExtractionSerializer(serializers.Serializer):
    card = serializers.CharField(help_text="The card's slug.")
    text = serializers.CharField(help_text="The document's text: its lines joined by newlines.")
    confidence = serializers.FloatField(help_text="The mean of the fields' confidences.")
    fields = ExtractedFieldSerializer(many=True)
    groups = ExtractedGroupSerializer(many=True)
    record_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="The text records the file's pages were read into."
    )
