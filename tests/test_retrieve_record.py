"""GET /api/ocr_record/{id}/."""

import pytest

from tests.conftest import make_record

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

    assert api_client.post("/api/ocr_record/", {}).status_code == 405
    assert api_client.delete(f"/api/ocr_record/{record.id}/").status_code == 405
    assert api_client.put(f"/api/ocr_record/{record.id}/", {}).status_code == 405
