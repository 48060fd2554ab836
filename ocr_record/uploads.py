from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from ocr_record.exceptions import UploadTooLarge

# Room for the multipart boundaries and headers around the files themselves.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def largest_request_bytes() -> int:
    """The most a request may carry: the most images, each at the size limit."""
    return settings.OCR_MAX_UPLOAD_BYTES * settings.OCR_MAX_IMAGES_PER_REQUEST + MULTIPART_OVERHEAD_BYTES


def oversized_uploads(request: HttpRequest) -> list[str]:
    """The names of the files of `request` that were dropped for being over OCR_MAX_UPLOAD_BYTES."""
    return getattr(request, "_oversized_uploads", [])


class UploadSizeLimitHandler(FileUploadHandler):
    """Drops an uploaded file over OCR_MAX_UPLOAD_BYTES while it streams in, before it fills a disk.

    The file is skipped at the chunk that crosses the limit and its name recorded, so that the view
    can answer for it (parse_letter refuses the request, parse_text that one image). A declared
    Content-Length over what any request may carry is refused before the body is read at all.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > largest_request_bytes():
            raise UploadTooLarge(f"The request is larger than the limit of {largest_request_bytes()} bytes.")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.received_bytes += len(raw_data)
        if self.received_bytes > settings.OCR_MAX_UPLOAD_BYTES:
            if self.request is not None:
                self.request._oversized_uploads = [*oversized_uploads(self.request), self.file_name]
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one build the file
