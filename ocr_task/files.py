"""The task files' storage, as the services write and delete in it, and whether it can be used."""

import logging
import os

from ocr_task.errors import StorageUnavailable
from ocr_task.models import task_files_storage

logger = logging.getLogger(__name__)


def storage_error() -> str:
    """Why the task files' storage cannot be written to (a bucket that does not exist, or refuses
    these credentials; a directory that cannot be made), or "" when it can: for /readyz."""
    storage = task_files_storage()
    try:
        bucket = getattr(storage, "bucket_name", None)
        if bucket:  # S3 (django-storages): the bucket is there and answers these credentials
            storage.connection.meta.client.head_bucket(Bucket=bucket)
        else:
            os.makedirs(storage.location, exist_ok=True)
            if not os.access(storage.location, os.W_OK):
                return f"{storage.location} cannot be written to"
    except Exception as error:  # boto3's and the file system's errors alike
        return why_unusable(error)
    return ""


def why_unusable(error: Exception) -> str:
    """A storage error in words, without the library's internals."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):  # botocore's ClientError
        code = response.get("Error", {}).get("Code", "")
        bucket = getattr(task_files_storage(), "bucket_name", "")
        if code in ("NoSuchBucket", "404"):
            return f"the bucket {bucket!r} does not exist"
        if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return f"the bucket {bucket!r} refuses these credentials"
        return f"the bucket {bucket!r} answered {code or 'an error'}"
    return f"it cannot be reached ({type(error).__name__})"


def save_task_file(field, name: str, content) -> None:
    """Save `content` into the file field `field` (not the row): StorageUnavailable (503) when the
    storage cannot take it, said in words and logged for the operator."""
    try:
        field.save(name, content, save=False)
    except Exception as error:
        logger.exception("The task files' storage refused %r.", name)
        raise StorageUnavailable(why_unusable(error)) from None


def delete_stored_files(names: list[str]) -> None:
    """Remove files from the task files' storage; one that cannot be removed now is logged (a
    storage that is down must not fail the deletion of the rows naming it)."""
    storage = task_files_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete %r from the task files' storage.", name)
