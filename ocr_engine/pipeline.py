"""Reading an image's letters: turned upright, bounded to its ink, read within the time limit,
with a second look when the engine is unsure (`ocr_engine.second_look`), the memory given back."""

from dataclasses import dataclass

from PIL import Image

from ocr_engine.base import OcrEngine, Recognition
from ocr_engine.bounds import bounded, placed_back
from ocr_engine.deadline import reading_time_limit
from ocr_engine.images import upright
from ocr_engine.memory import PEAK_ABOVE_BYTES, give_memory_back
from ocr_engine.second_look import surest_reading

#: Stored with every record, so that readings made by different pipelines can be told apart.
PIPELINE_VERSION = "letters-v1"


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
    return Reading(*surest_reading(engine, image))
