"""An item's readings as files: plain text, JSON, hOCR, ALTO, TSV, and a searchable (optionally
highlighted) PDF, built once and kept in the task files' storage."""

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator

import img2pdf
import pikepdf
from django.core.files import File
from django.db.models.fields.files import FieldFile

from ocr_engine.images import InvalidImage
from ocr_engine.pdf import InvalidPdf
from ocr_record import formats
from ocr_task import searchable_pdf
from ocr_task.errors import NotExportable
from ocr_task.models import FINISHED, OcrTaskItem, Status
from ocr_task.pages import page_as_shown
from ocr_task.selectors import ocr_task_pages

logger = logging.getLogger(__name__)

# A file in S3 is copied to a temporary file this much at a time before qpdf reads it.
EXPORT_COPY_CHUNK_BYTES = 1024 * 1024


def check_exportable(item: OcrTaskItem) -> None:
    """Raise NotExportable unless every page of `item` is finished and at least one was read."""
    statuses = set(item.pages.values_list("status", flat=True))
    if statuses - FINISHED:
        raise NotExportable("This file is still being read.", code="item_not_finished")
    if Status.SUCCEEDED not in statuses:
        raise NotExportable(f"No page of this file could be read: {item.error}", code="item_failed")


def item_hocr(item: OcrTaskItem) -> str:
    """Every page read, as one hOCR document (a page read without success is left out)."""
    return formats.hocr(_results(item), title=item.origin_name)


def item_alto(item: OcrTaskItem) -> str:
    """Every page read, as one ALTO document (a page read without success is left out)."""
    return formats.alto(_results(item), title=item.origin_name)


def item_tsv(item: OcrTaskItem) -> str:
    """Every page read, as Tesseract's TSV (`page_num` counts the pages read)."""
    return formats.tsv(_results(item))


def _results(item: OcrTaskItem) -> list[dict]:
    return [page.result for page in ocr_task_pages(item) if page.result]


def item_text(item: OcrTaskItem) -> str:
    """Every page's text, pages separated by a form feed (as `pdftotext` does)."""
    return "\f".join(page.result.get("text", "") for page in ocr_task_pages(item))


def item_pdf(item: OcrTaskItem, *, highlight: bool = False) -> FieldFile:
    """The item's searchable PDF (ocr_task/searchable_pdf.py), from the task files' storage: built
    on the first request for it, then served as it is (an item's pages do not change once read).

    A PDF keeps its own pages; an image is one page holding it. A page read without success is
    kept without text. A PDF whose pages cannot be kept as they are (damaged, but PDFium renders
    it) is made of its pages' images instead; a page that cannot be rendered either is left out."""
    field = "highlighted_pdf" if highlight else "searchable_pdf"
    built = getattr(item, field)
    if built:
        return built
    pages = [searchable_pdf.ReadPage(page.number, page.result) for page in ocr_task_pages(item)]
    with _local_file(item.file) as source, tempfile.TemporaryFile() as out:
        try:
            searchable_pdf.searchable_pdf(
                source, is_pdf=item.is_pdf, pages=pages, out=out, highlight=highlight, title=item.origin_name
            )
        except (pikepdf.PdfError, ValueError, OSError, img2pdf.ImageOpenError) as error:
            logger.warning("Item %s exports from its rendered pages: %s", item.pk, error)
            out.seek(0)
            out.truncate()
            searchable_pdf.from_images(_shown(item, pages), out=out, highlight=highlight, title=item.origin_name)
        out.seek(0)
        built.save(f"{item.origin_name}.pdf", File(out), save=False)
    # Two first requests at once both build: the first to record its file wins, the other's goes.
    if OcrTaskItem.objects.filter(pk=item.pk, **{field: ""}).update(**{field: built.name}):
        return built
    built.storage.delete(built.name)
    return getattr(OcrTaskItem.objects.get(pk=item.pk), field)


@contextlib.contextmanager
def _local_file(stored: FieldFile) -> Iterator[str]:
    """A path to the stored file: its own on local disk, else a temporary copy (from S3)."""
    try:
        path = stored.path
    except NotImplementedError:  # a storage without paths
        path = None
    if path:
        yield path
        return
    with tempfile.NamedTemporaryFile() as copy, stored.open("rb") as opened:
        shutil.copyfileobj(opened, copy, EXPORT_COPY_CHUNK_BYTES)
        copy.flush()
        yield copy.name


def _shown(item: OcrTaskItem, pages: list) -> list:
    shown = []
    for page in pages:
        try:
            shown.append((page_as_shown(item, page.number)[0], page))
        except (InvalidPdf, InvalidImage):
            continue
    return shown
