"""Engines for tests. `CountingPytesseractEngine` and `StallingTesserocrEngine` read images with the
real Tesseract; the others stand in for failures that cannot be produced on demand."""

import os
import signal
import threading
import time

import cv2
from PIL import Image

from ocr_engine import OcrEngine, Recognition, RecognitionFailed
from ocr_engine.base import Layout
from ocr_engine.ppocr_engine import PpocrEngine
from ocr_engine.pytesseract_engine import PytesseractEngine
from ocr_engine.tesserocr_engine import TesserocrEngine


class CountingPytesseractEngine(PytesseractEngine):
    calls = 0
    _lock = threading.Lock()

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        with self._lock:
            type(self).calls += 1
        return super().recognize(image, layout=layout, with_lines=with_lines)


class MissingProgramEngine(PytesseractEngine):
    """pytesseract on a machine where the `tesseract` program is not installed."""

    tesseract_cmd = "/nonexistent/bin/tesseract"


class FailingEngine(OcrEngine):
    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        raise RecognitionFailed("the engine crashed on this image")


class BuggyEngine(OcrEngine):
    """An engine with a bug: it raises something that is not an ocr_engine error."""

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        raise KeyError("internal state")


class StallingTesserocrEngine(TesserocrEngine):
    """The real tesserocr engine that, before reading, says so in the file OCR_TEST_STARTED_FILE
    names and then stalls for OCR_TEST_STALL_S seconds: a worker caught mid-page, to be killed."""

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        with open(os.environ["OCR_TEST_STARTED_FILE"], "a") as started:
            started.write(f"{os.getpid()}\n")
        time.sleep(float(os.environ.get("OCR_TEST_STALL_S", "60")))
        return super().recognize(image, layout=layout, with_lines=with_lines)


class TaskDeletingEngine(PytesseractEngine):
    """The real pytesseract engine, during whose reading every OCR task is deleted: a client
    deleting its task while a worker reads one of its pages."""

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        from ocr_task.models import OcrTask

        OcrTask.objects.all().delete()
        return super().recognize(image, layout=layout, with_lines=with_lines)


class SlowTesserocrEngine(TesserocrEngine):
    """The real tesserocr engine, taking 0.3 s longer per call than it needs: a slow machine."""

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        time.sleep(0.3)
        return super().recognize(image, layout=layout, with_lines=with_lines)


class DyingTesserocrEngine(TesserocrEngine):
    """An engine whose process is killed as it starts reading (SIGKILL, as the kernel's OOM killer
    does): a page that takes down every worker that tries it."""

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        os.kill(os.getpid(), signal.SIGKILL)
        return super().recognize(image, layout=layout, with_lines=with_lines)


class ShortOfMemoryPpocrEngine(PpocrEngine):
    """The real PP-OCR engine whose detection runs out of memory, as OpenCV says it, on its first
    `failures` readings (class attribute, counted down): a worker short of memory for a moment."""

    failures = 1

    def _detect(self, pixels, deadline):
        if type(self).failures > 0:
            type(self).failures -= 1
            raise cv2.error(
                "OpenCV(4.10.0) /io/opencv/modules/core/src/alloc.cpp:73: error: (-4:Insufficient memory) "
                "Failed to allocate 1926000000 bytes in function 'OutOfMemoryError'"
            )
        return super()._detect(pixels, deadline)
