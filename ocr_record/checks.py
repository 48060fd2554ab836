from django.conf import settings
from django.core import checks

import ocr_engine


@checks.register()
def check_ocr_engine_setting(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """OCR_ENGINE must name an engine that can be imported; a typo is reported at start-up."""
    try:
        engine = ocr_engine.engine_class(settings.OCR_ENGINE)
    except ocr_engine.EngineUnavailable as error:
        return [checks.Error(str(error), hint="Set OCR_ENGINE to a short name or a dotted path.", id="ocr_record.E001")]
    # Models ship inside pinned packages and are never fetched at run time: one missing is said now,
    # not at the first request.
    return [
        checks.Error(
            missing,
            hint="Reinstall the requirements (make setup): the models are inside the pinned packages.",
            id="ocr_record.E002",
        )
        for missing in engine.missing_models()
    ]


@checks.register()
def check_url_input_reaches_only_public_addresses(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """OCR_URL_ALLOW_PRIVATE lets a client's link reach this machine's network: said at every start."""
    if settings.OCR_URL_INPUT and settings.OCR_URL_ALLOW_PRIVATE:
        return [
            checks.Warning(
                "OCR_URL_ALLOW_PRIVATE is on: images by URL may be fetched from private addresses (this machine, "
                "its network, cloud metadata).",
                hint="Leave it off unless the service runs in a closed network or its tests.",
                id="ocr_record.W001",
            )
        ]
    return []
