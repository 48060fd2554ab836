"""The small pure helpers: letters, image decoding, environment settings."""

import io

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from ocr_engine.images import InvalidImage, decode_image
from ocr_project.env import env_bool, env_int, env_list, env_str
from ocr_record.letters import letters_in
from tests.helpers import draw_text, encode


@pytest.mark.parametrize(
    ("text", "letters"),
    [
        ("hello world\n", list("helloworld")),
        ("R2-D2, C-3PO!", list("RDCPO")),
        ("café Straße", list("caféStraße")),
        ("", []),
        ("123 ... ???", []),
    ],
)
def test_letters_are_the_alphabetic_characters_in_order(text, letters):
    assert letters_in(text) == letters


def test_decoding_gives_the_whole_image():
    image = decode_image(io.BytesIO(draw_text("hello")), max_pixels=10_000_000)

    assert image.size[0] > 0 and image.getbbox() is not None


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "invalid_image"),
        (b"GIF89a", "invalid_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "invalid_image"),
        (draw_text("hello")[:200], "invalid_image"),
        (encode(Image.new("L", (1001, 1000))), "too_many_pixels"),
    ],
)
def test_decoding_refuses_what_is_not_a_whole_image_within_the_limit(content, code):
    with pytest.raises(InvalidImage) as raised:
        decode_image(io.BytesIO(content), max_pixels=1_000_000)

    assert raised.value.code == code


def test_decoding_refuses_a_bomb_beyond_pillows_own_limit_as_too_many_pixels():
    # A PNG header that claims 100,000 × 100,000 pixels: Pillow refuses it outright.
    header = encode(Image.new("1", (1, 1)))
    bomb = header[:16] + (100_000).to_bytes(4, "big") * 2 + header[24:]

    with pytest.raises(InvalidImage) as raised:
        decode_image(io.BytesIO(bomb), max_pixels=10**12)

    assert raised.value.code in ("too_many_pixels", "invalid_image")


@pytest.mark.parametrize(("raw", "value"), [("", True), ("1", True), ("yes", True), ("off", False), ("False", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG", default=True) is value


def test_env_bool_fails_loudly_on_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", default=True)


def test_env_int_fails_loudly_on_a_non_number_or_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("LIMIT", "ten")
    with pytest.raises(ImproperlyConfigured, match="LIMIT must be a whole number"):
        env_int("LIMIT", default=1)

    monkeypatch.setenv("LIMIT", "0")
    with pytest.raises(ImproperlyConfigured, match="LIMIT must be at least 1"):
        env_int("LIMIT", default=1, minimum=1)


def test_env_helpers_use_the_default_when_unset_or_blank(monkeypatch):
    monkeypatch.setenv("BLANK", "  ")

    assert env_int("BLANK", default=7) == 7
    assert env_str("UNSET_VARIABLE_FOR_TEST", default="x") == "x"
    assert env_list("BLANK", default=["a"]) == ["a"]


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "example.com, ,api.example.com,")

    assert env_list("HOSTS", default=[]) == ["example.com", "api.example.com"]


def test_the_system_check_reports_an_ocr_engine_that_does_not_exist(settings):
    from ocr_record.checks import check_ocr_engine_setting

    settings.OCR_ENGINE = "tesseract9000"

    assert [message.id for message in check_ocr_engine_setting(None)] == ["ocr_record.E001"]


def test_the_system_check_accepts_the_shipped_engines(settings):
    from ocr_record.checks import check_ocr_engine_setting

    settings.OCR_ENGINE = "pytesseract"

    assert check_ocr_engine_setting(None) == []


@pytest.mark.parametrize("engine", ["auto", "ppocr"])
def test_the_system_check_finds_every_pp_ocr_model_inside_its_installed_package(settings, engine):
    from ocr_record.checks import check_ocr_engine_setting

    settings.OCR_ENGINE = engine

    assert check_ocr_engine_setting(None) == []


def test_the_system_check_says_which_pp_ocr_model_is_missing_rather_than_fetch_it(settings, monkeypatch):
    from ocr_engine import ppocr_engine
    from ocr_record.checks import check_ocr_engine_setting

    settings.OCR_ENGINE = "auto"
    monkeypatch.setitem(ppocr_engine.MODELS, "recognizer", ("rapidocr", "PP-OCRv9_rec_gone.onnx"))

    messages = check_ocr_engine_setting(None)

    assert [message.id for message in messages] == ["ocr_record.E002"]
    assert "PP-OCRv9_rec_gone.onnx is missing (reinstall rapidocr)" in messages[0].msg


def test_a_turned_point_goes_back_where_it_was():
    from ocr_engine.geometry import Turns

    image = Image.new("L", (300, 120), 255)
    image.putpixel((40, 30), 0)
    for degrees in (7, -11, 90, 180, 270):
        turned = image.rotate(degrees, expand=True, fillcolor=255, resample=Image.Resampling.NEAREST)
        ys, xs = np.nonzero(np.asarray(turned) < 128)
        turns = Turns()
        turns.add(degrees, image.size, turned.size)

        x, y = turns.back((xs.mean() + 0.5, ys.mean() + 0.5))

        assert (x, y) == pytest.approx((40.5, 30.5), abs=1.0), degrees


def test_overlap_and_bounds_of_boxes():
    from bench.metrics import overlap
    from ocr_engine.geometry import bounds

    assert bounds([[5, 1], [9, 2], [8, 7], [4, 6]]) == (4, 1, 9, 7)
    assert overlap((0, 0, 10, 10), (0, 0, 10, 10)) == 1
    assert overlap((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)
    assert overlap((0, 0, 10, 10), (20, 20, 30, 30)) == 0
