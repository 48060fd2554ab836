from django.apps import AppConfig


class OcrApiConfig(AppConfig):
    """Shared HTTP plumbing (see the package's docstring); its templates override drf-spectacular's."""

    name = "ocr_api"
    verbose_name = "API plumbing"
