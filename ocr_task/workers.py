"""The embedded task worker (OCR_TASK_QUEUE=embedded, the default): threads inside the service
read pending pages from the database, so a laptop needs no other server. Every process of the
service runs OCR_TASK_EMBEDDED_THREADS of them (started with the WSGI application, or by the first
request or submission); `manage.py ocr_worker` runs the same loop alone. The database is the
queue: a restart loses nothing, a page is read where it was left.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections

from ocr_task import callbacks, exports, services
from ocr_task.models import OcrTaskPage
from ocr_task.queues import TaskQueue

logger = logging.getLogger(__name__)


class EmbeddedQueue(TaskQueue):
    """Sending work is waking this process's threads: the pages are in the database already, and
    other processes' threads find them at their next look (OCR_TASK_POLL_S)."""

    def send_pages(self, page_ids: list[int]) -> None:
        embedded_worker.wake()

    def send_callback(self, task_id: int) -> None:
        embedded_worker.wake()

    def send_exports(self, item_ids: list[int]) -> None:
        embedded_worker.wake()


def work_once() -> bool:
    """Read one page, make one read file's PDFs, or attempt one due callback; False when there
    was nothing to do (then, now and then, delete the tasks kept past OCR_TASK_RETENTION_DAYS)."""
    page_id = services.ocr_task_claim_page()
    if page_id is not None:
        try:
            services.ocr_task_read_page(page_id=page_id, worker=f"{socket.gethostname()}:{os.getpid()}")
        except OcrTaskPage.DoesNotExist:
            logger.info("Page %s is gone (its task was deleted); nothing to read.", page_id)
        return True
    item_id = exports.next_export()
    if item_id is not None:
        exports.ocr_task_item_export(item_id=item_id)
        return True
    task_id = callbacks.due_callback()
    if task_id is not None:
        callbacks.deliver_callback(task_id=task_id)
        return True
    if _retention_sweep_due():
        services.ocr_task_delete_expired()
    return False


_last_retention_sweep = {"at": float("-inf")}


def _retention_sweep_due() -> bool:
    """Whether this process should look for tasks past OCR_TASK_RETENTION_DAYS now: when it has
    nothing else to do, at most every OCR_TASK_SWEEP_S."""
    now = time.monotonic()
    if now - _last_retention_sweep["at"] < settings.OCR_TASK_SWEEP_S:
        return False
    _last_retention_sweep["at"] = now
    return True


def work_with_fresh_connections() -> bool:
    """`work_once` for a long-running loop: a database connection that broke or aged out (a
    database restart, CONN_MAX_AGE) is replaced around each unit of work, as around a request."""
    close_old_connections()
    try:
        return work_once()
    finally:
        close_old_connections()


class EmbeddedWorker:
    """Daemon threads running `work_once` until there is nothing to do, then waiting for a wake-up
    (a submission in this process) or the next look at the database (OCR_TASK_POLL_S), which finds
    what other processes submitted and callbacks whose retry is due."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._wanted: int | None = None  # the count `manage.py ocr_worker --threads` asked for
        self._wake_up = threading.Event()
        self._stopping = False

    def start(self, threads: int | None = None) -> None:
        """Start OCR_TASK_EMBEDDED_THREADS threads (or `threads`), when tasks are read here."""
        if settings.OCR_TASK_QUEUE != "embedded":
            return
        with self._lock:
            if threads is not None:
                self._wanted = threads
            wanted = settings.OCR_TASK_EMBEDDED_THREADS if self._wanted is None else self._wanted
            # A thread that wakes the others while they stop must not start new ones: they
            # would outlive the stop.
            while not self._stopping and len(self._threads) < wanted:
                thread = threading.Thread(
                    target=self.run_forever, name=f"ocr-task-{len(self._threads) + 1}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def wake(self) -> None:
        self.start()
        self._wake_up.set()

    def stop(self) -> None:
        """Let the threads finish the page in hand and end (tests; a process shutting down)."""
        with self._lock:
            self._stopping = True
            stopping = list(self._threads)
        self._wake_up.set()
        # Joined without the lock: a thread finishing its page wakes the others (`start` takes
        # the lock), and would wait for it forever while we waited for the thread.
        for thread in stopping:
            thread.join()
        with self._lock:
            self._threads, self._stopping, self._wanted = [], False, None
            self._wake_up.clear()

    def run_forever(self) -> None:
        while not self._stopping:
            try:
                busy = work_with_fresh_connections()
            except Exception:  # an engine that cannot run, a database gone: try again later
                logger.exception("The embedded task worker failed; trying again in %s s.", settings.OCR_TASK_POLL_S)
                busy = False
                time.sleep(settings.OCR_TASK_POLL_S)
            if not busy:
                self._wake_up.wait(settings.OCR_TASK_POLL_S)
                self._wake_up.clear()
        # A stopped thread's connections would stay open until collected (a test database could
        # then not be dropped).
        connections.close_all()


embedded_worker = EmbeddedWorker()


def start_embedded_worker(**kwargs) -> None:
    """request_started receiver: the service's first request starts its worker threads."""
    embedded_worker.start()
