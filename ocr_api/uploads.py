"""Upload sizes, bounded while the body streams in, with the limits each view declares.

A view says what it accepts (`UploadLimits`: the whole request, and one file) through
`UploadLimitsMixin`; Django's upload handlers cannot see the view, so the limits ride on the
request for `UploadSizeLimitHandler`, which refuses a declared Content-Length over the request's
limit before reading the body, and stops storing a file at the chunk that crosses the file limit.
Such a file stays in `request.FILES`, in its place among the others, as an `OversizedUpload` (its
name, no content): each view answers for it as its API says (parse_letter refuses the request,
parse_text answers that one image, a task refuses the submission).
"""

import io
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from ocr_api.exceptions import UploadTooLarge

logger = logging.getLogger(__name__)

# Room for the multipart boundaries and headers around the files themselves.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadLimits:
    request_bytes: int
    file_bytes: int


def image_upload_limits() -> UploadLimits:
    """What the endpoints reading images while the client waits accept: the most images, each at
    OCR_MAX_UPLOAD_BYTES. Also the limits of any view that declares none."""
    return UploadLimits(
        request_bytes=settings.OCR_MAX_UPLOAD_BYTES * settings.OCR_MAX_IMAGES_PER_REQUEST + MULTIPART_OVERHEAD_BYTES,
        file_bytes=settings.OCR_MAX_UPLOAD_BYTES,
    )


def task_upload_limits() -> UploadLimits:
    """What task submissions accept: more and larger files (PDFs) than the endpoints that read
    while the client waits."""
    return UploadLimits(
        request_bytes=settings.OCR_TASK_MAX_BYTES + MULTIPART_OVERHEAD_BYTES,
        file_bytes=settings.OCR_TASK_MAX_FILE_BYTES,
    )


class UploadLimitsMixin:
    """For a DRF view: `upload_limits()` (by default `image_upload_limits()`) apply to its uploads."""

    def upload_limits(self) -> UploadLimits:
        return image_upload_limits()

    def initialize_request(self, request, *args, **kwargs):
        request.upload_limits = self.upload_limits()  # for UploadSizeLimitHandler, before any parsing
        return super().initialize_request(request, *args, **kwargs)


class OversizedUpload(UploadedFile):
    """A file over its limit, dropped as it streamed in: its name, no content."""

    def __init__(self, *, name: str) -> None:
        super().__init__(file=io.BytesIO(b""), name=name, size=0)


def is_oversized(file: UploadedFile) -> bool:
    return isinstance(file, OversizedUpload)


def oversized(files: list[UploadedFile]) -> list[UploadedFile]:
    return [file for file in files if is_oversized(file)]


class UploadSizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: bounds what the handlers after it (memory, temporary file) get."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Called by Django before any file of the body: the limits hold for all of them.
        self.limits = getattr(self.request, "upload_limits", None) or image_upload_limits()
        if content_length > self.limits.request_bytes:
            raise UploadTooLarge(f"The request is larger than the limit of {self.limits.request_bytes} bytes.")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received_bytes, self.dropped = 0, False

    def receive_data_chunk(self, raw_data, start):
        self.received_bytes += len(raw_data)
        if self.dropped or self.received_bytes > self.limits.file_bytes:
            self.dropped = True
            return None  # the handlers after this one get no more of it
        return raw_data

    def file_complete(self, file_size):
        if not self.dropped:
            return None  # the handlers after this one build the file
        return OversizedUpload(name=self.file_name)


#: Older than any request may last (gunicorn's time-out, a minute by default), with room to spare.
ABANDONED_AFTER_S = 15 * 60


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
