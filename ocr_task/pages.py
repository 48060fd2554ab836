"""A task page's pixels: what is read, and what an export shows."""

import io

from django.conf import settings
from PIL import Image

from ocr_engine.contained import Limits
from ocr_engine.images import upright
from ocr_engine.pdf import pdf_text_lines, render_pdf_page
from ocr_record.images import decoded_within_limits
from ocr_task.models import OcrTaskItem

# Images whose files do not say their resolution are laid out at this one in exports.
DEFAULT_IMAGE_DPI = 150
# The format a rendered page's pixels are hashed in (see page_content); changing it makes every
# page read before look new to the dedup once.
PAGE_HASH_FORMAT = "PPM"
# A page's preview is no larger than a screen needs.
PREVIEW_MAX_SIDE = 1600


def pdf_limits() -> Limits:
    """What PDFium may use to count or render the pages of one PDF (OCR_PDF_MAX_MEMORY_MB, OCR_PDF_TIMEOUT_S)."""
    return Limits(memory_bytes=settings.OCR_PDF_MAX_MEMORY_MB * 1024 * 1024, seconds=settings.OCR_PDF_TIMEOUT_S)


def page_content(item: OcrTaskItem, number: int) -> tuple[bytes, Image.Image]:
    """The bytes the dedup hashes and the decoded image the engine reads, for page `number`.

    A PDF page is rendered at OCR_PDF_DPI and its pixels kept as a netpbm file (PPM: a header and
    the raw pixels, so decoding those bytes gives the rendered image; the same page renders to the
    same bytes, so it is read once). The bytes are only hashed and sized for the dedup: a PNG, even
    at zlib's fastest level, took 0.18 s a page at 300 dpi (the default level 0.42 s), the PPM 0.02 s
    and hashing its 26 MB 0.05 s more, about 6 % of reading the page. Raises InvalidPdf /
    InvalidImage for content that cannot be read.
    """
    if item.is_pdf:
        return pdf_page_content(item.read_file(), number)
    content = item.read_file()
    return content, _decoded(content)


def pdf_page_content(data: bytes, number: int) -> tuple[bytes, Image.Image]:
    """Page `number` of the PDF `data` as `page_content` gives it: rendered at OCR_PDF_DPI, its
    pixels as the bytes the dedup hashes, and the image. Raises InvalidPdf."""
    image = _rendered_pdf(data, number)
    buffer = io.BytesIO()
    image.save(buffer, format=PAGE_HASH_FORMAT)
    return buffer.getvalue(), image


#: A PDF page with at least this many characters of text is read from its text layer where that is
#: asked for (extraction): a scan's stray glyphs (a stamp, a page number) are no page of text.
TEXT_LAYER_MIN_CHARACTERS = 20


def pdf_text_pages(data: bytes) -> list[list[tuple[str, list[list[float]]]]]:
    """Each page's text layer, its runs placed in the pixels the page renders to at OCR_PDF_DPI
    (where its reading by OCR would place them); none for a page with too little text to be one (a
    scan). Raises InvalidPdf."""
    pages = pdf_text_lines(
        data, dpi=settings.OCR_PDF_DPI, max_pixels=settings.OCR_MAX_IMAGE_PIXELS, limits=pdf_limits()
    )
    return [
        runs if sum(len(text.replace(" ", "")) for text, _ in runs) >= TEXT_LAYER_MIN_CHARACTERS else []
        for runs in pages
    ]


def page_as_shown(item: OcrTaskItem, number: int) -> tuple[Image.Image, float]:
    """The page as a viewer shows it (the frame of the reading's locations), and its resolution.
    No file is written: those bytes are for the dedup's hash alone (page_content)."""
    if item.is_pdf:
        return _rendered(item, number), settings.OCR_PDF_DPI
    image = _decoded(item.read_file())
    dpi = image.info.get("dpi", (0, 0))[0]
    return upright(image), float(dpi) if dpi and dpi >= 36 else DEFAULT_IMAGE_DPI


def _rendered(item: OcrTaskItem, number: int) -> Image.Image:
    return _rendered_pdf(item.read_file(), number)


def _rendered_pdf(data: bytes, number: int) -> Image.Image:
    return render_pdf_page(
        data,
        number,
        dpi=settings.OCR_PDF_DPI,
        max_pixels=settings.OCR_MAX_IMAGE_PIXELS,
        limits=pdf_limits(),
    )


def _decoded(content: bytes) -> Image.Image:
    return decoded_within_limits(io.BytesIO(content))


def page_preview(item: OcrTaskItem, number: int, *, max_side: int = PREVIEW_MAX_SIDE) -> bytes:
    """Page `number` as a viewer shows it (the frame of its reading's locations), at most
    `max_side` pixels a side, as PNG: what the try-it page draws a page's boxes over. Raises
    InvalidPdf / InvalidImage for a page that cannot be rendered."""
    image, _ = page_as_shown(item, number)
    image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.convert("RGB" if image.mode not in ("1", "L", "RGB") else image.mode).save(buffer, format="PNG")
    return buffer.getvalue()
