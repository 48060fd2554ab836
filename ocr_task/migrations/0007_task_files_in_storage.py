"""Task files leave the database for the task files' storage (STORAGES["ocr_task_files"]), and
items get the searchable PDFs built from them."""

import django.core.files.base
from django.db import migrations, models

import ocr_task.models


def move_blobs_to_storage(apps, schema_editor):
    OcrTaskItem = apps.get_model("ocr_task", "OcrTaskItem")
    # One blob in memory at a time: a task may hold 200 MiB of them.
    for item_id in OcrTaskItem.objects.filter(file="").values_list("id", flat=True).iterator():
        item = OcrTaskItem.objects.only("id", "task_id", "origin_name", "content").get(pk=item_id)
        item.file.save(item.origin_name, django.core.files.base.ContentFile(bytes(item.content)), save=False)
        OcrTaskItem.objects.filter(pk=item_id).update(file=item.file.name)


def move_files_back(apps, schema_editor):
    OcrTaskItem = apps.get_model("ocr_task", "OcrTaskItem")
    for item_id in OcrTaskItem.objects.exclude(file="").values_list("id", flat=True).iterator():
        item = OcrTaskItem.objects.get(pk=item_id)
        with item.file.open("rb") as opened:
            OcrTaskItem.objects.filter(pk=item_id).update(content=opened.read())


class Migration(migrations.Migration):
    dependencies = [
        ("ocr_task", "0006_longer_callback_urls"),
    ]

    operations = [
        migrations.AddField(
            model_name="ocrtaskitem",
            name="file",
            field=models.FileField(
                default="",
                editable=False,
                max_length=255,
                storage=ocr_task.models.task_files_storage,
                upload_to=ocr_task.models.task_file_name,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="ocrtaskitem",
            name="content",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.RunPython(move_blobs_to_storage, move_files_back, elidable=False),
        migrations.RemoveField(model_name="ocrtaskitem", name="content"),
        migrations.AddField(
            model_name="ocrtaskitem",
            name="searchable_pdf",
            field=models.FileField(
                blank=True,
                editable=False,
                max_length=255,
                storage=ocr_task.models.task_files_storage,
                upload_to=ocr_task.models.task_file_name,
            ),
        ),
        migrations.AddField(
            model_name="ocrtaskitem",
            name="highlighted_pdf",
            field=models.FileField(
                blank=True,
                editable=False,
                max_length=255,
                storage=ocr_task.models.task_files_storage,
                upload_to=ocr_task.models.task_file_name,
            ),
        ),
    ]
