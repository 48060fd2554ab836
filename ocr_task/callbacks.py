"""Telling a client its task has finished: a POST of the task's summary to its callback_url.

Only hosts in OCR_CALLBACK_ALLOWED_HOSTS are called, redirects are not followed (they could lead
anywhere, the service's own network included), and with OCR_CALLBACK_SECRET set the body is
signed so that the receiver can tell the call came from this service.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from ocr_task.errors import TaskRefused

SIGNATURE_HEADER = "X-OCR-Signature"


class DeliveryFailed(Exception):
    pass


def check_allowed(url: str) -> None:
    """Refuse a callback URL the service must not call."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TaskRefused("callback_url must be an http or https URL.", code="callback_url_invalid")
    allowed = [host.lower() for host in settings.OCR_CALLBACK_ALLOWED_HOSTS]
    if parts.hostname.lower() not in allowed:
        raise TaskRefused(
            f"Callbacks may only go to the hosts in OCR_CALLBACK_ALLOWED_HOSTS; {parts.hostname!r} is not one of them.",
            code="callback_not_allowed",
        )


def post_summary(url: str, summary: dict) -> None:
    """POST `summary` as JSON; any answer but a 2xx is a failure."""
    check_allowed(url)  # the list may have changed since the task was submitted
    body = json.dumps(summary, cls=DjangoJSONEncoder).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "django-ocr callback"}
    if settings.OCR_CALLBACK_SECRET:
        digest = hmac.new(settings.OCR_CALLBACK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.OCR_CALLBACK_TIMEOUT_S) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"{url} answered {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryFailed(f"{url} could not be reached: {getattr(error, 'reason', error)}") from None


def retry_delay(attempts: int) -> timedelta:
    """Waits doubling from OCR_CALLBACK_RETRY_S after each failed attempt."""
    return timedelta(seconds=settings.OCR_CALLBACK_RETRY_S * 2 ** (attempts - 1))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx becomes an HTTPError: a failed delivery


_OPENER = urllib.request.build_opener(_NoRedirects)
