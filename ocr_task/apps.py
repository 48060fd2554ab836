from django.apps import AppConfig
from django.core.signals import request_started
from django.db.models.signals import post_delete


class OcrTaskConfig(AppConfig):
    """Batch and document jobs: many files and long PDFs read page by page, results kept."""

    name = "ocr_task"
    verbose_name = "OCR tasks"

    def ready(self) -> None:
        from ocr_engine.pdf import remove_stale_page_files
        from ocr_task import checks  # noqa: F401  (registers the system checks)
        from ocr_task.models import OcrTaskItem
        from ocr_task.services import delete_item_files
        from ocr_task.workers import start_embedded_worker

        # A signal, not the delete service alone: tasks are also deleted by retention's bulk delete,
        # the admin and cascades, and each must take the files along.
        post_delete.connect(delete_item_files, sender=OcrTaskItem, dispatch_uid="ocr_task_item_files")

        # Rendered pages left in /dev/shm by a process killed mid-render hold memory until removed.
        remove_stale_page_files()

        # Not at import time: management commands (migrate, shell) must not start reading pages.
        request_started.connect(start_embedded_worker, dispatch_uid="ocr_task_embedded_worker")
