"""The in-process engine: the real libtesseract, kept alive and reused; no Django, no database."""

import io
import threading

import pytest
from PIL import Image

import ocr_engine
from ocr_engine.pipeline import read_image
from ocr_engine.pytesseract_engine import PytesseractEngine
from ocr_engine.tesserocr_engine import TesserocrEngine
from tests.helpers import draw_text


def image_of(text: str, **options) -> Image.Image:
    return Image.open(io.BytesIO(draw_text(text, **options)))


def letters(text: str) -> str:
    return "".join(character for character in text if character.isalpha())


@pytest.fixture(scope="module")
def engine() -> TesserocrEngine:
    return TesserocrEngine(timeout_seconds=10)


def test_it_is_what_the_short_name_selects():
    assert ocr_engine.engine_class("tesserocr") is TesserocrEngine


def test_it_reads_text_with_a_confidence_between_0_and_1(engine):
    recognition = engine.recognize(image_of("hello world"))

    assert recognition.text.strip() == "hello world"
    assert 0.8 < recognition.confidence <= 1


def test_it_reads_a_blank_image_as_no_text_and_no_confidence(engine):
    recognition = engine.recognize(Image.new("RGB", (200, 80), "white"))

    assert recognition.text.strip() == ""
    assert recognition.confidence is None


def test_it_reads_lines_in_order_as_a_block_and_one_line_as_a_line(engine):
    two_lines = image_of("first line\nsecond line")

    assert engine.recognize(two_lines, layout="block").text.split("\n")[:2] == ["first line", "second line"]
    assert engine.recognize(image_of("one line"), layout="line").text.strip() == "one line"


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda: image_of("hello world"), id="clean"),
        pytest.param(lambda: image_of("Quartz jumps\nover fog"), id="two lines"),
        pytest.param(lambda: image_of("rotated words").rotate(8, expand=True, fillcolor="white"), id="rotated"),
        pytest.param(lambda: image_of("tiny text", font_size=11), id="small"),
        pytest.param(lambda: Image.eval(image_of("inverted"), lambda value: 255 - value), id="inverted"),
    ],
)
def test_it_reads_the_same_letters_as_the_tesseract_program(engine, image):
    picture = image()

    in_process = read_image(engine, picture)
    program = read_image(PytesseractEngine(timeout_seconds=30), picture)

    assert letters(in_process.recognition.text) == letters(program.recognition.text)
    assert in_process.recognition.confidence == pytest.approx(program.recognition.confidence, abs=0.01)
    assert in_process.steps == program.steps


def test_it_loads_the_model_once_and_reuses_it_for_every_image(engine):
    first = engine._take_api()
    engine._idle.put(first)

    for _ in range(3):
        engine.recognize(image_of("again"))

    assert engine._take_api() is first
    engine._idle.put(first)


def test_it_reuses_instances_across_threads_that_start_one_after_another(engine):
    """The dev server starts a new thread per request: no new model load for each."""
    instances_before = engine._idle.qsize()

    for _ in range(3):
        thread = threading.Thread(target=engine.recognize, args=(image_of("thread"),))
        thread.start()
        thread.join()

    assert engine._idle.qsize() == instances_before


def test_simultaneous_threads_each_get_their_own_instance_and_correct_text():
    engine = TesserocrEngine(timeout_seconds=10)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    barrier = threading.Barrier(len(words))
    results = {}

    def read(word):
        barrier.wait()
        results[word] = engine.recognize(image_of(word)).text.strip()

    threads = [threading.Thread(target=read, args=(word,)) for word in words]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == {word: word for word in words}
    assert 1 <= engine._idle.qsize() <= len(words)


def test_it_stops_at_its_time_limit_and_stays_usable():
    engine = TesserocrEngine(timeout_seconds=0.001)
    page = image_of("\n".join(["the quick brown fox jumps over the lazy dog"] * 30))

    with pytest.raises(ocr_engine.RecognitionTimeout):
        engine.recognize(page)

    engine.timeout_seconds = 10
    assert engine.recognize(image_of("still working")).text.strip() == "still working"


def test_it_reports_missing_language_data_as_unavailable():
    with pytest.raises(ocr_engine.EngineUnavailable, match="tesseract-ocr-xyz"):
        TesserocrEngine(language="xyz")


def test_it_runs_the_same_tesseract_release_as_the_program(engine):
    program = PytesseractEngine()

    assert engine.version.startswith("tesserocr 2.13.0, tesseract 5.")
    assert program.version.startswith("pytesseract 0.3.13, tesseract 5.")
    assert engine.version.rsplit("tesseract ", 1)[1] == program.version.rsplit("tesseract ", 1)[1]


def test_tesseracts_own_threads_are_off_in_the_engine_process():
    import os

    assert os.environ["OMP_THREAD_LIMIT"] == "1"


def test_it_finds_no_lines_in_an_image_without_text(engine):
    """tesserocr's result iterator raised "No text returned" here, and parse_text answered 500."""
    reading = engine.recognize(Image.new("L", (300, 200), 255), with_lines=True)

    assert (reading.text, reading.lines) == ("", ())
