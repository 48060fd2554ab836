from django.contrib import admin

from ocr_task.models import OcrTask, OcrTaskItem, OcrTaskPage


class OcrTaskItemInline(admin.TabularInline):
    model = OcrTaskItem
    fields = ["origin_name", "is_pdf", "status", "error", "page_count", "pages_read"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="pages")
    def page_count(self, item: OcrTaskItem) -> int:
        return item.pages.count()

    @admin.display(description="pages read")
    def pages_read(self, item: OcrTaskItem) -> int:
        return item.pages.filter(status="succeeded").count()

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OcrTask)
class OcrTaskAdmin(admin.ModelAdmin):
    """Tasks are submitted through the API; staff follow them here and may delete them."""

    list_display = ["id", "created_at", "name", "status", "lang", "finished_at", "callback_status", "requested_by"]
    list_filter = ["status", "created_at", "callback_status"]
    search_fields = ["name", "items__origin_name"]
    fields = [
        "id",
        "created_at",
        "name",
        "status",
        "finished_at",
        "lang",
        "detect_direction",
        "requested_by",
        "callback_url",
        "callback_status",
        "callback_attempts",
        "callback_next_at",
        "callback_error",
    ]
    readonly_fields = fields
    inlines = [OcrTaskItemInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OcrTaskPage)
class OcrTaskPageAdmin(admin.ModelAdmin):
    """Pages one by one: which worker read which, and why a page failed."""

    list_display = ["id", "item", "number", "status", "started_at", "read_by", "record", "error"]
    list_filter = ["status"]
    search_fields = ["item__origin_name", "read_by"]
    list_select_related = ["item", "record"]
    fields = ["item", "number", "status", "started_at", "read_by", "record", "error"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
