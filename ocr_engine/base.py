"""
The engine interface: what the rest of django-ocr may ask of an OCR engine.

An engine turns a decoded image into text. It knows nothing of Django, uploads or records: the
parse service hands it a Pillow image and stores what it returns. Every failure an engine can have
is raised as one of the exception types below, which the API maps to its error model.
"""

from dataclasses import dataclass
from typing import Literal

from PIL import Image

#: How the engine should find the text in an image: "auto" finds blocks and columns itself (the
#: engines' default), "block" reads one uniform block of lines, "line" reads exactly one line.
Layout = Literal["auto", "block", "line"]


class OcrEngineError(Exception):
    """Base class of every error an engine raises."""


class EngineUnavailable(OcrEngineError):
    """The engine cannot run here: its program, library or language data is missing."""


class RecognitionFailed(OcrEngineError):
    """The engine ran and failed on this image."""


class OutOfMemory(RecognitionFailed):
    """The engine ran out of the memory it may use on this image: a moment of pressure (other
    readings at once) as often as the image itself, so worth another try later."""


class RecognitionTimeout(OcrEngineError):
    """The engine did not finish within its time limit; it was stopped."""


#: A rectangle in the pixels of the image that was read: left, top, right, bottom (exclusive).
Box = tuple[int, int, int, int]
#: Four corners in the pixels of the image that was read, clockwise from the text's top-left: the
#: box of text that is not level (a tilted line found by a text detector).
Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0 to 1
    box: Box
    #: The word's four corners when it is not level; `box` then encloses them.
    quad: Quad | None = None


@dataclass(frozen=True)
class Line:
    """A line of text: its words joined as the script wants (`join_words`), their mean confidence,
    and the engine that read it (a combined engine keeps each line's own reader)."""

    text: str
    confidence: float
    box: Box
    words: tuple[Word, ...]
    quad: Quad | None = None
    engine: str = ""


@dataclass(frozen=True)
class Recognition:
    """What an engine read in an image.

    `text` is the recognized text in reading order, lines separated by newlines.
    `confidence` is the mean confidence of the words from 0 to 1, or None when there are none.
    `lines` are the lines with their words and boxes, in reading order, when they were asked for.
    """

    text: str
    confidence: float | None = None
    lines: tuple[Line, ...] = ()
    #: What an engine that reads in several ways did to get this reading (e.g. "ppocr", "line"),
    #: kept in the record's pipeline; empty for one plain reading.
    steps: tuple[str, ...] = ()
    #: The share of the image the engine's own layout analysis set aside as pictures, whose text it
    #: did not read (Tesseract's image blocks): a sure reading of the rest may miss most of a page.
    set_aside: float = 0.0


def is_cjk(character: str) -> bool:
    """A Chinese, Japanese or Korean ideograph or syllable, or CJK punctuation: scripts written
    without spaces between words."""
    code = ord(character)
    return (
        0x3000 <= code <= 0x9FFF  # CJK punctuation, kana, ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x2FA1F  # ideographs beyond the basic plane
    )


def join_words(words: list[str]) -> str:
    """Words joined by spaces, except next to a CJK character: Tesseract reads each Chinese
    character as a word of its own, and neither "汉 阳" nor "市场 E 区" is how Chinese is written."""
    text = ""
    for word in words:
        if text and not (is_cjk(text[-1]) or is_cjk(word[0])):
            text += " "
        text += word
    return text


def line_of(words: list[Word], *, engine: str = "") -> Line:
    """The line made of `words`: their text joined (`join_words`), mean confidence, enclosing box."""
    return Line(
        text=join_words([word.text for word in words]),
        confidence=sum(word.confidence for word in words) / len(words),
        box=(
            min(word.box[0] for word in words),
            min(word.box[1] for word in words),
            max(word.box[2] for word in words),
            max(word.box[3] for word in words),
        ),
        words=tuple(words),
        engine=engine,
    )


class OcrEngine:
    """Base class of the engines; subclasses implement `recognize`.

    An instance is created once per process and configuration and reused for every image, so an
    engine may keep expensive state (a loaded model) between calls; `recognize` may be called from
    several threads at once and must be safe for that.
    """

    #: The short name `OCR_ENGINE` selects this engine by.
    name = ""
    #: True when `recognize` already takes a second look at an image it reads doubtfully (the
    #: `auto` engine): the letters pipeline then does not clean the image up and read it again.
    reads_doubtful_images_itself = False
    #: The engines, by short name, that this one reads with: the registry makes them (the process's
    #: own instances, shared with anyone asking for them by name) and hands them to `__init__` as
    #: keyword arguments of those names.
    parts: tuple[str, ...] = ()

    def __init__(self, *, language: str = "eng", timeout_seconds: float | None = None) -> None:
        """Raise `EngineUnavailable` when the engine cannot run on this machine."""
        self.language = language
        self.timeout_seconds = timeout_seconds

    @classmethod
    def missing_models(cls) -> list[str]:
        """What the engine's models need and this machine lacks, said for an operator (checked at
        start-up: models ship inside pinned packages and are never downloaded)."""
        return []

    @property
    def version(self) -> str:
        """The engine and library versions, kept with each record the engine produces. Engines
        that look them up cache them (a `functools.cached_property`): reading a package's metadata
        parses its METADATA file, about a millisecond on every reading otherwise."""
        return self.name

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        """Read the text of `image`, looking for it as `layout` says; `with_lines` adds the lines
        and words with their boxes (in the pixels of `image`) to the result.

        Raise `RecognitionTimeout` past `timeout_seconds`, `EngineUnavailable` when the engine
        cannot run, and `RecognitionFailed` for any other failure.
        """
        raise NotImplementedError

    def detect_orientation(self, image: Image.Image) -> int:
        """How far, in degrees clockwise (0, 90, 180 or 270), the text of `image` is turned from
        upright; 0 when there is too little text to tell.

        Raise `EngineUnavailable` when the engine cannot detect orientation here.
        """
        raise EngineUnavailable(f"the {self.name or type(self).__name__} engine cannot detect orientation")
