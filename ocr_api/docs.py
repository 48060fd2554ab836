"""The schema's browsable pages, kept from loading anything that is not on this server."""

import functools
from pathlib import Path

import drf_spectacular_sidecar
from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from ocr_api.csp import content_security_policy

# Their assets come from drf-spectacular-sidecar; the policy also stops anything a bundle would
# fetch on its own from elsewhere, so a page viewed offline shows no broken parts.
same_origin_only = content_security_policy(
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self' 'unsafe-inline'",
    "worker-src 'self' blob:",
)


@same_origin_only
class SwaggerView(SpectacularSwaggerView):
    pass


@same_origin_only
class RedocView(SpectacularRedocView):
    pass


REDOC_BUNDLE = (
    Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)
#: ReDoc's sidebar shows its maker's logo from their CDN: the page's policy refuses it, and the
#: browser says so in its console. Served here, the bundle draws an empty image instead.
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@functools.cache
def _redoc_bundle() -> bytes:
    return REDOC_BUNDLE.read_text(encoding="utf-8").replace(CDN_LOGO, EMPTY_IMAGE).encode()


def redoc_bundle(request: HttpRequest) -> HttpResponse:
    """drf-spectacular-sidecar's ReDoc bundle, without the one address it would fetch from outside."""
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
