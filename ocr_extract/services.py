"""The write path of extraction: a document read (through parse_text's reading and dedup, a page
at a time for a PDF) or brought as lines or text, and a card's fields read out of it."""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from extraction import Document, Extraction, Line, extract
from ocr_api.exceptions import ApplicationError
from ocr_engine.pdf import InvalidPdf, is_pdf, pdf_page_count
from ocr_extract.models import Card
from ocr_record.images import ImageInput, check
from ocr_record.models import OcrRecord
from ocr_record.services import TextOptions, ocr_record_parse_text
from ocr_task.models import OcrTaskItem
from ocr_task.pages import pdf_limits, pdf_page_content
from ocr_task.selectors import ocr_task_pages


def extraction_answer(extraction: Extraction, *, card: Card) -> dict:
    """An extraction as the API answers it (POST /api/extract/, a task's file)."""
    return {
        "card": card.slug,
        "confidence": round(extraction.confidence, 3),
        "fields": [asdict(item) for item in extraction.fields],
        "groups": [
            {"key": group.key, "name": group.name, "rows": [[asdict(item) for item in row] for row in group.rows]}
            for group in extraction.groups
        ],
    }


def ocr_extract_item(*, item: OcrTaskItem) -> dict | None:
    """The fields of its task's card read out of a task's file, from its pages' readings; None
    when the task has no card."""
    card = item.task.card
    if card is None:
        return None
    lines = [
        Line(line["text"], line["location"], page.number)
        for page in ocr_task_pages(item)
        for line in page.result.get("lines", [])
    ]
    extraction = extract(Document(lines), card.as_spec())
    return {**extraction_answer(extraction, card=card), "text": extraction.text}


@dataclass(frozen=True)
class Extracted:
    extraction: Extraction
    #: The text records the file's pages were read into (none for lines or text brought along).
    records: list[OcrRecord]


def ocr_extract_document(
    *,
    card: Card,
    file: UploadedFile | None = None,
    document: Document | None = None,
    lang: str = "eng",
    requested_by=None,
) -> Extracted:
    """`card`'s fields out of `file` (an image or a PDF, read as parse_text reads it: a file read
    before with these options is not read again) or out of `document` (lines or text the caller
    read). Raises ApplicationError (400) for a file that is no readable image or PDF, or a PDF of
    more pages than are read while the client waits; the `ocr_engine` errors when reading fails."""
    records: list[OcrRecord] = []
    if file is not None:
        document, records = _read(file, lang=lang, requested_by=requested_by)
    return Extracted(extract(document, card.as_spec()), records)


def _read(file: UploadedFile, *, lang: str, requested_by) -> tuple[Document, list[OcrRecord]]:
    options = TextOptions(lang=lang, detect_direction=False)
    head = file.read(1024)
    file.seek(0)
    if is_pdf(head):
        pages = _pdf_pages(file.read(), file.name)
    else:
        checked = check(ImageInput(name=file.name, file=file))
        if checked.error_code:
            raise ApplicationError(checked.error_detail, code="file_invalid")
        pages = [(file, checked.image)]
    records, lines = [], []
    for number, (page_file, image) in enumerate(pages, 1):
        record, _ = ocr_record_parse_text(image_file=page_file, image=image, options=options, requested_by=requested_by)
        records.append(record)
        lines += [Line(line["text"], line["location"], number) for line in record.result.get("lines", [])]
    return Document(lines), records


def _pdf_pages(content: bytes, name: str) -> list[tuple[ContentFile, object]]:
    """Each page of the PDF, rendered as a task's page is (the same pixels, so the same record)."""
    try:
        count = pdf_page_count(content, max_pages=settings.OCR_TASK_SYNC_MAX_PAGES, limits=pdf_limits())
        pages = []
        for number in range(1, count + 1):
            pixels, image = pdf_page_content(content, number)
            pages.append((ContentFile(pixels, name=f"{name}#{number}"), image))
        return pages
    except InvalidPdf as error:
        if error.code == "too_many_pages":
            raise ApplicationError(
                f"{error.message} Extraction reads a PDF while the client waits: send one of at most "
                f"{settings.OCR_TASK_SYNC_MAX_PAGES} pages.",
                code="too_many_pages",
            ) from None
        raise ApplicationError(error.message, code=error.code) from None
