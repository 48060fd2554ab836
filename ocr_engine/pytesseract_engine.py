"""The original v1.0.0 way: the `tesseract` program, run once per image through pytesseract."""

import shutil

import pytesseract
from PIL import Image

from ocr_engine.base import (
    EngineUnavailable,
    OcrEngine,
    Recognition,
    RecognitionFailed,
    RecognitionTimeout,
)
from ocr_engine.images import as_engine_input


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

    def recognize(self, image: Image.Image) -> Recognition:
        try:
            text = pytesseract.image_to_string(
                as_engine_input(image),
                lang=self.language,
                timeout=self.timeout_seconds or 0,
            )
        except pytesseract.TesseractNotFoundError as error:
            raise EngineUnavailable(str(error)) from error
        except pytesseract.TesseractError as error:
            message = str(error.message).strip() or f"tesseract exited with status {error.status}"
            if "Failed loading language" in message or "Error opening data file" in message:
                raise EngineUnavailable(message) from error
            raise RecognitionFailed(message) from error
        except RuntimeError as error:
            # pytesseract kills the process and raises a bare RuntimeError on its timeout.
            if "timeout" in str(error).lower():
                raise RecognitionTimeout(
                    f"tesseract did not finish within {self.timeout_seconds} s"
                ) from error
            raise RecognitionFailed(str(error)) from error
        return Recognition(text=text)
