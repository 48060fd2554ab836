"""GET /api/ocr_record/: filters, search, ordering and pages as in v1.0.0."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocr_record.models import OcrRecord
from tests.helpers import LIST_URL, make_record

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [result["id"] for result in response.json()["results"]]


def test_the_list_and_a_record_read_only_the_columns_they_answer(api_client):
    record = make_record(
        kind="text", content=["a line"], result={"text": "a line", "lines": [{"text": "a line", "words": []}]}
    )

    with CaptureQueriesContext(connection) as queries:
        listed = api_client.get(LIST_URL)
        retrieved = api_client.get(f"{LIST_URL}{record.id}/")

    assert listed.json()["results"][0]["content"] == retrieved.json()["content"] == ["a line"]
    selects = [query["sql"] for query in queries.captured_queries if "ocr_record_ocrrecord" in query["sql"]]
    # A text record's whole reading (lines, words, boxes) is not read to answer the v1.0.0 shape.
    assert selects and not [sql for sql in selects if '"result"' in sql or '"content_text"' in sql]


def test_it_lists_records_newest_id_first_in_the_v1_shape(api_client):
    older = make_record(content=list("old"), image_size=10)
    newer = make_record(content=list("new"), image_size=20)

    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": newer.id,
                "created_at": newer.created_at.isoformat().replace("+00:00", "Z"),
                "image_md5": newer.image_md5,
                "image_size": 20,
                "content": ["n", "e", "w"],
            },
            {
                "id": older.id,
                "created_at": older.created_at.isoformat().replace("+00:00", "Z"),
                "image_md5": older.image_md5,
                "image_size": 10,
                "content": ["o", "l", "d"],
            },
        ],
    }


def test_it_lists_a_page_in_two_queries(api_client, django_assert_num_queries):
    for _ in range(30):
        make_record()

    with django_assert_num_queries(2):  # the count, then the page
        api_client.get(LIST_URL)


def test_it_filters_by_id(api_client):
    make_record()
    wanted = make_record()

    assert ids(api_client.get(LIST_URL, {"id": wanted.id})) == [wanted.id]


def test_it_filters_by_md5(api_client):
    wanted = make_record(image_md5="0123456789abcdef0123456789abcdef")
    make_record()

    assert ids(api_client.get(LIST_URL, {"image_md5": wanted.image_md5})) == [wanted.id]


def test_it_filters_by_size_bounds_inclusive(api_client):
    small = make_record(image_size=100)
    medium = make_record(image_size=200)
    large = make_record(image_size=300)

    assert ids(api_client.get(LIST_URL, {"image_size__gte": 200})) == [large.id, medium.id]
    assert ids(api_client.get(LIST_URL, {"image_size__lte": 200})) == [medium.id, small.id]
    assert ids(api_client.get(LIST_URL, {"image_size__gte": 150, "image_size__lte": 250})) == [medium.id]


def set_created_at(record: OcrRecord, moment: datetime.datetime) -> None:
    OcrRecord.objects.filter(pk=record.pk).update(created_at=moment)


def test_it_filters_by_creation_time_in_iso_8601_with_or_without_a_time_zone(api_client):
    utc = datetime.UTC
    january = make_record()
    set_created_at(january, datetime.datetime(2025, 1, 15, 12, 0, tzinfo=utc))
    june = make_record()
    set_created_at(june, datetime.datetime(2025, 6, 15, 12, 0, tzinfo=utc))

    assert ids(api_client.get(LIST_URL, {"created_at__gte": "2025-03-01T00:00:00Z"})) == [june.id]
    assert ids(api_client.get(LIST_URL, {"created_at__lte": "2025-03-01T00:00:00"})) == [january.id]
    # 13:00 in UTC+02:00 is 11:00 UTC, before june's 12:00 UTC.
    assert ids(api_client.get(LIST_URL, {"created_at__gte": "2025-06-15T13:00:00+02:00"})) == [june.id]
    assert ids(api_client.get(LIST_URL, {"created_at__gte": "2025-06-15T15:00:00+02:00"})) == []
    assert ids(api_client.get(LIST_URL, {"created_at__lte": "2025-06-15"})) == [january.id]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("id", "abc"),
        ("image_size__lte", "big"),
        ("image_size__gte", "NaN"),
        ("image_size__lte", "1e999"),
        ("image_size__gte", "9999999999999999999"),
        ("image_size__lte", "-9999999999999999999"),
        ("id", "99999999999999999999"),
        ("created_at__gte", "yesterday"),
        ("created_at__lte", "2025-13-45T99:00:00"),
    ],
)
def test_it_refuses_an_invalid_filter_value_naming_the_parameter(api_client, parameter, value):
    make_record()

    response = api_client.get(LIST_URL, {parameter: value})

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_it_searches_the_letters_joined_case_insensitively(api_client):
    hello = make_record(content=list("HelloWorld"))
    make_record(content=list("goodbye"))

    assert ids(api_client.get(LIST_URL, {"search": "lowor"})) == [hello.id]
    assert ids(api_client.get(LIST_URL, {"search": "HELLO"})) == [hello.id]


def test_it_requires_every_search_term_to_match(api_client):
    hello_world = make_record(content=list("helloworld"))
    make_record(content=list("hellothere"))

    assert ids(api_client.get(LIST_URL, {"search": "hello world"})) == [hello_world.id]


def test_it_searches_the_start_of_the_md5(api_client):
    wanted = make_record(image_md5="abcdef0123456789abcdef0123456789", content=list("x"))
    make_record(image_md5="0123456789abcdefabcdef0123456789", content=list("y"))

    assert ids(api_client.get(LIST_URL, {"search": "ABCDEF01"})) == [wanted.id]


def test_it_orders_by_each_allowed_field_both_ways(api_client):
    first = make_record(image_size=300)
    second = make_record(image_size=100)
    third = make_record(image_size=200)
    set_created_at(first, timezone.now() - datetime.timedelta(days=1))
    set_created_at(second, timezone.now() - datetime.timedelta(days=3))
    set_created_at(third, timezone.now() - datetime.timedelta(days=2))

    assert ids(api_client.get(LIST_URL, {"ordering": "id"})) == [first.id, second.id, third.id]
    assert ids(api_client.get(LIST_URL, {"ordering": "-id"})) == [third.id, second.id, first.id]
    assert ids(api_client.get(LIST_URL, {"ordering": "image_size"})) == [second.id, third.id, first.id]
    assert ids(api_client.get(LIST_URL, {"ordering": "-image_size"})) == [first.id, third.id, second.id]
    assert ids(api_client.get(LIST_URL, {"ordering": "created_at"})) == [second.id, third.id, first.id]
    assert ids(api_client.get(LIST_URL, {"ordering": "-created_at"})) == [first.id, third.id, second.id]


@pytest.mark.parametrize("ordering", ["content_text", "size", "-id,letters"])
def test_it_refuses_ordering_by_a_field_it_does_not_offer_naming_those_it_does(api_client, ordering):
    make_record()

    response = api_client.get(LIST_URL, {"ordering": ordering})

    assert response.status_code == 400
    assert response.json() == {
        "ordering": [
            f"Cannot order by {ordering.split(',')[-1]!r}: use created_at, id, image_size, each with - before "
            "it for descending."
        ]
    }


def test_an_empty_ordering_is_the_default_order(api_client):
    first, second = make_record(), make_record()

    assert ids(api_client.get(LIST_URL, {"ordering": ""})) == [second.id, first.id]


def test_it_pages_with_page_and_page_size(api_client):
    records = [make_record() for _ in range(5)]

    response = api_client.get(LIST_URL, {"page": 2, "page_size": 2})

    body = response.json()
    assert body["count"] == 5
    assert ids(response) == [records[2].id, records[1].id]
    assert body["next"] == "http://testserver/api/ocr_record/?page=3&page_size=2"
    assert body["previous"] == "http://testserver/api/ocr_record/?page_size=2"


def test_it_pages_twenty_records_by_default(api_client):
    for _ in range(25):
        make_record()

    response = api_client.get(LIST_URL)

    assert len(response.json()["results"]) == 20
    assert response.json()["next"] == "http://testserver/api/ocr_record/?page=2"


def test_it_caps_page_size_at_500(api_client):
    OcrRecord.objects.bulk_create(
        OcrRecord(image_md5=f"{number:032x}", image_size=1, content=["a"], content_text="a") for number in range(501)
    )

    response = api_client.get(LIST_URL, {"page_size": 10_000})

    assert response.json()["count"] == 501
    assert len(response.json()["results"]) == 500


def test_it_uses_the_default_page_size_for_a_page_size_that_is_not_a_positive_number(api_client):
    for _ in range(21):
        make_record()

    assert len(api_client.get(LIST_URL, {"page_size": "lots"}).json()["results"]) == 20
    assert len(api_client.get(LIST_URL, {"page_size": 0}).json()["results"]) == 20


@pytest.mark.parametrize("page", ["3", "0", "last-but-one"])
def test_it_answers_404_json_for_a_page_that_does_not_exist(api_client, page):
    for _ in range(3):
        make_record()

    response = api_client.get(LIST_URL, {"page": page, "page_size": 2})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page.", "code": "not_found"}


def test_it_answers_an_empty_first_page_when_there_are_no_records(api_client):
    response = api_client.get(LIST_URL)

    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_it_answers_the_last_page_with_page_last(api_client):
    records = [make_record() for _ in range(3)]

    assert ids(api_client.get(LIST_URL, {"page": "last", "page_size": 2})) == [records[0].id]


def test_it_filters_by_kind_and_language(api_client):
    letters = make_record()
    english = make_record(kind="text", lang="eng", options="lang=eng", content=["some text"])
    chinese = make_record(kind="text", lang="chi_sim", options="lang=chi_sim", content=["你好"])

    assert ids(api_client.get(LIST_URL, {"kind": "letter"})) == [letters.id]
    assert ids(api_client.get(LIST_URL, {"kind": "text"})) == [chinese.id, english.id]
    assert ids(api_client.get(LIST_URL, {"kind": "text", "lang": "chi_sim"})) == [chinese.id]


def test_it_filters_by_tag_once_per_record(api_client):
    from ocr_record.models import OcrRecordTag

    tagged = make_record(kind="text", options="a", content=["tagged"])
    OcrRecordTag.objects.create(record=tagged, name="invoices")
    OcrRecordTag.objects.create(record=tagged, name="march")
    make_record(kind="text", options="b", content=["other"])

    assert ids(api_client.get(LIST_URL, {"tag": "invoices"})) == [tagged.id]
    assert api_client.get(LIST_URL, {"tag": "nothing"}).json()["count"] == 0


def test_it_refuses_an_unknown_kind_naming_the_kinds(api_client):
    response = api_client.get(LIST_URL, {"kind": "poem"})

    assert response.status_code == 400
    assert response.json() == {"kind": ['"poem" is not one of: letter, text.']}


def test_search_covers_recognized_text(api_client):
    text = make_record(kind="text", content=["Invoice 2024", "Total due"])
    make_record(kind="text", options="x", content=["Receipt"])

    assert ids(api_client.get(LIST_URL, {"search": "total"})) == [text.id]


@pytest.mark.parametrize("moment", ["1762-01-31T15:58:01-18:19", "2025-06-15T12:00:00+23:59"])
def test_it_accepts_any_offset_python_accepts_on_every_database(api_client, moment):
    make_record()

    response = api_client.get(LIST_URL, {"created_at__gte": moment})

    assert response.status_code == 200


def test_it_refuses_a_date_time_outside_the_years_it_can_compare(api_client):
    response = api_client.get(LIST_URL, {"created_at__lte": "0001-01-01T00:00:00+05:00"})

    assert response.status_code == 400
    assert response.json() == {"created_at__lte": ["Enter a date-time within the years 1 to 9999 in UTC."]}
