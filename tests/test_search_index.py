"""The list's `search` answered from the databases' text indexes (ocr_record/search.py, migration
0008): the same answers as reading the whole table, on SQLite (FTS5 trigrams) and PostgreSQL
(pg_trgm), and an index in the query plan."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocr_record.models import OcrRecord
from tests.helpers import LIST_URL, make_record

pytestmark = pytest.mark.django_db


def found(api_client, term: str) -> list[int]:
    response = api_client.get(LIST_URL, {"search": term})
    assert response.status_code == 200
    return sorted(record["id"] for record in response.json()["results"])


def test_every_term_finds_what_a_whole_table_read_finds(api_client):
    texts = ["Quartz watch", "QUARTZ", "smart watch", "ab", 'a"quoted" word', "price: 3*4", "发票号码 12345"]
    records = {make_record(content=[text], kind="text").id: text for text in texts}
    for term in ["quartz", "QuArTz", "watch", "art", "ab", "a", '"quoted"', "3*4", "发票", "票号码", "zzz", "12345"]:
        expected = sorted(pk for pk, text in records.items() if term.lower() in text.lower())
        assert found(api_client, term) == expected, term


def test_the_index_follows_records_changed_and_deleted(api_client):
    record = make_record(content=list("firstword"))
    OcrRecord.objects.filter(pk=record.pk).update(content_text="secondword")
    gone = make_record(content=list("vanishing"))
    gone.delete()

    assert found(api_client, "firstword") == []
    assert found(api_client, "secondword") == [record.id]
    assert found(api_client, "vanishing") == []


def test_a_hex_term_matches_the_start_of_the_md5_and_a_word_does_not(api_client):
    wanted = make_record(image_md5="cafe0123456789abcdef0123456789ab", content=list("x"))
    make_record(image_md5="0123456789abcdefcafe0123456789ab", content=list("y"))
    beyond = make_record(image_md5="caff0123456789abcdef0123456789ab", content=list("z"))

    assert found(api_client, "CAFE") == [wanted.id]
    assert found(api_client, "caf") == [wanted.id, beyond.id]
    assert found(api_client, "cafeteria") == []


def test_a_search_is_answered_from_the_text_index(api_client):
    make_record(content=list("indexed"))

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a tiny table: show that the index can serve it
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(LIST_URL, {"search": "ndexe"}).json()["count"] == 1
        count = next(query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper())
        cursor.execute(f"EXPLAIN QUERY PLAN {count}" if connection.vendor == "sqlite" else f"EXPLAIN {count}")
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert ("ocr_record_search" if connection.vendor == "sqlite" else "ocr_record_text_trigrams") in plan


def test_several_words_and_a_hex_term_must_all_match(api_client):
    both = make_record(image_md5="beef0123456789abcdef0123456789ab", content=["smart quartz watch"], kind="text")
    make_record(image_md5="0123456789abcdefbeef0123456789ab", content=["smart watch"], kind="text")
    make_record(content=["quartz only"], kind="text")

    assert found(api_client, "quartz watch") == [both.id]
    assert found(api_client, "watch smart QUARTZ") == [both.id]
    assert found(api_client, "watch BEEF") == [both.id]
    assert found(api_client, "quartz nothing") == []
