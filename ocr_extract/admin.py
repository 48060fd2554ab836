from django.contrib import admin

from ocr_extract.models import Card


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["id", "slug", "name", "built_in", "created_at"]
    readonly_fields = ["built_in", "created_at"]
    search_fields = ["slug", "name"]
