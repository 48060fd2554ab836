"""What an engine is handed: the part of an image that holds anything, within the pixels the
engine's memory allows.

Files of a few kilobytes decode to tens of millions of pixels (a white 6324-pixel square with one
speck, a blank 8000×300 strip, a 40000×24 line). Read as they are, every engine works on every
pixel: PP-OCR's OpenCV steps ran out of memory at 2 GB, its line measure recursed without end, and
a square with one speck took 9 s of a 10 s limit. So, before any engine sees an image:

- an image with nothing on it (every pixel within `BACKGROUND_TOLERANCE` of its background) is
  read as empty, without an engine;
- a large image whose content fills a small part of it is cut to that part (with a margin), and
  what is read there is placed back where it was;
- an image longer than `MAX_SIDE_PX` on a side (Tesseract refuses sides over 32767 pixels) is
  scaled down to it.

Each engine may then bound its own input further (`shrunk`: PP-OCR, by its pixel budget).
"""

from dataclasses import dataclass, replace

from PIL import Image

from ocr_engine.base import Box, Line, Quad, Recognition
from ocr_engine.images import as_engine_input

#: A pixel this close to the image's most common grey is background. Low, because taking faint
#: print (a grey of 240 on 250, which preprocessing reads) for background loses text, while taking
#: noise for content only costs the cut.
BACKGROUND_TOLERANCE = 6
#: Images of fewer pixels are read whole: cutting them saves little, and Tesseract reads small
#: crops better with the margins they came with.
CROP_FROM_PIXELS = 4_000_000
#: An image is cut to its content when that covers less than this share of it.
CROP_BELOW_SHARE = 0.5
#: Kept around the content of a cut image, as a page's margin.
CROP_MARGIN_PX = 48
#: No side handed to an engine is longer (Tesseract's own limit is 32767).
MAX_SIDE_PX = 16384


@dataclass(frozen=True)
class Bounded:
    """The image to read, or None when the image is blank; `offset` and `scale` take what is read
    in it back to the original: original = offset + point / scale."""

    image: Image.Image | None
    offset: tuple[int, int] = (0, 0)
    scale: float = 1.0

    @property
    def changed(self) -> bool:
        return self.offset != (0, 0) or self.scale != 1.0


def bounded(image: Image.Image) -> Bounded:
    """`image` (upright) as it should be read (see the module's docstring). Costs a few tens of milliseconds
    on the largest images the service accepts, and nothing on those under CROP_FROM_PIXELS that
    are not blank."""
    box = content_box(image)
    if box is None:
        return Bounded(None)
    offset = (0, 0)
    width, height = image.size
    left, top, right, bottom = box
    if width * height >= CROP_FROM_PIXELS and (right - left) * (bottom - top) < CROP_BELOW_SHARE * width * height:
        left, top = max(0, left - CROP_MARGIN_PX), max(0, top - CROP_MARGIN_PX)
        right, bottom = min(width, right + CROP_MARGIN_PX), min(height, bottom + CROP_MARGIN_PX)
        image, offset = image.crop((left, top, right, bottom)), (left, top)
    scale = min(1.0, MAX_SIDE_PX / max(image.size))
    if scale < 1.0:
        image = image.resize(_scaled_size(image.size, scale), Image.Resampling.BOX)
    return Bounded(image, offset, scale)


def shrunk(image: Image.Image, *, max_pixels: int) -> tuple[Image.Image, float]:
    """`image` scaled down to at most `max_pixels` (and the scale used), or as it is."""
    width, height = image.size
    if width * height <= max_pixels:
        return image, 1.0
    scale = (max_pixels / (width * height)) ** 0.5
    return image.resize(_scaled_size(image.size, scale), Image.Resampling.BOX), scale


def content_box(image: Image.Image) -> Box | None:
    """The smallest box holding every pixel that is not background (the image's most common grey,
    give or take BACKGROUND_TOLERANCE), or None when there is none. Transparent pixels count as
    the white they are read on."""
    gray = _gray(image)
    histogram = gray.histogram()
    background = max(range(256), key=histogram.__getitem__)
    ink = gray.point([0 if abs(value - background) <= BACKGROUND_TOLERANCE else 255 for value in range(256)])
    return ink.getbbox()


def placed_back(recognition: Recognition, bounds: Bounded) -> Recognition:
    """`recognition` made in `bounds.image`, with its boxes in the pixels of the original."""
    if not bounds.changed or not recognition.lines:
        return recognition
    return replace(
        recognition, lines=tuple(moved_line(line, bounds.offset, bounds.scale) for line in recognition.lines)
    )


def moved_line(line: Line, offset: tuple[float, float], scale: float) -> Line:
    """`line` read in an image scaled by `scale` from a part of another starting at `offset`,
    placed in that other image."""
    return replace(
        line,
        box=_moved_box(line.box, offset, scale),
        quad=_moved_quad(line.quad, offset, scale),
        words=tuple(
            replace(word, box=_moved_box(word.box, offset, scale), quad=_moved_quad(word.quad, offset, scale))
            for word in line.words
        ),
    )


def _moved_box(box: Box, offset: tuple[float, float], scale: float) -> Box:
    left, top, right, bottom = box
    dx, dy = offset
    return (
        int(dx + left / scale),
        int(dy + top / scale),
        int(round(dx + right / scale)),
        int(round(dy + bottom / scale)),
    )


def _moved_quad(quad: Quad | None, offset: tuple[float, float], scale: float) -> Quad | None:
    if quad is None:
        return None
    dx, dy = offset
    return tuple((dx + x / scale, dy + y / scale) for x, y in quad)


def _scaled_size(size: tuple[int, int], scale: float) -> tuple[int, int]:
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _gray(image: Image.Image) -> Image.Image:
    """The grey an engine would see (transparency on white, 16 bits stretched to 8)."""
    return as_engine_input(image).convert("L")
