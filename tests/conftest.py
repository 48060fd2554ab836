import io
import itertools

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont
from rest_framework.test import APIClient

from ocr_record.models import OcrRecord
from tests import browser, engines

# Requests in tests do not start the embedded task worker's threads: tests read pages with
# `workers.work_once()` (what those threads run), or start the threads themselves. Set here, when
# the tests are collected, not in a fixture: schemathesis loads the schema with a request while
# collecting, and a browser may still ask the live server for something after its test ended.
django_settings.OCR_TASK_EMBEDDED_THREADS = 0

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PARSE_LETTER_URL = "/api/ocr_record/parse_letter/"
LIST_URL = "/api/ocr_record/"


def draw_text(
    text: str,
    *,
    font_size: int = 40,
    image_format: str = "PNG",
    mode: str = "RGB",
    background: str | tuple[int, ...] = "white",
) -> bytes:
    """An image of `text` in black, drawn with DejaVu Sans: what real Tesseract reads well."""
    font = ImageFont.truetype(FONT_PATH, font_size)
    lines = text.split("\n")
    width = max(int(font.getlength(line)) for line in lines) + 2 * font_size
    height = (len(lines) + 1) * int(font_size * 1.5)
    image = Image.new("RGBA", (width, height), background)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((font_size, font_size // 2 + number * int(font_size * 1.5)), line, fill="black", font=font)
    return encode(image.convert(mode), image_format)


def encode(image: Image.Image, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def upload(content: bytes, name: str = "image.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


_md5s = (f"{number:032x}" for number in itertools.count(1))


def make_record(*, content: list[str] | None = None, image_size: int = 1000, **fields) -> OcrRecord:
    """A stored record as the parse service leaves it, without running OCR (for read tests)."""
    content = list("hello") if content is None else content
    fields.setdefault("image_md5", next(_md5s))
    joined = "\n".join(content) if fields.get("kind") == "text" else "".join(content)
    return OcrRecord.objects.create(content=content, content_text=joined, image_size=image_size, **fields)


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Each test starts with every throttle's allowance whole (logins are throttled by default)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def post_image(api_client):
    """POST bytes as the `image` field of parse_letter."""

    def post(content: bytes, name: str = "image.png"):
        return api_client.post(PARSE_LETTER_URL, {"image": upload(content, name)}, format="multipart")

    return post


@pytest.fixture
def counting_engine(settings):
    """The real pytesseract engine, counting how many images it was asked to read."""
    settings.OCR_ENGINE = "tests.engines.CountingPytesseractEngine"
    engines.CountingPytesseractEngine.calls = 0
    return engines.CountingPytesseractEngine


@pytest.fixture
def page(monkeypatch):
    """A page in Debian's headless Chromium (tests/browser.py); fails where there is none."""
    yield from browser.open_browser_page(monkeypatch)
