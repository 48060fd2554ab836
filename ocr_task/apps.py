from django.apps import AppConfig
from django.core.signals import request_started


class OcrTaskConfig(AppConfig):
    """Batch and document jobs: many files and long PDFs read page by page, results kept."""

    name = "ocr_task"
    verbose_name = "OCR tasks"

    def ready(self) -> None:
        from ocr_task.workers import start_embedded_worker

        # Not at import time: management commands (migrate, shell) must not start reading pages.
        request_started.connect(start_embedded_worker, dispatch_uid="ocr_task_embedded_worker")
