"""Find and keep the engine that `OCR_ENGINE` names."""

import functools
import importlib

from ocr_engine.base import EngineUnavailable, OcrEngine

#: Short names of the engines shipped with django-ocr; any other value is a dotted class path.
ENGINES = {
    "tesserocr": "ocr_engine.tesserocr_engine.TesserocrEngine",
    "pytesseract": "ocr_engine.pytesseract_engine.PytesseractEngine",
    "ppocr": "ocr_engine.ppocr_engine.PpocrEngine",
    "auto": "ocr_engine.auto_engine.AutoEngine",
}


def engine_class(name: str) -> type[OcrEngine]:
    """The engine class named by a short name from ENGINES or a dotted path.

    Imported only when asked for, so an engine whose library is missing costs nothing until chosen.
    """
    dotted_path = ENGINES.get(name, name)
    module_path, _, class_name = dotted_path.rpartition(".")
    if not module_path:
        raise EngineUnavailable(
            f"unknown OCR engine {name!r}: use one of {sorted(ENGINES)} or a dotted path to a class"
        )
    try:
        module = importlib.import_module(module_path)
    except ImportError as error:
        raise EngineUnavailable(f"OCR engine {name!r} cannot be imported: {error}") from error
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, OcrEngine)):
        raise EngineUnavailable(f"{dotted_path!r} is not an ocr_engine.OcrEngine subclass")
    return cls


@functools.cache
def get_engine(name: str, *, language: str = "eng", timeout_seconds: float | None = None) -> OcrEngine:
    """The one engine instance of this process for a configuration, created on first use.

    A failed creation is not remembered, so an engine installed later is picked up without restart.
    """
    engine = engine_class(name)
    parts = {part: get_engine(part, language=language, timeout_seconds=timeout_seconds) for part in engine.parts}
    return engine(language=language, timeout_seconds=timeout_seconds, **parts)
