"""The engine under gunicorn: several worker processes, each with several threads, at once."""

import concurrent.futures
import gc
import http.client
import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from ocr_record.models import OcrRecord, OcrRecordRequest
from tests.helpers import draw_text, free_port, post_image, psutil_children, start_gunicorn
from tests.processes import database_url_under_test

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"]


@pytest.fixture
def gunicorn_url(transactional_db):
    server, url = start_gunicorn("--workers", "2", "--threads", "4")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_workers_and_threads_read_simultaneous_uploads_correctly(gunicorn_url):
    def parse(word: str) -> tuple[str, int, str]:
        return word, *post_image(gunicorn_url, draw_text(word), f"{word}.png")

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(parse, WORDS * 2))

    assert all(status == 200 for _, status, _ in results)
    assert {word: letters for word, _, letters in results} == {word: word for word in WORDS}
    assert sorted(OcrRecord.objects.values_list("content_text", flat=True)) == sorted(WORDS)


def test_fifty_simultaneous_uploads_of_one_new_image_leave_one_record(gunicorn_url):
    image = draw_text("together")

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda _: post_image(gunicorn_url, image), range(50)))

    assert results == [(200, "together")] * 50
    assert OcrRecord.objects.count() == 1
    assert not OcrRecordRequest.objects.exists()  # anonymous requests are not kept


def test_mixed_parallel_writers_never_see_a_locked_database(gunicorn_url):
    images = [draw_text(word) for word in WORDS] * 3  # new files and repeats, interleaved

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [status for status, _ in pool.map(lambda image: post_image(gunicorn_url, image), images)]

    assert statuses == [200] * len(images)
    assert OcrRecord.objects.count() == len(WORDS)


def test_a_worker_killed_mid_request_leaves_no_record_and_the_server_answers(transactional_db):
    server, url = start_gunicorn("--workers", "1", "--threads", "2")
    try:
        page = draw_text("\n".join(["the quick brown fox jumps over the lazy dog"] * 60), font_size=20)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(post_image, url, page)
            time.sleep(0.3)  # the worker is reading the page now
            (worker,) = [child for child in psutil_children(server.pid)]
            os.kill(worker, signal.SIGKILL)
            with pytest.raises((OSError, http.client.HTTPException)):  # the connection dies with it
                pending.result(timeout=30)

        assert OcrRecord.objects.count() == 0
        deadline = time.monotonic() + 30
        while True:  # the master starts a new worker
            try:
                assert post_image(url, draw_text("alive")) == (200, "alive")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert OcrRecord.objects.count() == 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_upload_files_a_killed_worker_left_behind_are_removed_when_the_service_starts(transactional_db):
    from django.conf import settings

    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    abandoned, in_use = folder / "tmpabandoned.upload.png", folder / "tmpinuse.upload.png"
    for path in (abandoned, in_use):
        path.write_bytes(b"part of an upload")
    long_ago = time.time() - 3600
    os.utime(abandoned, (long_ago, long_ago))

    server, _ = start_gunicorn("--workers", "1")
    server.terminate()
    server.wait(timeout=30)

    assert not abandoned.exists()
    assert in_use.exists()  # another process's upload, being written now
    in_use.unlink()


@pytest.mark.parametrize(("bind", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_the_open_api_listening_beyond_loopback_is_warned_about_at_start(bind, warned):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ocr_project.wsgi:application",
            "--bind",
            f"{bind}:{port}",
            "--workers",
            "1",
        ],
        env={**os.environ, "OCR_API_AUTH": "open", "DATABASE_URL": database_url_under_test()},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in server.stderr:  # gunicorn logs its start, then "Booting worker"
            lines.append(line)
            if "Booting worker" in line:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)

    warning = [line for line in lines if "OCR_API_AUTH=open and the service listens on" in line]
    assert bool(warning) is warned
    if warned:
        assert f"0.0.0.0:{port}" in warning[0] and "Set OCR_API_AUTH=required" in warning[0]


def test_with_a_shared_cache_a_rate_holds_across_gunicorn_workers(transactional_db):

    redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()
    server, url = start_gunicorn(
        "--workers", "2", "--threads", "1", CACHE_URL="redis://127.0.0.1:6379/13", OCR_THROTTLE_ANON_READ="5/min"
    )
    try:
        statuses = []
        for _ in range(12):  # a connection each: gunicorn spreads them over both workers
            try:
                with urllib.request.urlopen(f"{url}/api/ocr_record/", timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert statuses.count(200) == 5  # per worker, a cache of its own would have let up to 10 through
    assert statuses.count(429) == 7


def test_a_worker_that_has_loaded_the_application_leaves_its_objects_out_of_garbage_collections():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(__file__).parent.parent / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    gc.unfreeze()
    try:
        conf.post_worker_init(worker=None)

        assert gc.get_freeze_count() > 10_000  # Django, DRF and the service's modules, in this test process
    finally:
        gc.unfreeze()


def test_links_to_a_slow_server_do_not_stop_the_service_answering_uploads_and_lists(transactional_db):
    from tests.urlserver import UrlServer  # noqa: PLC0415

    with UrlServer() as slow:
        server, url = start_gunicorn(
            "--workers",
            "2",
            "--threads",
            "4",
            OCR_URL_ALLOW_PRIVATE="true",
            OCR_URL_ALLOWED_PORTS=f"80,443,{slow.port}",
            OCR_URL_TIMEOUT_S="20",
            OCR_URL_MAX_FETCHES="2",  # of each worker's four threads
        )
        try:
            # Each worker's engine loaded first, as in a service that has been up a while.
            for word in WORDS[5:9]:
                post_image(url, draw_text(word), f"{word}.png")

            def by_link(_) -> tuple[int, float]:
                request = urllib.request.Request(
                    f"{url}/api/ocr_record/parse_text/",
                    data=f'{{"url": "{slow.url("/trickle")}"}}'.encode(),
                    headers={"Content-Type": "application/json"},
                )
                try:
                    urllib.request.urlopen(request, timeout=120)
                    status = 200
                except urllib.error.HTTPError as error:
                    status = error.code
                return status, time.monotonic()

            with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
                links = [pool.submit(by_link, number) for number in range(6)]  # six of the eight threads held
                time.sleep(1)
                uploads = [post_image(url, draw_text(word), f"{word}.png") for word in WORDS[:3]]
                listed = urllib.request.urlopen(f"{url}/api/ocr_record/", timeout=120).status
                answered_at = time.monotonic()
                slow_answers = [future.result() for future in links]
        finally:
            server.terminate()
            server.wait(timeout=30)

    assert [status for status, _ in uploads] == [200, 200, 200] and listed == 200
    # At most two links fetched at once by each worker (the others answered 503 url_busy at once),
    # cut off at their limit; the uploads and the list answered while those were still waited for.
    fetched = [finished for status, finished in slow_answers if status == 400]
    assert {status for status, _ in slow_answers} <= {400, 503} and 1 <= len(fetched) <= 4
    assert answered_at < min(fetched)
