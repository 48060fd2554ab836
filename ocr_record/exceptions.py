"""The API's own errors. Each has a stable `default_code`, sent as `code` in the JSON body."""

from rest_framework import status
from rest_framework.exceptions import APIException


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "upload_too_large"


class OcrEngineUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The OCR engine is not available."
    default_code = "ocr_engine_unavailable"


class OcrTimeout(APIException):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_detail = "识别失败: the OCR engine did not finish in time."
    default_code = "ocr_timeout"


class OcrFailed(APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = "识别失败: the OCR engine failed on this image."
    default_code = "ocr_failed"


class RequestRefused(APIException):
    """A request that breaks a limit or a rule, refused as a whole before any work (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request was refused."
    default_code = "refused"


class NotFinished(APIException):
    """What is asked for does not exist yet: the work is still going on, or failed (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The task has not finished."
    default_code = "not_finished"


class QuotaRefused(APIException):
    """A client over one of its quotas: 413 for bytes stored, 429 for pages waiting."""

    default_detail = "A quota is used up."
    default_code = "quota_exceeded"

    def __init__(self, detail: str, *, code: str, status_code: int) -> None:
        super().__init__(detail, code)
        self.status_code = status_code
