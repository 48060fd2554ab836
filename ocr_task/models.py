import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import storages
from django.db import models

from ocr_record.models import OcrRecord


class Status(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: A page, file or task in one of these has ended: read, or given up.
FINISHED = frozenset({Status.SUCCEEDED, Status.FAILED})


class CallbackStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class OcrTask(models.Model):
    """Files submitted together, read page by page. Its progress is in its pages' rows, so any
    worker on any machine can take a page, and nothing is lost when one stops."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    name = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    lang = models.CharField(max_length=50, default="eng")
    detect_direction = models.BooleanField(default=False)
    callback_url = models.URLField(max_length=2000, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="ocr_tasks"
    )
    # Who sent it when no user did: an anonymous client's quotas are counted by address.
    client_address = models.GenericIPAddressField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The card whose fields are read out of each file once it is read (ocr_extract), if any.
    card = models.ForeignKey(
        "ocr_extract.Card", null=True, blank=True, on_delete=models.SET_NULL, related_name="ocr_tasks"
    )
    # The callback's delivery, kept here so that retries survive a restart of whoever sends them.
    callback_status = models.CharField(max_length=10, choices=CallbackStatus, blank=True, default="")
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_next_at = models.DateTimeField(null=True, blank=True)
    callback_error = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"OCR task {self.pk} ({self.status})"


def task_files_storage():
    """Where task files and their exports are kept (STORAGES["ocr_task_files"]: local disk, or S3)."""
    return storages["ocr_task_files"]


def task_file_name(item: "OcrTaskItem", filename: str) -> str:
    """`<task id>/<random>.<suffix>`: never the client's own name, which may be anything."""
    suffix = PurePosixPath(filename).suffix.lower()
    suffix = suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
    return f"{item.task_id}/{uuid.uuid4().hex}{suffix}"


class OcrTaskItem(models.Model):
    """One submitted file. Its bytes are kept in the task files' storage, where workers on other
    machines can read them, until the task is deleted; so are the searchable PDFs made of it."""

    task = models.ForeignKey(OcrTask, on_delete=models.CASCADE, related_name="items")
    origin_name = models.CharField(max_length=255)
    file = models.FileField(storage=task_files_storage, upload_to=task_file_name, max_length=255, editable=False)
    # Built by a task worker once the file is read, then served as they are (ocr_task/exports.py).
    searchable_pdf = models.FileField(
        storage=task_files_storage, upload_to=task_file_name, max_length=255, blank=True, editable=False
    )
    highlighted_pdf = models.FileField(
        storage=task_files_storage, upload_to=task_file_name, max_length=255, blank=True, editable=False
    )
    # With its task's card: the PDF with each field boxed in its colour, and a legend.
    fields_pdf = models.FileField(
        storage=task_files_storage, upload_to=task_file_name, max_length=255, blank=True, editable=False
    )
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of the file, counted in its client's quota.")
    is_pdf = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    error = models.TextField(blank=True, default="")
    # The searchable PDFs' making, by a task worker once the file is read (ocr_task/exports.py):
    # blank until then; "failed" with the reason in export_error. Started and attempted as a page is.
    export_status = models.CharField(max_length=10, choices=Status, blank=True, default="")
    export_error = models.TextField(blank=True, default="")
    export_started_at = models.DateTimeField(null=True, blank=True)
    export_attempts = models.PositiveSmallIntegerField(default=0)
    # The highlighted PDF and the fields' are made once asked for: most files are exported plain.
    export_highlighted = models.BooleanField(default=False)
    export_fields = models.BooleanField(default=False)
    # The task's card's fields read out of the file once it is read (as POST /api/extract/ answers).
    extraction = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.origin_name

    def read_file(self) -> bytes:
        with self.file.open("rb") as opened:
            return opened.read()

    def stored_files(self) -> list[str]:
        """The names of what this item keeps in storage: its file and its exports."""
        return [
            field.name for field in (self.file, self.searchable_pdf, self.highlighted_pdf, self.fields_pdf) if field
        ]


class OcrTaskPage(models.Model):
    """One page of an item (an image is one page), read as a parse_text record."""

    item = models.ForeignKey(OcrTaskItem, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()  # from 1
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    # When a worker last took the page: a page "running" for longer than a lease was left by a
    # worker that died, and may be taken again.
    started_at = models.DateTimeField(null=True, blank=True)
    # When the page was last sent to the task queue (Celery): a page sent long ago and never
    # started was lost on the way, and is sent again.
    queued_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started reading the page: one that never finishes (its worker killed
    # by the kernel every time) is failed after OCR_TASK_MAX_ATTEMPTS instead of tried for ever.
    attempts = models.PositiveSmallIntegerField(default=0)
    record = models.ForeignKey(OcrRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True, default="")
    read_by = models.CharField(max_length=200, blank=True, default="", help_text="The worker that read the page.")

    class Meta:
        ordering = ["item_id", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="ocr_task_page_unique")]

    @property
    def result(self) -> dict:
        """The page's parse_text result once read (its record's `result`); empty until then."""
        return self.record.result if self.record_id and self.record.result else {}
