"""Reading an image well at the least cost: raw first, clean-up only when the reading is doubtful.

A clean image costs one engine call. When the engine is unsure of its raw reading (a low mean
word confidence, or no text at all), the image is preprocessed (`ocr_engine.preprocess`) and read
again as one block of text, and as one line when it holds a single line; the reading the engine is
surest of wins, the raw one included, so that preprocessing can never make a confident reading
worse. The threshold and the candidates were chosen on the benchmark's data sets (`make bench`).
"""

from dataclasses import dataclass

from PIL import Image

from ocr_engine.base import OcrEngine, Recognition
from ocr_engine.bounds import bounded, placed_back
from ocr_engine.deadline import reading_time_limit
from ocr_engine.images import upright
from ocr_engine.memory import PEAK_ABOVE_BYTES, give_memory_back
from ocr_engine.preprocess import preprocess, text_line_count

#: Stored with every record, so that readings made by different pipelines can be told apart.
PIPELINE_VERSION = "letters-v1"
#: A raw reading with a mean word confidence under this is doubtful and worth a second look.
DOUBTFUL_BELOW = 0.80


@dataclass(frozen=True)
class Reading:
    recognition: Recognition
    #: What produced the reading: "raw", or the preprocessing steps and the layout read with.
    steps: tuple[str, ...]

    @property
    def pipeline(self) -> str:
        """e.g. "letters-v1: raw" or "letters-v1: grayscale, upscale x2.5, block"."""
        return f"{PIPELINE_VERSION}: {', '.join(self.steps)}"


def read_image(engine: OcrEngine, image: Image.Image) -> Reading:
    """The best reading of `image` by `engine`, all of it within the engine's `timeout_seconds`
    (`ocr_engine.deadline`)."""
    try:
        with reading_time_limit(engine.timeout_seconds):
            return _best_reading(engine, image)
    finally:
        give_memory_back(PEAK_ABOVE_BYTES)  # the reading's peak (pixels, preprocessing, engine buffers)


def _best_reading(engine: OcrEngine, image: Image.Image) -> Reading:
    what_to_read = bounded(upright(image))
    if what_to_read.image is None:  # nothing on it
        return Reading(Recognition(""), ("blank",))
    reading = _best_reading_of(engine, what_to_read.image)
    return Reading(placed_back(reading.recognition, what_to_read), reading.steps)


def _best_reading_of(engine: OcrEngine, image: Image.Image) -> Reading:
    if engine.reads_doubtful_images_itself:
        recognition = engine.recognize(image)
        return Reading(recognition, recognition.steps or ("raw",))
    raw = Reading(engine.recognize(image), ("raw",))
    if not is_doubtful(raw.recognition):
        return raw
    prepared, notes = preprocess(image)
    layouts = ["line"] if text_line_count(prepared) == 1 else ["block"]
    candidates = [raw] + [Reading(engine.recognize(prepared, layout=layout), (*notes, layout)) for layout in layouts]
    return max(candidates, key=_surest)


def is_doubtful(recognition: Recognition) -> bool:
    return not recognition.text.strip() or recognition.confidence is None or recognition.confidence < DOUBTFUL_BELOW


def _surest(reading: Reading) -> tuple[float, int]:
    """Confidence first, to the percent; between equals, the reading that found more text."""
    recognition = reading.recognition
    return round(recognition.confidence or 0.0, 2), len(recognition.text.split())
