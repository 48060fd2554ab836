"""OCR tasks' write path: submitting files and reading pages, with the real Tesseract."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

import ocr_engine
import ocr_task.services
from ocr_record.models import OcrRecord
from ocr_task.models import OcrTask, OcrTaskPage
from ocr_task.services import (
    TaskFile,
    TaskRefused,
    ocr_task_create,
    ocr_task_forgotten_work,
    ocr_task_read_page,
    ocr_task_run,
)
from tests.engines import ShortOfMemoryPpocrEngine
from tests.helpers import draw_text, pdf_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_pdfs(settings):
    settings.OCR_PDF_DPI = 150  # the tests' pages are drawn at 150 dpi


def test_a_task_has_an_item_per_file_and_a_page_per_page():
    task = ocr_task_create(
        files=[
            TaskFile("report.pdf", pdf_of("first page text", "second page here")),
            TaskFile("photo.png", draw_text("a photo")),
        ]
    )

    items = list(task.items.all())
    assert [(item.origin_name, item.is_pdf, item.pages.count(), item.status) for item in items] == [
        ("report.pdf", True, 2, "pending"),
        ("photo.png", False, 1, "pending"),
    ]
    assert task.status == "pending"


def test_running_a_task_reads_every_page_as_a_text_record():
    task = ocr_task_create(
        files=[
            TaskFile("report.pdf", pdf_of("first page text", "second page here")),
            TaskFile("photo.png", draw_text("a photo")),
        ]
    )

    task = ocr_task_run(task_id=task.id)

    assert task.status == "succeeded"
    texts = [page.record.result["text"] for page in OcrTaskPage.objects.filter(item__task=task)]
    assert texts == ["first page text", "second page here", "a photo"]
    assert set(task.items.values_list("status", flat=True)) == {"succeeded"}


def test_a_bad_file_fails_alone():
    task = ocr_task_create(
        files=[
            TaskFile("notes.txt", b"just text"),
            TaskFile("broken.pdf", b"%PDF-1.4 broken"),
            TaskFile("photo.png", draw_text("still read")),
        ]
    )

    task = ocr_task_run(task_id=task.id)

    failed, broken, photo = task.items.all()
    assert (failed.status, broken.status, photo.status) == ("failed", "failed", "succeeded")
    assert failed.error.startswith("Upload a valid image.")
    assert broken.error == "The PDF cannot be read: it is damaged."
    assert task.status == "succeeded"


def test_a_page_read_twice_is_read_once():
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("only once"))])
    page = OcrTaskPage.objects.get(item__task=task)

    first = ocr_task_read_page(page_id=page.id)
    again = ocr_task_read_page(page_id=page.id)

    assert first.record_id == again.record_id
    assert OcrRecord.objects.count() == 1


def test_a_page_is_never_seen_read_while_its_file_still_reads_running(monkeypatch):
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("one page"))])
    page = OcrTaskPage.objects.get(item__task=task)

    derive_statuses = ocr_task.services._update_statuses

    def statuses_fail_once_read(task_id):
        if OcrTaskPage.objects.get(pk=page.pk).status == "succeeded":
            raise DatabaseError("the task's row could not be locked")
        derive_statuses(task_id)

    monkeypatch.setattr("ocr_task.services._update_statuses", statuses_fail_once_read)
    with pytest.raises(DatabaseError):
        ocr_task_read_page(page_id=page.id)

    # The page's outcome went with its file's status: neither was written, the page is read again.
    page.refresh_from_db()
    assert (page.status, page.record) == ("running", None)
    monkeypatch.undo()
    ocr_task_read_page(page_id=page.id)
    assert OcrTaskPage.objects.get(pk=page.pk).status == task.items.get().status == "succeeded"


def test_the_same_page_in_two_tasks_is_found_by_the_dedup():
    document = pdf_of("shared page")
    for _ in range(2):
        ocr_task_run(task_id=ocr_task_create(files=[TaskFile("same.pdf", document)]).id)

    assert OcrRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("limit", "value", "files", "code"),
    [
        ("OCR_TASK_MAX_FILES", 1, [TaskFile("a.png", b"x"), TaskFile("b.png", b"y")], "too_many_files"),
        ("OCR_TASK_MAX_FILE_BYTES", 10, [TaskFile("big.png", b"x" * 11)], "file_too_large"),
        ("OCR_TASK_MAX_PDF_PAGES", 1, [TaskFile("long.pdf", pdf_of("a", "b"))], "too_many_pages"),
    ],
)
def test_a_limit_refuses_the_whole_task_before_any_work(settings, limit, value, files, code):
    setattr(settings, limit, value)

    with pytest.raises(TaskRefused) as refused:
        ocr_task_create(files=files)

    assert refused.value.code == code
    assert not OcrTaskPage.objects.exists()


def test_the_admin_lists_tasks_and_their_items_with_their_status(admin_client):
    task = ocr_task_run(task_id=ocr_task_create(name="scans", files=[TaskFile("photo.png", draw_text("admin"))]).id)

    listing = admin_client.get("/admin/ocr_task/ocrtask/").content.decode()
    detail = admin_client.get(f"/admin/ocr_task/ocrtask/{task.id}/change/").content.decode()

    assert "scans" in listing and "succeeded" in listing
    assert "photo.png" in detail and "succeeded" in detail


def test_the_admin_lists_pages_with_the_worker_that_read_them(admin_client):
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("admin"))])
    page = OcrTaskPage.objects.get(item__task=task)
    ocr_task_read_page(page_id=page.id, worker="host-a:123")

    listing = admin_client.get("/admin/ocr_task/ocrtaskpage/").content.decode()

    assert "photo.png" in listing and "host-a:123" in listing and "succeeded" in listing


def test_a_page_the_engine_fails_on_fails_and_the_task_still_finishes(settings):
    settings.OCR_ENGINE = "tests.engines.FailingEngine"
    task = ocr_task_create(files=[TaskFile("report.pdf", pdf_of("one", "two"))])

    task = ocr_task_run(task_id=task.id)

    item = task.items.get()
    assert (task.status, item.status) == ("failed", "failed")
    assert (
        item.error
        == "page 1: 识别失败: the engine crashed on this image; page 2: 识别失败: the engine crashed on this image"
    )


def test_a_bug_while_reading_fails_the_page_not_the_worker(settings):
    settings.OCR_ENGINE = "tests.engines.BuggyEngine"
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("bug"))])

    task = ocr_task_run(task_id=task.id)

    assert task.status == "failed"
    assert task.items.get().error == "A server error occurred while reading this page."


def test_a_file_with_some_pages_read_is_read_and_names_the_pages_that_failed():
    task = ocr_task_create(files=[TaskFile("report.pdf", pdf_of("first page text", "second page here"))])
    OcrTaskPage.objects.filter(item__task=task, number=2).update(status="failed", error="damaged page")

    task = ocr_task_run(task_id=task.id)

    item = task.items.get()
    assert (task.status, item.status, item.error) == ("succeeded", "succeeded", "page 2: damaged page")


def test_an_engine_that_cannot_run_leaves_the_page_to_be_read_later(settings):
    settings.OCR_ENGINE = "tests.engines.MissingProgramEngine"
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("later"))])
    page = OcrTaskPage.objects.get(item__task=task)

    with pytest.raises(ocr_engine.EngineUnavailable):
        ocr_task_read_page(page_id=page.id)

    page.refresh_from_db()
    assert (page.status, page.started_at, page.record) == ("pending", None, None)


def test_a_page_read_out_of_memory_is_read_again_and_only_its_last_try_fails_it(settings, monkeypatch):
    settings.OCR_ENGINE = "tests.engines.ShortOfMemoryPpocrEngine"
    settings.OCR_TASK_MAX_ATTEMPTS = 3
    monkeypatch.setattr(ShortOfMemoryPpocrEngine, "failures", 2)
    read_later = ocr_task_create(files=[TaskFile("photo.png", draw_text("second wind"))], asynchronous=False)
    monkeypatch.setattr(ShortOfMemoryPpocrEngine, "failures", 10)
    never_read = ocr_task_create(files=[TaskFile("photo.png", draw_text("never enough"))], asynchronous=False)

    page = OcrTaskPage.objects.get(item__task=read_later)
    assert (read_later.status, page.attempts, page.record.content_text.strip()) == ("succeeded", 3, "second wind")
    item = never_read.items.get()
    assert (never_read.status, item.pages.get().attempts) == ("failed", 3)
    assert item.error.startswith("Reading this page was started 3 times and never finished")


def test_forgotten_pages_are_taken_once_to_be_sent_again(settings):
    lost = ocr_task_create(files=[TaskFile("lost.png", draw_text("lost"))])
    fresh = ocr_task_create(files=[TaskFile("fresh.png", draw_text("fresh"))])
    long_ago = timezone.now() - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S + 1)
    OcrTask.objects.filter(pk=lost.pk).update(created_at=long_ago)
    OcrTaskPage.objects.filter(item__task=lost).update(queued_at=long_ago)

    first_look, second_look = ocr_task_forgotten_work(), ocr_task_forgotten_work()

    assert first_look == ([OcrTaskPage.objects.get(item__task=lost).id], [], [])
    assert second_look == ([], [], [])  # sent again just now: not forgotten any more
    assert OcrTaskPage.objects.get(item__task=fresh).queued_at is None
