"""The auto engine (ocr_engine/auto_engine.py): which engine reads what, and parse_text's choices."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import ocr_engine
from bench.metrics import character_accuracy, overlap
from ocr_engine.auto_engine import SET_ASIDE_MAX, TESSERACT_SURE, image_kind
from ocr_engine.geometry import bounds
from ocr_engine.pipeline import read_image
from ocr_engine.text import read_text
from ocr_record.models import OcrRecord
from tests.helpers import FONT_PATH, draw_text, encode, upload

REAL_DATA = Path(__file__).resolve().parent / "realdata"
PARSE_TEXT_URL = "/api/ocr_record/parse_text/"


@pytest.fixture(scope="module")
def auto():
    return ocr_engine.get_engine("auto", timeout_seconds=30)


def clean_page() -> Image.Image:
    page = Image.new("L", (900, 260), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT_PATH, 32)
    draw.text((40, 40), "The quick brown fox jumps", fill=0, font=font)
    draw.text((40, 120), "over the lazy dog again", fill=0, font=font)
    return page


def photo_of(text: str) -> Image.Image:
    """Printed text photographed badly: a shadow across it, sensor noise and a little blur."""
    page = Image.new("L", (760, 180), 235)
    ImageDraw.Draw(page).text((50, 50), text, fill=40, font=ImageFont.truetype(FONT_PATH, 56))
    pixels = np.asarray(page, dtype=np.float32) * np.linspace(1.0, 0.35, page.width)[np.newaxis, :]
    pixels += np.random.default_rng(7).normal(0, 12, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))


def test_a_clean_page_costs_tesseract_alone(auto):
    reading = read_image(auto, clean_page())

    assert reading.steps == ("tesserocr", "raw")
    assert reading.recognition.text.split() == "The quick brown fox jumps over the lazy dog again".split()


def test_a_photo_is_read_by_ppocr_where_tesseract_reads_it_wrong(auto):
    photo = photo_of("shadowed words")
    tesseract = ocr_engine.get_engine("tesserocr", timeout_seconds=30)

    reading = read_image(auto, photo)

    assert image_kind(photo).is_photo_like
    assert reading.steps[0] == "ppocr"
    by_auto = character_accuracy(reading.recognition.text.strip(), "shadowed words")
    by_tesseract = character_accuracy(read_image(tesseract, photo).recognition.text.strip(), "shadowed words")
    assert by_auto >= 0.85
    assert by_auto >= by_tesseract + 0.2


def test_a_real_receipt_line_is_read_as_ppocr_reads_it(auto):
    image = Image.open(REAL_DATA / "sroie_lines" / "010_028.png")

    assert read_image(auto, image).recognition.text.strip() == "TAX AMT (S) 6%"


def test_each_located_line_names_the_engine_that_read_it(auto):
    assert {line.engine for line in read_text(auto, clean_page()).lines} == {"tesserocr"}
    assert {line.engine for line in read_text(auto, photo_of("shadowed words")).lines} == {"ppocr"}


def test_the_kind_of_image_tells_clean_print_from_photos_and_line_crops():
    assert image_kind(clean_page()).is_clean
    assert not image_kind(clean_page()).is_line_crop
    assert image_kind(Image.open(REAL_DATA / "uw3_lines" / "0022_010005.bin.png")).is_line_crop


def test_the_kind_of_dark_text_on_a_transparent_background_is_that_of_the_text_on_white():
    on_white = clean_page()
    transparent = Image.new("RGBA", on_white.size, (0, 0, 0, 0))  # transparent pixels are black ones
    transparent.putalpha(Image.eval(on_white, lambda level: 255 - level))  # the ink alone is opaque
    palette = transparent.convert("P", palette=Image.Palette.ADAPTIVE, colors=2)
    palette.info["transparency"] = palette.getpixel((0, 0))

    expected = image_kind(on_white)
    for image in (transparent, palette):
        kind = image_kind(image)

        # Measured on white paper with dark ink, as the engines read it, not on a black picture.
        assert np.asarray(kind.gray).mean() == pytest.approx(np.asarray(expected.gray).mean(), abs=5)
        assert kind.is_clean and kind.spread == pytest.approx(expected.spread, abs=0.02)


def test_an_opaque_rgba_scan_keeps_the_kind_its_thresholds_were_set_on():
    scan = Image.open(REAL_DATA / "uw3_lines" / "0022_010005.bin.png")  # RGBA, every pixel opaque

    assert scan.mode == "RGBA" and image_kind(scan).is_clean  # laid on white and shrunk, it was not


@pytest.mark.django_db
def test_parse_text_answers_an_image_without_text_with_no_lines(api_client):
    response = api_client.post(PARSE_TEXT_URL, {"image": upload(encode(Image.new("RGB", (400, 300), "white")))})

    assert response.status_code == 200
    result = response.json()["results"][0]
    assert (result["text"], result["lines"]) == ("", [])
    assert OcrRecord.objects.get(pk=result["record_id"]).content == []


@pytest.mark.django_db
def test_parse_text_reads_every_real_line_image_without_failing(api_client):
    """tesserocr crashed ("No text returned") on about half of the real scanned lines."""
    folder = REAL_DATA / "uw3_lines"
    files = sorted(json.loads((folder / "labels.json").read_text()))[:10]

    response = api_client.post(
        PARSE_TEXT_URL, {"image": [upload((folder / name).read_bytes(), name) for name in files]}, format="multipart"
    )

    assert response.status_code == 200
    assert all("error" not in result and result["text"] for result in response.json()["results"])
    assert OcrRecord.objects.count() == 10


@pytest.mark.django_db
def test_parse_text_reads_with_the_engine_a_client_asks_for(api_client):
    image = draw_text("forced engine")

    by_ppocr = api_client.post(PARSE_TEXT_URL, {"image": upload(image), "engine": "ppocr"}).json()["results"][0]
    by_default = api_client.post(PARSE_TEXT_URL, {"image": upload(image)}).json()["results"][0]

    assert by_ppocr["text"] == by_default["text"] == "forced engine"
    assert [line["engine"] for line in by_ppocr["lines"]] == ["ppocr"]
    assert [line["engine"] for line in by_default["lines"]] == ["tesserocr"]
    assert by_ppocr["record_id"] != by_default["record_id"]  # another engine, another reading
    record = OcrRecord.objects.get(pk=by_ppocr["record_id"])
    assert record.options.endswith(";engine=ppocr")
    assert record.engine.startswith("rapidocr 3.10.0 (PP-OCRv6 small)")


@pytest.mark.django_db
def test_parse_text_refuses_an_engine_it_does_not_have(api_client):
    response = api_client.post(PARSE_TEXT_URL, {"image": upload(draw_text("hi")), "engine": "gpt"})

    assert response.status_code == 400
    assert "engine" in response.json()
    assert not OcrRecord.objects.exists()


@pytest.mark.django_db
def test_a_chinese_label_comes_back_without_spaces_between_characters(api_client):
    content = (REAL_DATA / "chinese" / "paddleocr_word_2.jpg").read_bytes()

    response = api_client.post(PARSE_TEXT_URL, {"image": upload(content, "label.jpg"), "lang": "chi_sim"})

    result = response.json()["results"][0]
    assert result["text"] == "汉阳鹦鹉家居建材市场E区25-26号"
    assert [line["engine"] for line in result["lines"]] == ["ppocr"]


def test_the_words_of_a_photo_land_where_they_were_printed(auto):
    page = Image.new("L", (760, 180), 235)
    font = ImageFont.truetype(FONT_PATH, 56)
    draw, drawn = ImageDraw.Draw(page), {}
    for word, x in (("shadow", 50), ("across", 400)):
        drawn[word] = draw.textbbox((x, 50), word, font=font)
        draw.text((x, 50), word, fill=40, font=font)
    pixels = np.asarray(page, dtype=np.float32) * np.linspace(1.0, 0.35, page.width)[np.newaxis, :]
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))

    reading = read_text(auto, photo)

    words = {word.text: word for line in reading.lines for word in line.words}
    assert {line.engine for line in reading.lines} == {"ppocr"}
    for text, box in drawn.items():
        assert overlap(bounds(words[text].location), box) >= 0.5, (text, words[text].location, box)


def receipt_on_a_table() -> Image.Image:
    """The example receipt photographed on a dark table, turned half a degree: Tesseract's layout
    analysis takes the whole photo for a picture and reads only the lines outside its table."""
    scan = Image.open(Path(__file__).resolve().parent.parent / "examples" / "receipt.jpg").convert("RGB")
    table = Image.new("RGB", (scan.width + 160, scan.height + 160), (120, 110, 100))
    table.paste(scan, (80, 80))
    return table.rotate(0.5, resample=Image.BICUBIC, fillcolor=(120, 110, 100))


def test_a_receipt_photographed_on_a_table_is_read_whole_though_tesseract_sets_its_rows_aside(auto):
    photo = receipt_on_a_table()
    tesseract = ocr_engine.get_engine("tesserocr", timeout_seconds=30).recognize(photo)

    text = "\n".join(line.text for line in read_text(auto, photo).lines)

    assert tesseract.set_aside >= SET_ASIDE_MAX and (tesseract.confidence or 0) >= TESSERACT_SURE
    assert "TOTAL" not in tesseract.text  # sure of what it read, blind to the rest
    for printed in ["KEDAI RUNCIT MAJU JAYA SDN BHD", "TOTAL", "31.00", "CHANGE", "19.00", "THANK YOU"]:
        assert printed in text, printed


def test_tesseract_sets_nothing_aside_on_a_clean_page():
    assert ocr_engine.get_engine("tesserocr", timeout_seconds=30).recognize(clean_page()).set_aside == 0
