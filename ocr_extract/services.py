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
from ocr_record.images import ImageInput, check, fetched_files
from ocr_record.models import OcrRecord
from ocr_record.services import TextOptions, ocr_record_parse_text
from ocr_task.models import OcrTaskItem
from ocr_task.pages import pdf_limits, pdf_page_content, pdf_text_pages
from ocr_task.selectors import ocr_task_pages


def extraction_answer(extraction: Extraction, *, card: Card) -> dict:
    """An extraction as the API answers it (POST /api/extract/, a task's file)."""
    return {
        "card": card.slug,
        "confidence": round(extraction.confidence, 3),
        "template": extraction.template,
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
    text_pages = _text_layer(item)
    lines, pages = [], []
    for page in ocr_task_pages(item):
        runs = text_pages[page.number - 1] if page.number <= len(text_pages) else []
        if runs:  # born digital: its own text, not its reading
            lines += [Line(text, location, page.number) for text, location in runs]
        else:
            lines += [line_of(line, page.number) for line in page.result.get("lines", [])]
        pages.append({"number": page.number, "source": "text_layer" if runs else "ocr"})
    extraction = extract(Document(lines), card.as_spec())
    return {**extraction_answer(extraction, card=card), "text": extraction.text, "page_sources": pages}


def _text_layer(item: OcrTaskItem) -> list[list]:
    """A PDF's pages' text layers (none for an image, or a PDF PDFium cannot read them from)."""
    if not item.is_pdf:
        return []
    try:
        return pdf_text_pages(item.read_file())
    except InvalidPdf:
        return []


def line_of(line: dict, page: int) -> Line:
    """A line of a stored reading (parse_text's shape) as extraction takes it, with its words."""
    return Line(
        line["text"],
        line["location"],
        page,
        tuple((word["text"], word["location"]) for word in line.get("words") or () if word.get("location")),
    )


@dataclass(frozen=True)
class Extracted:
    extraction: Extraction
    #: The text records the file's pages were read into (none for lines or text brought along).
    records: list[OcrRecord]
    #: Each page of a file: its number and how it was read (`text_layer` or `ocr`).
    pages: list[dict]


def ocr_extract_document(
    *,
    card: Card,
    file: UploadedFile | None = None,
    document: Document | None = None,
    lang: str = "eng",
    requested_by=None,
    url: str = "",
) -> Extracted:
    """`card`'s fields out of `file` or the file at `url` (an image or a PDF, read as parse_text
    reads it: a file read before with these options is not read again) or out of `document` (lines
    or text the caller read). Raises ApplicationError (400) for a file that is no readable image or
    PDF, or a PDF of more pages than are read while the client waits, or a link that cannot be
    fetched (its code); the `ocr_engine` errors when reading fails."""
    records: list[OcrRecord] = []
    pages: list[dict] = []
    if url:  # the file at a link, fetched as ocr_record.fetching allows, then read as an upload
        (linked,) = fetched_files([url], max_bytes=settings.OCR_MAX_UPLOAD_BYTES)
        file = ContentFile(linked.content, name=linked.name)
    if file is not None:
        document, records, pages = _read(file, lang=lang, requested_by=requested_by, source_url=url)
    return Extracted(extract(document, card.as_spec()), records, pages)


def _read(
    file: UploadedFile, *, lang: str, requested_by, source_url: str = ""
) -> tuple[Document, list[OcrRecord], list[dict]]:
    """The document in `file`: a PDF page with a text layer read from it (born digital), every
    other page (a scan, an image) read by OCR as parse_text reads it; and which each page was."""
    options = TextOptions(lang=lang, detect_direction=False)
    head = file.read(1024)
    file.seek(0)
    records, lines, pages = [], [], []
    if is_pdf(head):
        content = file.read()
        _pdf_page_count(content)  # refuses a PDF of more pages than are read while the client waits
        for number, runs in enumerate(_pdf(pdf_text_pages, content), 1):
            if runs:
                lines += [Line(text, location, number) for text, location in runs]
                pages.append({"number": number, "source": "text_layer"})
                continue
            pixels, image = _pdf(pdf_page_content, content, number)
            page_file = ContentFile(pixels, name=f"{file.name}#{number}")
            record = _read_page(page_file, image, options, requested_by, source_url)
            records.append(record)
            lines += [line_of(line, number) for line in record.result.get("lines", [])]
            pages.append({"number": number, "source": "ocr"})
        return Document(lines), records, pages
    checked = check(ImageInput(name=file.name, file=file))
    if checked.error_code:
        raise ApplicationError(checked.error_detail, code="file_invalid")
    record = _read_page(file, checked.image, options, requested_by, source_url)
    lines = [line_of(line, 1) for line in record.result.get("lines", [])]
    return Document(lines), [record], [{"number": 1, "source": "ocr"}]


def _read_page(page_file, image, options: TextOptions, requested_by, source_url: str) -> OcrRecord:
    record, _ = ocr_record_parse_text(
        image_file=page_file, image=image, options=options, requested_by=requested_by, source_url=source_url
    )
    return record


def _pdf_page_count(content: bytes) -> int:
    return _pdf(pdf_page_count, content, max_pages=settings.OCR_TASK_SYNC_MAX_PAGES, limits=pdf_limits())


def _pdf(read, *args, **kwargs):
    """`read(*args, **kwargs)` of a PDF, its InvalidPdf said as this API says it (a PDF of too
    many pages to read while the client waits is told so)."""
    try:
        return read(*args, **kwargs)
    except InvalidPdf as error:
        if error.code == "too_many_pages":
            raise ApplicationError(
                f"{error.message} Extraction reads a PDF while the client waits: send one of at most "
                f"{settings.OCR_TASK_SYNC_MAX_PAGES} pages.",
                code="too_many_pages",
            ) from None
        raise ApplicationError(error.message, code=error.code) from None
