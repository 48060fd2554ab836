"""Text indexes for the list's `search` (ocr_record/search.py): a term is found anywhere in a
record's text without reading the whole table.

- SQLite: an FTS5 table with the trigram tokenizer over `content_text` (an external-content index:
  the text is not stored twice), kept in step by triggers on insert, update and delete.
- PostgreSQL: pg_trgm's GIN index on UPPER(content_text), the expression Django's `icontains`
  compares, so `UPPER(content_text) LIKE UPPER('%term%')` is answered from the index.
"""

from django.db import migrations

TABLE = "ocr_record_ocrrecord"

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE ocr_record_search USING fts5(
        content_text, content='{TABLE}', content_rowid='id', tokenize='trigram')""",
    "INSERT INTO ocr_record_search(ocr_record_search) VALUES ('rebuild')",
    f"""CREATE TRIGGER ocr_record_search_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO ocr_record_search(rowid, content_text) VALUES (new.id, new.content_text);
    END""",
    f"""CREATE TRIGGER ocr_record_search_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO ocr_record_search(ocr_record_search, rowid, content_text)
        VALUES ('delete', old.id, old.content_text);
    END""",
    f"""CREATE TRIGGER ocr_record_search_update AFTER UPDATE OF content_text ON {TABLE} BEGIN
        INSERT INTO ocr_record_search(ocr_record_search, rowid, content_text)
        VALUES ('delete', old.id, old.content_text);
        INSERT INTO ocr_record_search(rowid, content_text) VALUES (new.id, new.content_text);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ocr_record_search_insert",
    "DROP TRIGGER IF EXISTS ocr_record_search_delete",
    "DROP TRIGGER IF EXISTS ocr_record_search_update",
    "DROP TABLE IF EXISTS ocr_record_search",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS ocr_record_text_trigrams ON {TABLE} USING gin (UPPER(content_text) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS ocr_record_text_trigrams"]
# By database vendor (bench/lists.py drops and rebuilds them around a bulk load too).
FORWARD = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}
BACKWARD = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("ocr_record", "0007_record_owner"),
    ]

    operations = [
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
    ]
