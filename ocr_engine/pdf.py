"""The pages of a PDF as images, for recognition (pypdfium2: PDFium, the renderer of Chromium).

Pages are rendered, never trusted for their text layer: a PDF's text can say anything.
"""

import threading
from collections.abc import Iterator

import pypdfium2 as pdfium
from PIL import Image

# PDFium is not thread-safe: one document operation at a time in a process.
_pdfium_lock = threading.Lock()
POINTS_PER_INCH = 72


class InvalidPdf(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


def pdf_page_count(data: bytes, *, max_pages: int) -> int:
    """How many pages the PDF has; InvalidPdf when it cannot be opened or has over `max_pages`."""
    with _pdfium_lock:
        document = _open(data)
        try:
            count = len(document)
        finally:
            document.close()
    if count > max_pages:
        raise InvalidPdf(f"The PDF has {count} pages: at most {max_pages} are accepted.", code="too_many_pages")
    if count == 0:
        raise InvalidPdf("The PDF has no pages.", code="invalid_pdf")
    return count


def render_pdf_page(data: bytes, number: int, *, dpi: int, max_pixels: int) -> Image.Image:
    """Page `number` (from 1) as an RGB image at `dpi`, or at the lower resolution that keeps it
    within `max_pixels` (a poster-sized page would otherwise be gigapixels). The same bytes and
    settings give the same pixels, so a page read twice is found again by the dedup."""
    with _pdfium_lock:
        document = _open(data)
        try:
            page = document[number - 1]
            try:
                width, height = page.get_size()  # in points
                scale = dpi / POINTS_PER_INCH
                pixels = width * scale * height * scale
                if pixels > max_pixels:
                    scale *= (max_pixels / pixels) ** 0.5
                return page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            document.close()


def render_pdf_pages(data: bytes, *, dpi: int, max_pixels: int) -> Iterator[Image.Image]:
    """Every page, in order, as `render_pdf_page` renders it."""
    with _pdfium_lock:
        document = _open(data)
        count = len(document)
        document.close()
    for number in range(1, count + 1):
        yield render_pdf_page(data, number, dpi=dpi, max_pixels=max_pixels)


def _open(data: bytes) -> "pdfium.PdfDocument":
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        detail = "it is protected by a password" if "password" in str(error).lower() else "it is damaged"
        raise InvalidPdf(f"The PDF cannot be read: {detail}.", code="invalid_pdf") from error
