"""The Celery tasks of OCR_TASK_QUEUE=celery: one message per page, one per read file's PDFs, one
per callback attempt.

Messages are acknowledged after the work (late acks), and a worker that dies mid-page (even by
SIGKILL) leaves its message unacknowledged: the broker hands it to another worker once the
visibility timeout (OCR_TASK_PAGE_LEASE_S) has passed. Reading a page twice is harmless: a page
already read is skipped, and its image's reading is found by the dedup.
"""

import logging
import os

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

import ocr_engine
from ocr_task import callbacks, exports, services
from ocr_task.errors import StorageUnavailable
from ocr_task.models import OcrTask, OcrTaskPage
from ocr_task.queues import TaskQueue

logger = logging.getLogger(__name__)


class CeleryQueue(TaskQueue):
    """A message per page, and per callback attempt, on the broker at CELERY_BROKER_URL."""

    def __init__(self) -> None:
        # The project's Celery app (CELERY_APP, settings): the messages go with its settings.
        import_string(settings.CELERY_APP)

    def send_pages(self, page_ids: list[int]) -> None:
        OcrTaskPage.objects.filter(pk__in=page_ids).update(queued_at=timezone.now())
        for page_id in page_ids:
            read_page.delay(page_id)

    def send_callback(self, task_id: int) -> None:
        deliver_callback.delay(task_id)

    def send_exports(self, item_ids: list[int]) -> None:
        for item_id in item_ids:
            make_exports.delay(item_id)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ocr_engine.EngineUnavailable, ocr_engine.OutOfMemory, OperationalError),
    retry_backoff=True,
    max_retries=None,
)
def read_page(self, page_id: int) -> None:
    try:
        services.ocr_task_read_page(page_id=page_id, worker=f"{self.request.hostname}:{os.getpid()}")
    except OcrTaskPage.DoesNotExist:
        logger.info("Page %s is gone (its task was deleted); nothing to read.", page_id)


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, StorageUnavailable), retry_backoff=True
)
def make_exports(item_id: int) -> None:
    exports.ocr_task_item_export(item_id=item_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_callback(self, task_id: int) -> None:
    try:
        delivered = callbacks.deliver_callback(task_id=task_id)
    except OcrTask.DoesNotExist:
        return
    if delivered is False:
        next_at = OcrTask.objects.values_list("callback_next_at", flat=True).get(pk=task_id)
        raise self.retry(countdown=max((next_at - timezone.now()).total_seconds(), 0))


@worker_ready.connect
def resend_forgotten_work(**kwargs) -> None:
    """Pages and callbacks the broker may have lost (a broker restarted without persistence, a
    service stopped between storing a task and sending it) are sent again when a worker starts,
    and then every OCR_TASK_SWEEP_S (worker_steps.ResendForgottenWork); the database says what is
    still to do. The same sweep deletes the tasks kept past OCR_TASK_RETENTION_DAYS."""
    close_old_connections()
    page_ids, task_ids, item_ids = services.ocr_task_forgotten_work()
    for page_id in page_ids:
        read_page.delay(page_id)
    for task_id in task_ids:
        deliver_callback.delay(task_id)
    for item_id in item_ids:
        make_exports.delay(item_id)
    if page_ids or task_ids or item_ids:
        logger.info(
            "Sent again %s unread pages, %s callbacks and %s exports.", len(page_ids), len(task_ids), len(item_ids)
        )
    services.ocr_task_delete_expired()
