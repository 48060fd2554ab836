"""The engine under gunicorn: several worker processes, each with several threads, at once."""

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from django.db import connection

from ocr_record.models import OcrRecord
from tests.conftest import draw_text

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: image/png\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def database_url_under_test() -> str:
    """The URL of the database this test runs on, for the server processes to use it too."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.fixture
def gunicorn_url(transactional_db):
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_under_test(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ocr_project.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--worker-class", "gthread", "--timeout", "60"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/ocr_record/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_workers_and_threads_read_simultaneous_uploads_correctly(gunicorn_url):
    def parse(word: str) -> tuple[str, int, str]:
        body, content_type = multipart("image", f"{word}.png", draw_text(word))
        request = urllib.request.Request(
            f"{gunicorn_url}/api/ocr_record/parse_letter/", data=body, headers={"Content-Type": content_type}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return word, response.status, "".join(json.load(response)["content"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(parse, WORDS * 2))

    assert all(status == 200 for _, status, _ in results)
    assert {word: letters for word, _, letters in results} == {word: word for word in WORDS}
    assert sorted(OcrRecord.objects.values_list("content_text", flat=True)) == sorted(WORDS)
