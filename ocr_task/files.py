"""The task files' storage, as the services write and delete in it."""

import logging

from ocr_task.models import task_files_storage

logger = logging.getLogger(__name__)


def delete_stored_files(names: list[str]) -> None:
    """Remove files from the task files' storage; one that cannot be removed now is logged (a
    storage that is down must not fail the deletion of the rows naming it)."""
    storage = task_files_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete %r from the task files' storage.", name)
