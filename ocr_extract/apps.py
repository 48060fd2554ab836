from django.apps import AppConfig


class OcrExtractConfig(AppConfig):
    """Fields read out of documents: cards, and the extraction of a document's fields by one."""

    name = "ocr_extract"
    verbose_name = "Extraction"

    def ready(self) -> None:
        from ocr_engine.contained import preload  # noqa: PLC0415

        # The children that run invoice2data templates are forked with the library and its bundled
        # templates loaded, rather than loading them again for each document.
        preload("extraction.bundled")
