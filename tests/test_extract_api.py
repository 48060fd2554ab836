"""GET /api/cards/ and POST /api/extract/: a card's fields read out of a document, with the real
engines, on a real receipt (tests/realdata/sroie_fields) and on lines and text brought along."""

import json
from pathlib import Path

import pytest
from PIL import Image

from ocr_extract.models import Card
from ocr_record.models import OcrRecord
from tests.helpers import encode, pdf_of, restore_built_in_cards, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def built_in_cards():
    # Made by a data migration, and gone after any transactional test's flush in this process.
    restore_built_in_cards()


RECEIPTS = Path(__file__).resolve().parent / "realdata" / "sroie_fields"
LINES = json.loads((RECEIPTS / "lines.json").read_text(encoding="utf-8"))
EXTRACT_URL = "/api/extract/"


def fields_of(answer: dict) -> dict[str, dict]:
    return {field["key"]: field for field in answer["fields"]}


def test_the_built_in_receipt_card_is_listed_with_its_fields_and_items(api_client):
    listed = api_client.get("/api/cards/").json()
    receipt = Card.objects.get(slug="receipt")
    one = api_client.get(f"/api/cards/{receipt.pk}/").json()

    assert listed["results"][0] == one
    assert [card["slug"] for card in listed["results"]] == ["receipt", "invoice"]
    assert (one["slug"], one["name"], one["built_in"]) == ("receipt", "Receipt", True)
    assert [(field["key"], field["type"]) for field in one["fields"]] == [
        ("company", "text"),
        ("date", "date"),
        ("address", "address"),
        ("total", "amount"),
    ]
    (items,) = one["groups"]
    assert (items["key"], [field["key"] for field in items["fields"]]) == ("items", ["name", "quantity", "amount"])
    assert all(field["color"].startswith("#") for field in one["fields"])


def test_a_card_that_does_not_exist_is_a_404(api_client):
    response = api_client.get("/api/cards/9999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_photographed_receipt_comes_back_with_its_date_and_total_and_is_read_once(api_client):
    image = (RECEIPTS / "004.jpg").read_bytes()

    first = api_client.post(EXTRACT_URL, {"file": upload(image, "004.jpg"), "card": "receipt"}, format="multipart")
    again = api_client.post(EXTRACT_URL, {"file": upload(image, "004.jpg"), "card": "receipt"}, format="multipart")

    assert first.status_code == 200
    answer = first.json()
    fields = fields_of(answer)
    assert (fields["date"]["value"], fields["date"]["normalized"]) == ("18-11-18", "2018-11-18")
    assert (fields["total"]["normalized"], fields["total"]["page"]) == ("30.90", 1)
    assert "SDN BHD" in fields["company"]["value"]
    total = fields["total"]
    assert answer["text"][total["index"] : total["index"] + len(total["value"])] == total["value"]
    width, height = Image.open(RECEIPTS / "004.jpg").size
    assert all(0 <= x <= width and 0 <= y <= height for x, y in total["location"])
    assert answer["groups"][0]["key"] == "items" and answer["groups"][0]["rows"]
    (record,) = OcrRecord.objects.all()
    assert answer["record_ids"] == [record.pk] and record.kind == "text"
    assert again.json() == answer  # the same file: found, not read again


def test_lines_from_your_own_ocr_are_extracted_where_they_are(api_client):
    lines = [{"text": box["text"], "location": [box["box"][i : i + 2] for i in range(0, 8, 2)]} for box in LINES["008"]]

    response = api_client.post(EXTRACT_URL, {"card": "receipt", "lines": lines}, format="json")

    assert response.status_code == 200
    fields = fields_of(response.json())
    assert (fields["date"]["normalized"], fields["total"]["normalized"]) == ("2018-02-12", "112.45")
    assert fields["company"]["value"] == "PERNIAGAAN ZHENG HUI"  # as labelled in fields.json
    company_line = next(line for line in lines if line["text"].strip() == "PERNIAGAAN ZHENG HUI")
    assert fields["company"]["location"][0] == pytest.approx(company_line["location"][0], abs=1)
    assert not OcrRecord.objects.exists()  # nothing was read
    assert response.json()["record_ids"] == []


def test_plain_text_is_extracted_by_the_card_s_id(api_client):
    card = Card.objects.get(slug="receipt")

    response = api_client.post(
        EXTRACT_URL, {"card": card.pk, "text": "ABC HO TRADING\nDATE: 09/01/2019\nTOTAL 31.00"}, format="json"
    )

    fields = fields_of(response.json())
    assert (fields["company"]["value"], fields["date"]["normalized"], fields["total"]["value"]) == (
        "ABC HO TRADING",
        "2019-01-09",
        "31.00",
    )
    assert (fields["address"]["value"], fields["address"]["confidence"], fields["total"]["location"]) == (None, 0, None)


def test_an_image_without_text_gives_every_field_null(api_client):
    blank = encode(Image.new("RGB", (600, 800), "white"))

    response = api_client.post(EXTRACT_URL, {"file": upload(blank), "card": "receipt"}, format="multipart")

    assert response.status_code == 200
    assert [(field["value"], field["confidence"]) for field in response.json()["fields"]] == [(None, 0.0)] * 4
    assert response.json()["confidence"] == 0


def test_a_pdf_is_read_page_by_page(api_client):
    pdf = pdf_of("SHOP TRADING SDN BHD", "DATE: 25/12/2018 TOTAL 12.50")

    response = api_client.post(EXTRACT_URL, {"file": upload(pdf, "receipt.pdf"), "card": "receipt"}, format="multipart")

    assert response.status_code == 200
    fields = fields_of(response.json())
    assert (fields["date"]["normalized"], fields["date"]["page"]) == ("2018-12-25", 2)
    assert OcrRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "format", "field"),
    [
        ({"card": "passport", "text": "x"}, "json", "card"),
        ({"card": "receipt"}, "json", "file"),
        ({"card": "receipt", "text": "x", "lines": [{"text": "x"}]}, "json", "file"),
        ({"card": "receipt", "lines": [{"text": "x", "location": [[1, 2], [3, 4]]}]}, "json", "lines"),
        ({"card": "receipt", "lines": "not a list"}, "json", "lines"),
        ({"text": "x"}, "json", "card"),
    ],
)
def test_it_refuses_a_request_it_cannot_read_naming_the_field(api_client, data, format, field):
    response = api_client.post(EXTRACT_URL, data, format=format)

    assert response.status_code == 400
    assert field in response.json()
    assert not OcrRecord.objects.exists()


def test_a_file_that_is_no_image_is_a_400_and_nothing_is_stored(api_client):
    response = api_client.post(
        EXTRACT_URL, {"file": upload(b"not an image", "notes.txt"), "card": "receipt"}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_invalid"
    assert not OcrRecord.objects.exists()


def test_with_auth_required_an_anonymous_caller_is_refused(api_client, settings):
    settings.OCR_API_AUTH = "required"

    assert api_client.get("/api/cards/").status_code == 401
    assert api_client.post(EXTRACT_URL, {"card": "receipt", "text": "x"}, format="json").status_code == 401
