"""A file's page count is `pages` in every answer; the list of how each page was read, which a
task file's `extraction` called `pages` too, is `page_sources`: the extractions stored before are
renamed so that old and new answers have one shape."""

from django.db import migrations


def rename(apps, old: str, new: str) -> None:
    items = apps.get_model("ocr_task", "OcrTaskItem").objects.filter(extraction__isnull=False)
    for item in items.iterator():
        if isinstance(item.extraction, dict) and old in item.extraction:
            item.extraction[new] = item.extraction.pop(old)
            item.save(update_fields=["extraction"])


class Migration(migrations.Migration):
    dependencies = [("ocr_task", "0010_fields_pdf")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: rename(apps, "pages", "page_sources"),
            lambda apps, schema_editor: rename(apps, "page_sources", "pages"),
        )
    ]
