"""Not-found and server errors as JSON under /api/, so that no API client ever gets an HTML page."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt
def api_not_found(request: HttpRequest) -> JsonResponse:
    """The last /api/ route: answers every unknown API path with JSON, in DEBUG too."""
    detail = "Not found."
    if not request.path.endswith("/") and _resolves_to_an_api_view(request.path + "/"):
        detail = f"Not found. API paths end with a slash: {request.path}/"
    return JsonResponse({"detail": detail, "code": "not_found"}, status=404)


def _resolves_to_an_api_view(path: str) -> bool:
    try:
        return resolve(path).func is not api_not_found
    except Resolver404:
        return False


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred.", "code": "server_error"}, status=500)
    return defaults.server_error(request)
