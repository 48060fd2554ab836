"""The built-in receipt card: the four fields of the ICDAR 2019 SROIE task and the items."""

from django.db import migrations

# As the card was when this migration was written: later changes to extraction.RECEIPT come with a
# migration of their own.
RECEIPT = {
    "fields": [
        {"key": "company", "name": "Company", "type": "text", "color": "#1f77b4"},
        {"key": "date", "name": "Date", "type": "date", "color": "#2ca02c"},
        {"key": "address", "name": "Address", "type": "address", "color": "#9467bd"},
        {"key": "total", "name": "Total", "type": "amount", "color": "#d62728"},
    ],
    "groups": [
        {
            "key": "items",
            "name": "Items",
            "fields": [
                {"key": "name", "name": "Name", "type": "text", "color": "#ff7f0e"},
                {"key": "quantity", "name": "Quantity", "type": "number", "color": "#8c564b"},
                {"key": "amount", "name": "Amount", "type": "amount", "color": "#e377c2"},
            ],
        }
    ],
}


def add_receipt(apps, schema_editor):
    Card = apps.get_model("ocr_extract", "Card")
    Card.objects.update_or_create(slug="receipt", defaults={"name": "Receipt", "built_in": True, **RECEIPT})


def remove_receipt(apps, schema_editor):
    apps.get_model("ocr_extract", "Card").objects.filter(slug="receipt", built_in=True).delete()


class Migration(migrations.Migration):
    dependencies = [("ocr_extract", "0001_cards")]

    operations = [migrations.RunPython(add_receipt, remove_receipt)]
