from django.apps import AppConfig


class OcrExtractConfig(AppConfig):
    """Fields read out of documents: cards, and the extraction of a document's fields by one."""

    name = "ocr_extract"
    verbose_name = "Extraction"
