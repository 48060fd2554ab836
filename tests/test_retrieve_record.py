"""GET /api/ocr_record/{id}/."""

import pytest

from ocr_record.models import OcrRecord
from tests.helpers import make_record

pytestmark = pytest.mark.django_db


def test_it_answers_one_record_in_the_v1_shape(api_client):
    record = make_record(content=list("hello"), image_size=1234)

    response = api_client.get(f"/api/ocr_record/{record.id}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": record.id,
        "created_at": record.created_at.isoformat().replace("+00:00", "Z"),
        "image_md5": record.image_md5,
        "image_size": 1234,
        "content": ["h", "e", "l", "l", "o"],
    }


@pytest.mark.parametrize("record_id", ["999999", "abc", "-1", "1.5", "99999999999999999999999"])
def test_it_answers_404_json_for_an_unknown_or_malformed_id(api_client, record_id):
    make_record()

    response = api_client.get(f"/api/ocr_record/{record_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_404_json_for_an_unknown_api_path(api_client):
    response = api_client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_points_to_the_trailing_slash_when_it_is_missing(api_client):
    response = api_client.post("/api/ocr_record/parse_letter")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "Not found. API paths end with a slash: /api/ocr_record/parse_letter/",
        "code": "not_found",
    }


def test_it_refuses_to_write_records_through_the_record_urls(api_client):
    record = make_record()

    answers = [
        api_client.post("/api/ocr_record/", {}),
        api_client.delete(f"/api/ocr_record/{record.id}/"),
        api_client.put(f"/api/ocr_record/{record.id}/", {}),
    ]

    assert [(answer.status_code, answer.json()["code"]) for answer in answers] == [(405, "method_not_allowed")] * 3
    assert list(OcrRecord.objects.values_list("id", "content")) == [(record.id, record.content)]


def test_the_whole_record_has_what_read_it_its_tags_and_its_lines(api_client):
    from ocr_record.models import OcrRecordTag

    result = {
        "width": 10,
        "height": 20,
        "direction": 0,
        "angle": 0.0,
        "text": "hi",
        "confidence": 0.9,
        "lines": [{"text": "hi", "confidence": 0.9, "location": [[0, 0], [5, 0], [5, 5], [0, 5]], "words": []}],
    }
    record = make_record(
        kind="text",
        lang="eng",
        options="lang=eng",
        content=["hi"],
        result=result,
        engine="tesserocr 2.13.0, tesseract 5.3.0",
        pipeline="text-v1",
    )
    OcrRecordTag.objects.create(record=record, name="greeting")

    response = api_client.get(f"/api/ocr_record/{record.id}/result/")

    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "text"
    assert body["tags"] == ["greeting"]
    assert body["result"] == result
    assert (body["engine"], body["pipeline"], body["options"]) == (record.engine, "text-v1", "lang=eng")


def test_the_v1_detail_of_a_text_record_keeps_the_v1_shape(api_client):
    record = make_record(kind="text", content=["a line"], result={"lines": []})

    assert set(api_client.get(f"/api/ocr_record/{record.id}/").json()) == {
        "id",
        "created_at",
        "image_md5",
        "image_size",
        "content",
    }


def test_the_whole_record_of_an_unknown_id_is_a_json_404(api_client):
    response = api_client.get("/api/ocr_record/424242/result/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
