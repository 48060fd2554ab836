"""The pages of a PDF as images, for recognition (pypdfium2: PDFium, the renderer of Chromium).

Pages are rendered, never trusted for their text layer: a PDF's text can say anything.

PDFium runs in a child process within `Limits` (`ocr_engine.contained`): a few hundred bytes of
PDF can make it allocate without end, and nothing stops native code in the serving process. A
child per call also makes PDFium's lack of thread safety harmless without a lock that would make
every PDF of a process wait behind the slowest.
"""

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator

import pypdfium2 as pdfium
from PIL import Image

from ocr_engine.contained import LimitExceeded, Limits, run_contained

POINTS_PER_INCH = 72
# Rendered pixels are handed over in memory-backed files where the system has them, named
# <prefix><pid of the process waiting for them>-<random>.
_PIXELS_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
PAGE_FILE_PREFIX = "django-ocr-page-"


class InvalidPdf(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __reduce__(self):  # crosses from the rendering child to the caller
        return _invalid_pdf, (self.message, self.code)


def _invalid_pdf(message: str, code: str) -> InvalidPdf:
    return InvalidPdf(message, code=code)


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


def pdf_page_count(data: bytes, *, max_pages: int, limits: Limits) -> int:
    """How many pages the PDF has; InvalidPdf when it cannot be opened (within `limits`) or has
    over `max_pages`."""
    count = _contained(_count_pages, data, limits=limits)
    if count > max_pages:
        raise InvalidPdf(f"The PDF has {count} pages: at most {max_pages} are accepted.", code="too_many_pages")
    if count == 0:
        raise InvalidPdf("The PDF has no pages.", code="invalid_pdf")
    return count


def render_pdf_page(data: bytes, number: int, *, dpi: int, max_pixels: int, limits: Limits) -> Image.Image:
    """Page `number` (from 1) as an RGB image at `dpi`, or at the lower resolution that keeps it
    within `max_pixels` (a poster-sized page would otherwise be gigapixels). The same bytes and
    settings give the same pixels, so a page read twice is found again by the dedup."""
    # The pixels come back through a file in memory (tmpfs), as PDFium drew them, rather than
    # pickled through the pipe: a 300 dpi page is 25 MB, and the pipe's copies cost more than the
    # rendering itself (bench/RESULTS.md, "Containing").
    with tempfile.NamedTemporaryFile(dir=_PIXELS_DIR, prefix=f"{PAGE_FILE_PREFIX}{os.getpid()}-") as pixels:
        mode, size, stride = _contained(_render_page, data, number, dpi, max_pixels, pixels.name, limits=limits)
        image = Image.frombuffer(mode, size, pixels.read(), "raw", mode, stride, 1)
        return image if mode == "RGB" else image.convert("RGB")


def pdf_text_lines(
    data: bytes, *, dpi: int, max_pixels: int, limits: Limits
) -> list[list[tuple[str, list[list[float]]]]]:
    """The text layer of every page, as PDFium finds its runs of text: each run's text and its four
    corners in the pixels of the page rendered at `dpi` (as `render_pdf_page` renders it, so a run
    stands where the same page read by OCR would have it). A page without text (a scan), or turned
    (its runs would not be upright), has none. One child process for the whole PDF."""
    return _contained(_text_lines, data, dpi, max_pixels, limits=limits)


def remove_stale_page_files() -> int:
    """Remove the pixel files left by processes that died mid-render (a worker killed while a page
    was handed over: 120 MB of memory each, in /dev/shm, until the machine restarts); how many.
    Each file is named after the process that made it, and only the dead's are removed."""
    removed = 0
    for path in glob.glob(os.path.join(_PIXELS_DIR or tempfile.gettempdir(), f"{PAGE_FILE_PREFIX}*")):
        owner = os.path.basename(path)[len(PAGE_FILE_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and os.path.exists(f"/proc/{owner}"):
            continue
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed += 1
    return removed


def rendered_pages(
    data: bytes | str, numbers: list[int], *, dpi: int, max_pixels: int
) -> Iterator[tuple[int, Image.Image | None]]:
    """(number, image) for each page of `numbers` of the PDF `data` (its bytes, or its path),
    rendered one after the other as `render_pdf_page` renders it; None for a page PDFium cannot
    render. In this process, without a child of its own: for work that runs contained already (an
    export's fallback), which holds one page's pixels at a time."""
    document = _open(data)
    try:
        for number in numbers:
            try:
                page = document[number - 1]
            except (pdfium.PdfiumError, IndexError):
                yield number, None
                continue
            try:
                bitmap = page.render(scale=_scale(page, dpi, max_pixels), rev_byteorder=True)
                image = bitmap.to_pil()
                yield number, image if image.mode == "RGB" else image.convert("RGB")
            except pdfium.PdfiumError:
                yield number, None
            finally:
                page.close()
    finally:
        document.close()


def _contained(function, *args, limits: Limits):
    try:
        return run_contained(function, *args, limits=limits)
    except LimitExceeded as exceeded:
        if exceeded.reason == "time":
            why = f"it needed more than {exceeded.limits.seconds:g} s"
        else:  # PDFium ends its process when an allocation fails at the ceiling
            why = f"it needed more than {exceeded.limits.memory_mib} MiB of memory (or made the renderer fail)"
        raise InvalidPdf(f"The PDF is too costly to render: {why} and was stopped.", code="pdf_too_costly") from None


# In the child process ---------------------------------------------------------------------------


def _count_pages(data: bytes) -> int:
    document = _open(data)
    try:
        return len(document)
    finally:
        document.close()


def _render_page(
    data: bytes, number: int, dpi: int, max_pixels: int, pixels_path: str
) -> tuple[str, tuple[int, int], int]:
    """Renders into `pixels_path` the bitmap as PDFium made it (RGB, or RGBA where the page has
    transparency), with no copy on the way; (mode, size, bytes per row)."""
    document = _open(data)
    try:
        page = document[number - 1]
        try:
            bitmap = page.render(scale=_scale(page, dpi, max_pixels), rev_byteorder=True)
            with open(pixels_path, "wb") as pixels:
                pixels.write(memoryview(bitmap.buffer))
            return bitmap.mode, (bitmap.width, bitmap.height), bitmap.stride
        finally:
            page.close()
    finally:
        document.close()


def _text_lines(data: bytes, dpi: int, max_pixels: int) -> list[list[tuple[str, list[list[float]]]]]:
    document = _open(data)
    try:
        pages = []
        for number in range(len(document)):
            page = document[number]
            try:
                pages.append([] if page.get_rotation() else _page_runs(page, _scale(page, dpi, max_pixels)))
            finally:
                page.close()
        return pages
    finally:
        document.close()


def _page_runs(page: "pdfium.PdfPage", scale: float) -> list[tuple[str, list[list[float]]]]:
    left_edge, _, _, top_edge = page.get_bbox()
    text_page = page.get_textpage()
    try:
        runs = []
        for index in range(text_page.count_rects()):
            left, bottom, right, top = text_page.get_rect(index)
            text = text_page.get_text_bounded(left, bottom, right, top).strip()
            if text:
                x0, x1 = (left - left_edge) * scale, (right - left_edge) * scale
                y0, y1 = (top_edge - top) * scale, (top_edge - bottom) * scale
                runs.append((text, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
        return runs
    finally:
        text_page.close()


def _scale(page: "pdfium.PdfPage", dpi: int, max_pixels: int) -> float:
    """Pixels per point: `dpi`, or less where the page would be over `max_pixels`."""
    width, height = page.get_size()  # in points
    scale = dpi / POINTS_PER_INCH
    pixels = width * scale * height * scale
    if pixels > max_pixels:
        scale *= (max_pixels / pixels) ** 0.5
    return scale


def _open(data: bytes | str) -> "pdfium.PdfDocument":
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        detail = "it is protected by a password" if "password" in str(error).lower() else "it is damaged"
        raise InvalidPdf(f"The PDF cannot be read: {detail}.", code="invalid_pdf") from None
