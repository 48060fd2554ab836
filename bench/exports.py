"""What a task file's searchable PDF costs (`make bench-tasks` runs it after bench.tasks), today's
export beside the one before issue 16 (bench/previous_export.py), in one run, into bench/RESULTS.md.

Two documents, read first as tasks at OCR_PDF_DPI=300 (the reading is not measured here):
- born-digital: 200 A4 pages of vector text and drawings made by reportlab, 10 different pages
  repeated 20 times (the dedup reads each once: 10 readings instead of 200; the export still
  writes all 200 pages);
- scanned: 20 A4 pages of text photographed at 300 dpi (grey, noisy, JPEG at quality 75) and
  wrapped in a PDF by img2pdf, as a scanner does.

For each export: the build time and peak resident memory of a fresh process building it (as a
worker would; VmHWM; a process that only imports Django and the service is measured too), the size against the input's, and the time to serve it once built (the whole body
through Django's test client; the earlier export has no stored file: each request builds it).

    .venv/bin/python -m bench.exports
"""

import datetime
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATABASE_PATH = BENCH_DIR / ".exports.sqlite3"
FILES_DIR = Path(tempfile.gettempdir()) / "django-ocr-bench-exports"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ocr_project.settings",
        "DATABASE_URL": f"sqlite:///{DATABASE_PATH}",
        "DJANGO_LOG_LEVEL": "WARNING",
        "OCR_TASK_EMBEDDED_THREADS": "0",
        "OCR_PDF_DPI": "300",
        "OCR_TASK_FILES_DIR": str(FILES_DIR),
    }
)

import django  # noqa: E402

django.setup()


def build_in_this_process(item_id: int, way: str) -> None:
    """The child's work: build one export and print its time and size as JSON."""
    from bench import previous_export
    from ocr_task import exports
    from ocr_task.models import OcrTaskItem

    item = OcrTaskItem.objects.get(pk=item_id) if item_id else None
    started = time.perf_counter()
    if way == "today":
        size = exports.item_pdf(item).size
    elif way == "before":
        out = io.BytesIO()
        previous_export.item_pdf(item, out)
        size = len(out.getvalue())
    else:  # "imports": the process's size before any export
        size = 0
    print(json.dumps({"seconds": time.perf_counter() - started, "bytes": size, "peak_kib": peak_resident_kib()}))


def peak_resident_kib() -> int:
    """This process's peak resident memory since it began running Python (VmHWM: unlike
    getrusage's maxrss, which keeps the high-water mark of the parent it was forked from)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def built_in_a_fresh_process(item_id: int, way: str) -> tuple[float, int, float]:
    """(seconds, bytes, peak MiB resident) of one build in a process of its own."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.exports", "--build", str(item_id), way], cwd=ROOT, stdout=subprocess.PIPE
    )
    output = child.stdout.read()
    assert child.wait() == 0, f"the {way} build of item {item_id} failed"
    answer = json.loads(output)
    return answer["seconds"], answer["bytes"], answer["peak_kib"] / 1024


def born_digital(words: list[str], rng: random.Random) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    designs = []
    for _ in range(10):
        lines = [" ".join(rng.choice(words) for _ in range(9)) for _ in range(38)]
        designs.append(lines)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for number in range(200):
        lines = designs[number % 10]
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(72, 790, f"Chapter {number % 10 + 1}")
        canvas.setFont("Helvetica", 11)
        for index, line in enumerate(lines):
            canvas.drawString(72, 760 - index * 18, line)
        canvas.setLineWidth(0.5)
        canvas.line(72, 770, 523, 770)
        canvas.rect(72, 40, 451, 14)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def scanned(words: list[str], rng: random.Random) -> bytes:
    import img2pdf
    import numpy
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42)
    noise = numpy.random.default_rng(3)
    pages = []
    for _ in range(20):
        page = Image.new("L", (2480, 3508), 235)
        draw = ImageDraw.Draw(page)
        for line in range(40):
            draw.text((240, 240 + line * 75), " ".join(rng.choice(words) for _ in range(8)), fill=30, font=font)
        pixels = numpy.asarray(page, dtype=numpy.float32) + noise.normal(0, 12, (3508, 2480))
        buffer = io.BytesIO()
        Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8)).save(
            buffer, format="JPEG", quality=75, dpi=(300, 300)
        )
        pages.append(buffer.getvalue())
    return img2pdf.convert(pages)


def main() -> None:
    import shutil

    from django.core.management import call_command
    from django.test import Client

    from bench import datasets, sections
    from ocr_task.models import OcrTaskItem
    from ocr_task.services import TaskFile, ocr_task_create, ocr_task_run

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE_PATH}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(FILES_DIR, ignore_errors=True)
    call_command("migrate", "--noinput", verbosity=0)
    words, rng = datasets.words(), random.Random(16)
    documents = [
        ("born-digital, 200 pages", born_digital(words, rng)),
        ("scanned, 20 pages", scanned(words, rng)),
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    _, _, imports_mib = built_in_a_fresh_process(0, "imports")
    rows = []
    for name, content in documents:
        started = time.perf_counter()
        task = ocr_task_create(files=[TaskFile(f"{name.split(',')[0]}.pdf", content)])
        ocr_task_run(task_id=task.pk)
        item = OcrTaskItem.objects.get(task=task)
        print(f"{name}: read in {time.perf_counter() - started:.0f} s", flush=True)
        url = f"/api/ocr_task/{task.pk}/items/{item.pk}/export/?format=pdf"
        for way, label in (
            ("before", "before issue 16 (pages re-rendered as JPEG)"),
            ("today", "today (original pages)"),
        ):
            seconds, size, peak = built_in_a_fresh_process(item.pk, way)
            serving = []
            for _ in range(3 if way == "today" else 1):
                request_started = time.perf_counter()
                response = client.get(url) if way == "today" else None
                if response is not None:
                    assert response.status_code == 200 and len(b"".join(response.streaming_content)) == size
                serving.append(time.perf_counter() - request_started if way == "today" else seconds)
            rows.append((name, label, len(content), size, seconds, peak, sorted(serving)[len(serving) // 2]))
            print(f"  {label}: {size / len(content):.2f}× in {seconds:.1f} s, {peak:.0f} MiB", flush=True)

    table = [
        "| document | export | input | output | output ÷ input | build s | peak RSS of the building process | serve s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label, source, size, seconds, peak, serve in rows:
        table.append(
            f"| {name} | {label} | {source / 1024:,.0f} KiB | {size / 1024:,.0f} KiB | {size / source:.2f}× "
            f"| {seconds:.2f} | {peak:.0f} MiB | {serve:.3f} |"
        )
    body = "\n".join(
        [
            "## Searchable PDF exports (`make bench-tasks`, `python -m bench.exports`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, SQLite, task files "
            "on local disk. Each export built once in a fresh process (its peak resident memory: "
            f"a process that only imports the service peaks at {imports_mib:.0f} MiB); served through "
            "Django's test client (median of 3; the earlier export is built by every request, so its serving "
            "time is its build time). The born-digital pages keep their own text: no second layer is laid "
            "over a page that has text (OCRmyPDF's --skip-text), so their export is the input re-saved.",
            "",
            *table,
        ]
    )
    print(body)
    sections.write("exports", body)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build_in_this_process(int(sys.argv[2]), sys.argv[3])
    else:
        main()
