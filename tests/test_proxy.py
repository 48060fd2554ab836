"""docker-compose.yml's nginx in front of a real gunicorn (deploy/nginx.conf.template, run by
Debian's nginx): slow clients do not stop the service, and the proxy's own refusals are JSON."""

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from string import Template

import pytest

from tests.helpers import draw_text, free_port, post_image, start_gunicorn

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf.template"


def start_nginx(upstream: str, directory: Path, *, max_body: str = "210m") -> tuple[subprocess.Popen, str]:
    port = free_port()
    # What the official image's entrypoint does with the template: its variables from the environment.
    server = Template(TEMPLATE.read_text()).safe_substitute(
        OCR_UPSTREAM=upstream, OCR_PROXY_PORT=str(port), OCR_PROXY_MAX_BODY=max_body
    )
    (directory / "default.conf").write_text(server)
    temporary = " ".join(
        f"{kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (directory / "nginx.conf").write_text(
        f"daemon off; pid {directory / 'nginx.pid'}; error_log {directory / 'error.log'}; worker_processes 1;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; {temporary} include {directory / 'default.conf'}; }}\n"
    )
    proxy = subprocess.Popen(["nginx", "-c", str(directory / "nginx.conf"), "-p", str(directory)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proxy, url
        except OSError:
            if time.monotonic() > deadline or proxy.poll() is not None:
                proxy.kill()
                raise RuntimeError((directory / "error.log").read_text()) from None
            time.sleep(0.1)


@pytest.fixture
def gunicorn_behind_nginx(transactional_db, tmp_path):
    # A small gunicorn: one worker, two threads, as easily held up as the default's four threads.
    server, direct = start_gunicorn("--workers", "1", "--threads", "2")
    proxy, url = start_nginx(direct.removeprefix("http://"), tmp_path, max_body="1m")
    try:
        yield direct, url
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        server.terminate()
        server.wait(timeout=30)


def slow_header_clients(url: str, count: int) -> list[socket.socket]:
    """Connections that start a request and then send nothing more (as a slowloris does)."""
    host, port = url.removeprefix("http://").split(":")
    clients = []
    for _ in range(count):
        client = socket.create_connection((host, int(port)))
        client.sendall(b"POST /api/ocr_record/parse_letter/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        clients.append(client)
    return clients


def test_slow_clients_hold_up_a_bare_gunicorn_but_not_one_behind_the_proxy(gunicorn_behind_nginx):
    direct, proxied = gunicorn_behind_nginx
    post_image(proxied, draw_text("warm"))  # the engines are loaded

    held = slow_header_clients(direct, 10)
    try:
        with pytest.raises(OSError):  # every thread of the bare gunicorn waits for a header
            urllib.request.urlopen(f"{direct}/healthz", timeout=5)
    finally:
        for client in held:
            client.close()
    held = slow_header_clients(proxied, 10)
    try:
        assert post_image(proxied, draw_text("served")) == (200, "served")
    finally:
        for client in held:
            client.close()


def test_a_body_over_the_proxy_limit_gets_a_json_413(gunicorn_behind_nginx):
    _, proxied = gunicorn_behind_nginx
    request = urllib.request.Request(
        f"{proxied}/api/ocr_record/parse_letter/",
        data=b"x" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)

    assert refused.value.code == 413
    assert json.load(refused.value) == {
        "detail": "The request body is larger than the server accepts (1m).",
        "code": "upload_too_large",
    }
