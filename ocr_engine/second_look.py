"""A second look at a doubtful reading: raw first, clean-up only when the engine is unsure.

A clean image costs one engine call. When the engine is unsure of its raw reading (a low mean
word confidence, or no text at all), the image is preprocessed (`ocr_engine.preprocess`) and read
again as one block of text, and as one line when it holds a single line; the reading the engine is
surest of wins, the raw one included, so that preprocessing can never make a confident reading
worse. The threshold and the candidates were chosen on the benchmark's data sets (`make bench`).

Used by the letters pipeline for an engine that does not look again by itself, and by `auto` for
its Tesseract reading, on an image the pipeline has already turned upright and bounded.
"""

from PIL import Image

from ocr_engine.base import OcrEngine, Recognition
from ocr_engine.preprocess import preprocess, text_line_count

#: A raw reading with a mean word confidence under this is doubtful and worth a second look.
DOUBTFUL_BELOW = 0.80

#: A recognition and what produced it: "raw", or the preprocessing steps and the layout read with.
Looked = tuple[Recognition, tuple[str, ...]]


def surest_reading(engine: OcrEngine, image: Image.Image) -> Looked:
    """`engine`'s surest reading of `image`: its raw one, or when that is doubtful the best of it
    and the preprocessed image's readings."""
    raw = (engine.recognize(image), ("raw",))
    if not is_doubtful(raw[0]):
        return raw
    prepared, notes = preprocess(image)
    layouts = ["line"] if text_line_count(prepared) == 1 else ["block"]
    candidates = [raw] + [(engine.recognize(prepared, layout=layout), (*notes, layout)) for layout in layouts]
    return max(candidates, key=_surest)


def is_doubtful(recognition: Recognition) -> bool:
    return not recognition.text.strip() or recognition.confidence is None or recognition.confidence < DOUBTFUL_BELOW


def _surest(looked: Looked) -> tuple[float, int]:
    """Confidence first, to the percent; between equals, the reading that found more text."""
    recognition = looked[0]
    return round(recognition.confidence or 0.0, 2), len(recognition.text.split())
