"""Tesseract's C API in-process through tesserocr: the model is loaded once, not per image."""

import functools
import queue
import time

import tesserocr
from PIL import Image

from ocr_engine.base import (
    Box,
    EngineUnavailable,
    Layout,
    Line,
    OcrEngine,
    Recognition,
    RecognitionFailed,
    RecognitionTimeout,
    Word,
    line_of,
)
from ocr_engine.deadline import seconds_left, timeout_message
from ocr_engine.images import as_engine_input
from ocr_engine.tessdata import tessdata_dir
from ocr_engine.tesseract_layout import PAGE_SEGMENTATION_MODES


class TesserocrEngine(OcrEngine):
    """Reads images with long-lived `PyTessBaseAPI` instances.

    tesserocr is built against Debian's libtesseract (`requirements.txt` asks pip not to use the
    wheel, which bundles another Tesseract release), so this engine runs the very Tesseract and
    language data of the `tesseract` program and reads exactly what the `pytesseract` engine reads,
    25 to 30 times faster.

    An API instance is not thread-safe, so each one serves one thread at a time: a thread takes an
    idle instance from the pool, or creates one when all are busy, and gives it back when done.
    The pool thus holds as many instances as there were simultaneous recognitions, each reused for
    the life of the process: the same under gunicorn's threads and under the dev server, which
    starts a new thread for every request.
    """

    name = "tesserocr"

    def __init__(self, *, language: str = "eng", timeout_seconds: float | None = None) -> None:
        super().__init__(language=language, timeout_seconds=timeout_seconds)
        self._tessdata_dir = tessdata_dir(language)
        self._idle: queue.LifoQueue[tesserocr.PyTessBaseAPI] = queue.LifoQueue()
        # The first instance is made now: a broken installation fails here, not on a request.
        self._idle.put(self._new_api())
        # Orientation detection has its own model (osd.traineddata) and instances, made when needed.
        self._idle_osd: queue.LifoQueue[tesserocr.PyTessBaseAPI] = queue.LifoQueue()

    @functools.cached_property
    def version(self) -> str:
        return f"tesserocr {tesserocr.__version__}, tesseract {tesserocr.tesseract_version().split()[1]}"

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        api = self._take_api()
        try:
            api.SetPageSegMode(PAGE_SEGMENTATION_MODES[layout])
            _set_pixels(api, as_engine_input(image))
            seconds = seconds_left(self.timeout_seconds)
            started = time.monotonic()
            if not api.Recognize(timeout=max(1, int(seconds * 1000)) if seconds else 0):
                # Recognize says False both when stopped and when it failed: the clock tells which.
                took = time.monotonic() - started
                if seconds and took >= seconds * 0.9:
                    raise RecognitionTimeout(timeout_message("tesseract", seconds))
                raise RecognitionFailed(f"tesseract failed on this image after {took:.2f} s")
            text = api.GetUTF8Text()
            word_confidences = api.AllWordConfidences()
            lines = _lines(api) if with_lines else ()
            set_aside = _set_aside(api, image.size)
        finally:
            # Forget the image and its results, so that an idle instance holds no memory for them.
            api.Clear()
            self._idle.put(api)
        confidence = sum(word_confidences) / len(word_confidences) / 100 if word_confidences else None
        return Recognition(text=text, confidence=confidence, lines=lines, set_aside=set_aside)

    def detect_orientation(self, image: Image.Image) -> int:
        try:
            api = self._idle_osd.get_nowait()
        except queue.Empty:
            api = self._new_osd_api()
        try:
            _set_pixels(api, as_engine_input(image))
            detected = api.DetectOrientationScript()
        except RuntimeError:
            detected = None  # too little text to tell
        finally:
            api.Clear()
            self._idle_osd.put(api)
        # orient_deg is how far the page is turned clockwise from upright.
        return detected["orient_deg"] if detected else 0

    def _new_osd_api(self) -> tesserocr.PyTessBaseAPI:
        try:
            return tesserocr.PyTessBaseAPI(path=tessdata_dir("osd"), lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        except RuntimeError as error:
            raise EngineUnavailable(f"tesseract could not load its orientation data: {error}") from error

    def _take_api(self) -> tesserocr.PyTessBaseAPI:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._new_api()

    def _new_api(self) -> tesserocr.PyTessBaseAPI:
        try:
            return tesserocr.PyTessBaseAPI(path=self._tessdata_dir, lang=self.language)
        except RuntimeError as error:
            raise EngineUnavailable(f"tesseract could not load {self.language!r}: {error}") from error


def _set_pixels(api: tesserocr.PyTessBaseAPI, image: Image.Image) -> None:
    """Hand the raw pixels to Tesseract, as the `tesseract` program gets them from a PNG file.

    `SetImage` would encode the image as BMP, whose header claims 96 dpi; Tesseract then trusts
    that resolution instead of estimating it from the text, and reads rotated and small text worse
    than the program does. Raw pixels carry no resolution, and skip an encode and a decode.
    """
    bytes_per_pixel = len(image.getbands())
    api.SetImageBytes(image.tobytes(), image.width, image.height, bytes_per_pixel, bytes_per_pixel * image.width)


#: Tesseract's kinds of layout block that hold a picture: text inside them is not read.
PICTURE_BLOCKS = {tesserocr.PT.FLOWING_IMAGE, tesserocr.PT.HEADING_IMAGE, tesserocr.PT.PULLOUT_IMAGE}


def _set_aside(api: tesserocr.PyTessBaseAPI, size: tuple[int, int]) -> float:
    """The share of the image in blocks Tesseract's layout analysis took for pictures."""
    iterator = api.GetIterator()
    if iterator is None:
        return 0.0
    area = 0
    for block in tesserocr.iterate_level(iterator, tesserocr.RIL.BLOCK):
        if block.BlockType() in PICTURE_BLOCKS:
            left, top, right, bottom = block.BoundingBox(tesserocr.RIL.BLOCK)
            area += (right - left) * (bottom - top)
    return min(1.0, area / max(1, size[0] * size[1]))


def _lines(api: tesserocr.PyTessBaseAPI) -> tuple[Line, ...]:
    """The recognized lines, each with its words, boxes and confidences, in reading order."""
    iterator = api.GetIterator()
    if iterator is None:
        return ()
    iterator.Begin()
    lines: list[list[Word]] = []
    while True:
        if iterator.IsAtBeginningOf(tesserocr.RIL.TEXTLINE) or not lines:
            lines.append([])
        text, box = _word_at(iterator)
        if text and box:
            lines[-1].append(Word(text=text, confidence=iterator.Confidence(tesserocr.RIL.WORD) / 100, box=box))
        if not iterator.Next(tesserocr.RIL.WORD):
            break
    return tuple(line_of(words, engine="tesserocr") for words in lines if words)


def _word_at(iterator) -> tuple[str, Box | None]:
    """The text and box of the word the iterator is at; ("", None) where there is none.

    On an image without text, or where layout analysis found a block it recognized nothing in,
    tesserocr raises "No text returned" instead of giving an empty word.
    """
    try:
        text = (iterator.GetUTF8Text(tesserocr.RIL.WORD) or "").strip()
    except RuntimeError:
        return "", None
    return text, iterator.BoundingBox(tesserocr.RIL.WORD)
