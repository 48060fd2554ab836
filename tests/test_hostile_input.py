"""Hostile files against the real server: gunicorn under an address-space cap, so that a file
that once cost gigabytes fails its test instead of taking the test machine down."""

import concurrent.futures
import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from axes.models import AccessAttempt

from ocr_record.models import OcrRecord
from ocr_task.models import OcrTask
from tests import hostile
from tests.helpers import (
    draw_text,
    one_speck_png,
    pdf_of,
    post_image,
    psutil_children,
    start_gunicorn,
    wait_for,
)
from tests.hostile import self_drawing_pdf

#: Every process of the server (the worker, PDFium's and the exports' children) may use at most this
#: address space: the second review's cap.
MEMORY_CAP = 3_000_000_000


def start_capped_server(**settings: str):
    return start_gunicorn(
        "--workers",
        "1",
        "--threads",
        "4",
        memory_cap=MEMORY_CAP,
        OCR_PDF_MAX_MEMORY_MB="512",
        OCR_PDF_DPI="150",
        OCR_TASK_POLL_S="1",
        **settings,
    )


@pytest.fixture
def capped_server(transactional_db):
    server, url = start_capped_server()
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def resident_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS:"))


def post_task(url: str, *files: tuple[str, bytes], async_task: bool = True) -> dict:
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, content in files
    )
    body += f'--{boundary}\r\nContent-Disposition: form-data; name="async_task"\r\n\r\n{str(async_task).lower()}\r\n'.encode()
    body += f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{url}/api/ocr_task/", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_a_pdf_that_draws_itself_without_end_fails_alone_and_the_server_lives_on(capped_server):
    task = post_task(capped_server, ("bomb.pdf", self_drawing_pdf()), ("fine.pdf", pdf_of("still read")))

    wait_for(
        lambda: get_json(f"{capped_server}/api/ocr_task/{task['id']}/")["status"] in {"succeeded", "failed"},
        timeout=120,
        what="the task to finish",
    )
    done = get_json(f"{capped_server}/api/ocr_task/{task['id']}/?readings=true")

    bomb, fine = done["items"]
    assert done["status"] == "succeeded"
    assert (bomb["status"], bomb["error"]) == (
        "failed",
        "page 1: The PDF is too costly to render: it needed more than 512 MiB of memory (or made the renderer "
        "fail) and was stopped.",
    )
    assert fine["status"] == "succeeded"
    assert fine["readings"][0]["text"] == "still read"
    assert post_image(capped_server, draw_text("alive")) == (200, "alive")


def test_no_pdf_waits_behind_a_slow_one(capped_server):
    # The costly PDF is read while its client waits; a small one sent meanwhile is not held up by it.
    post_image(capped_server, draw_text("engines loaded"))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(post_task, capped_server, ("bomb.pdf", self_drawing_pdf()), async_task=False)
        time.sleep(0.5)
        quick = pool.submit(post_task, capped_server, ("fine.pdf", pdf_of("not kept waiting")), async_task=False)
        finished_first = next(concurrent.futures.as_completed([slow, quick]))

    assert finished_first is quick
    assert quick.result()["items"][0]["readings"][0]["text"] == "not kept waiting"
    assert slow.result()["items"][0]["status"] == "failed"
    assert OcrTask.objects.count() == 2
    assert OcrRecord.objects.count() == 2  # the loading image's and the small PDF's page


def test_a_huge_image_with_one_speck_is_read_within_the_cap_and_its_memory_given_back(transactional_db):
    # What is tested is the bound on memory and a clean answer, not the machine's speed: the time
    # limit is far beyond what the reading takes (0.4 s here, cut to its speck; 9 s before).
    server, url = start_capped_server(OCR_WORKER_MAX_MEMORY_MB="100000", OCR_TIMEOUT_S="300")  # never replaced
    try:
        (worker,) = psutil_children(server.pid)
        status, letters = post_image(url, one_speck_png())
        after = resident_mib(worker)
        assert post_image(url, draw_text("next")) == (200, "next")
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert status == 200
    assert OcrRecord.objects.count() == 2
    # Both engines' models are loaded (~370 MiB); the reading peaked at ~850 MiB.
    assert after < 600


def test_a_worker_left_over_its_memory_ceiling_is_replaced_and_the_next_request_served(transactional_db):
    server, url = start_capped_server(OCR_WORKER_MAX_MEMORY_MB="200")  # less than the models need
    try:
        (first,) = psutil_children(server.pid)
        assert post_image(url, draw_text("first")) == (200, "first")
        wait_for(lambda: psutil_children(server.pid) not in ([first], []), timeout=30, what="a new worker")
        assert post_image(url, draw_text("second")) == (200, "second")
    finally:
        server.terminate()
        server.wait(timeout=30)


class Watch:
    """While files are exported: /healthz asked every 0.2 s (the longest answer kept) and the
    workers' resident memory sampled (the highest kept), in a thread of its own."""

    def __init__(self, url: str, workers: list[int]) -> None:
        self.url, self.workers = url, workers
        self.slowest_health_s, self.highest_rss_mib, self.health_failures = 0.0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Watch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            started = time.monotonic()
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=30).read()
            except OSError:
                self.health_failures += 1
            self.slowest_health_s = max(self.slowest_health_s, time.monotonic() - started)
            for pid in self.workers:
                with contextlib.suppress(OSError, StopIteration):
                    self.highest_rss_mib = max(self.highest_rss_mib, resident_mib(pid))


def export_when_made(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a PDF export, asked again while it answers 202."""
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                answer = (response.status, response.headers["Content-Type"], response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()
        if answer[0] != 202 or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


HOSTILE_EXPORTS = {
    "unused-stream-bomb.pdf": lambda: hostile.unused_stream_bomb(decoded_mib=2048),
    "looping-page-tree.pdf": lambda: hostile.looping_page_tree(pages=12, side=2400),
    "deep-forms.pdf": lambda: hostile.deep_form_chain(3000),
    "crop-box-string.pdf": lambda: hostile.bad_crop_box(b"(abc)"),
    "crop-box-short.pdf": lambda: hostile.bad_crop_box(b"[0 0 612]"),
    "ruled-40mp.png": hostile.ruled_png,
    "one-speck.png": one_speck_png,
}


def test_no_file_read_or_exported_freezes_exhausts_or_kills_a_web_worker(transactional_db):
    # The review's set-up: two workers of two threads (each with its task thread), under a cap.
    server, url = start_gunicorn(
        "--workers",
        "2",
        "--threads",
        "2",
        memory_cap=MEMORY_CAP,
        OCR_PDF_DPI="150",
        OCR_TASK_POLL_S="1",
        OCR_EXPORT_TIMEOUT_S="60",
    )
    try:
        workers = psutil_children(server.pid)
        with Watch(url, workers) as reading:
            task = post_task(url, *((name, make()) for name, make in HOSTILE_EXPORTS.items()))
            wait_for(
                lambda: get_json(f"{url}/api/ocr_task/{task['id']}/")["status"] in {"succeeded", "failed"},
                timeout=600,
                what="the task to finish",
            )
        items = get_json(f"{url}/api/ocr_task/{task['id']}/")["items"]
        with Watch(url, workers) as exporting, concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    export_when_made,
                    [f"{url}/api/ocr_task/{task['id']}/items/{item['id']}/export/?format=pdf" for item in items],
                )
            )
        still_serving = post_image(url, draw_text("still here"))
        same_workers = psutil_children(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert [item["status"] for item in items] == ["succeeded"] * len(HOSTILE_EXPORTS), items
    for (name, _), (status, content_type, body) in zip(HOSTILE_EXPORTS.items(), answers):
        if status == 200:
            assert content_type == "application/pdf" and body.startswith(b"%PDF-"), name
        else:  # a file that cannot be exported says why, in JSON
            assert (status, content_type) == (409, "application/json"), (name, status, body[:300])
            assert json.loads(body)["code"] == "export_failed", name
    assert answers[0][0] == 200 and len(answers[0][2]) > 4_000_000  # the bomb's stream copied, not decoded
    for watch in (reading, exporting):
        assert watch.health_failures == 0
        assert watch.slowest_health_s < 2.0
        assert watch.highest_rss_mib < 1200
    assert still_serving == (200, "stillhere")
    assert sorted(same_workers) == sorted(workers)  # none was killed and replaced


def test_parallel_password_guesses_cannot_get_past_the_lockout(transactional_db, django_user_model):
    django_user_model.objects.create_user("alice", password="correct horse battery")
    server, url = start_gunicorn("--workers", "2", "--threads", "4")

    def guess(number: int) -> str:
        request = urllib.request.Request(
            f"{url}/auth/login",
            data=json.dumps({"username": "alice", "password": f"guess {number}"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            return json.load(error)["code"]
        return "logged in"

    try:
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(guess, range(20)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Five passwords were checked (axes counts only those: a locked name's guess is refused
    # unchecked); the fifth locked the name, and each other guess waited for the one before.
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 5
    assert sorted(codes) == ["login_failed"] * 4 + ["login_locked"] * 16
