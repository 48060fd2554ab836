from django.conf import settings
from django.core import checks

import ocr_engine


@checks.register()
def check_ocr_engine_setting(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """OCR_ENGINE must name an engine that can be imported; a typo is reported at start-up."""
    try:
        ocr_engine.engine_class(settings.OCR_ENGINE)
    except ocr_engine.EngineUnavailable as error:
        return [checks.Error(str(error), hint="Set OCR_ENGINE to a short name or a dotted path.", id="ocr_record.E001")]
    return []
