"""GET /api/ocr_task/{id}/events/: a task's progress as server-sent events, read over HTTP from a
live server while workers read the task."""

import json
import threading
import time

import pytest
import requests

from ocr_task import workers
from ocr_task.models import OcrTask
from tests.helpers import pdf_of, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_pdfs(settings):
    settings.OCR_PDF_DPI = 150


def submit(api_client, *texts: str) -> int:
    files = [upload(pdf_of(*texts), "report.pdf")]
    return api_client.post("/api/ocr_task/", {"files": files, "async_task": "true"}, format="multipart").json()["id"]


def events_of(response) -> list[tuple[str, dict]]:
    """The (event, data) pairs of a stream, read until the server ends it."""
    events, name = [], None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def open_stream(live_server, task_id: int):
    return requests.get(f"{live_server.url}/api/ocr_task/{task_id}/events/", stream=True, timeout=30)


def test_the_stream_tells_the_progress_as_pages_are_read_and_ends_with_the_task(live_server, api_client):
    task_id = submit(api_client, "first page", "second page")
    response = open_stream(live_server, task_id)
    received = []
    listener = threading.Thread(target=lambda: received.extend(events_of(response)))
    listener.start()

    time.sleep(1.5)  # the first event (nothing read) is out
    while workers.work_once():
        time.sleep(1.5)  # each page's event is out before the next page is read
    listener.join(timeout=30)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    names = [name for name, _ in received]
    assert set(names[:-1]) == {"progress"} and names[-1] == "end"
    # Each change is told (a page taken, a page read), in order.
    done = [data["progress"]["pages_done"] for _, data in received[:-1]]
    assert sorted(set(done)) == [0, 1, 2] and done == sorted(done)
    assert received[-2][1]["status"] == "succeeded" and received[-2][1]["id"] == task_id
    assert received[-1][1] == {"id": task_id, "status": "succeeded"}


def test_a_finished_task_is_told_at_once(live_server, api_client):
    task_id = submit(api_client, "done already")
    while workers.work_once():
        pass

    events = events_of(open_stream(live_server, task_id))

    assert [name for name, _ in events] == ["progress", "end"]
    assert events[0][1]["progress"] == {"pages_done": 1, "pages_total": 1}


def test_a_stream_ends_by_itself_after_its_time(live_server, api_client, settings):
    settings.OCR_TASK_EVENTS_MAX_S = 2
    task_id = submit(api_client, "never read here")

    started = time.monotonic()
    events = events_of(open_stream(live_server, task_id))

    assert [name for name, _ in events] == ["progress"]
    assert time.monotonic() - started < 10
    assert OcrTask.objects.get(pk=task_id).status == "pending"


def test_a_stream_past_the_processes_limit_is_a_json_503_and_its_slot_comes_back(live_server, api_client, settings):
    settings.OCR_TASK_EVENTS_MAX_S = 3
    task_id = submit(api_client, "followed")
    first = open_stream(live_server, task_id)  # OCR_TASK_EVENTS_MAX_STREAMS=1: holds the only slot

    second = requests.get(f"{live_server.url}/api/ocr_task/{task_id}/events/", timeout=30)
    events_of(first)  # the first stream ends after its 3 s
    time.sleep(0.5)
    third = open_stream(live_server, task_id)

    assert second.status_code == 503
    assert second.json()["code"] == "too_many_streams"
    assert third.status_code == 200
    third.close()


def test_an_unknown_task_is_a_json_404(live_server):
    response = requests.get(f"{live_server.url}/api/ocr_task/999/events/", timeout=30)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
