"""Each preprocessing step changes the images that need it and leaves clean text alone."""

import pytest
from PIL import Image, ImageFilter

from ocr_engine import preprocess
from ocr_engine.pipeline import PIPELINE_VERSION, read_image
from ocr_engine.tesserocr_engine import TesserocrEngine
from tests.helpers import gray_text, speckled


class CountingEngine(TesserocrEngine):
    def __init__(self, **options):
        super().__init__(**options)
        self.calls = 0

    def recognize(self, image, *, layout="auto", with_lines=False):
        self.calls += 1
        return super().recognize(image, layout=layout, with_lines=with_lines)


@pytest.mark.parametrize("step", ["upscale", "denoise", "stretch", "deskew"])
def test_a_step_leaves_clean_dark_text_on_white_unchanged(step):
    clean = gray_text()

    changed, note = preprocess.STEPS[step](clean)

    assert note is None
    assert changed is clean


def test_upscale_enlarges_small_text_to_the_target_line_height():
    small = gray_text(font_size=11)

    enlarged, note = preprocess.upscale_small_text(small)

    assert note.startswith("upscale x")
    assert preprocess.SMALL_LINE_HEIGHT_PX <= preprocess.line_height(enlarged) <= 1.3 * preprocess.TARGET_LINE_HEIGHT_PX


def test_denoise_removes_speckles_and_measures_them():
    noisy = speckled(gray_text())

    cleaned, note = preprocess.remove_speckles(noisy)

    assert note == "denoise"
    assert preprocess.noise_level(noisy) > preprocess.NOISY_ABOVE
    assert preprocess.noise_level(cleaned) < preprocess.noise_level(noisy) / 2


def test_small_clean_letters_are_not_mistaken_for_noise():
    assert preprocess.noise_level(gray_text(font_size=11)) < preprocess.NOISY_ABOVE


def test_stretch_spreads_faded_text_over_the_whole_range():
    faded = Image.eval(gray_text(), lambda value: 150 + value * 60 // 255)

    stretched, note = preprocess.stretch_contrast(faded)

    assert note == "stretch"
    assert stretched.getextrema() == (0, 255)


@pytest.mark.parametrize("degrees", [-12, -5, 3, 9])
def test_deskew_measures_the_rotation_of_the_lines(degrees):
    turned = gray_text("a line of rotated text").rotate(degrees, expand=True, fillcolor=255)

    assert preprocess.skew_angle(turned) == pytest.approx(degrees, abs=1.0)
    assert preprocess.deskew(turned)[1].startswith("deskew")


def test_text_lines_are_counted_without_the_dots_of_i_and_j():
    assert preprocess.text_line_count(gray_text("jiggling")) == 1
    assert preprocess.text_line_count(gray_text("first\nsecond\nthird")) == 3


def test_preprocess_reports_the_steps_it_took_and_skips_those_asked():
    small_rotated = gray_text("tiny", font_size=11).rotate(10, expand=True, fillcolor=255)

    _, notes = preprocess.preprocess(small_rotated)
    _, notes_without_deskew = preprocess.preprocess(small_rotated, skip=["deskew"])

    assert notes[0] == "grayscale"
    assert any(note.startswith("upscale") for note in notes)
    assert any(note.startswith("deskew") for note in notes)
    assert not any(note.startswith("deskew") for note in notes_without_deskew)


def test_a_clean_image_costs_one_raw_engine_call():
    engine = CountingEngine()

    reading = read_image(engine, gray_text("hello world"))

    assert engine.calls == 1
    assert reading.steps == ("raw",)
    assert reading.pipeline == f"{PIPELINE_VERSION}: raw"
    assert reading.recognition.text.strip() == "hello world"


@pytest.mark.parametrize(
    ("text", "image", "expected_step"),
    [
        pytest.param(
            "recognition",
            lambda: gray_text("recognition").rotate(11, expand=True, fillcolor=255),
            "deskew",
            id="rotated",
        ),
        pytest.param("quizzical", lambda: speckled(gray_text("quizzical", font_size=26)), "denoise", id="noisy"),
        pytest.param("quizzical", lambda: gray_text("quizzical", font_size=10), "upscale", id="small"),
        pytest.param(
            "quizzical",
            lambda: Image.eval(gray_text("quizzical", font_size=24), lambda v: 220 + v * 30 // 255).filter(
                ImageFilter.GaussianBlur(1.5)
            ),
            "stretch",
            id="faded and blurred",
        ),
    ],
)
def test_a_doubtful_image_is_preprocessed_and_read_right(text, image, expected_step):
    engine = CountingEngine()

    reading = read_image(engine, image())

    assert engine.calls == 2  # the raw reading, then the preprocessed one
    assert any(step.startswith(expected_step) for step in reading.steps), reading.steps
    assert reading.recognition.text.strip() == text
