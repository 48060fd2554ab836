"""Clean-up steps for small, messy text images, and the pipeline that chains them.

Each step takes a dark-on-light grayscale image and returns it changed, with a short note of what it
did, or unchanged with no note when the image does not need it (clean text passes through every
step untouched). `ocr_engine.pipeline` runs them only when a raw reading is doubtful, and the
benchmark (`make bench`) measures what each step is worth by leaving it out.

There is no step inverting light text on a dark background: Tesseract 5 already re-reads inverted
any line it reads badly, and the benchmark found an inversion step made the inverted set no better.
"""

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from ocr_engine.deadline import check_time

# Tesseract reads small text badly: lines shorter than this are enlarged to TARGET_LINE_HEIGHT_PX.
SMALL_LINE_HEIGHT_PX = 24
TARGET_LINE_HEIGHT_PX = 40
MAX_UPSCALE = 4.0
# An enlarged image has at most this many pixels (an A4 page at 300 dpi has 8.7 million), and
# enlarging by less than MIN_UPSCALE is not worth its cost.
MAX_UPSCALED_PIXELS = 12_000_000
MIN_UPSCALE = 1.1
# Background pixels straying more than this many grey levels from their neighbours: speckles.
NOISY_ABOVE = 12.0
MAX_SKEW_DEGREES = 15.0
# Rotating by less than this blurs more than it straightens.
MIN_SKEW_DEGREES = 1.0
PADDING_PX = 10

Step = Callable[[Image.Image], tuple[Image.Image, str | None]]


# Measurements ---------------------------------------------------------------------------------


def otsu_threshold(pixels: np.ndarray) -> int:
    """The grey level that best splits the pixels into two classes (Otsu's method)."""
    return otsu_split(pixels)[0]


def otsu_split(pixels: np.ndarray) -> tuple[int, float, float]:
    """Otsu's split of 8-bit pixels: the threshold, and the mean grey levels of the dark and the
    light pixels either side of it."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    weight_dark = np.cumsum(histogram)
    weight_light = pixels.size - weight_dark
    sum_dark = np.cumsum(histogram * levels)
    mean_dark = np.divide(sum_dark, weight_dark, out=np.zeros(256), where=weight_dark > 0)
    mean_light = np.divide(sum_dark[-1] - sum_dark, weight_light, out=np.zeros(256), where=weight_light > 0)
    split = int(np.argmax(weight_dark * weight_light * (mean_dark - mean_light) ** 2))
    return split, float(mean_dark[split]), float(mean_light[split])


def ink_mask(image: Image.Image) -> np.ndarray:
    """True where a dark-on-light grayscale image has ink."""
    pixels = np.asarray(image)
    return pixels <= otsu_threshold(pixels)


def text_line_heights(image: Image.Image) -> list[int]:
    """The heights in pixels of the bands of rows that hold ink, top to bottom (one per line)."""
    rows_with_ink = ink_mask(image).any(axis=1)
    heights, run = [], 0
    for has_ink in rows_with_ink:
        if has_ink:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    if run:
        heights.append(run)
    return heights


def line_height(image: Image.Image) -> int | None:
    """The height of the tallest band of ink (the dots of i and j make short bands of their own)."""
    heights = text_line_heights(image)
    return max(heights) if heights else None


def text_line_count(image: Image.Image) -> int:
    """How many lines of text there are, ignoring bands too thin to be a line (dots, specks)."""
    heights = text_line_heights(image)
    return sum(1 for height in heights if height >= max(heights) / 2) if heights else 0


def noise_level(image: Image.Image) -> float:
    """How far the background's pixels stray from their 3×3 median, in grey levels.

    Measured on the background only (where the median is light), so that the edges of thin
    letters do not count as noise: near 0 for clean images, tens for speckled ones.
    """
    pixels = np.asarray(image, dtype=np.int16)
    smoothed = np.asarray(image.filter(ImageFilter.MedianFilter(3)), dtype=np.int16)
    background = smoothed > otsu_threshold(smoothed.astype(np.uint8))
    if not background.any():
        return 0.0
    return float(np.abs(pixels - smoothed)[background].mean())


def skew_angle(image: Image.Image) -> float:
    """The angle in degrees (counter-clockwise positive) by which the text lines are turned.

    Lines are level when the ink's row profile is sharpest: the angle maximizing the sum of squared
    row counts, searched by whole degrees then by tenths, on the ink pixels' coordinates only.
    """
    ys, xs = np.nonzero(ink_mask(image))
    if len(xs) < 20:
        return 0.0
    if len(xs) > 20_000:  # a fixed sample keeps large images cheap and the profile's shape
        keep = np.random.default_rng(0).choice(len(xs), 20_000, replace=False)
        xs, ys = xs[keep], ys[keep]
    xs = xs - xs.mean()
    ys = ys - ys.mean()

    def sharpness(degrees: float) -> float:
        radians = np.deg2rad(degrees)
        rows = np.round(ys * np.cos(radians) + xs * np.sin(radians)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    coarse = max(np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 1.0), key=sharpness)
    return float(max(np.arange(coarse - 1, coarse + 1.01, 0.1), key=sharpness))


# Steps ----------------------------------------------------------------------------------------


def upscale_small_text(image: Image.Image) -> tuple[Image.Image, str | None]:
    height = line_height(image)
    if not height or height >= SMALL_LINE_HEIGHT_PX:
        return image, None
    # Bounded in pixels too: a huge image whose only ink is a speck has a "line" 1 px high, and
    # enlarging it 4 × made 640 million pixels of it.
    factor = min(
        MAX_UPSCALE, TARGET_LINE_HEIGHT_PX / height, (MAX_UPSCALED_PIXELS / (image.width * image.height)) ** 0.5
    )
    if factor < MIN_UPSCALE:
        return image, None
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS), f"upscale x{factor:.1f}"


def remove_speckles(image: Image.Image) -> tuple[Image.Image, str | None]:
    """A 3×3 median removes salt-and-pepper noise; it runs after upscaling so thin strokes survive."""
    if noise_level(image) > NOISY_ABOVE:
        return image.filter(ImageFilter.MedianFilter(3)), "denoise"
    return image, None


def stretch_contrast(image: Image.Image) -> tuple[Image.Image, str | None]:
    """Spread the grey levels in use over the whole range (faded, low-contrast text)."""
    low, high = image.getextrema()
    if low <= 5 and high >= 250:
        return image, None
    return ImageOps.autocontrast(image, cutoff=1), "stretch"


def deskew(image: Image.Image) -> tuple[Image.Image, str | None]:
    angle = skew_angle(image)
    if abs(angle) < MIN_SKEW_DEGREES:
        return image, None
    rotated = image.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return rotated, f"deskew {angle:+.1f}°"


def pad(image: Image.Image) -> tuple[Image.Image, str | None]:
    """A white margin: Tesseract misses strokes that touch the image's edge."""
    return ImageOps.expand(image, border=PADDING_PX, fill=255), None


STEPS: dict[str, Step] = {
    "upscale": upscale_small_text,
    "denoise": remove_speckles,
    "stretch": stretch_contrast,
    "deskew": deskew,
    "pad": pad,
}


def preprocess(image: Image.Image, *, skip: Sequence[str] = ()) -> tuple[Image.Image, list[str]]:
    """Run every step but those named in `skip` on `image`; return the result and what was done."""
    image = image if image.mode == "L" else image.convert("L")
    notes = ["grayscale"]
    for name, step in STEPS.items():
        if name not in skip:
            check_time()  # each step is bounded in pixels; the reading's time limit, between them
            image, note = step(image)
            if note:
                notes.append(note)
    return image, notes
