"""The PP-OCR engine (ocr_engine/ppocr_engine.py), on real images and on drawn ones."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from bench.metrics import character_accuracy, overlap
from ocr_engine import OutOfMemory, RecognitionTimeout
from ocr_engine.base import is_cjk
from ocr_engine.ppocr_engine import PpocrEngine
from tests.engines import ShortOfMemoryPpocrEngine
from tests.helpers import FONT_PATH

REAL_DATA = Path(__file__).resolve().parent / "realdata"
CJK_FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def real_image(set_name: str, file_name: str) -> tuple[Image.Image, str]:
    labels = json.loads((REAL_DATA / set_name / "labels.json").read_text(encoding="utf-8"))
    return Image.open(REAL_DATA / set_name / file_name), labels[file_name]


@pytest.fixture(scope="module")
def engine() -> PpocrEngine:
    return PpocrEngine(timeout_seconds=30)


def test_it_reads_a_real_receipt_line(engine):
    image, truth = real_image("sroie_lines", "010_028.png")

    assert engine.recognize(image, layout="line").text.strip() == truth == "TAX AMT (S) 6%"


def test_a_real_receipt_line_whose_words_the_recognizer_runs_together_is_read_with_its_spaces(engine):
    image, truth = real_image("sroie_lines", "520_000.png")

    reading = engine.recognize(image, with_lines=True)

    # Its characters alone say "UNIHAKKAINTERNATIONALSDN BHD".
    assert reading.text.strip() == truth == "UNIHAKKA INTERNATIONAL SDN BHD"
    words = reading.lines[0].words
    assert [word.text for word in words] == ["UNIHAKKA", "INTERNATIONAL", "SDN", "BHD"]
    assert all(left.box[2] <= right.box[0] + 2 for left, right in zip(words, words[1:]))  # side by side


def test_a_receipt_s_figures_keep_their_points_and_digits_together(engine):
    image = Image.new("L", (1000, 36), 255)  # cut close, as a detected line is
    # A monospaced font, as receipt printers have: a "1" or a "." leaves most of its cell blank.
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 30)
    ImageDraw.Draw(image).text((6, 3), "TOTAL RM 111.10 1.00 SET 1171", font=font, fill=0)

    assert engine.recognize(image, layout="line").text.strip() == "TOTAL RM 111.10 1.00 SET 1171"


def test_it_reads_a_real_scanned_line(engine):
    image, truth = real_image("uw3_lines", sorted(json.loads((REAL_DATA / "uw3_lines" / "labels.json").read_text()))[0])

    reading = engine.recognize(image, layout="line").text

    assert character_accuracy(" ".join(reading.split()), " ".join(truth.split())) >= 0.97


def test_it_reads_a_real_chinese_label_with_the_chinese_model():
    image, truth = real_image("chinese", "paddleocr_word_4.jpg")

    assert PpocrEngine(language="chi_sim").recognize(image, layout="line").text.strip() == truth == "实力活力"


@pytest.mark.parametrize("file_name", ["paddleocr_word_2.jpg", "paddleocr_word_4.jpg"])
def test_a_chinese_photo_is_read_as_chinese_though_the_language_is_english(engine, file_name):
    image, truth = real_image("chinese", file_name)

    assert engine.language == "eng"
    assert engine.recognize(image).text.strip() == truth


def test_an_english_reading_of_english_lines_holds_no_stray_chinese_character(engine):
    # Real receipt and scanned lines, where an unmasked recognizer is tempted by ideographs.
    images = [real_image("sroie_lines", name)[0] for name in ("010_028.png", "520_000.png")] + [
        real_image("uw3_lines", name)[0]
        for name in sorted(json.loads((REAL_DATA / "uw3_lines" / "labels.json").read_text()))
    ]

    readings = "".join(engine.recognize(image).text for image in images)

    assert readings.strip() and not any(is_cjk(character) for character in readings)


def test_a_strip_of_two_lines_is_read_as_two_lines():
    # A 1167 x 54 screenshot: found as one line when shrunk to the detector's usual 960 px.
    lines = ["今天天气很好，我们一起去公园散步吧，然后回家吃晚饭。", "明天早上八点在学校门口集合，请大家不要迟到。"]
    image = Image.new("RGB", (1167, 54), "white")
    for number, line in enumerate(lines):
        ImageDraw.Draw(image).text((8, 2 + 25 * number), line, font=ImageFont.truetype(CJK_FONT_PATH, 18), fill="black")

    reading = PpocrEngine(language="chi_sim").recognize(image, with_lines=True)

    assert len(reading.lines) == 2
    assert all(character_accuracy(line.text, truth) >= 0.9 for line, truth in zip(reading.lines, lines))


def test_its_models_are_found_in_their_packages_and_nothing_is_fetched(tmp_path):
    # A process without a network: a model fetched at run time would fail to load here.
    script = """
import socket
def refuse(*args, **kwargs):
    raise OSError("no network in this test")
socket.socket.connect = socket.socket.connect_ex = socket.create_connection = refuse
from PIL import Image, ImageDraw, ImageFont
from ocr_engine.ppocr_engine import PpocrEngine
image = Image.new("L", (360, 90), 255)
ImageDraw.Draw(image).text((20, 15), "offline", font=ImageFont.truetype(FONT_PATH, 48), fill=0)
print(PpocrEngine(language="eng").recognize(image).text.strip())
print(PpocrEngine(language="chi_sim").recognize(image).text.strip())
""".replace("FONT_PATH", repr(FONT_PATH))
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "HOME": str(tmp_path)},  # no cache of models from an earlier run either
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["offline", "offline"]
    assert all(PpocrEngine.models[role][0] in ("rapidocr", "rapidocr_onnxruntime") for role in PpocrEngine.models)


def test_it_finds_no_text_in_a_blank_image(engine):
    reading = engine.recognize(Image.new("RGB", (300, 200), "white"), with_lines=True)

    assert (reading.text, reading.confidence, reading.lines) == ("", None, ())


def test_its_words_land_where_they_were_drawn(engine):
    image = Image.new("RGB", (700, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT_PATH, 40)
    drawn = {}
    for word, position in (("receipt", (60, 60)), ("total", (360, 60)), ("thanks", (60, 180))):
        drawn[word] = draw.textbbox(position, word, font=font)
        draw.text(position, word, fill="black", font=font)

    reading = engine.recognize(image, with_lines=True)

    words = {word.text: word for line in reading.lines for word in line.words}
    assert set(words) == set(drawn)
    for text, box in drawn.items():
        assert overlap(words[text].box, box) >= 0.5, (text, words[text].box, box)
        assert len(words[text].quad) == 4
    # Boxes on one row are read left to right before the next row.
    assert [line.text for line in reading.lines] == ["receipt", "total", "thanks"]
    assert {line.engine for line in reading.lines} == {"ppocr"}


def test_a_tilted_line_gets_a_tilted_quadrilateral(engine):
    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).text((80, 70), "slanted words", fill=0, font=ImageFont.truetype(FONT_PATH, 44))
    tilted = image.rotate(12, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)

    line = engine.recognize(tilted, with_lines=True).lines[0]

    assert line.text == "slanted words"
    (_, left_y), (_, right_y) = line.quad[0], line.quad[1]
    # Turned counter-clockwise: the top edge rises from left to right.
    assert right_y < left_y - 40


def test_chinese_characters_are_not_spaced_apart():
    image = Image.new("RGB", (520, 140), "white")
    ImageDraw.Draw(image).text((40, 30), "欢迎光临", fill="black", font=ImageFont.truetype(CJK_FONT_PATH, 64))

    reading = PpocrEngine(language="eng+chi_sim").recognize(image, with_lines=True)

    assert reading.lines[0].text == "欢迎光临"
    assert len(reading.lines[0].words) == 4  # a word per character, as Tesseract counts them


def test_it_stops_a_model_call_running_past_its_time_limit():
    # The detector alone takes longer than this on a page: ONNX Runtime's terminate flag stops it.
    image = Image.new("L", (900, 1400), 255)
    draw = ImageDraw.Draw(image)
    for row in range(30):
        draw.text((40, 40 + row * 44), "a line of a long page of text", fill=0, font=ImageFont.truetype(FONT_PATH, 30))

    with pytest.raises(RecognitionTimeout, match="PP-OCR did not finish within 0.05 s"):
        PpocrEngine(timeout_seconds=0.05).recognize(image)


def test_running_out_of_memory_is_said_in_words_without_the_library_s_internals(monkeypatch):
    monkeypatch.setattr(ShortOfMemoryPpocrEngine, "failures", 1)
    engine = ShortOfMemoryPpocrEngine(timeout_seconds=30)

    with pytest.raises(OutOfMemory) as raised:
        engine.recognize(Image.new("L", (400, 100), 255))

    assert str(raised.value) == "PP-OCR ran out of the memory it may use on this image"


def test_a_large_image_is_read_within_the_engine_s_pixel_budget_and_placed_back(engine, monkeypatch):
    seen = []
    detect = PpocrEngine._detect
    monkeypatch.setattr(
        PpocrEngine,
        "_detect",
        lambda self, pixels, deadline: seen.append(pixels.shape) or detect(self, pixels, deadline),
    )
    image = Image.new("L", (8000, 6000), 255)
    ImageDraw.Draw(image).text((4000, 3000), "Harbour", fill=0, font=ImageFont.truetype(FONT_PATH, 160))

    reading = engine.recognize(image, with_lines=True)

    ((height, width, _),) = seen
    assert width * height <= 16_000_000
    assert reading.text.strip() == "Harbour"
    left, top, right, bottom = reading.lines[0].box
    assert 3900 <= left <= 4050 and 2900 <= top <= 3100 and right > 4400
