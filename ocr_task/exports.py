"""An item's readings as files: plain text, JSON, hOCR, ALTO, TSV, and a searchable (optionally
highlighted) PDF.

The text formats are written from the stored readings on request. The PDFs hold the file itself,
which anyone may have sent: they are made by a task worker once the file is read (the queue's
`send_exports`), in a child process within OCR_EXPORT_MAX_MEMORY_MB and OCR_EXPORT_TIMEOUT_S,
and kept in the task files' storage; never in a web request. The item says how far that is
(`export_status`, and `export_error` when it failed)."""

import contextlib
import functools
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from ocr_engine import contained
from ocr_engine.contained import LimitExceeded, Limits, run_contained
from ocr_record import formats
from ocr_task import searchable_pdf
from ocr_task.errors import NotExportable, StorageUnavailable
from ocr_task.files import delete_stored_files, save_task_file
from ocr_task.models import FINISHED, OcrTaskItem, Status
from ocr_task.queues import task_queue
from ocr_task.selectors import ocr_task_pages, ocr_task_readings_json

logger = logging.getLogger(__name__)

# Children making exports find the module imported already in the fork server.
contained.preload("ocr_task.searchable_pdf")

#: The item's file field of each PDF (`searchable_pdf.VARIANTS`), and the flag saying it was asked
#: for (the plain one always is).
PDF_FIELDS = {"plain": "searchable_pdf", "highlighted": "highlighted_pdf", "fields": "fields_pdf"}
ASKED = {"plain": None, "highlighted": "export_highlighted", "fields": "export_fields"}

# A file in S3 is copied to a temporary file this much at a time before qpdf reads it.
EXPORT_COPY_CHUNK_BYTES = 1024 * 1024


def check_exportable(item: OcrTaskItem) -> None:
    """Raise NotExportable unless every page of `item` is finished and at least one was read."""
    statuses = set(item.pages.values_list("status", flat=True))
    if statuses - FINISHED:
        raise NotExportable("This file is still being read.", code="item_not_finished")
    if Status.SUCCEEDED not in statuses:
        raise NotExportable(f"No page of this file could be read: {item.error}", code="item_failed")


def item_rendered(item: OcrTaskItem, document_format: str) -> formats.Rendered:
    """Every page of `item` in one document of `document_format` (formats.FORMATS). The text keeps a
    page that could not be read as an empty one, so that its form feeds count the pages; hOCR, ALTO
    and TSV leave it out (`page_num` counts the pages read)."""
    pages = ocr_task_pages(item)
    if document_format == "txt":
        results = [page.result or {} for page in pages]
    else:
        results = [page.result for page in pages if page.result]
    return formats.render(results, document_format, title=item.origin_name)


def item_pdf(item: OcrTaskItem, *, variant: str = "plain") -> FieldFile | None:
    """The item's searchable PDF, or another variant (`searchable_pdf.VARIANTS`), from the task
    files' storage; None while a task worker is making it (asked for here when nobody has yet).
    Raises NotExportable when it could not be made, saying why."""
    built = getattr(item, PDF_FIELDS[variant])
    if built:
        return built
    if item.export_status == Status.FAILED:
        raise NotExportable(f"This file cannot be exported as a PDF: {item.export_error}.", code="export_failed")
    if variant == "fields" and item.extraction is None:
        raise NotExportable("This file has no fields: its task names no card.", code="no_card")
    asked = ASKED[variant] is None or getattr(item, ASKED[variant])
    if item.export_status not in (Status.PENDING, Status.RUNNING) or not asked:
        # A variant asked for the first time; or a file read before its PDFs were made by
        # workers, or whose worker finished the plain one while this was asked: made now.
        request_exports([item.pk], variant=variant)
    return None


def request_exports(item_ids: list[int], *, variant: str = "plain") -> None:
    """Have a task worker make the searchable PDFs of these items (read, and not being made
    already), and the `variant` asked for."""
    with transaction.atomic():
        items = OcrTaskItem.objects.filter(pk__in=item_ids)
        if ASKED[variant]:
            items.update(**{ASKED[variant]: True})
        items.exclude(export_status__in=[Status.PENDING, Status.RUNNING]).update(
            export_status=Status.PENDING, export_error="", export_started_at=None, export_attempts=0
        )
        transaction.on_commit(lambda: task_queue().send_exports(item_ids), robust=True)


def export_limits() -> Limits:
    """What making one file's PDFs may use (OCR_EXPORT_MAX_MEMORY_MB, OCR_EXPORT_TIMEOUT_S)."""
    return Limits(memory_bytes=settings.OCR_EXPORT_MAX_MEMORY_MB * 1024 * 1024, seconds=settings.OCR_EXPORT_TIMEOUT_S)


def ocr_task_item_export(*, item_id: int) -> bool:
    """Make an item's searchable PDF (and its other variants once asked for) in a contained
    child process (`searchable_pdf.build_exports` within `export_limits()`), and keep them in the
    task files' storage; what a task worker does once a file is read. False when there was
    nothing to do: the item is gone, made already, or being made by another worker (taken by a
    compare-and-set, as a page is). A file that cannot be exported fails its export, with the reason, for good; one whose
    making was started OCR_TASK_MAX_ATTEMPTS times by workers that died is not tried again."""
    taken = OcrTaskItem.objects.filter(_waiting_export(), pk=item_id).update(
        export_status=Status.RUNNING, export_started_at=timezone.now(), export_attempts=F("export_attempts") + 1
    )
    if not taken:
        return False
    item = OcrTaskItem.objects.get(pk=item_id)
    if item.export_attempts > settings.OCR_TASK_MAX_ATTEMPTS:
        _export_failed(item, f"making it was started {item.export_attempts - 1} times and never finished")
        return True
    # The variants still missing that were asked for (the plain PDF always is).
    wanted = {
        variant: field
        for variant, field in PDF_FIELDS.items()
        if not getattr(item, field) and (ASKED[variant] is None or getattr(item, ASKED[variant]))
    }
    if not wanted:
        OcrTaskItem.objects.filter(pk=item.pk, export_status=Status.RUNNING).update(export_status=Status.SUCCEEDED)
        return True
    with (
        _local_file(item.file) as source,
        tempfile.NamedTemporaryFile(suffix=".json") as readings,
        tempfile.NamedTemporaryFile(suffix=".json") as marks,
        contextlib.ExitStack() as outputs,
    ):
        made = {variant: outputs.enter_context(tempfile.NamedTemporaryFile(suffix=".pdf")) for variant in wanted}
        write_readings(item, readings)
        marks.write(json.dumps((item.extraction or {}).get("fields", [])).encode())
        marks.flush()
        try:
            run_contained(
                functools.partial(
                    searchable_pdf.build_exports,
                    source,
                    readings=readings.name,
                    is_pdf=item.is_pdf,
                    outputs={variant: out.name for variant, out in made.items()},
                    marks=marks.name,
                    title=item.origin_name,
                    dpi=settings.OCR_PDF_DPI,
                    max_pixels=settings.OCR_MAX_IMAGE_PIXELS,
                ),
                limits=export_limits(),
            )
        except LimitExceeded as exceeded:
            _export_failed(item, _beyond(exceeded))
            return True
        except searchable_pdf.UnexportableFile as error:
            _export_failed(item, error.reason)
            return True
        except Exception:  # a bug: the export fails, the worker goes on
            logger.exception("Exporting item %s failed.", item.pk)
            _export_failed(item, "a server error occurred while making it")
            return True
        names = {}
        for variant, field in wanted.items():
            built = getattr(item, field)
            try:
                save_task_file(built, f"{item.origin_name}.pdf", File(made[variant]))
            except StorageUnavailable:  # not the file's fault: made again at the next look
                OcrTaskItem.objects.filter(pk=item.pk).update(export_status=Status.PENDING, export_started_at=None)
                delete_stored_files(list(names.values()))
                raise
            names[field] = built.name
    if not OcrTaskItem.objects.filter(pk=item.pk, export_status=Status.RUNNING).update(
        export_status=Status.SUCCEEDED, export_error="", **names
    ):  # deleted meanwhile, or taken over by a worker that thought this one dead: ours go
        delete_stored_files(list(names.values()))
    return True


def write_readings(item: OcrTaskItem, into) -> None:
    """The item's pages' readings as `searchable_pdf.build_exports` reads them, [[number, reading],
    ...], written into the open file `into` from the database's JSON as it is, not decoded here."""
    into.write(b"[")
    for index, (number, reading) in enumerate(ocr_task_readings_json(item)):
        into.write(b"%s[%d,%s]" % (b"," if index else b"", number, reading.encode() if reading else b"{}"))
    into.write(b"]")
    into.flush()


def next_export() -> int | None:
    """An item whose PDFs are to be made, for a worker that finds its work in the database."""
    return OcrTaskItem.objects.filter(_waiting_export()).order_by("id").values_list("id", flat=True).first()


def forgotten_exports(stale: datetime) -> list[int]:
    """Items whose PDFs were asked for when their task finished, before `stale`, and are still
    not made, or were left half-made by a worker that died: what a lost message leaves behind."""
    waiting = OcrTaskItem.objects.filter(
        Q(export_status=Status.PENDING, task__finished_at__lt=stale) | _left_running(stale)
    )
    return list(waiting.values_list("id", flat=True)[:100])


def _waiting_export() -> Q:
    """Items whose PDFs are to be made: asked for, or left half-made by a worker that died."""
    stale = timezone.now() - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S)
    return Q(export_status=Status.PENDING) | _left_running(stale)


def _left_running(stale: datetime) -> Q:
    """Made by a worker since before `stale` (one lease ago): it died."""
    return Q(export_status=Status.RUNNING, export_started_at__lt=stale)


def _export_failed(item: OcrTaskItem, reason: str) -> None:
    logger.warning("Item %s cannot be exported: %s", item.pk, reason)
    OcrTaskItem.objects.filter(pk=item.pk).update(export_status=Status.FAILED, export_error=reason)


def _beyond(exceeded: LimitExceeded) -> str:
    if exceeded.reason == "time":
        return f"making it took more than {exceeded.limits.seconds:g} s and was stopped"
    return f"making it needed more than {exceeded.limits.memory_mib} MiB of memory and was stopped"


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
