"""
Pluggable OCR engines. `get_engine(name)` gives the engine that `OCR_ENGINE` names; every engine
implements `OcrEngine.recognize` and reports failures with the exception types of `ocr_engine.base`.
This package never imports Django, so its tests need no database.
"""

import os

# Tesseract's OpenMP threads would compete with the server's own workers for the same cores (and
# make every call slower under load): one thread per recognition. Set before any engine starts a
# tesseract process or loads libtesseract, which read it once.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from ocr_engine.base import (  # noqa: E402  (after the environment is set)
    EngineUnavailable,
    OcrEngine,
    OcrEngineError,
    OutOfMemory,
    Recognition,
    RecognitionFailed,
    RecognitionTimeout,
)
from ocr_engine.registry import ENGINES, engine_class, get_engine  # noqa: E402

__all__ = [
    "ENGINES",
    "EngineUnavailable",
    "OcrEngine",
    "OcrEngineError",
    "OutOfMemory",
    "Recognition",
    "RecognitionFailed",
    "RecognitionTimeout",
    "engine_class",
    "get_engine",
]
