"""The write path of OCR tasks: submitting files, and reading one page (what a worker does)."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from ocr_engine.pdf import InvalidPdf, is_pdf, pdf_page_count, render_pdf_page
from ocr_record.images import InvalidImage, decode_image
from ocr_record.services import TextOptions, ocr_record_parse_text
from ocr_task.models import OcrTask, OcrTaskItem, OcrTaskPage, Status


class TaskRefused(ValueError):
    """The submission breaks a limit; nothing was stored and no work started."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class TaskFile:
    name: str
    content: bytes


def ocr_task_create(
    *, files: list[TaskFile], lang: str = "eng", detect_direction: bool = False, name: str = "",
    callback_url: str = "", requested_by=None,
) -> OcrTask:
    """A task with an item per file and a pending page per page to read.

    Limits (files per task, bytes per file, pages per PDF) refuse the whole submission before any
    work starts; a file that is not a readable image or PDF becomes a failed item on its own.
    """
    if len(files) > settings.OCR_TASK_MAX_FILES:
        raise TaskRefused(f"At most {settings.OCR_TASK_MAX_FILES} files are accepted per task.", code="too_many_files")
    checked = [(file, _page_count(file)) for file in files]
    with transaction.atomic():
        task = OcrTask.objects.create(
            name=name, lang=lang, detect_direction=detect_direction, callback_url=callback_url,
            requested_by=requested_by,
        )
        for file, (pages, error) in checked:
            item = OcrTaskItem.objects.create(
                task=task, origin_name=file.name, content=file.content, is_pdf=is_pdf(file.content),
                status=Status.FAILED if error else Status.PENDING, error=error,
            )
            OcrTaskPage.objects.bulk_create(OcrTaskPage(item=item, number=number) for number in range(1, pages + 1))
        _update_statuses(task)
    return task


def ocr_task_read_page(*, page_id: int) -> OcrTaskPage:
    """Read one page, once: a page already read is left as it is, so a worker may safely be given
    a page again (after another worker died on it)."""
    page = OcrTaskPage.objects.select_related("item__task").get(pk=page_id)
    if page.status in (Status.SUCCEEDED, Status.FAILED):
        return page
    item, task = page.item, page.item.task
    try:
        if item.is_pdf:
            content, image = _rendered_page(item, page.number)
        else:
            content = bytes(item.content)
            image = decode_image(io.BytesIO(content), max_pixels=settings.OCR_MAX_IMAGE_PIXELS)
        page.record = ocr_record_parse_text(
            image_file=ContentFile(content, name=f"{item.origin_name}#{page.number}"),
            image=image,
            options=TextOptions(lang=task.lang, detect_direction=task.detect_direction),
            requested_by=task.requested_by,
        )
        page.status = Status.SUCCEEDED
    except (InvalidPdf, InvalidImage) as error:
        page.status, page.error = Status.FAILED, error.message
    page.save(update_fields=["status", "record", "error"])
    _update_statuses(task)
    return page


def ocr_task_run(*, task_id: int) -> OcrTask:
    """Read every pending page of a task in this process (the synchronous and embedded way)."""
    for page_id in OcrTaskPage.objects.filter(item__task_id=task_id, status=Status.PENDING).values_list("id", flat=True):
        ocr_task_read_page(page_id=page_id)
    return OcrTask.objects.get(pk=task_id)


def _page_count(file: TaskFile) -> tuple[int, str]:
    """(pages to read, error): a limit raises; unreadable content is an error for this file alone."""
    if len(file.content) > settings.OCR_TASK_MAX_FILE_BYTES:
        raise TaskRefused(
            f"{file.name!r} is larger than the limit of {settings.OCR_TASK_MAX_FILE_BYTES} bytes.",
            code="file_too_large",
        )
    if is_pdf(file.content):
        try:
            return pdf_page_count(file.content, max_pages=settings.OCR_TASK_MAX_PDF_PAGES), ""
        except InvalidPdf as error:
            if error.code == "too_many_pages":
                raise TaskRefused(f"{file.name!r}: {error.message}", code="too_many_pages") from None
            return 0, error.message
    try:
        decode_image(io.BytesIO(file.content), max_pixels=settings.OCR_MAX_IMAGE_PIXELS)
    except InvalidImage as error:
        return 0, error.message
    return 1, ""


def _rendered_page(item: OcrTaskItem, number: int) -> tuple[bytes, Image.Image]:
    """A PDF page's pixels, and their PNG bytes: what the dedup hashes (PNG is lossless, so the
    rendered image is what decoding those bytes would give)."""
    image = render_pdf_page(
        bytes(item.content), number, dpi=settings.OCR_PDF_DPI, max_pixels=settings.OCR_MAX_IMAGE_PIXELS
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), image


def _update_statuses(task: OcrTask) -> None:
    """Derive items' and the task's statuses from their pages, so any worker may call it any time."""
    for item in task.items.exclude(status=Status.FAILED):
        statuses = set(item.pages.values_list("status", flat=True))
        if statuses <= {Status.SUCCEEDED}:
            item.status = Status.SUCCEEDED
        elif Status.FAILED in statuses and Status.PENDING not in statuses:
            item.status, item.error = Status.FAILED, "; ".join(item.pages.exclude(error="").values_list("error", flat=True))
        elif statuses != {Status.PENDING}:
            item.status = Status.RUNNING
        item.save(update_fields=["status", "error"])
    items = set(task.items.values_list("status", flat=True))
    if items <= {Status.SUCCEEDED, Status.FAILED}:
        task.status = Status.SUCCEEDED if Status.SUCCEEDED in items else Status.FAILED
    elif items != {Status.PENDING}:
        task.status = Status.RUNNING
    task.save(update_fields=["status"])
