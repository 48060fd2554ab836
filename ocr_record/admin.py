from django.contrib import admin
from django.utils.html import format_html, format_html_join

from ocr_record.models import OcrRecord


@admin.register(OcrRecord)
class OcrRecordAdmin(admin.ModelAdmin):
    """Records are produced only by the engine: staff can inspect and delete them, not write them."""

    list_display = ["id", "created_at", "kind", "image_md5", "image_size", "owner", "letters"]
    list_filter = ["created_at", "kind", "lang", "engine"]
    date_hierarchy = "created_at"
    search_fields = ["image_md5"]
    ordering = ["-id"]
    list_select_related = ["owner"]
    fields = [
        "id",
        "created_at",
        "kind",
        "image_md5",
        "image_size",
        "owner",
        "content",
        "lang",
        "options",
        "tag_names",
        "engine",
        "pipeline",
        "reading",
    ]
    readonly_fields = fields

    @admin.display(description="letters / text")
    def letters(self, record: OcrRecord) -> str:
        separator = " / " if record.kind == OcrRecord.Kind.TEXT else ""
        return separator.join(record.content)

    @admin.display(description="tags")
    def tag_names(self, record: OcrRecord) -> str:
        return ", ".join(record.tags.values_list("name", flat=True)) or "-"

    @admin.display(description="lines and words")
    def reading(self, record: OcrRecord) -> str:
        """A text record's lines, each with its confidence and location, and its words under it."""
        if not record.result:
            return "-"
        rows = []
        for line in record.result["lines"]:
            # format_html escapes its arguments into strings first, so numbers are formatted here.
            rows.append(
                format_html(
                    "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
                    line["text"],
                    f"{line['confidence']:.2f}",
                    line["location"],
                )
            )
            rows.append(
                format_html_join(
                    "",
                    "<tr><td style='padding-left:2em'>{}</td><td>{}</td><td>{}</td></tr>",
                    ((word["text"], f"{word['confidence']:.2f}", word["location"]) for word in line["words"]),
                )
            )
        return format_html(
            "<p>{}×{} px, turned {}°, skew {}°</p><table><tr><th>text</th><th>confidence</th>"
            "<th>location (clockwise from top-left)</th></tr>{}</table>",
            record.result["width"],
            record.result["height"],
            record.result["direction"],
            record.result["angle"],
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
