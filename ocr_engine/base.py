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


@dataclass(frozen=True)
class Recognition:
    """What an engine read in an image.

    `text` is the recognized text in reading order, lines separated by newlines.
    `confidence` is the engine's mean confidence from 0 to 1, or None where the engine gives none.
    """

    text: str
    confidence: float | None = None


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

    def recognize(self, image: Image.Image, *, layout: Layout = "auto") -> Recognition:
        """Read the text of `image`, looking for it as `layout` says.

        Raise `RecognitionTimeout` past `timeout_seconds`, `EngineUnavailable` when the engine
        cannot run, and `RecognitionFailed` for any other failure.
        """
        raise NotImplementedError
