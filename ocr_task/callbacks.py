"""Telling a client its task has finished: a POST of the task's summary to its callback_url.

The URL is parsed once, here, and the connection made to exactly the host and port that parse
found and the allow-list (OCR_CALLBACK_ALLOWED_HOSTS) accepted: what another parser would read
differently (a backslash or an escaped character before an "@", credentials, spaces) is refused
when the task is submitted. Redirects are not followed (they could lead anywhere, the service's own
network included). One attempt has OCR_CALLBACK_TIMEOUT_S in all, connecting, sending and reading
the answer: a host that trickles its answer a byte at a time is cut off then.

With OCR_CALLBACK_SECRET set, each call is signed as Standard Webhooks specifies
(https://www.standardwebhooks.com/, signed with its `standardwebhooks` package): `webhook-id` (the
same for every attempt of one delivery, so that a receiver can drop repeats), `webhook-timestamp`
and `webhook-signature` over all three with the body, so that a captured call cannot be replayed
later or for another delivery.
"""

import http.client
import json
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from ocr_task.errors import TaskRefused
from ocr_task.models import CallbackStatus, OcrTask
from ocr_task.selectors import task_summary

logger = logging.getLogger(__name__)

#: Longer URLs are refused (and the column holds this many characters).
MAX_URL_LENGTH = 2000
_FORBIDDEN_IN_AUTHORITY = set("@%\\")


class DeliveryFailed(Exception):
    pass


@dataclass(frozen=True)
class CallbackUrl:
    scheme: str
    host: str
    port: int
    #: The path and query, as sent in the request line.
    target: str


def check_allowed(url: str) -> CallbackUrl:
    """The callback URL parsed, or TaskRefused when the service must not (or cannot) call it."""
    callback = _parse(url)
    if callback.host not in {host.lower() for host in settings.OCR_CALLBACK_ALLOWED_HOSTS}:
        raise TaskRefused(
            f"Callbacks may only go to the hosts in OCR_CALLBACK_ALLOWED_HOSTS; {callback.host!r} is not one of them.",
            code="callback_not_allowed",
        )
    return callback


def _parse(url: str) -> CallbackUrl:
    def invalid(why: str) -> TaskRefused:
        return TaskRefused(f"callback_url {why}.", code="callback_url_invalid")

    if len(url) > MAX_URL_LENGTH:
        raise invalid(f"is longer than {MAX_URL_LENGTH} characters")
    if not url.isascii() or any(character.isspace() or ord(character) < 32 for character in url):
        raise invalid("must be plain ASCII without spaces (write an international host name in punycode)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("must be an http or https URL")
    if _FORBIDDEN_IN_AUTHORITY & set(parts.netloc):
        raise invalid("must not carry credentials, escapes or backslashes in its host part")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise invalid("has an invalid port") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CallbackUrl(parts.scheme, parts.hostname.lower(), port, target)


def post_summary(url: str, summary: dict, *, delivery_id: str) -> None:
    """POST `summary` as JSON within OCR_CALLBACK_TIMEOUT_S; any answer but a 2xx is a failure."""
    callback = check_allowed(url)  # the list may have changed since the task was submitted
    body = json.dumps(summary, cls=DjangoJSONEncoder)
    headers = {"Content-Type": "application/json", "User-Agent": "django-ocr callback", "Host": _host_header(callback)}
    if settings.OCR_CALLBACK_SECRET:
        headers.update(signature_headers(settings.OCR_CALLBACK_SECRET, delivery_id, body))
    seconds = settings.OCR_CALLBACK_TIMEOUT_S
    if callback.scheme == "https":
        connection = http.client.HTTPSConnection(
            callback.host, callback.port, timeout=seconds, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(callback.host, callback.port, timeout=seconds)
    # The socket's time-out bounds each wait, not their sum: past the attempt's time, the
    # connection is shut from outside, which ends whatever wait is under way.
    was_cut = threading.Event()
    cut_off = threading.Timer(seconds, _shut, args=(connection, was_cut))
    cut_off.start()
    try:
        connection.request("POST", callback.target, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(1024)
    except (OSError, http.client.HTTPException, ValueError) as error:
        if was_cut.is_set():
            raise DeliveryFailed(f"{url} did not answer within {seconds} s") from None
        raise DeliveryFailed(f"{url} could not be reached: {error}") from None
    finally:
        cut_off.cancel()
        connection.close()
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"{url} answered {response.status}")


def deliver_callback(*, task_id: int) -> bool | None:
    """One attempt at POSTing a finished task's summary to its callback_url.

    True when delivered (or there is no callback to deliver), False when the attempt failed or is
    not due yet (the next is at `callback_next_at`), None when the attempts are used up. The state
    is in the task's row, so whoever sends callbacks may stop and start again without losing one,
    and an attempt is taken with a compare-and-set on it, so that two workers never both post.
    """
    task = OcrTask.objects.get(pk=task_id)
    if task.callback_status != CallbackStatus.PENDING:
        return True
    now = timezone.now()
    taken = OcrTask.objects.filter(
        pk=task.pk,
        callback_status=CallbackStatus.PENDING,
        callback_next_at=task.callback_next_at,
        callback_next_at__lte=now,
    ).update(callback_next_at=now + timedelta(seconds=2 * settings.OCR_CALLBACK_TIMEOUT_S))
    if not taken:
        return False
    try:
        post_summary(task.callback_url, task_summary(task.pk), delivery_id=f"ocr-task-{task.pk}-finished")
    except DeliveryFailed as error:
        task.callback_attempts += 1
        task.callback_error = str(error)
        if task.callback_attempts >= settings.OCR_CALLBACK_MAX_ATTEMPTS:
            task.callback_status, task.callback_next_at = CallbackStatus.FAILED, None
            logger.warning("Callback of task %s failed %s times; giving up: %s", task.pk, task.callback_attempts, error)
            outcome = None
        else:
            task.callback_next_at = timezone.now() + retry_delay(task.callback_attempts)
            outcome = False
    else:
        task.callback_attempts += 1
        task.callback_status, task.callback_next_at, task.callback_error = CallbackStatus.DELIVERED, None, ""
        outcome = True
    task.save(update_fields=["callback_status", "callback_attempts", "callback_next_at", "callback_error"])
    return outcome


def due_callback() -> int | None:
    """A task whose callback is due for an attempt now."""
    return (
        OcrTask.objects.filter(callback_status=CallbackStatus.PENDING, callback_next_at__lte=timezone.now())
        .order_by("callback_next_at")
        .values_list("id", flat=True)
        .first()
    )


def signature_headers(secret: str, delivery_id: str, body: str, *, at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks' headers. A `whsec_<base64>` secret (what its libraries make and expect)
    is decoded; any other value of OCR_CALLBACK_SECRET is the key's bytes as written."""
    webhook = Webhook(secret if secret.startswith("whsec_") else secret.encode())
    at = at or datetime.now(UTC)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": webhook.sign(msg_id=delivery_id, timestamp=at, data=body),
    }


def retry_delay(attempts: int) -> timedelta:
    """Waits doubling from OCR_CALLBACK_RETRY_S after each failed attempt."""
    return timedelta(seconds=settings.OCR_CALLBACK_RETRY_S * 2 ** (attempts - 1))


def _host_header(callback: CallbackUrl) -> str:
    default = 443 if callback.scheme == "https" else 80
    return callback.host if callback.port == default else f"{callback.host}:{callback.port}"


def _shut(connection: http.client.HTTPConnection, was_cut: threading.Event) -> None:
    was_cut.set()  # before the shutdown, which the waiting thread sees at once
    if connection.sock is not None:
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
