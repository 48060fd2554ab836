"""Tasks read by real workers: the embedded threads, and Celery worker processes on the real Redis
at 127.0.0.1:6379 (these tests fail, saying so, where no Redis answers)."""

import io
import os
import signal
import subprocess
import sys
import threading
import uuid
from datetime import timedelta

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone

from ocr_project.celery import app as celery_app
from ocr_task import workers
from ocr_task.models import OcrTask, OcrTaskItem, OcrTaskPage
from ocr_task.services import TaskFile, ocr_task_create
from tests.helpers import draw_text, pdf_of, upload, wait_for
from tests.processes import database_url_under_test

# A Redis database of its own, emptied first: no message of another run is read.
TEST_BROKER_URL = os.environ.get("OCR_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
# Short, so that a dead worker's page goes to another within seconds (production: 300 s).
TEST_LEASE_S = 4


def task_status(task_id: int) -> str:
    return OcrTask.objects.values_list("status", flat=True).get(pk=task_id)


class TestEmbeddedWorker:
    """The threads `make run` starts inside the service: the default, no other server needed."""

    @pytest.fixture
    def embedded_threads(self, settings, transactional_db):
        settings.OCR_TASK_EMBEDDED_THREADS = 2
        settings.OCR_TASK_POLL_S = 1
        settings.OCR_PDF_DPI = 150
        yield workers.embedded_worker
        workers.embedded_worker.stop()

    def test_the_service_reads_an_asynchronous_task_by_itself(self, embedded_threads, api_client):
        answer = api_client.post(
            "/api/ocr_task/",
            {"files": [upload(pdf_of("first page text", "second page here"), "report.pdf")], "async_task": "true"},
            format="multipart",
        ).json()

        wait_for(lambda: task_status(answer["id"]) == "succeeded", timeout=60, what="the task to be read")
        detail = api_client.get(f"/api/ocr_task/{answer['id']}/", {"readings": "true"}).json()
        assert [page["text"] for page in detail["items"][0]["readings"]] == ["first page text", "second page here"]
        assert detail["progress"] == {"pages_done": 2, "pages_total": 2}

    def test_pages_submitted_before_a_restart_are_read_after_it(self, settings, transactional_db):
        settings.OCR_PDF_DPI = 150
        task = ocr_task_create(files=[TaskFile("photo.png", draw_text("still here"))])  # no thread runs

        settings.OCR_TASK_EMBEDDED_THREADS, settings.OCR_TASK_POLL_S = 1, 1
        workers.embedded_worker.start()  # the restarted service's first request
        try:
            wait_for(lambda: task_status(task.id) == "succeeded", timeout=60, what="the task to be read")
        finally:
            workers.embedded_worker.stop()

    def test_a_page_left_running_by_a_dead_worker_is_taken_again_after_its_lease(self, settings, transactional_db):
        task = ocr_task_create(
            files=[TaskFile("a.png", draw_text("left behind")), TaskFile("b.png", draw_text("in hand"))]
        )
        left, in_hand = OcrTaskPage.objects.filter(item__task=task).order_by("id")
        long_ago = timezone.now() - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S + 1)
        OcrTaskPage.objects.filter(pk=left.pk).update(status="running", started_at=long_ago)
        OcrTaskPage.objects.filter(pk=in_hand.pk).update(status="running", started_at=timezone.now())

        while workers.work_once():
            pass

        statuses = dict(OcrTaskPage.objects.filter(item__task=task).values_list("id", "status"))
        assert statuses == {left.id: "succeeded", in_hand.id: "running"}  # another worker holds that one

    def test_a_page_whose_workers_all_died_on_it_is_failed_after_its_attempts(self, settings, transactional_db):
        settings.OCR_TASK_MAX_ATTEMPTS = 3
        task = ocr_task_create(files=[TaskFile("a.png", draw_text("deadly"))])
        long_ago = timezone.now() - timedelta(seconds=settings.OCR_TASK_PAGE_LEASE_S + 1)
        OcrTaskPage.objects.filter(item__task=task).update(status="running", started_at=long_ago, attempts=3)

        while workers.work_once():
            pass

        page = OcrTaskPage.objects.get(item__task=task)
        assert (page.status, page.attempts, page.record) == ("failed", 3, None)
        assert page.error.startswith("Reading this page was started 3 times and never finished")
        assert task_status(task.id) == "failed"

    def test_a_synchronous_task_is_read_by_its_request_alone(self, embedded_threads, api_client):
        embedded_threads.start()

        answer = api_client.post(
            "/api/ocr_task/",
            {"files": [upload(pdf_of("one", "two", "three", "four"), "report.pdf")], "async_task": "false"},
            format="multipart",
        )

        assert answer.status_code == 201
        pages = OcrTaskPage.objects.filter(item__task_id=answer.json()["id"])
        assert [(page.status, page.attempts, page.read_by) for page in pages] == [("succeeded", 1, "")] * 4


class TestStoppingTheThreads:
    """Stopping waits for the page in hand, whatever the threads do meanwhile (a CI run once hung
    for good: a thread finishing its page woke the others while `stop` held the lock it needed)."""

    @pytest.fixture
    def pages_in_hand(self, settings, monkeypatch):
        """Threads whose every page, once the stop has begun, ends by waking the others (as a read
        page sends its exports)."""
        settings.OCR_TASK_QUEUE, settings.OCR_TASK_EMBEDDED_THREADS, settings.OCR_TASK_POLL_S = "embedded", 2, 1
        worker = workers.EmbeddedWorker()

        def a_page_that_wakes_the_others_as_it_ends() -> bool:
            while not worker._stopping:
                threading.Event().wait(0.01)
            worker.wake()
            return True

        monkeypatch.setattr(workers, "work_with_fresh_connections", a_page_that_wakes_the_others_as_it_ends)
        return worker

    def test_a_thread_waking_the_others_while_they_stop_does_not_hold_the_stop_up(self, pages_in_hand):
        pages_in_hand.start(1)  # as `ocr_worker --threads 1` does, fewer than the setting's 2
        stopping = threading.Thread(target=pages_in_hand.stop, daemon=True)

        stopping.start()
        stopping.join(timeout=60)

        assert not stopping.is_alive(), "stop() never returned"
        assert not any(thread.name.startswith("ocr-task-") for thread in threading.enumerate())

    def test_waking_keeps_the_thread_count_the_worker_was_started_with(self, settings, monkeypatch):
        settings.OCR_TASK_QUEUE, settings.OCR_TASK_EMBEDDED_THREADS, settings.OCR_TASK_POLL_S = "embedded", 3, 1
        monkeypatch.setattr(workers, "work_with_fresh_connections", lambda: False)
        worker = workers.EmbeddedWorker()
        try:
            worker.start(1)
            worker.wake()

            assert len([t for t in threading.enumerate() if t.name.startswith("ocr-task-")]) == 1
        finally:
            worker.stop()


def test_the_ocr_worker_command_reads_pages_and_stops_cleanly_on_sigterm(transactional_db):
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("read elsewhere"))])
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "ocr_worker", "--threads", "1"],
        env={**os.environ, "DATABASE_URL": database_url_under_test(), "OCR_TASK_POLL_S": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: task_status(task.id) == "succeeded", timeout=60, what="the ocr_worker command")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            # It finishes the work in hand first (the file's PDF, made once it is read): on a busy
            # machine that takes a while.
            output, _ = worker.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            worker.kill()  # never left behind to take the next tests' pages
            worker.communicate()
            raise

    assert worker.returncode == 0, output
    assert output.strip().endswith("Stopped.")


@pytest.fixture
def broker():
    try:
        client = redis.Redis.from_url(TEST_BROKER_URL, socket_connect_timeout=2)
        client.ping()
    except redis.exceptions.RedisError as error:
        # Loudly: a suite that skipped them would pass without having tested Celery at all.
        pytest.fail(
            f"No Redis at {TEST_BROKER_URL} ({error}): the Celery worker tests need one "
            "(start redis-server, or set OCR_TEST_BROKER_URL)."
        )
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def celery_queue(settings, broker, transactional_db):
    """This test process sends pages to the test broker, as the service does with OCR_TASK_QUEUE=celery."""
    settings.OCR_TASK_QUEUE = "celery"
    settings.OCR_PDF_DPI = 150
    celery_app.conf.broker_url = TEST_BROKER_URL
    celery_app.conf.broker_transport_options = {
        "visibility_timeout": TEST_LEASE_S,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    with celery_app.pool.acquire(block=True) as connection:  # a broker URL set before any was sent
        connection.ensure_connection(max_retries=1)
    yield


class CeleryWorker:
    """`celery -A ocr_project worker`, as `make worker` starts it, on the test database and broker."""

    def __init__(self, name: str, **environment: str) -> None:
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ocr_project",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--hostname",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            env={
                **os.environ,
                "DATABASE_URL": database_url_under_test(),
                "CELERY_BROKER_URL": TEST_BROKER_URL,
                "OCR_TASK_PAGE_LEASE_S": str(TEST_LEASE_S),
                "OCR_PDF_DPI": "150",
                "OCR_CALLBACK_ALLOWED_HOSTS": "127.0.0.1",
                **environment,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: killed with its pool processes
        )
        threading.Thread(target=self._collect_output, daemon=True).start()
        wait_for(
            lambda: any(" ready." in line for line in self.output) or self.process.poll() is not None,
            timeout=60,
            what=f"worker {self.name} to start",
        )
        assert self.process.poll() is None, "".join(self.output)

    def _collect_output(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def kill(self) -> None:
        """SIGKILL, the worker and its pool process: no chance to hand anything back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(celery_queue):
    workers = []

    def start(name: str = "worker", **environment: str) -> CeleryWorker:
        workers.append(CeleryWorker(name, **environment))
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()


def test_a_celery_worker_reads_an_asynchronous_task(start_worker, api_client):
    start_worker()

    answer = api_client.post(
        "/api/ocr_task/",
        {
            "files": [
                upload(pdf_of("first page text", "second page here"), "report.pdf"),
                upload(b"not an image", "notes.txt"),
            ],
            "async_task": "true",
        },
        format="multipart",
    ).json()

    wait_for(lambda: task_status(answer["id"]) == "succeeded", timeout=90, what="the task to be read")
    detail = api_client.get(f"/api/ocr_task/{answer['id']}/", {"readings": "true"}).json()
    report, notes = detail["items"]
    assert [page["text"] for page in report["readings"]] == ["first page text", "second page here"]
    assert (notes["status"], notes["error"].startswith("Upload a valid image.")) == ("failed", True)
    assert detail["progress"] == {"pages_done": 2, "pages_total": 2}
    # The worker makes the read file's PDF too, in a child of its pool process.
    wait_for(
        lambda: OcrTaskItem.objects.get(pk=report["id"]).export_status == "succeeded",
        timeout=90,
        what="the PDF to be made",
    )
    exported = api_client.get(f"/api/ocr_task/{answer['id']}/items/{report['id']}/export/", {"format": "pdf"})
    assert exported.status_code == 200 and b"".join(exported.streaming_content).startswith(b"%PDF-")
    assert OcrTaskItem.objects.get(pk=notes["id"]).export_status == ""  # nothing read, nothing to make


def test_the_pages_of_a_long_pdf_spread_over_workers(start_worker):
    first, second = start_worker("first"), start_worker("second")

    task = ocr_task_create(files=[TaskFile("long.pdf", pdf_of(*(f"page number {n}" for n in range(1, 9))))])

    wait_for(lambda: task_status(task.id) == "succeeded", timeout=120, what="the task to be read")
    readers = {
        reader.split("@")[0] for reader in OcrTaskPage.objects.filter(item__task=task).values_list("read_by", flat=True)
    }
    assert readers == {first.name, second.name}


def test_a_worker_killed_mid_page_leaves_the_page_to_another_and_the_task_finishes(start_worker, tmp_path):
    started_file = tmp_path / "started"
    doomed = start_worker(
        "doomed",
        OCR_ENGINE="tests.engines.StallingTesserocrEngine",
        OCR_TEST_STARTED_FILE=str(started_file),
        OCR_TEST_STALL_S="120",
    )
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("read at last"))])
    wait_for(started_file.exists, timeout=60, what="the doomed worker to start reading")

    doomed.kill()
    assert task_status(task.id) == "running"
    rescuer = start_worker("rescuer")

    wait_for(lambda: task_status(task.id) == "succeeded", timeout=90, what="another worker to finish the task")
    page = OcrTaskPage.objects.get(item__task=task)
    assert page.record.content_text == "read at last"
    assert page.read_by.startswith(rescuer.name)


def test_a_page_that_kills_every_worker_is_failed_after_its_attempts_and_the_task_finishes(start_worker):
    start_worker("victim", OCR_ENGINE="tests.engines.DyingTesserocrEngine", OCR_TASK_MAX_ATTEMPTS="3")
    task = ocr_task_create(files=[TaskFile("deadly.png", draw_text("deadly"))])

    wait_for(lambda: task_status(task.id) == "failed", timeout=120, what="the page to be given up")
    page = OcrTaskPage.objects.get(item__task=task)
    assert (page.status, page.attempts) == ("failed", 3)
    assert page.error.startswith("Reading this page was started 3 times and never finished")


def test_work_the_broker_lost_is_sent_again_when_a_worker_starts(start_worker, broker):
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("not lost"))])
    assert OcrTaskPage.objects.get(item__task=task).queued_at is not None  # sent
    broker.flushdb()  # the broker restarted without the message, a lease ago
    long_ago = timezone.now() - timedelta(seconds=TEST_LEASE_S + 1)
    OcrTask.objects.filter(pk=task.pk).update(created_at=long_ago)
    OcrTaskPage.objects.filter(item__task=task).update(queued_at=long_ago)

    start_worker()  # its periodic sweep would take a minute: this is the look when it starts

    wait_for(lambda: task_status(task.id) == "succeeded", timeout=30, what="the task to be read")


def test_work_lost_while_the_workers_run_is_sent_again_by_their_sweep(start_worker, settings):
    start_worker(OCR_TASK_SWEEP_S="1")
    settings.OCR_TASK_QUEUE = "embedded"  # stored, but its page never reaches the broker
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("found again"))])
    long_ago = timezone.now() - timedelta(seconds=TEST_LEASE_S + 1)
    OcrTask.objects.filter(pk=task.pk).update(created_at=long_ago)

    wait_for(lambda: task_status(task.id) == "succeeded", timeout=60, what="the sweep to send the page")


def test_celery_workers_delete_tasks_past_their_retention(start_worker, settings):
    task = ocr_task_create(files=[TaskFile("photo.png", draw_text("kept a while"))])
    OcrTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(days=31))
    start_worker(OCR_TASK_SWEEP_S="1", OCR_TASK_RETENTION_DAYS="30")

    wait_for(lambda: not OcrTask.objects.filter(pk=task.pk).exists(), timeout=60, what="the task to be deleted")


def test_a_celery_worker_delivers_the_callback(start_worker, settings):
    from tests.helpers import Receiver

    settings.OCR_CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = Receiver([200])
    try:
        start_worker()
        task = ocr_task_create(files=[TaskFile("photo.png", draw_text("call back"))], callback_url=receiver.url)

        wait_for(lambda: receiver.received, timeout=60, what="the callback")
    finally:
        receiver.close()
    task.refresh_from_db()
    assert (task.status, task.callback_status) == ("succeeded", "delivered")


def test_ocr_batch_hands_the_pages_to_the_celery_workers_and_writes_their_readings(start_worker, tmp_path):
    worker = start_worker()
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "report.pdf").write_bytes(pdf_of("first page text", "second page here"))
    out = tmp_path / "out"

    call_command(
        "ocr_batch", str(scans), "--out", str(out), "--formats", "txt", stdout=io.StringIO(), stderr=io.StringIO()
    )

    assert (out / "report.pdf.txt").read_text() == "first page text\fsecond page here"
    readers = set(OcrTaskPage.objects.values_list("read_by", flat=True))
    assert {reader.split("@")[0] for reader in readers} == {worker.name}  # not this process
