"""A task's callback: POSTed to a local test server when the task ends, retried, never to a host
that is not allowed, never following a redirect."""

import base64
import json
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ocr_task import callbacks, workers
from ocr_task.models import OcrTask
from ocr_task.services import TaskFile, TaskRefused, ocr_task_create
from tests.helpers import Receiver, draw_text, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings, request):
    settings.OCR_CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    statuses = getattr(request, "param", [200])
    receiver = Receiver(statuses)
    yield receiver
    receiver.close()


def finished_task_with_callback(url: str) -> OcrTask:
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("call me"))], callback_url=url, name="scans")
    while workers.work_once():  # reads the page, then delivers the callback (and retries that are due)
        pass
    task.refresh_from_db()
    return task


def test_the_summary_is_posted_when_the_task_ends(receiver):
    task = finished_task_with_callback(receiver.url)

    [(headers, body)] = receiver.received
    summary = json.loads(body)
    assert headers["Content-Type"] == "application/json"
    assert (summary["id"], summary["task_name"], summary["status"]) == (task.id, "scans", "succeeded")
    assert summary["progress"] == {"pages_done": 1, "pages_total": 1}
    assert summary["items"][0]["origin_name"] == "photo.png"
    assert (task.callback_status, task.callback_attempts) == ("delivered", 1)


def test_the_summary_posted_is_the_task_as_the_list_shows_it(receiver, api_client):
    task = finished_task_with_callback(receiver.url)

    [(_, body)] = receiver.received
    [listed] = api_client.get("/api/ocr_task/").json()["results"]
    assert json.loads(body) == listed
    assert listed["id"] == task.id


def test_each_call_is_signed_as_standard_webhooks_specifies_when_a_secret_is_set(settings, receiver):
    secret = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes....").decode()
    settings.OCR_CALLBACK_SECRET = secret

    task = finished_task_with_callback(receiver.url)

    [(headers, body)] = receiver.received
    assert headers["webhook-id"] == f"ocr-task-{task.id}-finished"
    # What a receiver runs, with the Standard Webhooks library: the call is this service's.
    assert Webhook(secret).verify(body, dict(headers))["id"] == task.id


def test_a_captured_call_cannot_be_replayed_later_or_as_another_delivery(settings, receiver):
    settings.OCR_CALLBACK_SECRET = "shared secret"
    finished_task_with_callback(receiver.url)
    [(headers, body)] = receiver.received
    receiving = Webhook(b"shared secret")
    replayed_later = {**dict(headers), "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 3600)}
    replayed_as_another = {**dict(headers), "webhook-id": "ocr-task-999-finished"}

    assert receiving.verify(body, dict(headers))  # as sent
    for forged in (replayed_later, replayed_as_another):
        with pytest.raises(WebhookVerificationError):
            receiving.verify(body, forged)


@pytest.mark.parametrize("receiver", [[503, 200]], indirect=True)
def test_a_failed_delivery_is_retried_later(receiver):
    task = finished_task_with_callback(receiver.url)
    assert (task.callback_status, task.callback_attempts) == ("pending", 1)
    assert "answered 503" in task.callback_error
    assert task.callback_next_at > timezone.now()

    OcrTask.objects.filter(pk=task.pk).update(callback_next_at=timezone.now() - timedelta(seconds=1))  # time passes
    workers.work_once()

    task.refresh_from_db()
    assert (task.callback_status, task.callback_attempts, len(receiver.received)) == ("delivered", 2, 2)


@pytest.mark.parametrize("receiver", [[500]], indirect=True)
def test_delivery_stops_after_the_last_attempt(settings, receiver):
    settings.OCR_CALLBACK_MAX_ATTEMPTS = 2
    task = finished_task_with_callback(receiver.url)
    OcrTask.objects.filter(pk=task.pk).update(callback_next_at=timezone.now())  # the next attempt is due

    assert callbacks.deliver_callback(task_id=task.id) is None

    task.refresh_from_db()
    assert (task.callback_status, task.callback_attempts, len(receiver.received)) == ("failed", 2, 2)


@pytest.mark.parametrize("receiver", [[302]], indirect=True)
def test_a_redirect_is_not_followed_it_is_a_failed_attempt(receiver):
    task = finished_task_with_callback(receiver.url)

    assert len(receiver.received) == 1
    assert "answered 302" in task.callback_error


def test_an_unreachable_receiver_is_a_failed_attempt(settings):
    settings.OCR_CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]

    task = finished_task_with_callback("http://127.0.0.1:9/nobody-listens")

    assert task.callback_status == "pending"
    assert "could not be reached" in task.callback_error


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://169.254.169.254/latest/meta-data", "callback_not_allowed"),
        ("http://localhost:8000/", "callback_not_allowed"),
        ("ftp://127.0.0.1/file", "callback_url_invalid"),
        # What one parser reads as 127.0.0.1 and another as evil.example: refused, never sent.
        ("http://evil.example\\@127.0.0.1/", "callback_url_invalid"),
        ("http://evil.example%2F@127.0.0.1/", "callback_url_invalid"),
        ("http://user:password@127.0.0.1/", "callback_url_invalid"),
        ("http://127.0.0.1:99999/", "callback_url_invalid"),
        ("http://127.0.0.1/a path", "callback_url_invalid"),
        ("http://127.0.0.1/" + "x" * 2000, "callback_url_invalid"),
    ],
)
def test_a_callback_to_a_host_not_allowed_refuses_the_task(settings, api_client, url, code):
    settings.OCR_CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]

    with pytest.raises(TaskRefused) as refused:
        ocr_task_create(files=[TaskFile("photo.png", draw_text("x"))], callback_url=url)
    response = api_client.post(
        "/api/ocr_task/",
        {"files": [upload(draw_text("x"))], "async_task": "true", "callback_url": url},
        format="multipart",
    )

    assert refused.value.code == code
    assert response.status_code == 400
    # The service's code, or the field's own error where DRF's URL validation refuses it first.
    assert response.json().get("code") == code or list(response.json()) == ["callback_url"]
    assert not OcrTask.objects.exists()


@pytest.mark.parametrize("receiver", [[503, 200]], indirect=True)
def test_an_attempt_that_is_not_due_is_not_made(receiver):
    """A retry delivered early (a redelivered message), or an attempt another worker has taken."""
    task = finished_task_with_callback(receiver.url)

    assert callbacks.deliver_callback(task_id=task.id) is False

    assert len(receiver.received) == 1


def test_a_task_without_callback_sends_nothing():
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("quiet"))])
    while workers.work_once():
        pass

    task.refresh_from_db()
    assert (task.status, task.callback_status) == ("succeeded", "")


def test_a_long_callback_url_to_an_allowed_host_is_kept_whole(settings, api_client):
    settings.OCR_CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    url = "http://127.0.0.1/ocr-done?token=" + "t" * 400  # over the 200 characters a URLField keeps by default

    response = api_client.post(
        "/api/ocr_task/",
        {"files": [upload(draw_text("x"))], "async_task": "true", "callback_url": url},
        format="multipart",
    )

    assert response.status_code == 202
    assert OcrTask.objects.get().callback_url == url


def test_a_receiver_that_answers_a_byte_at_a_time_is_cut_off_at_the_attempts_deadline(settings):
    settings.OCR_CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.OCR_CALLBACK_TIMEOUT_S = 1
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():
        connection, _ = listener.accept()
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"x" * 1000:
            if stop.is_set():
                break
            connection.send(bytes([byte]))  # every byte well within the socket's time-out
            time.sleep(0.2)
        connection.close()

    threading.Thread(target=trickle, daemon=True).start()
    try:
        with pytest.raises(callbacks.DeliveryFailed) as failed:
            callbacks.post_summary(f"http://127.0.0.1:{listener.getsockname()[1]}/slow", {}, delivery_id="d")
    finally:
        stop.set()
        listener.close()

    assert str(failed.value).endswith("/slow did not answer within 1 s")
