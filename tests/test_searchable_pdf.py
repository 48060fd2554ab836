"""A task file's searchable PDF (export format=pdf): the original pages with the reading laid over
them in invisible text, read back by poppler's pdftotext (what most viewers copy with), PDFium and
pikepdf; real Tesseract."""

import io
import subprocess
from datetime import timedelta
from pathlib import Path

import numpy
import pikepdf
import pypdfium2
import pytest
from django.utils import timezone
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ocr_task.exports import ocr_task_item_export
from ocr_task.models import OcrTaskItem
from tests import hostile
from tests.helpers import get_export, page_with, upload

pytestmark = pytest.mark.django_db

TASKS_URL = "/api/ocr_task/"
LINES = {"words in a line": (60, 40), "and another line here": (60, 140), "third one": (60, 240)}


@pytest.fixture(autouse=True)
def quick_pdfs(settings):
    settings.OCR_PDF_DPI = 150


def read(api_client, name: str, content: bytes) -> OcrTaskItem:
    response = api_client.post(TASKS_URL, {"files": [upload(content, name)], "async_task": "false"}, format="multipart")
    assert response.status_code == 201, response.content
    return OcrTaskItem.objects.get(pk=response.json()["items"][0]["id"])


def export(api_client, item: OcrTaskItem, **query) -> bytes:
    response = get_export(api_client, f"{TASKS_URL}{item.task_id}/items/{item.pk}/export/", {"format": "pdf", **query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def pdftotext(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [line for line in text.splitlines() if line.strip()]


def image_pdf(image: Image.Image, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=dpi)
    return buffer.getvalue()


def born_digital_pdf(pages: int = 2) -> bytes:
    """Pages of vector text and drawings (no image), as a word processor makes them."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 28)
        canvas.drawString(72, 760, f"Quarterly report page {number}")
        canvas.setFont("Helvetica", 20)
        canvas.drawString(72, 700, "Revenue grew in every region")
        canvas.setLineWidth(3)
        canvas.rect(72, 400, 300, 150)  # a vector drawing: the `re` operator
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def recognized_lines(item: OcrTaskItem) -> list[str]:
    lines = [line for page in item.pages.all() for line in page.result["text"].splitlines()]
    assert len(lines) == 3 and all(" " in line for line in lines[:2])  # words to keep apart
    return lines


def test_pdftotext_copies_each_recognized_line_with_the_spaces_between_its_words(api_client):
    page, _ = page_with(LINES, size=(900, 320))
    item = read(api_client, "lines.pdf", image_pdf(page))

    assert pdftotext(export(api_client, item)) == recognized_lines(item)


def test_an_images_words_are_copied_with_their_spaces_too(api_client):
    page, _ = page_with(LINES, size=(900, 320))
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    item = read(api_client, "lines.png", buffer.getvalue())

    assert pdftotext(export(api_client, item)) == recognized_lines(item)


def test_a_real_receipt_photo_is_copied_with_the_spaces_of_its_print(api_client, settings):
    settings.OCR_ENGINE = "auto"  # PP-OCR reads it, whose recognizer runs a receipt's words together
    receipt = (Path(__file__).resolve().parent / "realdata" / "sroie_fields" / "004.jpg").read_bytes()
    item = read(api_client, "receipt.jpg", receipt)

    words = " ".join(pdftotext(export(api_client, item))).split()

    # Printed "43300 SERI KEMBANGAN, SELANGOR" and "JALAN KPB 6": without the spaces of the
    # print, a search for SELANGOR or KPB would find nothing.
    assert {"SDN", "BHD", "KEMBANGAN,", "SELANGOR", "KPB", "BALAKONG,"} <= set(words)


def test_a_born_digital_pdf_keeps_its_vector_pages_and_text_and_gains_no_second_layer(api_client):
    original = born_digital_pdf(pages=2)
    item = read(api_client, "report.pdf", original)

    exported = export(api_client, item)

    with pikepdf.open(io.BytesIO(exported)) as pdf, pikepdf.open(io.BytesIO(original)) as source:
        assert len(pdf.pages) == 2
        page, original_page = pdf.pages[0], source.pages[0]
        operators = {str(operator) for _, operator in pikepdf.parse_content_stream(page)}
        # The original drawing and fonts are there, and no image was made of the page.
        assert {"re", "Tj"} <= operators
        assert "/F1" in page.Resources.Font
        assert not page.get_images()
        assert list(page.mediabox) == list(original_page.mediabox)
    assert len(exported) <= 1.1 * len(original) + 10_000 * 2
    # Its own text, once: a reading laid over it would make each word be found and copied twice.
    assert pdftotext(exported).count("Revenue grew in every region") == 2


def test_the_highlighted_variant_draws_its_boxes_over_the_vector_page_it_keeps(api_client):
    item = read(api_client, "report.pdf", born_digital_pdf(pages=1))

    with pikepdf.open(io.BytesIO(export(api_client, item, highlight="true"))) as pdf:
        page = pdf.pages[0]
        operators = [str(operator) for _, operator in pikepdf.parse_content_stream(page)]
        assert {"re", "Tj"} <= set(operators) and operators[-2:] == ["Do", "Q"]  # the boxes, last
        (layer,) = page.Resources.XObject.values()
        assert "B" in {str(operator) for _, operator in pikepdf.parse_content_stream(layer)}
        assert not page.get_images()


def test_a_jpeg_is_kept_as_it_is_in_its_page(api_client):
    page, _ = page_with(LINES, size=(900, 320))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=90, dpi=(150, 150))
    jpeg = buffer.getvalue()
    item = read(api_client, "photo.jpg", jpeg)

    exported = export(api_client, item)

    with pikepdf.open(io.BytesIO(exported)) as pdf:
        assert len(pdf.pages) == 1
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == jpeg
        # 900 px at 150 dpi: 6 inches.
        assert float(pdf.pages[0].mediabox[2]) == pytest.approx(432, abs=1)
    assert len(exported) <= 1.3 * len(jpeg)
    assert pdftotext(exported) == recognized_lines(item)


def test_the_words_of_a_rotated_page_are_laid_where_the_page_shows_them(api_client):
    """A page stored sideways with /Rotate 90 is shown upright: its words' boxes (the highlighted
    variant draws them) cover the words drawn on it as shown."""
    upright, boxes = page_with({"sideways page": (80, 60)}, size=(700, 300), font_size=48)
    with pikepdf.open(io.BytesIO(image_pdf(upright.rotate(90, expand=True)))) as pdf:
        pdf.pages[0].Rotate = 90
        stored = io.BytesIO()
        pdf.save(stored)
    item = read(api_client, "rotated.pdf", stored.getvalue())
    assert item.pages.get().result["text"] == "sideways page"

    shown = pypdfium2.PdfDocument(export(api_client, item, highlight="true"))[0]
    pixels = numpy.asarray(shown.render(scale=150 / 72).to_pil().convert("RGB"), dtype=int)
    red, green, blue = pixels.transpose(2, 0, 1)
    ys, xs = numpy.nonzero((green > red + 40) & (green > blue + 40))
    left, top, right, bottom = boxes["sideways page"]
    assert pixels.shape[:2] == (300, 700)  # shown upright, as drawn
    assert abs(xs.min() - left) < 12 and abs(xs.max() - right) < 12
    assert abs(ys.min() - top) < 12 and abs(ys.max() - bottom) < 12


def test_the_pdfs_are_made_by_a_task_worker_once_the_file_is_read_then_served_from_storage(api_client):
    page, _ = page_with(LINES, size=(900, 320))
    item = read(api_client, "lines.pdf", image_pdf(page))
    url = f"{TASKS_URL}{item.task_id}/items/{item.pk}/export/"

    asked_early = api_client.get(url, {"format": "pdf"})
    made = ocr_task_item_export(item_id=item.pk)
    made_again = ocr_task_item_export(item_id=item.pk)
    first, second = export(api_client, item), export(api_client, item)

    assert item.export_status == "pending"  # as the reading left it
    assert asked_early.status_code == 202 and asked_early["Retry-After"] == "2"
    assert asked_early.json() == {
        "detail": "The PDF is being made by a task worker; ask again in a moment.",
        "code": "export_pending",
    }
    assert (made, made_again) == (True, False)
    item.refresh_from_db()
    assert (item.export_status, item.export_error) == ("succeeded", "")
    assert first == second
    # The highlighted variant is made once asked for: most files are only exported plain.
    assert item.searchable_pdf and not item.highlighted_pdf
    asked_highlighted = api_client.get(url, {"format": "pdf", "highlight": "true"})
    item.refresh_from_db()
    assert (asked_highlighted.status_code, item.export_status, item.export_highlighted) == (202, "pending", True)
    highlighted = export(api_client, item, highlight="true")
    item.refresh_from_db()
    assert highlighted != first and item.highlighted_pdf.name != item.searchable_pdf.name
    assert export(api_client, item) == first  # the plain one kept as it was


def test_a_pdf_whose_pages_qpdf_refuses_is_made_of_its_rendered_pages_one_at_a_time(api_client, settings):
    settings.OCR_PDF_DPI = 72
    item = read(api_client, "loop.pdf", hostile.looping_page_tree(pages=3, side=1200))

    exported = export(api_client, item)

    with pikepdf.open(io.BytesIO(exported)) as pdf:
        assert len(pdf.pages) == 3
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
    assert pdftotext(exported) == recognized_lines(item)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: hostile.bad_crop_box(b"(abc)"), id="a crop box that is a string"),
        pytest.param(lambda: hostile.bad_crop_box(b"[0 0 612]"), id="a crop box of three numbers"),
        pytest.param(lambda: hostile.deep_form_chain(3000), id="forms placed 3000 deep"),
    ],
)
def test_a_pdf_with_odd_pages_is_exported_with_its_text(api_client, settings, content):
    settings.OCR_PDF_DPI = 150
    item = read(api_client, "odd.pdf", content())

    exported = export(api_client, item)

    item.refresh_from_db()
    assert item.export_status == "succeeded"
    lines = [line for page in item.pages.all() for line in page.result["text"].splitlines()]
    assert exported.startswith(b"%PDF") and pdftotext(exported) == lines


def test_a_stream_that_decodes_to_gigabytes_is_copied_as_it_is(api_client, settings):
    settings.OCR_PDF_DPI = 150
    bomb = hostile.unused_stream_bomb(decoded_mib=1024)
    item = read(api_client, "bomb.pdf", bomb)

    exported = export(api_client, item)

    # Its 2 MB of hex are in the export as they were sent: never decoded and compressed again.
    assert len(exported) > len(bomb) * 0.9
    assert pdftotext(exported) == ["a page worth reading"]


def test_a_file_too_costly_to_export_is_a_409_naming_why_and_the_worker_goes_on(api_client, settings):
    settings.OCR_EXPORT_TIMEOUT_S = 1
    settings.OCR_PDF_DPI = 72
    item = read(api_client, "loop.pdf", hostile.looping_page_tree(pages=3, side=1200))
    settings.OCR_EXPORT_MAX_MEMORY_MB = 64  # less than a child needs to start its work

    response = get_export(api_client, f"{TASKS_URL}{item.task_id}/items/{item.pk}/export/", {"format": "pdf"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This file cannot be exported as a PDF: making it needed more than 64 MiB of memory and was stopped.",
        "code": "export_failed",
    }
    item.refresh_from_db()
    assert (item.export_status, item.searchable_pdf.name, item.highlighted_pdf.name) == ("failed", "", "")
    assert api_client.get(f"{TASKS_URL}{item.task_id}/").json()["items"][0]["export_status"] == "failed"


def test_an_export_left_running_by_a_worker_that_died_is_taken_again_until_its_attempts_run_out(api_client, settings):
    page, _ = page_with(LINES, size=(900, 320))
    item = read(api_client, "lines.pdf", image_pdf(page))
    long_ago = timezone.now() - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S + 1)
    OcrTaskItem.objects.filter(pk=item.pk).update(export_status="running", export_started_at=timezone.now())

    taken_while_its_worker_may_live = ocr_task_item_export(item_id=item.pk)
    OcrTaskItem.objects.filter(pk=item.pk).update(export_started_at=long_ago, export_attempts=1)
    taken_after_the_lease = ocr_task_item_export(item_id=item.pk)
    made = OcrTaskItem.objects.get(pk=item.pk)
    OcrTaskItem.objects.filter(pk=item.pk).update(
        export_status="running", export_started_at=long_ago, export_attempts=settings.OCR_TASK_MAX_ATTEMPTS
    )
    ocr_task_item_export(item_id=item.pk)

    assert (taken_while_its_worker_may_live, taken_after_the_lease) == (False, True)
    assert made.export_status == "succeeded" and made.searchable_pdf
    item.refresh_from_db()
    assert (item.export_status, item.export_error) == ("failed", "making it was started 3 times and never finished")


def test_a_missing_glyphless_font_is_said_at_start_up(monkeypatch):
    from django.core import checks

    from ocr_task import checks as task_checks

    assert not task_checks.check_glyphless_font(None)
    monkeypatch.setattr(task_checks, "GLYPHLESS_FONT_PATH", "/nowhere/pdf.ttf")

    (warning,) = task_checks.check_glyphless_font(None)
    assert warning.id == "ocr_task.W001" and warning.level == checks.WARNING
