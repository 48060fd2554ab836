"""One log line per request, with a request id that follows the request through proxies."""

import json
import logging
import re
import time
import uuid

from django.http import HttpRequest, HttpResponse

from ocr_record.observability import current_request_figures

logger = logging.getLogger("django_ocr.requests")

# An id from the caller or a proxy is kept when it looks like one; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestLogMiddleware:
    """Takes the request id from `X-Request-ID` (or makes one), returns it in the response, and
    logs method, route, status, duration, OCR engine time and whether the cache answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        figures: dict = {}
        token = current_request_figures.set(figures)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            current_request_figures.reset(token)
        response["X-Request-ID"] = request.request_id
        if not logger.isEnabledFor(logging.INFO):
            return response  # the line is not written (DJANGO_LOG_LEVEL): its fields are not made
        match = getattr(request, "resolver_match", None)
        fields = {
            "request_id": request.request_id,
            "method": request.method,
            "route": _route(match) if match and match.route else request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            "engine_ms": round(figures["engine_ms"], 1) if "engine_ms" in figures else None,
            "cache_hit": figures.get("cache_hit"),
        }
        logger.info(" ".join(f"{name}={value}" for name, value in fields.items()), extra={"fields": fields})
        return response


class JsonFormatter(logging.Formatter):
    """A JSON object per line (DJANGO_LOG_FORMAT=json), with a request's fields when it has them."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name}
        entry.update(getattr(record, "fields", None) or {"message": record.getMessage()})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _route(match) -> str:
    """The URL pattern that answered, readable: "/api/ocr_record/{pk}/" for a router's regex."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", match.route)
    return "/" + route.replace("^", "").replace("$", "")
