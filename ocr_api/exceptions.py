"""The API's own errors. Each has a stable `default_code`, sent as `code` in the JSON body."""

from rest_framework import status
from rest_framework.exceptions import APIException


def failed_reading(reason: str) -> str:
    """What a reading that failed is said as, wherever it is said (an answer, a task's page): v1.0.0's
    "识别失败" ("recognition failed"), which its clients look for, then why."""
    return f"识别失败: {reason}"


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "upload_too_large"


class OcrEngineUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The OCR engine is not available."
    default_code = "ocr_engine_unavailable"


class OcrOutOfMemory(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = failed_reading("the OCR engine ran out of memory on this image; try again later.")
    default_code = "ocr_out_of_memory"


class OcrTimeout(APIException):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_detail = failed_reading("the OCR engine did not finish in time.")
    default_code = "ocr_timeout"


class OcrFailed(APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = failed_reading("the OCR engine failed on this image.")
    default_code = "ocr_failed"


class ApplicationError(Exception):
    """What a service refuses, in words for people (`message`), a stable `code` for programs, and
    the HTTP status it is answered with: plain Python, raised by services that know nothing of
    HTTP, and mapped to `{"detail": message, "code": code}` by the one exception handler."""

    status = 400

    def __init__(self, message: str, *, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status


class _Answered(APIException):
    def __init__(self, error: ApplicationError) -> None:
        super().__init__(error.message, error.code)
        self.status_code = error.status
