"""The default engine: Tesseract where it reads well and cheaply, PP-OCR where it does not.

Measured on the benchmark's sets (`make bench`, README "Engines"): Tesseract reads clean scans,
document pages, faint and blurred print best, and costs a few milliseconds a line; PP-OCR reads
photos, receipts, signs, noisy, unevenly lit and Chinese text far better, at 10-50 times the cost.
Tesseract's own confidence does not tell them apart: it is above 0.9 on its garbage readings of
heavy noise and of Chinese. What does is the image itself, measured in a millisecond or two
(`ImageKind`), together with agreement between the engines:

1. Chinese (`chi_sim` in the language), a photo, a noisy or unevenly lit image: PP-OCR alone;
   Tesseract only if it finds nothing.
2. A clean image (two flat tones, an even background): Tesseract first, and a reading it is sure
   of is kept, at Tesseract's cost alone, unless its layout set much of the image aside as a
   picture (`SET_ASIDE_MAX`): then on to 4.
3. Otherwise (scans of receipts, small or compressed print, faint text): PP-OCR first, and a
   reading it is very sure of is kept.
4. Both engines read the rest: agreeing, Tesseract's reading is kept; disagreeing, the surer one
   wins, with PP-OCR trusted by `PPOCR_TRUST` more (its confidences run lower on text it reads
   right).
"""

import functools
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image, ImageFilter

from ocr_engine.base import Layout, OcrEngine, Recognition
from ocr_engine.distance import edit_distance
from ocr_engine.images import as_engine_input
from ocr_engine.preprocess import otsu_split, text_line_count
from ocr_engine.registry import engine_class
from ocr_engine.second_look import DOUBTFUL_BELOW, surest_reading

#: Tesseract's reading of a clean image is kept when it is not doubtful by the letters pipeline's
#: own measure (`DOUBTFUL_BELOW`, 0.80): on clean images a stricter bar (0.90) sent a third of them
#: to PP-OCR too, for the same letters at 1.6 × the cost.
TESSERACT_SURE = DOUBTFUL_BELOW
#: Tesseract's sure reading of a clean image is not kept alone when its layout analysis set this
#: share of the image aside as a picture (a receipt photographed on a table: the rows between its
#: dashed rules went unread); PP-OCR reads it too, and the engines' comparison decides. On the real
#: sets the share is 0 for most images and over this for 6 of 311, all receipt scans or crops.
SET_ASIDE_MAX = 0.3
#: Mean distance of the pixels from the nearer of the two tones, relative to their contrast: under
#: CLEAN_SPREAD the image is clean print; from NOISY_SPREAD on, a photo or a noisy image.
CLEAN_SPREAD = 0.035
NOISY_SPREAD = 0.12
#: How much the paper's brightness varies across the image, relative to the contrast: over this,
#: it is unevenly lit (a shadow, a gradient), which Tesseract's binarization does not survive.
UNEVEN_LIGHTING = 0.2
#: Two readings this similar (1 - edit distance / length) agree.
AGREE = 0.9
#: Added to PP-OCR's confidence when the engines disagree on an image in between.
PPOCR_TRUST = 0.2
#: A small image PP-OCR reads with less confidence than this is also read the other way (as one
#: line, or with detection).
LINE_READING_SURE = 0.8
#: The kind of image is measured on a copy about this wide (at most twice): enough for its tones.
MEASURE_WIDTH_PX = 400
#: A picture of one line is at most this high; PP-OCR reads a higher one with detection only.
LINE_CROP_MAX_HEIGHT_PX = 200
#: In between clean and photo, PP-OCR reads first, and a reading this sure is kept at once: on the
#: benchmark's sets it was worse than Tesseract's on 10 of about 370 such images (and better on most).
PPOCR_SURE = 0.95


@dataclass
class ImageKind:
    spread: float
    uneven_lighting: float
    #: The measured copy, and the image's own height, for `is_line_crop`.
    gray: Image.Image = field(repr=False)
    height: int

    @property
    def is_small(self) -> bool:
        """Low enough to be a picture of one line."""
        return self.height <= LINE_CROP_MAX_HEIGHT_PX

    @functools.cached_property
    def is_line_crop(self) -> bool:
        """A picture of one line (a word or a line cut from a bigger picture, a label): small, with
        one band of ink. Measured only when asked (the median filter is most of the cost), which
        a clean image Tesseract is sure of never is. The filter keeps noise from counting as ink."""
        return self.is_small and text_line_count(self.gray.filter(ImageFilter.MedianFilter(5))) == 1

    @property
    def is_clean(self) -> bool:
        return self.spread < CLEAN_SPREAD and self.uneven_lighting < UNEVEN_LIGHTING

    @property
    def is_photo_like(self) -> bool:
        """A photo, heavy noise or uneven lighting: what Tesseract reads worst."""
        return self.spread >= NOISY_SPREAD or self.uneven_lighting >= UNEVEN_LIGHTING


def image_kind(image: Image.Image) -> ImageKind:
    """How clean `image` is, measured on its grey levels (see the module's docstring) at a cost that
    does not grow with its size: on a copy shrunk by whole factors (a box filter, the cheapest resize).

    An image with see-through pixels is measured laid on white, as the engines read it
    (`as_engine_input`): converted to grey as it came, dark text on a transparent background was a
    black picture (its transparent pixels are black ones). Only those: the thresholds were set on
    the others as they are, opaque RGBA scans included."""
    if _has_see_through_pixels(image):
        image = as_engine_input(image)
    height = image.height
    if image.width >= 2 * MEASURE_WIDTH_PX and image.mode in ("RGB", "L"):
        image = image.reduce(image.width // MEASURE_WIDTH_PX)
    gray = image.convert("L")
    pixels = np.asarray(gray, dtype=np.float32)
    _, dark, light = otsu_split(pixels.astype(np.uint8))
    contrast = max(1.0, light - dark)
    spread = float(np.minimum(np.abs(pixels - dark), np.abs(pixels - light)).mean() / contrast)
    papers = [np.percentile(strip, 90, method="lower") for strip in np.array_split(pixels, 4, axis=1) if strip.size]
    uneven = float((max(papers) - min(papers)) / contrast)
    return ImageKind(spread=spread, uneven_lighting=uneven, gray=gray, height=height)


def _has_see_through_pixels(image: Image.Image) -> bool:
    if "transparency" in image.info:  # a palette entry or a colour declared transparent
        return True
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getchannel("A").getextrema()[0] < 255
    return False


def similarity(a: str, b: str) -> float:
    """1 - edit distance / the longer length, of the texts with case and spacing ignored."""
    a, b = " ".join(a.split()).casefold(), " ".join(b.split()).casefold()
    if not a and not b:
        return 1.0
    return 1 - edit_distance(a, b) / max(len(a), len(b))


class AutoEngine(OcrEngine):
    """Tesseract (tesserocr) and PP-OCR, chosen per image (the module's docstring says how).

    Each line of a located reading keeps the name of the engine that read it, and a letters
    reading says it in its steps (stored in the record's pipeline).
    """

    name = "auto"
    reads_doubtful_images_itself = True
    parts = ("tesserocr", "ppocr")

    def __init__(
        self, *, tesserocr: OcrEngine, ppocr: OcrEngine, language: str = "eng", timeout_seconds: float | None = None
    ) -> None:
        super().__init__(language=language, timeout_seconds=timeout_seconds)
        self.tesseract, self.ppocr = tesserocr, ppocr

    @functools.cached_property
    def version(self) -> str:
        return f"auto: {self.tesseract.version}; {self.ppocr.version}"

    @classmethod
    def missing_models(cls) -> list[str]:
        return engine_class("ppocr").missing_models()

    def detect_orientation(self, image: Image.Image) -> int:
        return self.tesseract.detect_orientation(image)

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        kind = image_kind(image)
        if self.ppocr.reads_chinese or kind.is_photo_like:
            # PP-OCR's reading wins here whatever Tesseract reads: Tesseract only when it found nothing.
            first = self._ppocr(image, kind, layout, with_lines)
            return first if first.text.strip() else self._tesseract(image, layout, with_lines)
        if kind.is_clean:
            tesseract = self._tesseract(image, layout, with_lines)
            if (tesseract.confidence or 0.0) >= TESSERACT_SURE and tesseract.set_aside < SET_ASIDE_MAX:
                return tesseract
            ppocr = self._ppocr(image, kind, layout, with_lines)
        else:
            ppocr = self._ppocr(image, kind, layout, with_lines)
            if (ppocr.confidence or 0.0) >= PPOCR_SURE:
                return ppocr
            tesseract = self._tesseract(image, layout, with_lines)
        return ppocr if self._prefers_ppocr(tesseract, ppocr) else tesseract

    @staticmethod
    def _prefers_ppocr(tesseract: Recognition, ppocr: Recognition) -> bool:
        if not ppocr.text.strip():
            return False
        if not tesseract.text.strip():
            return True
        if similarity(tesseract.text, ppocr.text) >= AGREE:
            return False
        return (ppocr.confidence or 0.0) + PPOCR_TRUST >= (tesseract.confidence or 0.0)

    def _tesseract(self, image: Image.Image, layout: Layout, with_lines: bool) -> Recognition:
        """Tesseract's best reading: for letters its own pipeline (a second, cleaned-up look at a
        doubtful image); located lines must stay in the image's pixels, so they are read raw."""
        if with_lines:
            return self.tesseract.recognize(image, layout=layout, with_lines=True)
        recognition, steps = surest_reading(self.tesseract, image)
        return replace(recognition, lines=(), steps=("tesserocr", *steps))

    def _ppocr(self, image: Image.Image, kind: ImageKind, layout: Layout, with_lines: bool) -> Recognition:
        """PP-OCR's reading: a picture of one line with the recognizer alone (the detector misses
        text touching the image's edges), anything else with detection first. A small image read
        doubtfully one way is read the other way too, and the surer reading kept: telling a line
        from a small picture by its ink is not always right (a lone "2" on a receipt)."""
        if layout == "line":
            return _with_steps(self.ppocr.recognize(image, layout="line", with_lines=with_lines), ("ppocr", "line"))
        if kind.is_line_crop:
            # A noisy one detected first: noise throws the cut to the line's ink off, and
            # PP-OCRv6's detector finds a line cut close (v4's missed it): heavy noise read 99.2
            # detected first, 95.3 as a line first.
            ways = ["detected", "line"] if kind.spread >= NOISY_SPREAD else ["line", "detected"]
        else:
            ways = ["detected", "line"] if kind.is_small else ["detected"]
        best = None
        for way in ways:
            reading = self.ppocr.recognize(image, layout="line" if way == "line" else "auto", with_lines=with_lines)
            if best is None or (reading.confidence or 0.0) > (best.confidence or 0.0):
                best = _with_steps(reading, ("ppocr", way))
            # Under uneven light a line can be read as surely as wrongly (the cut to its ink is
            # unsure): both ways are read there.
            if (best.confidence or 0.0) >= LINE_READING_SURE and kind.uneven_lighting < UNEVEN_LIGHTING:
                break
        return best


def _with_steps(recognition: Recognition, steps: tuple[str, ...]) -> Recognition:
    return Recognition(recognition.text, recognition.confidence, recognition.lines, steps=steps)
