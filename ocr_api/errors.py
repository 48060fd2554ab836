"""Django's own error answers (a bad request before any view, a refusal, not found, a server error)
as JSON under /api/, so that no API client ever gets an HTML page."""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(detail: str, *, code: str, status: int) -> JsonResponse:
    """The API's error body, as the exception handler answers it."""
    return JsonResponse({"detail": detail, "code": code}, status=status)


@csrf_exempt
def api_not_found(request: HttpRequest) -> JsonResponse:
    """The last /api/ route: answers every unknown API path with JSON, in DEBUG too."""
    detail = "Not found."
    if not request.path.endswith("/") and _resolves_to_an_api_view(request.path + "/"):
        detail = f"Not found. API paths end with a slash: {request.path}/"
    return _error(detail, code="not_found", status=404)


def _resolves_to_an_api_view(path: str) -> bool:
    try:
        return resolve(path).func is not api_not_found
    except Resolver404:
        return False


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view: a Host header not in DJANGO_ALLOWED_HOSTS, a
    malformed body or header (a SuspiciousOperation)."""
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, DisallowedHost):
        detail = "The Host header names no host this service answers to (DJANGO_ALLOWED_HOSTS)."
        return _error(detail, code="disallowed_host", status=400)
    return _error("Bad request.", code="bad_request", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _error("Permission denied.", code="permission_denied", status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _error("A server error occurred.", code="server_error", status=500)
    return defaults.server_error(request)
