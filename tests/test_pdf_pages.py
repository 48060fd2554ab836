"""PDF pages rendered for recognition, with their limits; no Django needed."""

import concurrent.futures
import os
import signal
import subprocess
import time

import pytest

from ocr_engine import contained
from ocr_engine.contained import LimitExceeded, Limits, run_contained
from ocr_engine.pdf import (
    PAGE_FILE_PREFIX,
    InvalidPdf,
    is_pdf,
    pdf_page_count,
    remove_stale_page_files,
    render_pdf_page,
    rendered_pages,
)
from ocr_engine.tesserocr_engine import TesserocrEngine
from tests import hostile
from tests.helpers import pdf_of
from tests.hostile import self_drawing_pdf

LIMITS = Limits(memory_bytes=1024 * 1024 * 1024, seconds=30)


def test_it_counts_the_pages_of_a_pdf():
    document = pdf_of("one", "two", "three")

    assert is_pdf(document)
    assert pdf_page_count(document, max_pages=10, limits=LIMITS) == 3


def test_it_renders_each_page_at_the_resolution_asked_and_the_engine_reads_it():
    document = pdf_of("first page text", "second page here")

    pages = [render_pdf_page(document, number, dpi=150, max_pixels=50_000_000, limits=LIMITS) for number in (1, 2)]

    # A4 at 150 dpi, within a pixel of rounding.
    assert all(abs(page.width - 1240) <= 1 and abs(page.height - 1754) <= 1 for page in pages)
    assert len(pages) == 2
    engine = TesserocrEngine()
    assert [engine.recognize(page).text.strip() for page in pages] == ["first page text", "second page here"]


def test_it_lowers_the_resolution_of_a_page_that_would_be_too_large():
    page = render_pdf_page(pdf_of("big"), 1, dpi=600, max_pixels=1_000_000, limits=LIMITS)
    ((_, uncontained),) = rendered_pages(pdf_of("big"), [1], dpi=600, max_pixels=1_000_000)

    assert page.width * page.height <= 1_000_000 * 1.01
    assert uncontained.size == page.size


def test_it_refuses_a_pdf_with_more_pages_than_allowed():
    with pytest.raises(InvalidPdf) as refused:
        pdf_page_count(pdf_of("a", "b", "c"), max_pages=2, limits=LIMITS)

    assert refused.value.code == "too_many_pages"
    assert refused.value.message == "The PDF has 3 pages: at most 2 are accepted."


@pytest.mark.parametrize("data", [b"%PDF-1.4 this is not really a pdf", b"%PDF-"])
def test_it_refuses_a_damaged_pdf(data):
    with pytest.raises(InvalidPdf) as refused:
        pdf_page_count(data, max_pages=10, limits=LIMITS)

    assert refused.value.code == "invalid_pdf"


def test_an_image_is_not_a_pdf():
    assert not is_pdf(b"\x89PNG\r\n\x1a\n")


def test_a_page_that_draws_itself_without_end_stops_at_the_memory_ceiling_in_its_own_process():
    with pytest.raises(InvalidPdf) as refused:
        render_pdf_page(
            self_drawing_pdf(),
            1,
            dpi=300,
            max_pixels=40_000_000,
            limits=Limits(memory_bytes=512 * 1024 * 1024, seconds=60),
        )

    assert refused.value.code == "pdf_too_costly"
    assert refused.value.message == (
        "The PDF is too costly to render: it needed more than 512 MiB of memory (or made the renderer fail) "
        "and was stopped."
    )


def test_a_render_past_its_time_is_stopped_and_says_so():
    # A ceiling high enough that time runs out first.
    with pytest.raises(InvalidPdf) as refused:
        render_pdf_page(
            self_drawing_pdf(),
            1,
            dpi=300,
            max_pixels=40_000_000,
            limits=Limits(memory_bytes=16 * 1024**3, seconds=1),
        )

    assert refused.value.code == "pdf_too_costly"
    assert refused.value.message == "The PDF is too costly to render: it needed more than 1 s and was stopped."


def test_pdfs_are_rendered_at_once_from_several_threads():
    # No lock: each render has a process of its own, and PDFium's lack of thread safety is moot.
    documents = [pdf_of(f"page {number}") for number in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        pages = list(
            pool.map(lambda document: render_pdf_page(document, 1, dpi=100, max_pixels=10**7, limits=LIMITS), documents)
        )

    engine = TesserocrEngine()
    assert [engine.recognize(page).text.strip() for page in pages] == [f"page {number}" for number in range(4)]


@pytest.mark.parametrize(("function", "reason"), [(hostile.exhaust_memory, "memory"), (hostile.crash, "died")])
def test_a_contained_call_that_dies_says_why(function, reason):
    with pytest.raises(LimitExceeded) as exceeded:
        run_contained(function, limits=Limits(memory_bytes=512 * 1024 * 1024, seconds=30))

    assert exceeded.value.reason == reason


def test_rendering_in_a_contained_call_gives_each_page_in_turn_and_none_for_a_missing_one():
    pages = list(rendered_pages(pdf_of("one", "two"), [2, 1, 7], dpi=72, max_pixels=10**7))

    assert [number for number, _ in pages] == [2, 1, 7]
    assert pages[2][1] is None and pages[0][1].size == pages[1][1].size


def test_a_fork_server_that_died_is_reaped_and_started_again_at_the_next_call():
    assert pdf_page_count(pdf_of("before"), max_pages=5, limits=LIMITS) == 1
    dead = contained._fork_server.pid
    os.kill(dead, signal.SIGKILL)
    time.sleep(0.2)

    assert pdf_page_count(pdf_of("after", "two"), max_pages=5, limits=LIMITS) == 2
    assert contained._fork_server.pid not in (None, dead)
    assert not os.path.exists(f"/proc/{dead}")  # reaped: no zombie stays


def test_page_files_of_processes_that_died_are_removed_and_the_living_s_kept(tmp_path, monkeypatch):
    monkeypatch.setattr("ocr_engine.pdf._PIXELS_DIR", str(tmp_path))
    dead = _a_finished_pid()
    left = tmp_path / f"{PAGE_FILE_PREFIX}{dead}-abc"
    living = tmp_path / f"{PAGE_FILE_PREFIX}{os.getpid()}-def"
    unrelated = tmp_path / "something-else"
    for path in (left, living, unrelated):
        path.write_bytes(b"pixels")

    assert remove_stale_page_files() == 1
    assert not left.exists() and living.exists() and unrelated.exists()


def _a_finished_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
