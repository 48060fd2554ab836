import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from ocr_record.exceptions import UploadTooLarge

# Room for the multipart boundaries and headers around the files themselves.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


# Tasks take more and larger files (PDFs) than the endpoints that read images while the client waits.
TASK_UPLOAD_PATH = "/api/ocr_task/"


def largest_request_bytes(path: str = "") -> int:
    """The most a request to `path` may carry: the most images, each at the size limit; or a task's
    whole size limit."""
    if path.startswith(TASK_UPLOAD_PATH):
        return settings.OCR_TASK_MAX_BYTES + MULTIPART_OVERHEAD_BYTES
    return settings.OCR_MAX_UPLOAD_BYTES * settings.OCR_MAX_IMAGES_PER_REQUEST + MULTIPART_OVERHEAD_BYTES


def largest_file_bytes(path: str = "") -> int:
    """The most one file sent to `path` may carry."""
    return settings.OCR_TASK_MAX_FILE_BYTES if path.startswith(TASK_UPLOAD_PATH) else settings.OCR_MAX_UPLOAD_BYTES


def oversized_uploads(request: HttpRequest) -> list[str]:
    """The names of the files of `request` that were dropped for being over the limit per file."""
    return [name for _, name, dropped in uploads_in_order(request) if dropped]


def uploads_in_order(request: HttpRequest) -> list[tuple[str, str, bool]]:
    """Every file of `request` as sent: (field, file name, dropped for being over the limit)."""
    return getattr(request, "_uploads_in_order", [])


class UploadSizeLimitHandler(FileUploadHandler):
    """Drops an uploaded file over OCR_MAX_UPLOAD_BYTES (OCR_TASK_MAX_FILE_BYTES for tasks) while it
    streams in, before it fills a disk.

    The file is skipped at the chunk that crosses the limit and marked so in the list of files in
    the order sent, so that the view can answer for it in its place (parse_letter refuses the
    request, parse_text that one image). A declared
    Content-Length over what any request may carry is refused before the body is read at all.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.path = META.get("PATH_INFO", "")
        if content_length > largest_request_bytes(self.path):
            raise UploadTooLarge(f"The request is larger than the limit of {largest_request_bytes(self.path)} bytes.")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received_bytes = 0
        if self.request is not None:
            self.request._uploads_in_order = [*uploads_in_order(self.request), (self.field_name, self.file_name, False)]

    def receive_data_chunk(self, raw_data, start):
        self.received_bytes += len(raw_data)
        if self.received_bytes > largest_file_bytes(getattr(self, "path", "")):
            if self.request is not None:
                field, name, _ = self.request._uploads_in_order[-1]
                self.request._uploads_in_order[-1] = (field, name, True)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one build the file


#: Older than any request may last (gunicorn's time-out, a minute by default), with room to spare.
ABANDONED_AFTER_S = 15 * 60
logger = logging.getLogger(__name__)


def remove_abandoned_uploads() -> int:
    """Remove the upload files a worker killed mid-request left in FILE_UPLOAD_TEMP_DIR (Django
    removes them after every request that ends); run when the service starts. Only files unchanged
    for longer than any request lasts are taken: another running process's upload stays."""
    removed = 0
    cutoff = time.time() - ABANDONED_AFTER_S
    for path in Path(settings.FILE_UPLOAD_TEMP_DIR).glob("*.upload*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # removed meanwhile, or not ours to remove
            continue
    if removed:
        logger.info("Removed %s upload files abandoned in %s.", removed, settings.FILE_UPLOAD_TEMP_DIR)
    return removed
