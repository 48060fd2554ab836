from django.contrib import admin

from ocr_record.models import OcrRecord


@admin.register(OcrRecord)
class OcrRecordAdmin(admin.ModelAdmin):
    """Records are produced only by the engine: staff can inspect and delete them, not write them."""

    list_display = ["id", "created_at", "image_md5", "image_size", "letters"]
    list_filter = ["created_at", "engine"]
    date_hierarchy = "created_at"
    search_fields = ["image_md5"]
    ordering = ["-id"]
    fields = ["id", "created_at", "image_md5", "image_size", "content", "engine", "pipeline"]
    readonly_fields = fields

    @admin.display(description="letters")
    def letters(self, record: OcrRecord) -> str:
        return "".join(record.content)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
