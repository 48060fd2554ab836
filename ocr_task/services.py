"""The write path of OCR tasks: submitting files, and reading one page (what a worker does)."""

import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

import ocr_engine
from ocr_api.exceptions import failed_reading
from ocr_api.uploads import oversized
from ocr_engine.images import InvalidImage
from ocr_engine.pdf import InvalidPdf, is_pdf, pdf_page_count
from ocr_extract.services import ocr_extract_item
from ocr_record.images import decoded_within_limits, fetched_files
from ocr_record.services import TextOptions, ocr_record_parse_text
from ocr_task import callbacks, exports
from ocr_task.errors import TaskRefused
from ocr_task.files import delete_stored_files, save_task_file
from ocr_task.models import FINISHED, CallbackStatus, OcrTask, OcrTaskItem, OcrTaskPage, Status
from ocr_task.pages import page_content, pdf_limits
from ocr_task.queues import task_queue
from ocr_task.quotas import check_quotas, tasks_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskFile:
    name: str
    content: bytes


def task_files(uploads: list, urls: list[str], *, asynchronous: bool) -> list[TaskFile]:
    """A submission's files: its uploads, then the files at its links (each named by its link),
    fetched only once the count of both is allowed (ocr_record.images.fetched_files)."""
    refuse_file_count(len(uploads) + len(urls), asynchronous=asynchronous)
    linked = fetched_files(urls, max_bytes=settings.OCR_TASK_MAX_FILE_BYTES)
    return [TaskFile(upload.name, upload.read()) for upload in uploads] + [
        TaskFile(file.url[:255], file.content) for file in linked
    ]


def refuse_file_count(count: int, *, asynchronous: bool) -> None:
    """A task of no file, of more than OCR_TASK_MAX_FILES, or of several read while the client waits,
    is refused (TaskRefused): checked again before links are fetched, so none is fetched in vain."""
    if not count:
        raise TaskRefused("Send at least one file (`files`) or link (`urls`).", code="no_files")
    if count > settings.OCR_TASK_MAX_FILES:
        raise TaskRefused(f"At most {settings.OCR_TASK_MAX_FILES} files are accepted per task.", code="too_many_files")
    if not asynchronous and count > 1:
        raise TaskRefused(
            "A synchronous task reads one file; send several with async_task=true.", code="too_many_files"
        )


def ocr_task_create(
    *,
    files: list[TaskFile],
    lang: str = "eng",
    detect_direction: bool = False,
    name: str = "",
    callback_url: str = "",
    asynchronous: bool = True,
    requested_by=None,
    client_address: str | None = None,
    card=None,
) -> OcrTask:
    """A task with an item per file and a page per page to read; read before returning when not
    `asynchronous`, handed to the task queue (OCR_TASK_QUEUE) otherwise.

    Limits (files per task, bytes per file, pages per PDF, pages read while the client waits, the
    client's quotas) and a callback to a host not allowed refuse the whole submission before any
    work starts; a file that is not a readable image or PDF becomes a failed item on its own. The
    client is `requested_by`, or when None the address `client_address` (an anonymous caller).
    With a `card` (ocr_extract.Card), its fields are read out of each file once it is read.
    """
    refuse_file_count(len(files), asynchronous=asynchronous)
    if sum(len(file.content) for file in files) > settings.OCR_TASK_MAX_BYTES:
        raise TaskRefused(
            f"A task may carry at most {settings.OCR_TASK_MAX_BYTES} bytes of files.", code="task_too_large"
        )
    if callback_url:
        callbacks.check_allowed(callback_url)
    checked = [(file, _page_count(file)) for file in files]
    if not asynchronous and sum(pages for _, (pages, _) in checked) > settings.OCR_TASK_SYNC_MAX_PAGES:
        raise TaskRefused(
            f"A synchronous task reads at most {settings.OCR_TASK_SYNC_MAX_PAGES} pages while the client "
            "waits; send this file with async_task=true.",
            code="too_many_pages",
        )
    check_quotas(
        tasks_of(requested_by, client_address),
        adding_bytes=sum(len(file.content) for file in files),
        adding_pages=sum(pages for _, (pages, _) in checked),
    )
    # A synchronous task's pages are read by this request: "running" from the start, so that no
    # background worker takes them too (unless this process dies and their lease runs out).
    taken_here = {} if asynchronous else {"status": Status.RUNNING, "started_at": timezone.now()}
    stored: list[str] = []  # files saved before the rows that name them: deleted if those are not
    try:
        with transaction.atomic():
            task = OcrTask.objects.create(
                name=name,
                lang=lang,
                detect_direction=detect_direction,
                callback_url=callback_url,
                requested_by=requested_by,
                client_address=None if requested_by else client_address,
                card=card,
            )
            for file, (pages, error) in checked:
                item = OcrTaskItem(
                    task=task,
                    origin_name=file.name,
                    size=len(file.content),
                    is_pdf=is_pdf(file.content),
                    status=Status.FAILED if error else Status.PENDING,
                    error=error,
                )
                save_task_file(item.file, file.name, ContentFile(file.content))
                stored.append(item.file.name)
                item.save()
                OcrTaskPage.objects.bulk_create(
                    OcrTaskPage(item=item, number=number, **taken_here) for number in range(1, pages + 1)
                )
            _update_statuses(task.pk)
            if asynchronous:
                page_ids = list(OcrTaskPage.objects.filter(item__task=task).values_list("id", flat=True))
                # robust: a broker that cannot be reached does not fail the stored task; workers send
                # its pages again when they start (tasks.resend_forgotten_work).
                transaction.on_commit(lambda: task_queue().send_pages(page_ids), robust=True)
    except BaseException:
        delete_stored_files(stored)
        raise
    if not asynchronous:
        ocr_task_run(task_id=task.pk)
    task.refresh_from_db()
    return task


def refuse_oversized_uploads(uploads: list) -> None:
    """Refuse a submission whose upload dropped a file over OCR_TASK_MAX_FILE_BYTES as it streamed
    in (ocr_api.uploads): said before its other fields are checked, naming the file."""
    if too_large := oversized(uploads):
        raise TaskRefused(
            f"{too_large[0].name!r} is larger than the limit of {settings.OCR_TASK_MAX_FILE_BYTES} bytes per file.",
            code="file_too_large",
        )


def ocr_task_read_page(*, page_id: int, worker: str = "") -> OcrTaskPage:
    """Read one page, once: a page already read is left as it is, so a worker may safely be given
    a page again (after another worker died on it, or when a message is delivered twice).

    A file that cannot be read or a failed recognition fails the page; an engine that cannot run
    at all raises `ocr_engine.EngineUnavailable` and leaves the page to be read again later.
    """
    page = OcrTaskPage.objects.select_related("item__task", "item__task__requested_by").get(pk=page_id)
    if page.status in FINISHED:
        return page
    item, task = page.item, page.item.task
    if page.attempts >= settings.OCR_TASK_MAX_ATTEMPTS:
        # Each worker that took it died before finishing: the page is what kills them.
        page.status, page.error = (
            Status.FAILED,
            (
                f"Reading this page was started {page.attempts} times and never finished (the worker "
                "reading it was stopped each time: out of memory, killed or crashed); it is not tried again."
            ),
        )
        _finish_page(page)
        return page
    OcrTaskPage.objects.filter(pk=page.pk).update(
        status=Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    _update_statuses(task.pk)
    try:
        content, image = page_content(item, page.number)
        page.record, _ = ocr_record_parse_text(
            image_file=ContentFile(content, name=f"{item.origin_name}#{page.number}"),
            image=image,
            options=TextOptions(lang=task.lang, detect_direction=task.detect_direction),
            requested_by=task.requested_by,
        )
        page.status, page.error, page.read_by = Status.SUCCEEDED, "", worker
    except (InvalidPdf, InvalidImage) as error:
        page.status, page.error = Status.FAILED, error.message
    except ocr_engine.EngineUnavailable:  # not the page's fault: the attempt does not count
        OcrTaskPage.objects.filter(pk=page.pk).update(
            status=Status.PENDING, started_at=None, attempts=F("attempts") - 1
        )
        raise
    except ocr_engine.OutOfMemory:
        # Memory short for a moment (other readings at once) as often as the page's own fault: the
        # page is read again, as one whose worker died is, until OCR_TASK_MAX_ATTEMPTS.
        OcrTaskPage.objects.filter(pk=page.pk).update(status=Status.PENDING, started_at=None)
        raise
    except ocr_engine.OcrEngineError as error:  # a timeout, or the engine failing on this page
        page.status, page.error = Status.FAILED, failed_reading(str(error))
    except DatabaseError:
        raise  # the database may be back on the next attempt
    except Exception:  # a bug: the page fails, the task still finishes
        logger.exception("Reading page %s of task %s failed.", page.pk, task.pk)
        page.status, page.error = Status.FAILED, "A server error occurred while reading this page."
    _finish_page(page)
    return page


def _finish_page(page: OcrTaskPage) -> None:
    """Write a page's outcome and its item's and task's statuses in one transaction: whoever waits
    for the pages (a client polling, `ocr_batch`) must never see the last page finished while its
    file and its task still read "running"."""
    with transaction.atomic():
        saved = OcrTaskPage.objects.filter(pk=page.pk).update(
            status=page.status, record=page.record, error=page.error, read_by=page.read_by
        )
        if saved:  # not when the task was deleted while its page was being read
            _update_statuses(page.item.task_id)


def ocr_task_run(*, task_id: int) -> OcrTask:
    """Read every page of a task still to read, in this process (the synchronous way)."""
    unread = OcrTaskPage.objects.filter(item__task_id=task_id).exclude(status__in=FINISHED)
    for page_id in unread.values_list("id", flat=True):
        while True:  # a reading out of memory is tried again, until the page's attempts run out
            try:
                ocr_task_read_page(page_id=page_id)
                break
            except ocr_engine.OutOfMemory:
                continue
    return OcrTask.objects.get(pk=task_id)


def ocr_task_delete(*, task: OcrTask) -> None:
    """Delete a task with its files and pages. Its pages' records stay: they are the dedup's, and
    other tasks or requests may share them. A worker reading one of its pages meanwhile finds it
    gone and drops its reading quietly."""
    task.delete()


def delete_item_files(sender, instance: OcrTaskItem, **kwargs) -> None:
    """post_delete of an item, however it goes (a task deleted through the API, by retention, in
    the admin, by a cascade): its file and exports leave the storage once the deletion commits."""
    names = instance.stored_files()
    if names:
        transaction.on_commit(lambda: delete_stored_files(names))


def ocr_task_claim_page(*, among: list[int] | None = None) -> int | None:
    """Take the next page nobody is reading (or a page left "running" longer than
    OCR_TASK_PAGE_LEASE_S by a worker that died), for a worker that reads from the database;
    only one of the pages `among` when given.

    Taking is a compare-and-set on the page's row, so workers in any number of processes never
    take the same page at once.
    """
    stale = timezone.now() - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S)
    pages = OcrTaskPage.objects.all() if among is None else OcrTaskPage.objects.filter(pk__in=among)
    candidates = (
        pages.filter(Q(status=Status.PENDING) | Q(status=Status.RUNNING, started_at__lt=stale))
        .order_by("id")
        .values_list("id", "status", "started_at")[:10]
    )
    for page_id, status, started_at in candidates:
        taken = OcrTaskPage.objects.filter(pk=page_id, status=status, started_at=started_at).update(
            status=Status.RUNNING, started_at=timezone.now()
        )
        if taken:
            return page_id
    return None


def ocr_task_forgotten_work() -> tuple[list[int], list[int], list[int]]:
    """(pages, tasks with a callback, items whose PDFs are to be made) that no worker has touched
    for a lease since they were last sent: what a lost message leaves behind. Each page and
    callback is taken with a compare-and-set on the time it was sent, so that of several workers
    looking at once only one sends it again; an item's PDFs are taken by a compare-and-set when
    their making starts, so an item sent twice is made once."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S)
    untouched = (Q(queued_at=None) | Q(queued_at__lt=stale)) & (Q(started_at=None) | Q(started_at__lt=stale))
    candidates = OcrTaskPage.objects.filter(
        untouched, status__in=[Status.PENDING, Status.RUNNING], item__task__created_at__lt=stale
    ).values_list("id", "queued_at")
    pages = [
        page_id
        for page_id, queued_at in candidates
        if OcrTaskPage.objects.filter(pk=page_id, queued_at=queued_at).update(queued_at=now)
    ]
    items = exports.forgotten_exports(stale)
    due = OcrTask.objects.filter(callback_status=CallbackStatus.PENDING, callback_next_at__lt=stale)
    tasks = [
        task_id
        for task_id, next_at in due.values_list("id", "callback_next_at")
        if OcrTask.objects.filter(pk=task_id, callback_next_at=next_at).update(callback_next_at=now)
    ]
    return pages, tasks, items


def ocr_task_delete_expired() -> int:
    """Delete the tasks submitted more than OCR_TASK_RETENTION_DAYS ago, with their files (their
    records stay, as `ocr_task_delete` keeps them); how many were deleted. Run by the workers."""
    if not settings.OCR_TASK_RETENTION_DAYS:
        return 0
    cutoff = timezone.now() - timedelta(days=settings.OCR_TASK_RETENTION_DAYS)
    expired = list(OcrTask.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:100])
    OcrTask.objects.filter(pk__in=expired).delete()
    if expired:
        logger.info("Deleted %s tasks kept past OCR_TASK_RETENTION_DAYS.", len(expired))
    return len(expired)


def _page_count(file: TaskFile) -> tuple[int, str]:
    """(pages to read, error): a limit raises; unreadable content is an error for this file alone."""
    if len(file.content) > settings.OCR_TASK_MAX_FILE_BYTES:
        raise TaskRefused(
            f"{file.name!r} is larger than the limit of {settings.OCR_TASK_MAX_FILE_BYTES} bytes.",
            code="file_too_large",
        )
    if not file.content:
        return 0, "The file is empty."
    if is_pdf(file.content):
        try:
            return pdf_page_count(file.content, max_pages=settings.OCR_TASK_MAX_PDF_PAGES, limits=pdf_limits()), ""
        except InvalidPdf as error:
            if error.code == "too_many_pages":
                raise TaskRefused(f"{file.name!r}: {error.message}", code="too_many_pages") from None
            return 0, error.message
    try:
        decoded_within_limits(io.BytesIO(file.content))
    except InvalidImage as error:
        return 0, error.message
    return 1, ""


def _update_statuses(task_id: int) -> None:
    """Derive the items' and the task's statuses from their pages, so any worker may call it any
    time. The task's row is locked while doing so: two workers finishing the last two pages at
    once must not both see the other's page as unread."""
    with transaction.atomic():
        task = OcrTask.objects.select_for_update().filter(pk=task_id).first()
        if task is None:  # deleted meanwhile
            return
        read_now = []  # files whose last page was just read: their PDFs are to be made
        for item in task.items.all():
            statuses = set(item.pages.values_list("status", flat=True))
            if not statuses:  # a file refused when submitted: failed already
                continue
            if statuses <= FINISHED:
                # A file is read when any page of it was; the pages that failed are named.
                if item.status not in FINISHED and Status.SUCCEEDED in statuses:
                    read_now.append(item.pk)
                item.status = Status.SUCCEEDED if Status.SUCCEEDED in statuses else Status.FAILED
                item.error = "; ".join(
                    f"page {number}: {error}" if item.is_pdf else error
                    for number, error in item.pages.exclude(error="").values_list("number", "error")
                )
            elif statuses != {Status.PENDING}:
                item.status = Status.RUNNING
            item.save(update_fields=["status", "error"])
        items = set(task.items.values_list("status", flat=True))
        if items <= FINISHED:
            status = Status.SUCCEEDED if Status.SUCCEEDED in items else Status.FAILED
        else:
            status = Status.RUNNING if items != {Status.PENDING} else Status.PENDING
        just_finished = status in FINISHED and task.status not in FINISHED
        task.status = status
        if just_finished:
            task.finished_at = timezone.now()
            if task.callback_url:
                task.callback_status, task.callback_next_at = CallbackStatus.PENDING, timezone.now()
        task.save(update_fields=["status", "finished_at", "callback_status", "callback_next_at"])
        if read_now:
            exports.request_exports(read_now)
            # Its fields, read out of each file just read: a few ms a file from its reading, but a
            # PDF's text layer (a child process) or a template's run (up to TEMPLATE_LIMITS) costs
            # more, and the task's row stays locked meanwhile (noted on issue 26 to move out).
            if task.card_id:
                for item in task.items.filter(pk__in=read_now):
                    item.extraction = ocr_extract_item(item=item)
                    item.save(update_fields=["extraction"])
    if just_finished and task.callback_url:
        transaction.on_commit(lambda: task_queue().send_callback(task.pk), robust=True)
