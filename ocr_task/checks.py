import os

from django.core import checks

from ocr_task.searchable_pdf import GLYPHLESS_FONT_PATH


@checks.register()
def check_glyphless_font(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Searchable PDFs write their words in Tesseract's glyphless font: without it every PDF export
    would fail, so its absence is said at start-up instead."""
    if os.path.exists(GLYPHLESS_FONT_PATH):
        return []
    return [
        checks.Warning(
            f"{GLYPHLESS_FONT_PATH} is missing: PDF exports of tasks will fail.",
            hint="Install Debian's tesseract-ocr (its libtesseract5 ships the font); `make setup` does.",
            id="ocr_task.W001",
        )
    ]
