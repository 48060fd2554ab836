"""
Pluggable OCR engines. `get_engine(name)` gives the engine that `OCR_ENGINE` names; every engine
implements `OcrEngine.recognize` and reports failures with the exception types of `ocr_engine.base`.
This package never imports Django, so its tests need no database.
"""

from ocr_engine.base import (
    EngineUnavailable,
    OcrEngine,
    OcrEngineError,
    Recognition,
    RecognitionFailed,
    RecognitionTimeout,
)
from ocr_engine.registry import ENGINES, engine_class, get_engine

__all__ = [
    "ENGINES",
    "EngineUnavailable",
    "OcrEngine",
    "OcrEngineError",
    "Recognition",
    "RecognitionFailed",
    "RecognitionTimeout",
    "engine_class",
    "get_engine",
]
