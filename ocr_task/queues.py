"""Where a task's pages are read: the backend OCR_TASK_QUEUE names, a short name of QUEUES or the
dotted path of a TaskQueue class (as ocr_engine's registry finds engines).

- "embedded" (the default): threads inside the service read pending pages from the database
  (`ocr_task.workers`);
- "celery": one Celery message per page on the broker at CELERY_BROKER_URL, read by `make worker`
  processes on any machine (`ocr_task.tasks`).

The services hand work to `task_queue()` and know nothing of the transport; a backend's module is
imported only when it is used (Celery costs ~20 MiB a process that does not need it).
"""

import functools

from django.conf import settings
from django.utils.module_loading import import_string

QUEUES = {
    "embedded": "ocr_task.workers.EmbeddedQueue",
    "celery": "ocr_task.tasks.CeleryQueue",
}


class TaskQueue:
    """What the task services ask of a queue: that stored pages be read, a read file's PDFs made,
    and a due callback sent.
    Both are called after the work was committed to the database, which stays the record of what is
    left to do: a message lost on the way is found again by the workers' sweeps."""

    def send_pages(self, page_ids: list[int]) -> None:
        raise NotImplementedError

    def send_callback(self, task_id: int) -> None:
        raise NotImplementedError

    def send_exports(self, item_ids: list[int]) -> None:
        """That the PDFs of these read files be made (`exports.ocr_task_item_export`)."""
        raise NotImplementedError


def task_queue() -> TaskQueue:
    """The queue OCR_TASK_QUEUE names, one instance per process."""
    return _queue(settings.OCR_TASK_QUEUE)


@functools.cache
def _queue(name: str) -> TaskQueue:
    return import_string(QUEUES.get(name, name))()
