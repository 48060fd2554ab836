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


class RecognitionTimeout(OcrEngineError):
    """The engine did not finish within its time limit; it was stopped."""


#: A rectangle in the pixels of the image that was read: left, top, right, bottom (exclusive).
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0 to 1
    box: Box


@dataclass(frozen=True)
class Line:
    """A line of text: its words joined by spaces, and their mean confidence."""

    text: str
    confidence: float
    box: Box
    words: tuple[Word, ...]


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


def line_of(words: list[Word]) -> Line:
    """The line made of `words`: their text joined by spaces, mean confidence, enclosing box."""
    return Line(
        text=" ".join(word.text for word in words),
        confidence=sum(word.confidence for word in words) / len(words),
        box=(
            min(word.box[0] for word in words),
            min(word.box[1] for word in words),
            max(word.box[2] for word in words),
            max(word.box[3] for word in words),
        ),
        words=tuple(words),
    )


class OcrEngine:
    """Base class of the engines; subclasses implement `recognize`.

    An instance is created once per process and configuration and reused for every image, so an
    engine may keep expensive state (a loaded model) between calls; `recognize` may be called from
    several threads at once and must be safe for that.
    """

    #: The short name `OCR_ENGINE` selects this engine by.
    name = ""

    def __init__(self, *, language: str = "eng", timeout_seconds: float | None = None) -> None:
        """Raise `EngineUnavailable` when the engine cannot run on this machine."""
        self.language = language
        self.timeout_seconds = timeout_seconds

    @property
    def version(self) -> str:
        """The engine and library versions, kept with each record the engine produces."""
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
