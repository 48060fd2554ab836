"""How fast a long PDF is read as a task (`make bench-tasks`), into bench/RESULTS.md.

One PDF of --pages pages of English text (drawn at 150 dpi, rendered at OCR_PDF_DPI=300 as in
production), read:
- one page after another in one process with the pytesseract engine (the naive way: the
  `tesseract` program per page, as v1.0.0 read images),
- one page after another in one process with the default tesserocr engine (what async_task=false
  does),
- by the embedded worker in a process of its own (`manage.py ocr_worker --threads 2`),
- by two Celery worker processes (`make worker`, concurrency 1 each) on the Redis at
  127.0.0.1:6379 (database 14, emptied first).
Each way reads --runs new PDFs (new words, so the dedup finds nothing) after a warm-up; the table
gives the medians, pages per second and the speed-up over the naive way, side by side.

    make bench-tasks
    .venv/bin/python -m bench.tasks --pages 6 --runs 2
"""

import argparse
import datetime
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATABASE_PATH = BENCH_DIR / ".tasks.sqlite3"
BROKER_URL = os.environ.get("OCR_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
for suffix in ("", "-wal", "-shm"):
    Path(f"{DATABASE_PATH}{suffix}").unlink(missing_ok=True)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ocr_project.settings",
        "DATABASE_URL": f"sqlite:///{DATABASE_PATH}",
        "DJANGO_LOG_LEVEL": "WARNING",
        "OCR_TASK_EMBEDDED_THREADS": "0",  # nothing reads in this process unless asked to
        "OCR_PDF_DPI": "300",
    }
)

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from bench import datasets, metrics, sections  # noqa: E402
from ocr_project.celery import app as celery_app  # noqa: E402
from ocr_task.models import OcrTask  # noqa: E402
from ocr_task.services import TaskFile, ocr_task_create, ocr_task_run  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# Every way reads with the engine the limit is measured with: the workers are told so (before
# 2026-11-26 they read with the default, auto, while the limit and the in-process rows were
# tesserocr's, and auto reads such a page in about 3 s to tesserocr's 1.8).
BENCH_ENGINE = "tesserocr"
WORKER_ENVIRONMENT = {
    **os.environ,
    "CELERY_BROKER_URL": BROKER_URL,
    "OCR_TASK_QUEUE": "celery",
    "OCR_ENGINE": BENCH_ENGINE,
}


def document(pages: int, rng: random.Random, words: list[str]) -> bytes:
    """A PDF of A4 pages with 30 lines of 7 random words each."""
    font = ImageFont.truetype(FONT, 28)
    images = []
    for _ in range(pages):
        page = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(page)
        for line in range(30):
            draw.text((100, 100 + line * 50), " ".join(rng.choice(words) for _ in range(7)), fill=0, font=font)
        images.append(page)
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    return buffer.getvalue()


def engine_alone(content: bytes) -> float:
    """The engine's median seconds per page of `content`, reading each page rendered beforehand
    (as a task page's worker reads it: tesserocr, the task's default options), one after another in
    this process: 2 ÷ it is what two cores could read, the limit the workers are held against."""
    import statistics

    from ocr_engine.pdf import pdf_page_count, render_pdf_page
    from ocr_engine.text import read_text
    from ocr_record.services import configured_engine
    from ocr_task.pages import pdf_limits

    settings.OCR_ENGINE = BENCH_ENGINE
    engine = configured_engine("eng")
    pages = [
        render_pdf_page(
            content, number, dpi=settings.OCR_PDF_DPI, max_pixels=settings.OCR_MAX_IMAGE_PIXELS, limits=pdf_limits()
        )
        for number in range(1, pdf_page_count(content, max_pages=1000, limits=pdf_limits()) + 1)
    ]
    times = []
    for page in pages:
        started = time.perf_counter()
        read_text(engine, page)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def wait_until_read(task_id: int) -> None:
    while OcrTask.objects.values_list("status", flat=True).get(pk=task_id) not in ("succeeded", "failed"):
        time.sleep(0.05)


def in_this_process(engine: str):
    def read(content: bytes) -> float:
        settings.OCR_ENGINE = engine
        task = ocr_task_create(files=[TaskFile("bench.pdf", content)])
        started = time.perf_counter()
        ocr_task_run(task_id=task.pk)
        return time.perf_counter() - started

    return read, lambda: None


def by_workers(commands: list[list[str]], environment: dict, queue: str):
    workers = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for command in commands
    ]

    def read(content: bytes) -> float:
        settings.OCR_ENGINE, settings.OCR_TASK_QUEUE = BENCH_ENGINE, queue
        started = time.perf_counter()
        task = ocr_task_create(files=[TaskFile("bench.pdf", content)])
        wait_until_read(task.pk)
        return time.perf_counter() - started

    def stop() -> None:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        settings.OCR_TASK_QUEUE = "embedded"

    return read, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    call_command("migrate", "--noinput", verbosity=0)
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    celery_app.conf.broker_url = BROKER_URL
    words, rng = datasets.words(), random.Random(8)
    python = sys.executable
    ways = [
        ("one page after another, pytesseract (the naive way)", lambda: in_this_process("pytesseract")),
        ("one page after another, tesserocr (async_task=false)", lambda: in_this_process(BENCH_ENGINE)),
        (
            "embedded worker, `ocr_worker --threads 2`",
            lambda: by_workers(
                [[python, "manage.py", "ocr_worker", "--threads", "2"]],
                # It finds a task another process submitted at its next look at the database.
                {**os.environ, "OCR_TASK_POLL_S": "0.2", "OCR_ENGINE": BENCH_ENGINE},
                "embedded",
            ),
        ),
        (
            "2 Celery workers × concurrency 1, Redis",
            lambda: by_workers(
                [
                    [
                        python,
                        "-m",
                        "celery",
                        "-A",
                        "ocr_project",
                        "worker",
                        "--concurrency=1",
                        "--loglevel=WARNING",
                        "-n",
                        f"bench{n}@%h",
                        "--without-gossip",
                        "--without-mingle",
                    ]
                    for n in (1, 2)
                ],
                WORKER_ENVIRONMENT,
                "celery",
            ),
        ),
    ]
    rows = []
    for name, start in ways:
        read, stop = start()
        try:
            read(document(2, rng, words))  # warm-up: workers started, engines loaded
            times = [read(document(arguments.pages, rng, words)) for _ in range(arguments.runs)]
        finally:
            stop()
        rows.append((name, times))
        print(f"{name}: {[round(value, 2) for value in times]}", flush=True)
    broker.flushdb()

    naive = metrics.median(rows[0][1])
    seconds_per_page = engine_alone(document(arguments.pages, rng, words))
    limit = 2 / seconds_per_page
    print(f"engine alone: {seconds_per_page:.2f} s per page, two cores: {limit:.2f} pages/s", flush=True)
    table = [
        "| how | median s per PDF | pages/s | speed-up vs naive | of the engine's 2-core limit | runs (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, times in rows:
        median = metrics.median(times)
        table.append(
            f"| {name} | {median:.2f} | {arguments.pages / median:.2f} | {naive / median:.2f}× "
            f"| {arguments.pages / median / limit:.0%} | {', '.join(f'{value:.2f}' for value in times)} |"
        )
    body = "\n".join(
        [
            "## Tasks: a long PDF (`make bench-tasks`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, SQLite: "
            f"a PDF of {arguments.pages} A4 pages × 30 lines of English words, rendered at 300 dpi, from "
            f"submission to the last page read; medians of {arguments.runs} runs, each on a new PDF. The engine "
            f"alone (tesserocr, each page rendered beforehand) reads such a page in {seconds_per_page:.2f} s "
            f"(median): two cores could read {limit:.2f} pages/s.",
            "",
            *table,
        ]
    )
    print(body)
    sections.write("tasks", body)


if __name__ == "__main__":
    main()
