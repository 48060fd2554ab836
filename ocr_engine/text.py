"""Reading all the text of an image, with where each line and word is.

Unlike letters, text is located: every line and word gets four corner points in the pixels of the
image as uploaded, even when the image was turned upright (`detect_direction`) or straightened
(skew) before it was read, so the corners of a word on a tilted photo follow the tilt.
"""

from dataclasses import dataclass

from PIL import Image

from ocr_engine.base import Line, OcrEngine, Word
from ocr_engine.bounds import bounded
from ocr_engine.deadline import check_time, reading_time_limit
from ocr_engine.geometry import Turns
from ocr_engine.images import as_engine_input, upright
from ocr_engine.memory import PEAK_ABOVE_BYTES, give_memory_back
from ocr_engine.preprocess import skew_angle

#: Stored with every text record, so that readings made by different pipelines can be told apart.
TEXT_PIPELINE_VERSION = "text-v1"
#: Tesseract's layout analysis copes with a skew smaller than this by itself; and on a page of a
#: few scattered words, the row profile can find a spurious skew of a degree or two.
MIN_TEXT_SKEW_DEGREES = 3.0

Location = list[list[int]]  # four [x, y] points, clockwise from the top-left


@dataclass(frozen=True)
class LocatedWord:
    text: str
    confidence: float
    location: Location


@dataclass(frozen=True)
class LocatedLine:
    text: str
    confidence: float
    location: Location
    words: tuple[LocatedWord, ...]
    #: The engine that read the line ("tesserocr", "ppocr", ...).
    engine: str = ""


@dataclass(frozen=True)
class TextReading:
    width: int
    height: int
    #: How far the image was turned from upright, in degrees clockwise; it was turned back first.
    direction: int
    #: The small rotation of the lines, in degrees counter-clockwise; it was straightened first.
    angle: float
    lines: tuple[LocatedLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float | None:
        words = [word for line in self.lines for word in line.words]
        return sum(word.confidence for word in words) / len(words) if words else None


def read_text(
    engine: OcrEngine, image: Image.Image, *, detect_direction: bool = False, quick_mode: bool = False
) -> TextReading:
    """All the text of `image`, located.

    `detect_direction` finds a page turned by 90, 180 or 270 degrees and reads it upright.
    `quick_mode` reads the image as one line of text, without measuring its skew: faster, for
    images that hold a single line.
    """
    try:
        with reading_time_limit(engine.timeout_seconds):
            return _read_text(engine, image, detect_direction=detect_direction, quick_mode=quick_mode)
    finally:
        give_memory_back(PEAK_ABOVE_BYTES)  # the reading's peak (turned and straightened copies, engine buffers)


def _read_text(engine: OcrEngine, image: Image.Image, *, detect_direction: bool, quick_mode: bool) -> TextReading:
    # The upload as a viewer shows it: photos stored sideways carry an EXIF orientation.
    image = upright(image)
    bounds = image.size
    turns = Turns()
    what_to_read = bounded(image)
    if what_to_read.image is None:  # nothing on it
        return TextReading(width=bounds[0], height=bounds[1], direction=0, angle=0.0, lines=())
    if what_to_read.changed:
        image = what_to_read.image
        turns.place(what_to_read.offset, what_to_read.scale)
    direction = engine.detect_orientation(image) if detect_direction else 0
    if direction:
        # Pillow turns counter-clockwise: this undoes a clockwise turn of `direction` degrees.
        turned = image.rotate(direction, expand=True)
        turns.add(direction, image.size, turned.size)
        image = turned
    check_time()
    angle = 0.0 if quick_mode else skew_angle(image.convert("L"))
    # The engine gets the colours: PP-OCR reads a photo better in them (Tesseract makes its own grey).
    image = as_engine_input(image)
    if abs(angle) >= MIN_TEXT_SKEW_DEGREES:
        white = 255 if image.mode == "L" else (255, 255, 255)
        straight = image.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=white)
        turns.add(-angle, image.size, straight.size)
        image = straight
    else:
        angle = 0.0
    check_time()
    recognition = engine.recognize(image, layout="line" if quick_mode else "auto", with_lines=True)
    return TextReading(
        width=bounds[0],
        height=bounds[1],
        direction=direction,
        angle=round(angle, 1),
        lines=tuple(_located(line, turns, bounds) for line in recognition.lines),
    )


def _located(line: Line, turns: Turns, bounds: tuple[int, int]) -> LocatedLine:
    return LocatedLine(
        text=line.text,
        confidence=round(line.confidence, 4),
        location=_location(line, turns, bounds),
        words=tuple(
            LocatedWord(text=word.text, confidence=round(word.confidence, 4), location=_location(word, turns, bounds))
            for word in line.words
        ),
        engine=line.engine,
    )


def _location(part: Line | Word, turns: Turns, bounds: tuple[int, int]) -> Location:
    """A line's or word's corners in the upload: its own quadrilateral when the engine found one
    (text detected at a slant), otherwise its box's."""
    return turns.corners(part.quad, bounds) if part.quad else turns.quad(part.box, bounds)
