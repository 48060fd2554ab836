"""PDF pages rendered for recognition, with their limits; no Django needed."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_engine.pdf import InvalidPdf, is_pdf, pdf_page_count, render_pdf_pages
from ocr_engine.tesserocr_engine import TesserocrEngine
from tests.conftest import FONT_PATH


def pdf_of(*texts: str, resolution: float = 150) -> bytes:
    """A PDF with one A4 page (at `resolution` dpi) per text, drawn by the test."""
    font = ImageFont.truetype(FONT_PATH, 48)
    pages = []
    for text in texts:
        page = Image.new("RGB", (1240, 1754), "white")
        ImageDraw.Draw(page).text((100, 120), text, fill="black", font=font)
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=resolution)
    return buffer.getvalue()


def test_it_counts_the_pages_of_a_pdf():
    document = pdf_of("one", "two", "three")

    assert is_pdf(document)
    assert pdf_page_count(document, max_pages=10) == 3


def test_it_renders_each_page_at_the_resolution_asked_and_the_engine_reads_it():
    document = pdf_of("first page text", "second page here")

    pages = list(render_pdf_pages(document, dpi=150, max_pixels=50_000_000))

    # A4 at 150 dpi, within a pixel of rounding.
    assert all(abs(page.width - 1240) <= 1 and abs(page.height - 1754) <= 1 for page in pages)
    assert len(pages) == 2
    engine = TesserocrEngine()
    assert [engine.recognize(page).text.strip() for page in pages] == ["first page text", "second page here"]


def test_it_lowers_the_resolution_of_a_page_that_would_be_too_large():
    (page,) = render_pdf_pages(pdf_of("big"), dpi=600, max_pixels=1_000_000)

    assert page.width * page.height <= 1_000_000 * 1.01


def test_it_refuses_a_pdf_with_more_pages_than_allowed():
    with pytest.raises(InvalidPdf) as refused:
        pdf_page_count(pdf_of("a", "b", "c"), max_pages=2)

    assert refused.value.code == "too_many_pages"
    assert refused.value.message == "The PDF has 3 pages: at most 2 are accepted."


@pytest.mark.parametrize("data", [b"%PDF-1.4 this is not really a pdf", b"%PDF-"])
def test_it_refuses_a_damaged_pdf(data):
    with pytest.raises(InvalidPdf) as refused:
        pdf_page_count(data, max_pages=10)

    assert refused.value.code == "invalid_pdf"


def test_an_image_is_not_a_pdf():
    assert not is_pdf(b"\x89PNG\r\n\x1a\n")
