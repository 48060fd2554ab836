"""What one client (a user, or an address when anonymous) may hold at once."""

from django.conf import settings
from django.db.models import Sum

from ocr_task.errors import QuotaExceeded
from ocr_task.models import FINISHED, OcrTask, OcrTaskItem, OcrTaskPage


def tasks_of(requested_by, client_address: str | None):
    """The tasks whose files and pages count in the same client's quotas; None for a caller with
    no quota (the operator's own `ocr_batch`)."""
    if requested_by is not None:
        return OcrTask.objects.filter(requested_by=requested_by)
    if client_address:
        return OcrTask.objects.filter(requested_by=None, client_address=client_address)
    return None


def check_quotas(tasks, *, adding_bytes: int, adding_pages: int) -> None:
    """What one client may hold at once: OCR_QUOTA_STORED_BYTES of files (until its tasks are
    deleted, by it or after OCR_TASK_RETENTION_DAYS) and OCR_QUOTA_QUEUED_PAGES pages waiting.
    Checked before storing; two submissions of one client at the same instant may both pass."""
    if tasks is None:
        return
    stored = OcrTaskItem.objects.filter(task__in=tasks).aggregate(total=Sum("size"))["total"] or 0
    if stored + adding_bytes > settings.OCR_QUOTA_STORED_BYTES:
        retention = settings.OCR_TASK_RETENTION_DAYS
        raise QuotaExceeded(
            f"Your tasks hold {stored} bytes of files; these {adding_bytes} more would pass the limit of "
            f"{settings.OCR_QUOTA_STORED_BYTES} bytes per client. Delete tasks you no longer need"
            + (f" (files are deleted {retention} days after their task was submitted)." if retention else "."),
            code="storage_quota_exceeded",
            status=413,
        )
    waiting = OcrTaskPage.objects.filter(item__task__in=tasks).exclude(status__in=FINISHED).count()
    if waiting + adding_pages > settings.OCR_QUOTA_QUEUED_PAGES:
        raise QuotaExceeded(
            f"You have {waiting} pages waiting to be read; these {adding_pages} more would pass the limit of "
            f"{settings.OCR_QUOTA_QUEUED_PAGES} pages per client. Send them once those are read.",
            code="pages_quota_exceeded",
            status=429,
        )
