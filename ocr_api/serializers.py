"""The shapes every API app answers with: an error, and a reading's located lines and words
(records and task pages alike)."""

from rest_framework import serializers

#: How an unknown value of an enumerated parameter is refused, wherever it is checked (a
#: serializer's ChoiceField, a list's filter): naming the values allowed.
NOT_ONE_OF = '"{input}" is not one of: {choices}.'


class ChoiceField(serializers.ChoiceField):
    """A choice whose refusal names the choices: DRF's says only that the value is not one, and a
    caller who sent `format=xyz` or `lang=english` is left to guess."""

    default_error_messages = {"invalid_choice": NOT_ONE_OF}

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            self.fail("invalid_choice", input=data, choices=", ".join(self.choice_strings_to_values))


class LocatedWordSerializer(serializers.Serializer):
    text = serializers.CharField()
    confidence = serializers.FloatField(help_text="0 to 1.")
    location = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        min_length=4,
        max_length=4,
        help_text="Four [x, y] points in the pixels of the image as uploaded, clockwise from the top-left.",
    )


class LocatedLineSerializer(LocatedWordSerializer):
    words = LocatedWordSerializer(many=True)
    engine = serializers.CharField(
        required=False,
        help_text="The engine that read the line: `tesserocr`, `ppocr` or `pytesseract` (with `auto`, "
        "each line its own). Absent on readings stored before engines were recorded per line.",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error that is not a validation error."""

    detail = serializers.CharField(help_text="A message for people.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `upload_too_large`.")
