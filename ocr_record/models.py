from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

md5_validator = RegexValidator(r"^[0-9a-f]{32}\Z", "An md5 is 32 lowercase hexadecimal characters.")


class OcrRecord(models.Model):
    """The recognition of one file, stored so that the same file is never recognized twice.

    "The same file" is the same bytes: same SHA-256 (the API shows md5 and size, as v1.0.0 did). A file can be read as letters (v1.0.0's
    parse_letter) and as located text with given options (parse_text); each of those readings is
    stored once, which the database enforces with a unique constraint, also what makes
    simultaneous uploads of one new file safe.
    """

    class Kind(models.TextChoices):
        LETTER = "letter", "letters"
        TEXT = "text", "text with positions"

    created_at = models.DateTimeField("created at", auto_now_add=True, db_index=True)
    image_md5 = models.CharField(
        "image md5",
        max_length=32,
        validators=[md5_validator],
        help_text="32 lower-case letters and digits",
    )
    image_size = models.PositiveBigIntegerField("image size", validators=[MinValueValidator(1)], help_text="in bytes")
    # The key of "the same file": md5 collisions are cheap to craft, so two different files with the
    # same md5 and size must not share a record. Empty only on records made before it was kept.
    image_sha256 = models.CharField(max_length=64, default="", blank=True, editable=False)
    content = models.JSONField("content", default=list, help_text="the letters, or the text's lines")
    # The content joined into one string, so that search can match words across letters.
    content_text = models.TextField(default="", blank=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.LETTER, editable=False)
    # The reading options that make another reading of the same file ("" for letters), as a
    # canonical string so that it can be part of the unique key; `lang` is also kept on its own.
    options = models.CharField(max_length=200, default="", blank=True, editable=False)
    lang = models.CharField(max_length=50, default="eng", editable=False)
    # Text records: the whole result (size, direction, angle, lines and words with locations).
    result = models.JSONField(null=True, blank=True, editable=False)
    # What produced the content: a newer engine or pipeline may read the same file differently.
    engine = models.CharField(max_length=200, default="", blank=True, editable=False)
    pipeline = models.CharField(max_length=500, default="", blank=True, editable=False)
    # The link the image was fetched from, where the client that first sent it sent a link. Null
    # rather than blank by default: SQLite adds a nullable column in place, where a default would
    # make Django rebuild the table and lose the size counts' triggers (migration 0009).
    source_url = models.URLField(max_length=2000, null=True, blank=True, editable=False)
    # With OCR_API_AUTH "required", each client has its own record of a file (ocr_record.services):
    # its own time, tags and cache flags, so that nothing tells it another client sent the file.
    # None: a record shared by everyone, as in the open API.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="ocr_records",
    )

    class Meta:
        verbose_name = "OCR record"
        # The list's filters and orderings: id is the primary key, created_at has its own index,
        # and this one serves size ranges, alone or with a creation-time range, from the index
        # alone (counts included). md5 lookups use the unique constraint's index.
        indexes = [
            models.Index(fields=["image_md5", "image_size"], name="ocr_record_md5_size"),
            models.Index(fields=["image_size", "created_at"], name="ocr_record_size_created"),
            models.Index(fields=["kind", "lang"], name="ocr_record_kind_lang"),
        ]
        constraints = [
            # One reading of a file per kind and options: once for everyone, and once per owner.
            models.UniqueConstraint(
                fields=["image_sha256", "kind", "options"],
                condition=~models.Q(image_sha256="") & models.Q(owner=None),
                name="ocr_record_unique_reading_sha256",
            ),
            models.UniqueConstraint(
                fields=["image_sha256", "kind", "options", "owner"],
                condition=~models.Q(image_sha256="") & ~models.Q(owner=None),
                name="ocr_record_unique_owned_reading",
            ),
            models.CheckConstraint(condition=models.Q(image_size__gt=0), name="ocr_record_size_positive"),
        ]

    def __str__(self) -> str:
        return f"OCR record {self.pk} ({self.image_md5}, {self.image_size} B)"


class OcrRecordTag(models.Model):
    """A caller's label on a record (parse_text's `tag`); a record read once can carry many."""

    record = models.ForeignKey(OcrRecord, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "name"], name="ocr_record_tag_unique")]
        indexes = [models.Index(fields=["name"], name="ocr_record_tag_name")]

    def __str__(self) -> str:
        return self.name


class OcrRecordRequest(models.Model):
    """One request of an identified client that produced or reused a record: who asked, and when.
    With OCR_API_AUTH "required", a client sees the records it has asked for. Anonymous requests
    (the open API's) are not kept."""

    record = models.ForeignKey(OcrRecord, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="ocr_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "record"], name="ocr_record_request_user")]


#: The width of OcrRecordSizeCount's buckets, in bytes.
SIZE_BUCKET_BYTES = 1024


class OcrRecordSizeCount(models.Model):
    """How many records have an image size in each KiB (`bucket` = image_size // 1024), kept exact by
    database triggers on every insert, delete and size change (migration 0009): a list filtered by
    size alone counts its records from these rows and the two partial buckets at its edges instead
    of counting every record in the range (ocr_record/selectors.py)."""

    bucket = models.BigIntegerField(primary_key=True)
    records = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.records} records of {self.bucket} KiB"
