"""The built-in invoice card (extraction.INVOICE): invoice2data's bundled templates first, then the
fields by their labels in five languages."""

from django.db import migrations

from extraction.cards import INVOICE


def add_invoice(apps, schema_editor):
    # As extraction.INVOICE is when the migration runs; a later change of its fields comes with a
    # migration that updates the row (as 0003 did for the receipt).
    Card = apps.get_model("ocr_extract", "Card")
    Card.objects.update_or_create(
        slug="invoice", defaults={"name": INVOICE.name, "built_in": True, "rules": INVOICE.rules, **INVOICE.as_json()}
    )


def remove_invoice(apps, schema_editor):
    apps.get_model("ocr_extract", "Card").objects.filter(slug="invoice", built_in=True).delete()


class Migration(migrations.Migration):
    dependencies = [("ocr_extract", "0003_cards_of_your_own")]

    operations = [migrations.RunPython(add_invoice, remove_invoice)]
