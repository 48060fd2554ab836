"""Input and output shapes of the API, named and described exactly as in the v1.0.0 reference."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from PIL import Image
from rest_framework import serializers

import ocr_engine
from ocr_api.serializers import ChoiceField, LocatedLineSerializer
from ocr_engine.images import InvalidImage
from ocr_record.images import (
    ImageInput,
    decoded_within_limits,
    from_base64,
    from_uploads,
    from_urls,
    refuse_links_when_off,
)
from ocr_record.models import OcrRecord


@dataclass(frozen=True)
class ImageUpload:
    file: UploadedFile  # the bytes as sent: what is hashed and sized
    image: Image.Image  # the decoded pixels: what the engine reads


@extend_schema_field({"type": "string", "format": "binary"})
class ImageUploadField(serializers.FileField):
    """An uploaded file that must decode, whole, into an image within the pixel limit."""

    def to_internal_value(self, data) -> ImageUpload:
        file = super().to_internal_value(data)
        try:
            image = decoded_within_limits(file)
        except InvalidImage as error:
            raise serializers.ValidationError(error.message, code=error.code) from None
        return ImageUpload(file=file, image=image)


@extend_schema_field({"title": "Id", "type": "integer", "readOnly": True})
class _IdField(serializers.IntegerField):
    """The record id; v1.0.0 documents it with the title "Id", which drf-spectacular omits."""


class ParseLetterRequestSerializer(serializers.Serializer):
    image = ImageUploadField()

    def pixels(self) -> Image.Image:
        """The image's pixels, validated and decoded: asked for only by a file not read before."""
        self.is_valid(raise_exception=True)
        return self.validated_data["image"].image


#: A record's fields as v1.0.0's schema titles and describes them (the contract: its clients were
#: written against these words); the model's own labels are English, for the admin's operators.
V1_FIELD_TEXTS = {
    "created_at": {"label": "创建时间"},
    "image_md5": {"label": "图片的md5", "help_text": "长度为 32 的小写字母、数字"},
    "image_size": {"label": "图片的大小", "help_text": "单位为 B"},
    "content": {"label": "识别结果", "help_text": "识别结果"},
}


@extend_schema_serializer(component_name="OcrRecordDisplaySer")
class OcrRecordOutputSerializer(serializers.Serializer):
    # A record as v1.0.0 lists and shows it (no docstring: it would become the schema's description).
    # Each field is declared rather than taken from the model: a ModelSerializer looks the model over
    # again for every serializer it makes (every list and every retrieve): a third of the time it
    # took to serialize one record.
    id = _IdField(read_only=True)
    created_at = serializers.DateTimeField(**V1_FIELD_TEXTS["created_at"], read_only=True)
    image_md5 = serializers.CharField(**V1_FIELD_TEXTS["image_md5"], min_length=1, max_length=32)
    image_size = serializers.IntegerField(**V1_FIELD_TEXTS["image_size"])
    content = serializers.ListField(
        child=serializers.CharField(min_length=1), help_text=V1_FIELD_TEXTS["content"]["help_text"]
    )


#: The columns `OcrRecordOutputSerializer` answers: all that a list or a retrieve reads.
RECORD_COLUMNS = tuple(OcrRecordOutputSerializer._declared_fields)


@extend_schema_field({"description": "字母", "type": "string", "maxLength": 1, "minLength": 1})
class _LetterField(serializers.CharField):
    """One letter; v1.0.0 describes each item, which drf-spectacular does not do for list items."""


@extend_schema_serializer(component_name="OcrParseLetterResSer")
class ParseLetterOutputSerializer(serializers.Serializer):
    content = serializers.ListField(child=_LetterField(min_length=1, max_length=1), help_text="解析图片得到的字母列表")


class ParseTextOptionsSerializer(serializers.Serializer):
    """The options of parse_text, from form fields or from the JSON body."""

    lang = ChoiceField(
        choices=[], default="eng", help_text="Language(s) of the text: `eng`, `chi_sim` or `eng+chi_sim`."
    )
    detect_direction = serializers.BooleanField(
        default=False, help_text="Find pages turned by 90, 180 or 270 degrees and read them upright."
    )
    quick_mode = serializers.BooleanField(
        default=False, help_text="The image holds a single line of text: read it as one line, faster."
    )
    engine = ChoiceField(
        choices=sorted(ocr_engine.ENGINES),
        required=False,
        allow_blank=True,
        default="",
        help_text="Force an engine instead of the service's (OCR_ENGINE, `auto` by default): `tesserocr` "
        "(Tesseract: clean pages, faint and dense print), `ppocr` (PP-OCRv6 and v4: photos, receipts, signs, "
        "Chinese), `auto` (both: Tesseract first, PP-OCR where Tesseract is doubtful or the image is a "
        "photo), `pytesseract` (Tesseract as a program, the original's way). Part of what makes a reading: "
        "the same image read by another engine is another record.",
    )
    tag = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="A label stored with the record: one for all images, or one per image in order.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = settings.OCR_TEXT_LANGUAGES

    def to_internal_value(self, data):
        # JSON callers may send a single tag as a plain string.
        if hasattr(data, "get") and isinstance(data.get("tag"), str) and not hasattr(data, "getlist"):
            data = {**data, "tag": [data["tag"]]}
        return super().to_internal_value(data)


class _ParseTextRequestSerializer(ParseTextOptionsSerializer):
    """parse_text's request parsed: its options, `images` (each decoded and checked on its own, one
    that cannot be read kept with its error) and `tags` (one per image). The images are counted
    before any is decoded: a list of 200,000 entries costs nothing."""

    def to_internal_value(self, data):
        options = ParseTextOptionsSerializer(data=data)
        options.is_valid(raise_exception=True)
        images = self.images_in(data)
        tags = options.validated_data.pop("tag")
        if len(tags) > 1 and len(tags) != len(images):
            raise serializers.ValidationError({"tag": ["Send one tag for all images, or one per image."]})
        return {
            **options.validated_data,
            "images": images,
            "tags": tags if len(tags) > 1 else [tags[0] if tags else ""] * len(images),
        }

    def images_in(self, data) -> list[ImageInput]:
        raise NotImplementedError


def _check_image_count(count: int) -> None:
    if not count:
        raise serializers.ValidationError({"image": ["No image was sent."]})
    if count > settings.OCR_MAX_IMAGES_PER_REQUEST:
        raise serializers.ValidationError(
            {"image": [f"At most {settings.OCR_MAX_IMAGES_PER_REQUEST} images are accepted per request."]}
        )


class ParseTextMultipartSerializer(_ParseTextRequestSerializer):
    """The multipart form of parse_text: one or several files."""

    image = serializers.ListField(
        child=ImageUploadField(),
        required=False,
        help_text="One or several image files, each as an `image` field (or links, as `url`).",
    )

    url = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="One or several links (http or https) to images, each as a `url` field, read after the files.",
    )

    def images_in(self, data) -> list[ImageInput]:
        files = data.getlist("image")  # an oversized one among them, in its place
        urls = _urls(data.getlist("url"))
        _check_image_count(len(files) + len(urls))
        if not all(isinstance(file, UploadedFile) for file in files):
            raise serializers.ValidationError({"image": ["Send each image as a file, not as a text field."]})
        return from_uploads(files) + from_urls(urls)


class ParseTextJsonSerializer(_ParseTextRequestSerializer):
    """The JSON form of parse_text: one base64 image, or several."""

    image = serializers.CharField(required=False, help_text="One image, base64 (a data: URL works too).")
    images = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Several images, base64, answered in order."
    )

    url = serializers.JSONField(
        required=False, help_text="A link (http or https) to an image, or a list of them, read after the base64 ones."
    )

    def images_in(self, data) -> list[ImageInput]:
        encoded = data.get("images") or ([data["image"]] if data.get("image") else [])
        if not isinstance(encoded, list):
            raise serializers.ValidationError({"images": ["A list of base64 strings is expected."]})
        links = data.get("url") or []
        urls = _urls(links if isinstance(links, list) else [links])
        _check_image_count(len(encoded) + len(urls))
        if not all(isinstance(item, str) for item in encoded):
            raise serializers.ValidationError({"images": ["A list of base64 strings is expected."]})
        return from_base64(encoded) + from_urls(urls)


def _urls(urls: list) -> list[str]:
    """The links sent, refused at once when links are not taken (OCR_URL_INPUT) or are no text."""
    refuse_links_when_off(urls)
    if not all(isinstance(url, str) and 0 < len(url) <= 2000 for url in urls):
        raise serializers.ValidationError({"url": ["Each link is a URL of at most 2000 characters."]})
    return urls


class ImageErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="`image_invalid`, `image_size_invalid` or `image_dimensions_invalid`; for a link `url_invalid`, "
        "`url_not_allowed` (which rule), `url_fetch_failed` (the status, or that the server could not be reached), "
        "`url_too_large`, `url_too_slow` or `url_not_an_image`."
    )
    detail = serializers.CharField()


class ParseTextResultSerializer(serializers.Serializer):
    """One image's answer: its reading, or (with only `name` and `error`) why it could not be read."""

    name = serializers.CharField(help_text="The file name, or the index of a base64 image.")
    error = ImageErrorSerializer(required=False)
    record_id = serializers.IntegerField(required=False)
    image_md5 = serializers.CharField(required=False)
    image_size = serializers.IntegerField(required=False, help_text="Bytes.")
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)
    direction = serializers.IntegerField(
        required=False, help_text="How far the image was turned from upright, in degrees clockwise (0, 90, 180, 270)."
    )
    angle = serializers.FloatField(
        required=False, help_text="The small rotation of the lines, degrees counter-clockwise."
    )
    text = serializers.CharField(required=False, help_text="All the text, lines joined by newlines.")
    cached = serializers.BooleanField(
        required=False, help_text="true when this image was read before with these options and its record answered."
    )
    lines = LocatedLineSerializer(many=True, required=False)


class ParseTextResponseSerializer(serializers.Serializer):
    results = ParseTextResultSerializer(many=True, help_text="One per image, in the order sent.")


class OcrRecordResultSerializer(serializers.ModelSerializer):
    """A record with everything it keeps: what read it, how, its tags, and a text reading's lines."""

    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    result = serializers.JSONField(
        read_only=True, help_text="Text records: width, height, direction, angle, text and the located lines."
    )

    class Meta:
        model = OcrRecord
        fields = [
            "id",
            "created_at",
            "image_md5",
            "image_size",
            "content",
            "kind",
            "lang",
            "options",
            "tags",
            "engine",
            "pipeline",
            "source_url",
            "result",
        ]
        read_only_fields = fields
        extra_kwargs = V1_FIELD_TEXTS


class ResultQuerySerializer(serializers.Serializer):
    format = ChoiceField(
        choices=["json", "hocr", "alto", "tsv"],
        default="json",
        help_text="`json`: the record; `hocr`: its located words as hOCR (XHTML); `alto`: as ALTO 4.2 XML; "
        "`tsv`: as Tesseract's TSV. hOCR, ALTO and TSV exist for text records.",
    )
