"""OcrRecordSizeCount: records per KiB of image size, kept exact by triggers on the records' table,
so that a list filtered by size counts its records in a few milliseconds at a million records."""

from django.db import migrations, models

TABLE = "ocr_record_ocrrecord"
COUNTS = "ocr_record_ocrrecordsizecount"
FILL = f"INSERT INTO {COUNTS} (bucket, records) SELECT image_size / 1024, COUNT(*) FROM {TABLE} GROUP BY 1"
ADD_ONE = (
    f"INSERT INTO {COUNTS} (bucket, records) VALUES ({{row}}.image_size / 1024, 1) "
    f"ON CONFLICT (bucket) DO UPDATE SET records = {COUNTS}.records + 1"
)
TAKE_ONE = f"UPDATE {COUNTS} SET records = records - 1 WHERE bucket = {{row}}.image_size / 1024"

SQLITE_FORWARD = [
    FILL,
    f"CREATE TRIGGER ocr_record_size_insert AFTER INSERT ON {TABLE} BEGIN {ADD_ONE.format(row='new')}; END",
    f"CREATE TRIGGER ocr_record_size_delete AFTER DELETE ON {TABLE} BEGIN {TAKE_ONE.format(row='old')}; END",
    f"""CREATE TRIGGER ocr_record_size_update AFTER UPDATE OF image_size ON {TABLE} BEGIN
        {TAKE_ONE.format(row="old")}; {ADD_ONE.format(row="new")};
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ocr_record_size_insert",
    "DROP TRIGGER IF EXISTS ocr_record_size_delete",
    "DROP TRIGGER IF EXISTS ocr_record_size_update",
]
POSTGRESQL_FORWARD = [
    FILL,
    f"""CREATE OR REPLACE FUNCTION ocr_record_count_sizes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {TAKE_ONE.format(row="OLD")}; END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {ADD_ONE.format(row="NEW")}; END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER ocr_record_count_sizes AFTER INSERT OR DELETE OR UPDATE OF image_size ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION ocr_record_count_sizes()""",
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS ocr_record_count_sizes ON {TABLE}",
    "DROP FUNCTION IF EXISTS ocr_record_count_sizes()",
]
# By database vendor (bench/lists.py drops and remakes them around a bulk load too).
FORWARD = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}
BACKWARD = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("ocr_record", "0008_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="OcrRecordSizeCount",
            fields=[
                ("bucket", models.BigIntegerField(primary_key=True, serialize=False)),
                ("records", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
    ]
