"""The engine module on its own: no Django, no database; the real Tesseract."""

import io

import pytesseract
import pytest
from PIL import Image

import ocr_engine
from ocr_engine.images import as_engine_input
from ocr_engine.pytesseract_engine import PytesseractEngine
from tests.helpers import draw_text


def image_of(text: str, **options) -> Image.Image:
    return Image.open(io.BytesIO(draw_text(text, **options)))


def test_it_finds_an_engine_by_short_name():
    assert ocr_engine.engine_class("pytesseract") is PytesseractEngine


def test_it_finds_an_engine_by_dotted_path():
    assert ocr_engine.engine_class("tests.engines.FailingEngine").__name__ == "FailingEngine"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tesseract9000", "unknown OCR engine 'tesseract9000'"),
        ("no_such_module.Engine", "cannot be imported"),
        ("ocr_engine.base.Recognition", "is not an ocr_engine.OcrEngine subclass"),
        ("ocr_engine.base.NoSuchClass", "is not an ocr_engine.OcrEngine subclass"),
    ],
)
def test_it_says_why_a_name_is_not_an_engine(name, message):
    with pytest.raises(ocr_engine.EngineUnavailable, match=message):
        ocr_engine.engine_class(name)


def test_it_keeps_one_engine_instance_per_configuration():
    first = ocr_engine.get_engine("pytesseract", language="eng", timeout_seconds=5)

    assert ocr_engine.get_engine("pytesseract", language="eng", timeout_seconds=5) is first
    assert ocr_engine.get_engine("pytesseract", language="eng", timeout_seconds=6) is not first


def test_pytesseract_reads_the_text_of_an_image():
    recognition = PytesseractEngine().recognize(image_of("hello world"))

    assert recognition.text.strip() == "hello world"


def test_pytesseract_reads_several_lines_in_order():
    recognition = PytesseractEngine().recognize(image_of("first line\nsecond line"))

    assert [line for line in recognition.text.splitlines() if line.strip()] == ["first line", "second line"]


def test_pytesseract_reports_a_missing_language_as_unavailable():
    with pytest.raises(ocr_engine.EngineUnavailable, match="xyz"):
        PytesseractEngine(language="xyz").recognize(image_of("hello"))


def test_pytesseract_stops_at_its_time_limit():
    page = image_of("\n".join(["the quick brown fox jumps over the lazy dog"] * 20))

    with pytest.raises(ocr_engine.RecognitionTimeout):
        PytesseractEngine(timeout_seconds=0.001).recognize(page)


def test_the_base_engine_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        ocr_engine.OcrEngine().recognize(Image.new("L", (10, 10)))


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBA", "LA", "CMYK", "I;16", "I", "F"])
def test_engine_input_is_rgb_or_grayscale_whatever_the_mode(mode):
    image = image_of("hello").convert(mode)

    prepared = as_engine_input(image)

    assert prepared.mode in ("RGB", "L")
    assert prepared.size == image.size


def test_engine_input_lays_transparency_on_white():
    transparent = Image.new("RGBA", (4, 4), (0, 0, 0, 0))

    assert as_engine_input(transparent).getpixel((0, 0)) == (255, 255, 255)


def test_engine_input_stretches_16_bit_grayscale_instead_of_clipping_it():
    # Dark text at 1000 on a background at 60000: clipping to 8 bits would make both white.
    image = Image.new("I;16", (4, 4), 60000)
    image.putpixel((0, 0), 1000)

    prepared = as_engine_input(image)

    assert prepared.getpixel((0, 0)) == 0
    assert prepared.getpixel((1, 1)) == 255


def test_engine_input_turns_an_image_upright_by_its_exif_orientation():
    sideways = Image.new("RGB", (40, 20), "white")
    exif = sideways.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    buffer = io.BytesIO()
    sideways.save(buffer, format="JPEG", exif=exif)

    assert as_engine_input(Image.open(buffer)).size == (20, 40)


def test_words_are_joined_by_spaces_except_next_to_chinese_characters():
    from ocr_engine.base import join_words

    assert join_words(["hello", "world"]) == "hello world"
    assert join_words(["汉", "阳", "市场", "E", "区", "25-26", "号"]) == "汉阳市场E区25-26号"
    assert join_words(["电话", ":", "159"]) == "电话: 159"


def test_tesseract_failing_is_said_without_its_temporary_files_and_functions(monkeypatch):
    def fails(*args, **kwargs):
        raise pytesseract.TesseractError(1, "Error in pixReadMemPng: /tmp/tess_x1y2.PNG: internal libpng error")

    monkeypatch.setattr(pytesseract, "image_to_data", fails)

    with pytest.raises(ocr_engine.RecognitionFailed) as raised:
        PytesseractEngine().recognize(image_of("anything"))

    assert str(raised.value) == "tesseract could not read this image (it exited with status 1)"
