"""Every reading is bounded: in pixels at each step, and in time as a whole (no Django needed)."""

import io
import subprocess
import sys

import pytest
from PIL import Image

from ocr_engine import RecognitionTimeout, get_engine
from ocr_engine.deadline import reading_time_limit, seconds_left
from ocr_engine.pipeline import read_image
from ocr_engine.preprocess import MAX_UPSCALED_PIXELS, upscale_small_text
from tests.engines import SlowTesserocrEngine
from tests.helpers import gray_text, one_speck_png, speckled

#: The address space a process reading one large image may use in these tests: a regression (the
#: 10 GB a 12 KB PNG once cost) fails the test instead of taking the machine down.
MEMORY_CAP = "--as=3000000000"


@pytest.mark.parametrize("engine", ["tesserocr", "auto"])
def test_a_huge_image_with_one_speck_is_read_within_a_memory_cap(engine, tmp_path):
    (tmp_path / "speck.png").write_bytes(one_speck_png())
    script = (
        "import sys; from ocr_engine import get_engine; from ocr_engine.pipeline import read_image; "
        "from ocr_engine.images import decode_image; "
        "image = decode_image(open(sys.argv[1], 'rb'), max_pixels=40_000_000); "
        f"reading = read_image(get_engine({engine!r}, timeout_seconds=60), image); "
        "print('read:', reading.pipeline)"
    )

    finished = subprocess.run(
        ["prlimit", MEMORY_CAP, sys.executable, "-c", script, str(tmp_path / "speck.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.startswith("read: letters-v1:")


def test_small_text_is_never_enlarged_past_the_pixel_bound():
    speck = Image.open(io.BytesIO(one_speck_png(4000)))
    unchanged, note = upscale_small_text(speck)
    wide = Image.new("L", (3000, 3000), 255)
    wide.paste(gray_text("tiny text", font_size=10), (100, 100))

    enlarged, enlarged_note = upscale_small_text(wide)

    assert unchanged is speck and note is None
    assert enlarged.width * enlarged.height <= MAX_UPSCALED_PIXELS
    assert enlarged_note.startswith("upscale x")


def test_the_time_limit_covers_the_whole_reading_not_each_call():
    # Each call takes 0.3 s of the 0.5: the raw reading is doubtful (speckles), and the second
    # look after preprocessing would have made it 0.6 s.
    engine = SlowTesserocrEngine(timeout_seconds=0.5)

    with pytest.raises(RecognitionTimeout, match=r"^the reading did not finish within 0.5 s and was stopped$"):
        read_image(engine, speckled(gray_text("hello world")))


def test_an_engine_call_gets_only_the_time_the_reading_has_left():
    with reading_time_limit(10):
        assert 9 < seconds_left(60) <= 10
        assert seconds_left(2) == 2
        with reading_time_limit(60):  # an inner limit cannot outlast the outer one
            assert seconds_left() <= 10
    assert seconds_left(2) == 2
    assert seconds_left() is None


def test_an_engine_past_its_own_limit_says_it_was_stopped():
    page = gray_text("\n".join(["the quick brown fox jumps over the lazy dog"] * 30))

    with pytest.raises(RecognitionTimeout, match=r"^tesseract did not finish within 0.001 s and was stopped$"):
        get_engine("tesserocr", timeout_seconds=0.001).recognize(page)
