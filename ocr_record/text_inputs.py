"""The images of a parse_text request (uploaded files or base64 strings, each checked on its own),
and the answer for each."""

import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image
from rest_framework import serializers
from rest_framework.request import Request

from ocr_api.uploads import oversized
from ocr_engine.images import InvalidImage, decode_image
from ocr_record.services import TextOptions, ocr_record_parse_text


@dataclass
class ImageInput:
    """One image of the request: decoded, or with the error that keeps it from being read."""

    name: str
    file: UploadedFile | ContentFile | None = None
    image: Image.Image | None = None
    error_code: str = ""
    error_detail: str = ""

    def fail(self, code: str, detail: str) -> "ImageInput":
        self.error_code, self.error_detail = code, detail
        return self


def from_uploads(files: list[UploadedFile]) -> list[ImageInput]:
    """The uploaded images in the order sent, one over the size limit among them in its place."""
    return [
        _too_large(ImageInput(name=file.name)) if oversized([file]) else check(ImageInput(name=file.name, file=file))
        for file in files
    ]


def from_base64(strings: list[str]) -> list[ImageInput]:
    inputs = []
    for index, encoded in enumerate(strings):
        entry = ImageInput(name=str(index))
        # A data URL ("data:image/png;base64,....") is accepted as well as the bare base64.
        payload = encoded.split(",", 1)[1] if encoded.startswith("data:") else encoded
        if len(payload) * 3 // 4 > settings.OCR_MAX_UPLOAD_BYTES + 3:
            inputs.append(_too_large(entry))
            continue
        try:
            content = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            inputs.append(entry.fail("image_invalid", "The image is not valid base64."))
            continue
        entry.file = ContentFile(content, name=str(index))
        inputs.append(check(entry))
    return inputs


def check(entry: ImageInput) -> ImageInput:
    """Decode `entry`'s file and check it against the size and dimension limits."""
    if entry.file.size > settings.OCR_MAX_UPLOAD_BYTES:
        return _too_large(entry)
    if entry.file.size == 0:
        return entry.fail("image_invalid", "The image file is empty.")
    try:
        entry.image = decode_image(entry.file, max_pixels=settings.OCR_MAX_IMAGE_PIXELS)
    except InvalidImage as error:
        code = "image_dimensions_invalid" if error.code == "too_many_pixels" else "image_invalid"
        return entry.fail(code, error.message)
    width, height = entry.image.size
    if min(width, height) < settings.OCR_MIN_IMAGE_SIDE_PX or max(width, height) > settings.OCR_MAX_IMAGE_SIDE_PX:
        entry.image = None
        return entry.fail(
            "image_dimensions_invalid",
            f"The image is {width}×{height} pixels: its shorter side must be at least "
            f"{settings.OCR_MIN_IMAGE_SIDE_PX} px and its longer side at most {settings.OCR_MAX_IMAGE_SIDE_PX} px.",
        )
    return entry


def _too_large(entry: ImageInput) -> ImageInput:
    return entry.fail(
        "image_size_invalid", f"The image is larger than the limit of {settings.OCR_MAX_UPLOAD_BYTES} bytes."
    )


def images_of(request: Request) -> list[ImageInput]:
    """The request's images, counted before any is decoded (a list of 200,000 entries costs
    nothing), in the order they were sent."""
    if request.content_type.startswith("multipart/"):
        files = request.FILES.getlist("image")
        _check_count(len(files))
        return from_uploads(files)
    encoded = request.data.get("images") or ([request.data["image"]] if request.data.get("image") else [])
    if not isinstance(encoded, list):
        raise serializers.ValidationError({"images": ["A list of base64 strings is expected."]})
    _check_count(len(encoded))
    if not all(isinstance(item, str) for item in encoded):
        raise serializers.ValidationError({"images": ["A list of base64 strings is expected."]})
    return from_base64(encoded)


def _check_count(count: int) -> None:
    if not count:
        raise serializers.ValidationError({"image": ["No image was sent."]})
    if count > settings.OCR_MAX_IMAGES_PER_REQUEST:
        raise serializers.ValidationError(
            {"image": [f"At most {settings.OCR_MAX_IMAGES_PER_REQUEST} images are accepted per request."]}
        )


def tags_for(inputs: list[ImageInput], tags: list[str]) -> list[str]:
    if len(tags) > 1 and len(tags) != len(inputs):
        raise serializers.ValidationError({"tag": ["Send one tag for all images, or one per image."]})
    return tags if len(tags) > 1 else [tags[0] if tags else ""] * len(inputs)


def text_result_of(entry: ImageInput, options: TextOptions, tag: str, requested_by=None) -> dict:
    record, created = ocr_record_parse_text(
        image_file=entry.file, image=entry.image, options=options, tag=tag, requested_by=requested_by
    )
    result = record.result
    return {
        "name": entry.name,
        "record_id": record.id,
        "image_md5": record.image_md5,
        "image_size": record.image_size,
        "width": result["width"],
        "height": result["height"],
        "direction": result["direction"],
        "angle": result["angle"],
        "text": result["text"],
        "cached": not created,
        "lines": result["lines"],
    }


def error_result_of(entry: ImageInput) -> dict:
    return {"name": entry.name, "error": {"code": entry.error_code, "detail": entry.error_detail}}
