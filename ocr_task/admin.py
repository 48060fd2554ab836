from django.contrib import admin

from ocr_task.models import OcrTask, OcrTaskItem


class OcrTaskItemInline(admin.TabularInline):
    model = OcrTaskItem
    fields = ["origin_name", "is_pdf", "status", "error", "page_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="pages")
    def page_count(self, item: OcrTaskItem) -> int:
        return item.pages.count()

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OcrTask)
class OcrTaskAdmin(admin.ModelAdmin):
    """Tasks are submitted through the API; staff follow them here and may delete them."""

    list_display = ["id", "created_at", "name", "status", "lang", "requested_by"]
    list_filter = ["status", "created_at"]
    search_fields = ["name", "items__origin_name"]
    fields = ["id", "created_at", "name", "status", "lang", "detect_direction", "callback_url", "requested_by"]
    readonly_fields = fields
    inlines = [OcrTaskItemInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
