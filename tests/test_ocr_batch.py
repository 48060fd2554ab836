"""`manage.py ocr_batch`: a folder of scans in, text, JSON and searchable PDFs out."""

import io
import json

import pypdfium2
import pytest
from django.core.management import CommandError, call_command

from ocr_task.models import OcrTask
from tests.helpers import draw_text, pdf_of

# The command reads with threads of its own, which see only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_pdfs(settings):
    settings.OCR_PDF_DPI = 150


@pytest.fixture
def scans(tmp_path):
    folder = tmp_path / "scans"
    (folder / "2024").mkdir(parents=True)
    (folder / "report.pdf").write_bytes(pdf_of("first page text", "second page here"))
    (folder / "2024" / "receipt.png").write_bytes(draw_text("thank you"))
    (folder / "readme.md").write_text("not a scan: left out")
    return folder


class Terminal(io.StringIO):
    """What the command writes its progress to when a person watches it."""

    def isatty(self) -> bool:
        return True


def run(*args: str, err: io.StringIO | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), err or io.StringIO()
    call_command("ocr_batch", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_reads_every_scan_of_a_folder_and_writes_text_json_and_pdf(scans, tmp_path):
    out = tmp_path / "out"

    summary, progress = run(str(scans), "--out", str(out))

    assert sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()) == [
        "2024/receipt.png.json",
        "2024/receipt.png.pdf",
        "2024/receipt.png.txt",
        "report.pdf.json",
        "report.pdf.pdf",
        "report.pdf.txt",
    ]
    assert (out / "report.pdf.txt").read_text() == "first page text\fsecond page here"
    assert (out / "2024" / "receipt.png.txt").read_text() == "thank you"
    reading = json.loads((out / "report.pdf.json").read_text())
    assert [page["lines"][0]["words"][0]["text"] for page in reading["readings"]] == ["first", "second"]
    searchable = pypdfium2.PdfDocument(out / "report.pdf.pdf")
    assert [page.get_textpage().get_text_range() for page in searchable] == ["first page text", "second page here"]
    assert "Read 2 of 2 files (3 pages)" in summary
    assert progress == ""  # no bar where no one watches (a log, a pipe)
    assert OcrTask.objects.count() == 2


def test_hocr_and_alto_are_written_when_asked_for(scans, tmp_path):
    out = tmp_path / "out"

    run(str(scans / "report.pdf"), "--out", str(out), "--formats", "hocr,alto")

    assert sorted(path.name for path in out.iterdir()) == ["report.pdf.alto.xml", "report.pdf.hocr"]
    assert "ocrx_word" in (out / "report.pdf.hocr").read_text()
    assert 'CONTENT="second"' in (out / "report.pdf.alto.xml").read_text()


def test_a_file_that_cannot_be_read_is_named_and_the_others_are_written(scans, tmp_path):
    (scans / "broken.png").write_bytes(b"not really a png")
    out = tmp_path / "out"

    with pytest.raises(CommandError, match="1 file"):
        run(str(scans), "--out", str(out), "--formats", "txt")

    assert sorted(path.name for path in out.rglob("*.txt")) == ["receipt.png.txt", "report.pdf.txt"]


def test_a_file_over_a_limit_is_refused_alone(settings, scans, tmp_path):
    settings.OCR_TASK_MAX_PDF_PAGES = 1
    out = tmp_path / "out"

    with pytest.raises(CommandError):
        run(str(scans), "--out", str(out), "--formats", "txt")

    assert [path.name for path in out.rglob("*.txt")] == ["receipt.png.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/scans"], "does not exist"),
        (["--formats", "docx"], "Unknown format"),
        (["--lang", "klingon"], "--lang must be one of"),
    ],
)
def test_bad_arguments_are_explained(scans, args, message):
    with pytest.raises(CommandError, match=message):
        run(*(args if args[0].startswith("/") else [str(scans), *args]))


def test_an_empty_folder_is_explained(tmp_path):
    with pytest.raises(CommandError, match="No images or PDFs"):
        run(str(tmp_path))


def test_on_a_terminal_it_shows_a_bar_with_the_rate_and_the_time_left(scans, tmp_path):
    _, progress = run(str(scans), "--out", str(tmp_path / "out"), "--formats", "txt", err=Terminal())

    final = progress.split("\r")[-1]
    assert "3/3" in final and "100%" in final
    assert "page/s" in final  # tqdm's rate, beside the elapsed time and the time left
