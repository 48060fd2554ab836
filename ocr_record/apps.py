from django.apps import AppConfig


class OcrRecordConfig(AppConfig):
    name = "ocr_record"
    verbose_name = "OCR records"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from ocr_record import checks  # noqa: F401  (registers the system checks)
        from ocr_record.observability import RecordsCollector

        REGISTRY.register(RecordsCollector())
