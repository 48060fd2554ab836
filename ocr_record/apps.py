import logging

from django.apps import AppConfig


class OcrRecordConfig(AppConfig):
    name = "ocr_record"
    verbose_name = "OCR records"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from ocr_record import checks  # noqa: F401  (registers the system checks)
        from ocr_record.observability import RecordsCollector

        REGISTRY.register(RecordsCollector())
        for warning in checks.check_url_input_reaches_only_public_addresses(None):
            # Said by every process that starts (gunicorn's workers run no system checks).
            logging.getLogger("ocr_record").warning("%s %s", warning.msg, warning.hint)
