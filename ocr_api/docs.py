"""The schema's browsable pages, kept from loading anything that is not on this server."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from ocr_api.csp import content_security_policy

# Their assets come from drf-spectacular-sidecar; the policy also stops what the bundles would
# fetch on their own (ReDoc's logo from its CDN), so a page viewed offline shows no broken parts.
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
