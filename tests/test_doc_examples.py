"""Every command of the README and of the docs, run as written: each ```sh block by bash and each
```python block by Python, in the page's order, from a directory holding the clone's `examples/`
(as a reader runs them from the clone's root), against a live server on a new database, one page
after another. curl reads a `.curlrc` made here that makes any HTTP error a failed command.

Only two things are changed on the way: the server's address (http://127.0.0.1:8000 becomes the
live server's) and https://example.com/, which stands for an image of the reader's on the internet
and becomes a server of this test (no link leaves the machine). ```console blocks set a machine up
(make, docker, createdb): they are shown, not run, and may not call the API."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from api_access.models import ClientApiKey
from ocr_task import workers
from tests.helpers import draw_text, restore_built_in_cards
from tests.processes import database_url_under_test
from tests.urlserver import UrlServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md", *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^(?P<indent> *)```(?P<language>[\w-]*)\n(?P<body>.*?)^(?P=indent)```", re.DOTALL | re.MULTILINE)
RUN = {"sh", "python"}
SHOWN = {"json", "text", "yaml", "console", ""}  # answers, outputs, files, drawings, set-up commands

#: What a page's commands need of the server beyond a new one with the built-in cards.
PAGE_SETTINGS = {
    # The page of credentials logs Alice in and calls with an API key made for her.
    "docs/security.md": {"OCR_API_AUTH": "required"},
}


def blocks(page: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block of `page`, the indentation of a list item removed."""
    text = (ROOT / page).read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        indent = len(match.group("indent"))
        body = "\n".join(line[indent:] for line in match.group("body").splitlines())
        found.append((match.group("language"), body))
    return found


def test_every_block_is_a_command_run_or_one_shown_for_what_it_is():
    for page in PAGES:
        for language, body in blocks(page):
            assert language in RUN | SHOWN, f"{page}: a ```{language} block: run it (sh, python) or say what it is"
            if language == "console":
                assert "curl" not in body and "/api/" not in body, f"{page}: a call of the API shown, not run:\n{body}"


def test_the_readme_is_a_front_door_of_at_most_250_lines_starting_with_the_example_receipt():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    first_command = next(body for language, body in blocks("README.md") if language == "sh")
    assert "examples/receipt.jpg" in first_command


@pytest.mark.parametrize("page", [page for page in PAGES if any(language in RUN for language, _ in blocks(page))])
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_command_of_the_page_works_as_written(page, live_server, tmp_path, settings):
    assert shutil.which("curl"), "the examples use curl"
    settings.OCR_TASK_EMBEDDED_THREADS = 1  # the live server's task worker reads tasks and makes PDFs
    for name, value in PAGE_SETTINGS.get(page, {}).items():
        setattr(settings, name, value)
    restore_built_in_cards()
    alice = User.objects.create_user("alice", password="correct horse battery staple", first_name="Alice")
    _, key = ClientApiKey.objects.create_key(name="docs", user=alice)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "manage.py").symlink_to(ROOT / "manage.py")
    (tmp_path / ".curlrc").write_text("fail-with-body\nsilent\nshow-error\n")
    url_server = UrlServer(image=draw_text("by url")).__enter__()
    settings.OCR_URL_ALLOW_PRIVATE = True  # the test's image server is on this machine
    settings.OCR_URL_ALLOWED_PORTS = [80, 443, url_server.port]
    environment = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "KEY": key,
        # manage.py's commands use the server's database and task files, as on a real deployment
        # (the server's task worker may make the PDFs of a file the command stored).
        "DATABASE_URL": database_url_under_test(),
        "OCR_TASK_FILES_DIR": settings.OCR_TASK_FILES_DIR,
    }
    commands = [(language, body) for language, body in blocks(page) if language in RUN]
    try:
        for language, body in commands:
            body = body.replace("http://127.0.0.1:8000", live_server.url)
            body = body.replace("https://example.com/", url_server.url("/"))
            program = ["bash", "-e", "-o", "pipefail", "-c", body] if language == "sh" else [sys.executable, "-c", body]
            ran = subprocess.run(program, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
            assert ran.returncode == 0, f"{page}:\n{body}\n{ran.stdout[-800:]}\n{ran.stderr[-800:]}"
    finally:
        workers.embedded_worker.stop()
        url_server.__exit__(None, None, None)
