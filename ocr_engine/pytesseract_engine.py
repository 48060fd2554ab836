"""The original v1.0.0 way: the `tesseract` program, run once per image through pytesseract."""

import functools
import logging
import shutil

import pytesseract
from PIL import Image

from ocr_engine.base import (
    EngineUnavailable,
    Layout,
    OcrEngine,
    Recognition,
    RecognitionFailed,
    RecognitionTimeout,
    Word,
    line_of,
)
from ocr_engine.deadline import seconds_left, timeout_message
from ocr_engine.images import as_engine_input
from ocr_engine.tesseract_layout import PAGE_SEGMENTATION_MODES

logger = logging.getLogger(__name__)


class PytesseractEngine(OcrEngine):
    """Runs a new `tesseract` process per image (Debian packages `tesseract-ocr`, `-eng`).

    Simple and isolated, but every call pays for starting the process and loading the model.
    """

    name = "pytesseract"
    tesseract_cmd = "tesseract"

    def __init__(self, *, language: str = "eng", timeout_seconds: float | None = None) -> None:
        super().__init__(language=language, timeout_seconds=timeout_seconds)
        if shutil.which(self.tesseract_cmd) is None:
            raise EngineUnavailable(
                f"the {self.tesseract_cmd!r} program is not installed "
                "(Debian: apt-get install tesseract-ocr tesseract-ocr-eng)"
            )
        self._tesseract_version = str(pytesseract.get_tesseract_version())

    @functools.cached_property
    def version(self) -> str:
        return f"pytesseract {pytesseract.__version__}, tesseract {self._tesseract_version}"

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        seconds = seconds_left(self.timeout_seconds)
        try:
            # The word table has the text in reading order and each word's confidence.
            table = pytesseract.image_to_data(
                as_engine_input(image),
                lang=self.language,
                config=f"--psm {PAGE_SEGMENTATION_MODES[layout]}",
                timeout=seconds or 0,
            )
        except pytesseract.TesseractNotFoundError as error:
            raise EngineUnavailable(str(error)) from error
        except pytesseract.TesseractError as error:
            message = str(error.message).strip() or f"tesseract exited with status {error.status}"
            if "Failed loading language" in message or "Error opening data file" in message:
                raise EngineUnavailable(message) from error
            # Its own words name temporary files and Leptonica's functions: kept for the log.
            logger.warning("tesseract failed: %s", message)
            raise RecognitionFailed(
                f"tesseract could not read this image (it exited with status {error.status})"
            ) from error
        except RuntimeError as error:
            # pytesseract kills the process and raises a bare RuntimeError on its timeout.
            if "timeout" in str(error).lower():
                raise RecognitionTimeout(timeout_message("tesseract", seconds)) from error
            raise RecognitionFailed(str(error)) from error
        return _recognition_from_table(table, with_lines=with_lines)

    def detect_orientation(self, image: Image.Image) -> int:
        try:
            seconds = seconds_left(self.timeout_seconds)
            report = pytesseract.image_to_osd(as_engine_input(image), timeout=seconds or 0)
        except pytesseract.TesseractError as error:
            if "Too few characters" in str(error.message) or "Invalid resolution" in str(error.message):
                return 0
            if "osd.traineddata" in str(error.message) or "Failed loading language" in str(error.message):
                raise EngineUnavailable(str(error.message).strip()) from error
            return 0
        except RuntimeError as error:
            raise RecognitionTimeout(timeout_message("tesseract", seconds)) from error
        return _orientation(report)


def _orientation(osd: str) -> int:
    """The clockwise turn of the page from tesseract's OSD report ("Orientation in degrees: 90")."""
    for line in osd.splitlines():
        if line.startswith("Orientation in degrees:"):
            return int(line.split(":")[1])
    return 0


def _recognition_from_table(tsv: str, *, with_lines: bool) -> Recognition:
    """Text, confidence and lines from tesseract's TSV output, as libtesseract gives them.

    Words of one line are joined by spaces, lines by newlines; the confidence is the mean of the
    words' whole percents (0..1), as `TessBaseAPI::AllWordConfidences` computes it.
    """
    lines: dict[tuple[str, str, str], list[Word]] = {}
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) != 12 or fields[0] != "5" or not fields[11].strip():
            continue  # only level 5 rows are words
        # level, page, block, paragraph, line, word, left, top, width, height, confidence, text
        block, paragraph, line = fields[2:5]
        left, top, width, height = fields[6:10]
        box = (int(left), int(top), int(left) + int(width), int(top) + int(height))
        word = Word(text=fields[11].strip(), confidence=max(0.0, float(fields[10])) / 100, box=box)
        lines.setdefault((block, paragraph, line), []).append(word)
    words = [word for line in lines.values() for word in line]
    whole_percents = [int(word.confidence * 100 + 1e-9) for word in words]
    return Recognition(
        text="".join(" ".join(word.text for word in line) + "\n" for line in lines.values()),
        confidence=sum(whole_percents) / len(whole_percents) / 100 if words else None,
        lines=tuple(line_of(line, engine="pytesseract") for line in lines.values()) if with_lines else (),
    )
