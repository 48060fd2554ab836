"""Input and output shapes of the API, named and described exactly as in the v1.0.0 reference."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from PIL import Image
from rest_framework import serializers

from ocr_record.images import InvalidImage, decode_image
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
            image = decode_image(file, max_pixels=settings.OCR_MAX_IMAGE_PIXELS)
        except InvalidImage as error:
            raise serializers.ValidationError(error.message, code=error.code) from None
        return ImageUpload(file=file, image=image)


@extend_schema_field({"title": "Id", "type": "integer", "readOnly": True})
class _IdField(serializers.IntegerField):
    """The record id; v1.0.0 documents it with the title "Id", which drf-spectacular omits."""


class ParseLetterRequestSerializer(serializers.Serializer):
    image = ImageUploadField()


@extend_schema_serializer(component_name="OcrRecordDisplaySer")
class OcrRecordOutputSerializer(serializers.ModelSerializer):
    id = _IdField(read_only=True)
    image_size = serializers.IntegerField(label="图片的大小", help_text="单位为 B")
    image_md5 = serializers.CharField(
        label="图片的md5", help_text="长度为 32 的小写字母、数字", min_length=1, max_length=32
    )
    content = serializers.ListField(child=serializers.CharField(min_length=1), help_text="识别结果")

    class Meta:
        model = OcrRecord
        fields = ["id", "created_at", "image_md5", "image_size", "content"]
        read_only_fields = ["created_at"]


@extend_schema_field(
    {"description": "字母", "type": "string", "maxLength": 1, "minLength": 1}
)
class _LetterField(serializers.CharField):
    """One letter; v1.0.0 describes each item, which drf-spectacular does not do for list items."""


@extend_schema_serializer(component_name="OcrParseLetterResSer")
class ParseLetterOutputSerializer(serializers.Serializer):
    content = serializers.ListField(
        child=_LetterField(min_length=1, max_length=1), help_text="解析图片得到的字母列表"
    )
