"""The schema's browsable pages, kept from loading anything that is not on this server."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Their assets come from drf-spectacular-sidecar; the policy also stops what the bundles would
# fetch on their own (ReDoc's logo from its CDN), so a page viewed offline shows no broken parts.
_SAME_ORIGIN_ONLY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self' 'unsafe-inline'",
        "worker-src 'self' blob:",
    ]
)


class _SameOriginOnlyMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = _SAME_ORIGIN_ONLY
        return response


class SwaggerView(_SameOriginOnlyMixin, SpectacularSwaggerView):
    pass


class RedocView(_SameOriginOnlyMixin, SpectacularRedocView):
    pass
