"""The one place where errors become responses: the error model of PRODUCT.md.

Validation errors keep DRF's body, naming the field (`{"image": ["..."]}`). Every other error is
`{"detail": "<message>", "code": "<stable code>"}` with the matching status. Nothing escapes as an
HTML page or a traceback: an unexpected exception is logged and answered with a JSON 500.
"""

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

import ocr_engine
from ocr_api.exceptions import (
    ApplicationError,
    OcrEngineUnavailable,
    OcrFailed,
    OcrOutOfMemory,
    OcrTimeout,
    UploadTooLarge,
    _Answered,
    failed_reading,
)

logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict) -> Response:
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        logger.error("Unhandled error in %s", context.get("view"), exc_info=exc)
        return error_response("A server error occurred.", code="server_error", status=500)
    # DRF's handler adds the headers some errors need (Retry-After, WWW-Authenticate) and rolls
    # back the request's transaction.
    response = exception_handler(exc, context)
    if not isinstance(exc, exceptions.ValidationError):
        detail, code = exc.detail, exc.get_codes()
        if isinstance(detail, dict):  # simplejwt's errors carry {"detail": ..., "code": ...} already
            detail, code = detail.get("detail", ""), detail.get("code", "error")
        response.data = {"detail": str(detail), "code": str(code)}
    return response


def error_response(detail: str, *, code: str, status: int) -> Response:
    return Response({"detail": detail, "code": code}, status=status)


def _as_api_exception(exc: Exception) -> Exception:
    """Translate the engine's errors, the services' application errors and Django's request errors
    into API exceptions."""
    if isinstance(exc, ocr_engine.EngineUnavailable):
        return OcrEngineUnavailable(f"The OCR engine is not available: {exc}")
    if isinstance(exc, ocr_engine.OutOfMemory):
        return OcrOutOfMemory(failed_reading(f"{exc}; try again later."))
    if isinstance(exc, ocr_engine.RecognitionTimeout):
        return OcrTimeout(failed_reading(str(exc)))
    if isinstance(exc, ocr_engine.OcrEngineError):
        return OcrFailed(failed_reading(str(exc)))
    if isinstance(exc, ApplicationError):
        return _Answered(exc)
    if isinstance(exc, RequestDataTooBig):
        return UploadTooLarge("The request body is larger than the server accepts.")
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return exceptions.ParseError(str(exc))
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError("The request is malformed.")
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc
