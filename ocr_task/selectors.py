from django.conf import settings
from django.db.models import Prefetch, QuerySet

from ocr_task.models import OcrTask, OcrTaskItem, OcrTaskPage
from ocr_task.services import with_progress


def ocr_task_list_visible_to(user, *, with_readings: bool = False) -> QuerySet[OcrTask]:
    """Every task when the API is open or for staff, otherwise the caller's own; with their
    progress, items and pages (and the pages' readings when `with_readings`) fetched at once."""
    tasks = OcrTask.objects.all()
    if settings.OCR_API_AUTH == "required" and not user.is_staff:
        tasks = tasks.filter(requested_by_id=user.pk)
    pages = OcrTaskPage.objects.select_related("record") if with_readings else OcrTaskPage.objects.all()
    items = OcrTaskItem.objects.defer("content").prefetch_related(Prefetch("pages", queryset=pages))
    return with_progress(tasks).prefetch_related(Prefetch("items", queryset=items))
