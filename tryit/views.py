from django.conf import settings
from django.urls import reverse
from django.views.generic import TemplateView

from ocr_api.csp import content_security_policy


# Everything comes from this server: the page works offline, and nothing it shows (an image's text)
# can make the browser load or run anything else. Uploaded images are shown from blob: URLs.
@content_security_policy(
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)
class TryItView(TemplateView):
    """The try-it page: a Django template and a plain-JavaScript file that call the API itself."""

    template_name = "tryit/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["config"] = {
            "authRequired": settings.OCR_API_AUTH == "required",
            "textLanguages": settings.OCR_TEXT_LANGUAGES,
            "maxImagesPerRequest": settings.OCR_MAX_IMAGES_PER_REQUEST,
            "urls": {
                "parseLetter": reverse("ocr_record-parse-letter"),
                "parseText": reverse("ocr_record-parse-text"),
                "records": reverse("ocr_record-list"),
                "tasks": reverse("ocr_task-list"),
                "cards": reverse("card-list"),
                "extract": reverse("extract"),
                "login": reverse("login"),
                "refresh": reverse("token-refresh"),
            },
        }
        return context
