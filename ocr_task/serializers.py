"""Input and output shapes of /api/ocr_task/."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from api_access.policy import caller
from ocr_api.serializers import ChoiceField, LocatedLineSerializer
from ocr_extract.selectors import card_named
from ocr_task.models import FINISHED, OcrTask, OcrTaskItem, OcrTaskPage, Status


class RequiredBooleanField(serializers.BooleanField):
    """A boolean a form must send: DRF reads a missing form checkbox as false."""

    default_empty_html = empty


@extend_schema_field({"type": "string", "format": "binary"})
class TaskFileField(serializers.FileField):
    pass


class OcrTaskCreateSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=TaskFileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text="Images (PNG, JPEG, GIF, BMP, TIFF, WebP) and PDFs, each as a `files` field.",
    )
    urls = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        help_text="Links (http or https) to images and PDFs, each as a `urls` field, fetched before the task "
        "is made (all within OCR_URL_TIMEOUT_S) and read after the files.",
    )
    async_task = RequiredBooleanField(
        help_text="true: answer at once with the pending task, read in the background; "
        "false: read before answering (one file only, at most OCR_TASK_SYNC_MAX_PAGES pages).",
    )
    lang = ChoiceField(choices=[], default="eng", help_text="The language(s) to read, as parse_text's.")
    detect_direction = serializers.BooleanField(
        default=False, help_text="Find pages turned by 90, 180 or 270 degrees and read them upright."
    )
    task_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    callback_url = serializers.URLField(
        required=False,
        default="",
        allow_blank=True,
        max_length=2000,
        help_text="POSTed the task's summary (JSON) when it ends, with retries; only to hosts in "
        "OCR_CALLBACK_ALLOWED_HOSTS. Signed as Standard Webhooks specifies (webhook-id, webhook-timestamp, "
        "webhook-signature) when OCR_CALLBACK_SECRET is set.",
    )

    card = serializers.CharField(
        required=False,
        default=None,
        allow_null=True,
        help_text="A card's id or slug (GET /api/cards/, e.g. `receipt`): its fields are read out of each file "
        "once it is read, into the file's `extraction`.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = settings.OCR_TEXT_LANGUAGES

    def validate_card(self, reference: str | None):
        if reference in (None, ""):
            return None
        card = card_named(reference, user=caller(self.context["request"]))
        if card is None:
            raise serializers.ValidationError("No card has this id or slug (GET /api/cards/ lists them).")
        return card


class TaskPageSerializer(serializers.ModelSerializer):
    """A page (an image file is one page) and, once read, its reading as parse_text gives it."""

    record_id = serializers.IntegerField(allow_null=True, help_text="The text record holding the reading.")
    text = serializers.SerializerMethodField(help_text="The page's plain text, lines joined by newlines.")
    width = serializers.SerializerMethodField()
    height = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField(help_text="How far the page was turned, degrees clockwise.")
    lines = serializers.SerializerMethodField()

    class Meta:
        model = OcrTaskPage
        fields = ["number", "status", "error", "record_id", "text", "width", "height", "direction", "lines"]

    def get_text(self, page: OcrTaskPage) -> str | None:
        return page.result.get("text")

    def get_width(self, page: OcrTaskPage) -> int | None:
        return page.result.get("width")

    def get_height(self, page: OcrTaskPage) -> int | None:
        return page.result.get("height")

    def get_direction(self, page: OcrTaskPage) -> int | None:
        return page.result.get("direction")

    @extend_schema_field(LocatedLineSerializer(many=True, allow_null=True))
    def get_lines(self, page: OcrTaskPage) -> list | None:
        return page.result.get("lines")


#: Every form of a task's file says how far its PDFs are (made once it is read, by a task worker)
#: and, for a task with a card, the card's fields read out of it.
EXPORT_FIELDS = ["export_status", "export_error", "extraction"]
EXPORT_HELP = {
    "export_status": {
        "help_text": "Its searchable PDFs (export format=pdf): blank until the file is read, then `pending`, "
        "`running`, `succeeded`, or `failed` with the reason in `export_error`."
    },
    "export_error": {"help_text": "Why its PDFs could not be made."},
    "extraction": {
        "help_text": "With the task's card, once the file is read: `card`, `confidence`, `fields` and `groups`, "
        "as POST /api/extract/ answers them; null otherwise."
    },
}


class TaskItemSummarySerializer(serializers.ModelSerializer):
    pages = serializers.IntegerField(source="pages.count", help_text="How many pages the file has.")
    pages_done = serializers.SerializerMethodField(help_text="Pages of this file read (or failed).")

    class Meta:
        model = OcrTaskItem
        fields = ["id", "origin_name", "is_pdf", "status", "error", *EXPORT_FIELDS, "pages", "pages_done"]
        extra_kwargs = EXPORT_HELP

    def get_pages_done(self, item: OcrTaskItem) -> int:
        return sum(page.status in FINISHED for page in item.pages.all())


class FailedPageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    error = serializers.CharField()


class TaskItemProgressSerializer(TaskItemSummarySerializer):
    """A file of the light task detail: its progress, without the readings (those are at
    `?readings=true` or at the file's pages endpoint)."""

    record_ids = serializers.SerializerMethodField(
        help_text="Page n's text record at index n - 1 (GET /api/ocr_record/{id}/), null until the page is read."
    )
    failed_pages = serializers.SerializerMethodField(help_text="The pages that could not be read, and why.")

    class Meta(TaskItemSummarySerializer.Meta):
        fields = [*TaskItemSummarySerializer.Meta.fields, "record_ids", "failed_pages"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(allow_null=True)))
    def get_record_ids(self, item: OcrTaskItem) -> list:
        return [page.record_id if page.status == Status.SUCCEEDED else None for page in item.pages.all()]

    @extend_schema_field(FailedPageSerializer(many=True))
    def get_failed_pages(self, item: OcrTaskItem) -> list:
        return [
            {"number": page.number, "error": page.error} for page in item.pages.all() if page.status == Status.FAILED
        ]


class ProgressSerializer(serializers.Serializer):
    pages_done = serializers.IntegerField(help_text="Pages read (or failed).")
    pages_total = serializers.IntegerField()


class OcrTaskSummarySerializer(serializers.ModelSerializer):
    """A task without its pages' readings: the list, and what a callback sends."""

    task_name = serializers.CharField(source="name")
    status = ChoiceField(choices=Status.choices, help_text="`pending`, `running`, `succeeded` or `failed`.")
    total = serializers.IntegerField(help_text="How many files the task has.")
    progress = serializers.SerializerMethodField()
    items = TaskItemSummarySerializer(many=True, read_only=True)

    class Meta:
        model = OcrTask
        fields = [
            "id",
            "task_name",
            "status",
            "created_at",
            "finished_at",
            "lang",
            "detect_direction",
            "total",
            "progress",
            "items",
        ]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, task: OcrTask) -> dict:
        return {"pages_done": task.pages_done, "pages_total": task.pages_total}


class TaskItemSerializer(TaskItemProgressSerializer):
    """A file with every page's reading. `pages` is its page count here as in every other form of
    a file; the readings, one per page, are `readings`."""

    readings = TaskPageSerializer(source="pages", many=True, read_only=True)

    class Meta(TaskItemProgressSerializer.Meta):
        fields = [*TaskItemProgressSerializer.Meta.fields, "readings"]


class OcrTaskDetailSerializer(OcrTaskSummarySerializer):
    """A task, its progress file by file and page by page, without the readings: what a client
    polls (a few KB for 200 pages)."""

    items = TaskItemProgressSerializer(many=True, read_only=True)

    class Meta(OcrTaskSummarySerializer.Meta):
        fields = [*OcrTaskSummarySerializer.Meta.fields, "callback_url", "callback_status"]


class OcrTaskSerializer(OcrTaskDetailSerializer):
    """A task with every page's reading."""

    items = TaskItemSerializer(many=True, read_only=True)


class TaskDetailQuerySerializer(serializers.Serializer):
    readings = serializers.BooleanField(
        default=False,
        help_text="true: every page's reading too (as the synchronous answer carries them); large for long PDFs.",
    )


class ExportQuerySerializer(serializers.Serializer):
    format = ChoiceField(
        choices=["pdf", "txt", "json", "hocr", "alto", "tsv"],
        default="pdf",
        help_text="`pdf`: the pages with an invisible text layer (searchable, copyable); `txt`: the "
        "text, pages separated by form feeds; `json`: every page's reading; `hocr`: the pages' located "
        "words as hOCR; `alto`: as ALTO 4.2 XML; `tsv`: as Tesseract's TSV.",
    )
    highlight = serializers.BooleanField(
        default=False,
        help_text="pdf only: draw each word's box, green (confidence >= 0.9), orange (>= 0.6) or red, "
        "for a person to review.",
    )

    fields = serializers.BooleanField(
        default=False,
        help_text="pdf only, for a task with a card: box each of the card's fields in its colour, with a "
        "legend on a last page.",
    )

    def validate(self, data):
        for option in ("highlight", "fields"):
            if data[option] and data["format"] != "pdf":
                raise serializers.ValidationError({option: [f"Only a pdf export takes {option}."]})
        data["variant"] = "fields" if data["fields"] else "highlighted" if data["highlight"] else "plain"
        return data


class TaskEventSerializer(serializers.Serializer):
    """One event of a task's stream (/api/ocr_task/{id}/events/), as a reader of text/event-stream
    parses it: its name and its data line. The data is JSON in a string, as the stream sends it."""

    event = ChoiceField(
        choices=["progress", "end", "deleted"],
        help_text="`progress` at once and whenever the task changes, then `end` once it has finished; "
        "`deleted` when it is deleted meanwhile.",
    )
    data = serializers.CharField(
        help_text="JSON text. `progress`: the task as the list shows it (OcrTaskSummary: id, status, progress, "
        'items with their pages and pages_done...); `end`: `{"id", "status"}`; `deleted`: `{"id"}`.'
    )
