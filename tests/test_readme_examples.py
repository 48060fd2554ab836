"""The README's examples of the API, run as written: each `curl` command of its "The API" section,
in order, by bash, against a live server on a new database, with the files it names drawn by the
test. curl reads a `.curlrc` made here that makes any HTTP error a failed command."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ocr_task import workers
from ocr_task.models import OcrTask
from tests.helpers import draw_text, pdf_of, restore_built_in_cards
from tests.invoices import INVOICES, born_digital_pdf, template
from tests.urlserver import UrlServer

README = Path(__file__).resolve().parent.parent / "README.md"


def api_examples() -> list[str]:
    """The shell commands of the README's API section (its ```sh blocks), continuation lines joined."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The API") : text.index("### Errors")]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL):
        joined = block.replace("\\\n", " ")
        commands += [line for line in joined.splitlines() if line.startswith(("curl ", "until curl "))]
    return commands


def readme_json(name: str) -> str:
    """The JSON the README shows as the file `name` (a ```json block after a line naming it)."""
    text = README.read_text(encoding="utf-8")
    return re.search(rf"`{re.escape(name)}`:\n\n```json\n(.*?)```", text, flags=re.DOTALL).group(1)


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_curl_example_of_the_api_section_works_as_written(live_server, tmp_path, settings):
    assert shutil.which("curl"), "the README's examples use curl"
    settings.OCR_TASK_EMBEDDED_THREADS = 1  # the live server's task worker reads tasks and makes PDFs
    restore_built_in_cards()
    (tmp_path / ".curlrc").write_text("fail-with-body\nsilent\nshow-error\n")
    for name, text in [("hello.png", "hello world"), ("page.png", "a page of text"), ("scan2.png", "second scan")]:
        (tmp_path / name).write_bytes(draw_text(text))
    (tmp_path / "photo.jpg").write_bytes(draw_text("a photo", image_format="JPEG"))
    (tmp_path / "invoice.pdf").write_bytes(pdf_of("invoice total"))
    (tmp_path / "scan1.pdf").write_bytes(pdf_of("first scan"))
    (tmp_path / "rechnung.pdf").write_bytes(born_digital_pdf(INVOICES["de"]))
    (tmp_path / "musterfirma.yml").write_text(template(INVOICES["de"]), encoding="utf-8")
    (tmp_path / "rechnung-card.json").write_text(readme_json("rechnung-card.json"), encoding="utf-8")
    commands = api_examples()
    # The links of "Images by URL" point at an image served here, which only a closed network reaches.
    url_server = UrlServer(image=draw_text("by url")).__enter__()
    settings.OCR_URL_ALLOW_PRIVATE = True
    settings.OCR_URL_ALLOWED_PORTS = [80, 443, url_server.port]

    try:
        for command in commands:
            ran = subprocess.run(
                ["bash", "-c", command.replace("http://127.0.0.1:8000", live_server.url)],
                cwd=tmp_path,
                env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "IMAGE_URL": url_server.url("/receipt.png")},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert ran.returncode == 0, f"{command}\n{ran.stdout[-500:]}\n{ran.stderr[-500:]}"

    finally:
        workers.embedded_worker.stop()
        url_server.__exit__(None, None, None)
    assert len(commands) >= 11  # parse_letter, list, retrieve, parse_text ×2, hOCR and TSV, tasks ×4
    assert (tmp_path / "invoice.ocr.highlighted.pdf").read_bytes().startswith(b"%PDF-")
    assert OcrTask.objects.count() == 4  # two tasks, one by link, and one by the extraction platform's path
    assert url_server.requests.count("/receipt.png") == 3
