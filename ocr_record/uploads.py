from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from ocr_record.exceptions import UploadTooLarge

# Room for the multipart boundaries and headers around the file itself.
_MULTIPART_OVERHEAD_BYTES = 64 * 1024


class UploadSizeLimitHandler(FileUploadHandler):
    """Refuses an upload over OCR_MAX_UPLOAD_BYTES while it streams in, before it fills a disk.

    A declared Content-Length over the limit is refused before the body is read at all; a body
    that grows past it (chunked, or lying about its length) is refused at the chunk that crosses it.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.OCR_MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD_BYTES:
            raise self._too_large()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.received_bytes += len(raw_data)
        if self.received_bytes > settings.OCR_MAX_UPLOAD_BYTES:
            raise self._too_large()
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one build the file

    def _too_large(self) -> UploadTooLarge:
        return UploadTooLarge(f"The upload is larger than the limit of {settings.OCR_MAX_UPLOAD_BYTES} bytes.")
