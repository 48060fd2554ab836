"""Hostile files against the real server: gunicorn under an address-space cap, so that a file
that once cost gigabytes fails its test instead of taking the test machine down."""

import concurrent.futures
import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from axes.models import AccessAttempt

from ocr_record.models import OcrRecord
from ocr_task.models import OcrTask
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

#: Every process of the server (the worker, PDFium's children) may use at most this address space.
MEMORY_CAP = 4_000_000_000


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
    assert fine["pages"][0]["text"] == "still read"
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
    assert quick.result()["items"][0]["pages"][0]["text"] == "not kept waiting"
    assert slow.result()["items"][0]["status"] == "failed"
    assert OcrTask.objects.count() == 2
    assert OcrRecord.objects.count() == 2  # the loading image's and the small PDF's page


def test_a_huge_image_with_one_speck_is_read_within_the_cap_and_its_memory_given_back(transactional_db):
    server, url = start_capped_server(OCR_WORKER_MAX_MEMORY_MB="100000")  # never replaced
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
