"""A list filtered by size alone counts its records from per-KiB counts kept by database triggers
(OcrRecordSizeCount, migration 0009): the same counts as counting the rows, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocr_record.models import OcrRecord, OcrRecordSizeCount
from ocr_record.selectors import ocr_record_count_sized
from tests.helpers import LIST_URL, make_record

pytestmark = pytest.mark.django_db

SIZES = [1, 2, 1023, 1024, 1025, 2047, 2048, 5000, 20_000, 20_479, 20_480, 59_999, 60_000, 60_001, 99_999]
RANGES = [
    (None, None),
    (20_000, 60_000),
    (1024, 2047),
    (1023, 1024),
    (1025, 1025),
    (0, 1),
    (2048, None),
    (None, 20_480),
    (60_001, 20_000),
    (1024, 4095),
    (0, 2047),
    (5000, 5000),
    (100_000, None),
]


def counted(smallest, largest) -> int:
    records = OcrRecord.objects.all()
    if smallest is not None:
        records = records.filter(image_size__gte=smallest)
    if largest is not None:
        records = records.filter(image_size__lte=largest)
    return records.count()


def test_the_counts_follow_records_added_resized_and_deleted():
    records = [make_record(image_size=size) for size in SIZES]
    OcrRecord.objects.filter(pk=records[0].pk).update(image_size=30_000)
    records[1].delete()
    OcrRecord.objects.filter(image_size=5000).delete()

    for smallest, largest in RANGES:
        assert ocr_record_count_sized(smallest, largest) == counted(smallest, largest), (smallest, largest)
    assert sum(OcrRecordSizeCount.objects.values_list("records", flat=True)) == OcrRecord.objects.count()


def test_the_list_filtered_by_size_answers_the_true_count_and_page(api_client):
    for size in SIZES:
        make_record(image_size=size)

    response = api_client.get(LIST_URL, {"image_size__gte": 1024, "image_size__lte": 60_000, "page_size": 3})
    other = api_client.get(LIST_URL, {"image_size__gte": 1024, "image_size__lte": 60_000, "search": "hello"})

    answer = response.json()
    assert answer["count"] == counted(1024, 60_000) == 10
    assert [record["image_size"] for record in answer["results"]] == [60_000, 59_999, 20_480]
    assert other.json()["count"] == 10  # with another filter, counted the ordinary way


def test_a_client_that_sees_only_its_own_records_gets_its_own_count(api_client, settings, django_user_model):
    settings.OCR_API_AUTH = "required"
    user = django_user_model.objects.create_user("reader", password="a long enough password")
    for size in SIZES:
        make_record(image_size=size)  # nobody's: not visible to the reader
    api_client.force_authenticate(user)

    assert api_client.get(LIST_URL, {"image_size__gte": 0}).json()["count"] == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL's knows the distribution")
def test_on_sqlite_a_wide_size_range_walks_the_lists_order_instead_of_sorting_the_range(api_client):
    for size in SIZES:
        make_record(image_size=size)

    with CaptureQueriesContext(connection) as queries:
        api_client.get(LIST_URL, {"image_size__gte": 1024, "image_size__lte": 60_000, "ordering": "-created_at"})

    page = next(query["sql"] for query in queries.captured_queries if "LIMIT" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {page}")
        plan = " ".join(row[3] for row in cursor.fetchall())
    assert "TEMP B-TREE" not in plan and "ocr_record_size_created" not in plan
