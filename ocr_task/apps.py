from django.apps import AppConfig


class OcrTaskConfig(AppConfig):
    """Batch and document jobs: many files and long PDFs read page by page, results kept."""

    name = "ocr_task"
    verbose_name = "OCR tasks"
