from django.contrib import admin

from ocr_extract.models import Card


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["id", "slug", "name", "rules", "built_in", "created_by", "created_at"]
    list_filter = ["rules", "built_in"]
    readonly_fields = ["built_in", "rules", "template", "created_by", "created_at", "updated_at"]
    search_fields = ["slug", "name"]
    list_select_related = ["created_by"]
