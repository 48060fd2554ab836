"""Property tests of the parse service: whatever bytes come in, the answer is a stored record or a
clean error, never an exception, and a failed upload stores nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings, strategies
from PIL import Image

from ocr_record.models import OcrRecord
from ocr_record.serializers import ParseLetterRequestSerializer
from ocr_record.services import ocr_record_parse_letter

pytestmark = pytest.mark.django_db

CLEAN = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def parse(content: bytes):
    """The API's path for one upload: validation, then the service. Returns the record or the errors."""
    serializer = ParseLetterRequestSerializer(data={"image": SimpleUploadedFile("any.bin", content)})
    if not serializer.is_valid():
        return serializer.errors
    upload = serializer.validated_data["image"]
    record, _ = ocr_record_parse_letter(image_file=upload.file, pixels=lambda: upload.image)
    return record


def small_png(pixels: bytes, width: int) -> bytes:
    height = max(1, len(pixels) // width)
    image = Image.frombytes("L", (width, height), (pixels * width * height)[: width * height] or b"\xff")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@CLEAN
@given(content=strategies.binary(max_size=4096))
def test_any_bytes_give_a_record_or_a_clean_error(content):
    before = OcrRecord.objects.count()

    outcome = parse(content)

    if isinstance(outcome, OcrRecord):
        assert all(len(letter) == 1 and letter.isalpha() for letter in outcome.content)
    else:
        assert set(outcome) == {"image"}
        assert OcrRecord.objects.count() == before


@CLEAN
@given(
    pixels=strategies.binary(min_size=1, max_size=512),
    width=strategies.integers(min_value=1, max_value=64),
    cut=strategies.integers(min_value=0, max_value=400),
    flip=strategies.integers(min_value=0, max_value=255),
)
def test_damaged_images_give_a_record_or_a_clean_error(pixels, width, cut, flip):
    content = bytearray(small_png(pixels, width))
    # Damage a real PNG: cut it short, or change one byte somewhere in it.
    if cut < len(content) // 2:
        content = content[: len(content) - cut]
    else:
        content[cut % len(content)] ^= flip

    outcome = parse(bytes(content))

    assert isinstance(outcome, OcrRecord) or set(outcome) == {"image"}
