"""Reading tasks: which a caller may see, with their progress; and a task's summary, the plain
data a callback sends (the shape of an entry of GET /api/ocr_task/)."""

from collections.abc import Iterator

from django.db.models import Count, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from api_access.policy import visible_to
from ocr_task.models import FINISHED, OcrTask, OcrTaskItem, OcrTaskPage


def ocr_task_visible_to(user) -> QuerySet[OcrTask]:
    """The tasks `user` may see (api_access/policy.py; its own are those it submitted)."""
    return visible_to(user, OcrTask.objects.all(), own=lambda: Q(requested_by_id=user.pk))


def ocr_task_list_visible_to(user, *, with_readings: bool = False) -> QuerySet[OcrTask]:
    """The tasks `user` may see with their progress, items and pages (and the pages' readings
    when `with_readings`) fetched at once."""
    tasks = ocr_task_visible_to(user)
    pages = (
        OcrTaskPage.objects.select_related("record")
        if with_readings
        else OcrTaskPage.objects.only("id", "item_id", "number", "status", "record_id", "error")
    )
    items = OcrTaskItem.objects.prefetch_related(Prefetch("pages", queryset=pages))
    return with_progress(tasks).prefetch_related(Prefetch("items", queryset=items))


def ocr_task_pages(item: OcrTaskItem) -> QuerySet[OcrTaskPage]:
    """The pages of `item` in order, with their readings."""
    return OcrTaskPage.objects.filter(item=item).select_related("record").order_by("number")


def ocr_task_readings_json(item: OcrTaskItem) -> Iterator[tuple[int, str | None]]:
    """(number, reading as the database keeps it: JSON text, or None when not read) of each page
    of `item`, in order: for a child process that parses them itself (decoding 200 pages here cost
    0.6 s)."""
    pages = OcrTaskPage.objects.filter(item=item).order_by("number")
    return pages.values_list("number", Cast("record__result", TextField())).iterator()


def with_progress(tasks: QuerySet[OcrTask]) -> QuerySet[OcrTask]:
    """`tasks` with what their answers show: the number of files and of pages, read or all."""
    return tasks.annotate(
        total=Count("items", distinct=True),
        pages_total=Count("items__pages", distinct=True),
        pages_done=Count("items__pages", filter=Q(items__pages__status__in=FINISHED), distinct=True),
    )


def task_summary(task_id: int) -> dict:
    """The task, its progress and its files, without the pages' readings (those are at GET
    /api/ocr_task/{id}/): what a callback says, as the list shows it (a test holds them equal)."""
    task = with_progress(OcrTask.objects.filter(pk=task_id)).get()
    items = OcrTaskItem.objects.filter(task=task).annotate(
        page_count=Count("pages"), pages_done=Count("pages", filter=Q(pages__status__in=FINISHED))
    )
    return {
        "id": task.pk,
        "task_name": task.name,
        "status": task.status,
        "created_at": _iso(task.created_at),
        "finished_at": _iso(task.finished_at),
        "lang": task.lang,
        "detect_direction": task.detect_direction,
        "total": task.total,
        "progress": {"pages_done": task.pages_done, "pages_total": task.pages_total},
        "items": [
            {
                "id": item.pk,
                "origin_name": item.origin_name,
                "is_pdf": item.is_pdf,
                "status": item.status,
                "error": item.error,
                "export_status": item.export_status,
                "export_error": item.export_error,
                "extraction": item.extraction,
                "pages": item.page_count,
                "pages_done": item.pages_done,
            }
            for item in items
        ],
    }


def _iso(moment) -> str | None:
    """As the API writes date-times: ISO 8601 in the current time zone, UTC as "Z"."""
    if moment is None:
        return None
    written = timezone.localtime(moment).isoformat()
    return written[:-6] + "Z" if written.endswith("+00:00") else written
