"""The Django admin: staff inspect and delete records (only the engine writes them), and see the cards."""

import re

import pytest

from ocr_extract.models import Card
from ocr_record.models import OcrRecord
from tests.helpers import make_record, restore_built_in_cards

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/ocr_record/ocrrecord/"


def test_it_lists_records_with_id_time_md5_size_and_letters(admin_client):
    record = make_record(content=list("hello"), image_size=4321)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert record.image_md5 in page
    assert "4321" in page
    assert "hello" in page
    for column in ("column-id", "column-created_at", "column-image_md5", "column-image_size", "column-letters"):
        assert column in page


def test_it_searches_records_by_md5(admin_client):
    wanted = make_record(image_md5="feedface" + "0" * 24)
    other = make_record(image_md5="deadbeef" + "0" * 24)

    page = admin_client.get(CHANGELIST, {"q": "feedface"}).content.decode()

    assert wanted.image_md5 in page
    assert other.image_md5 not in page


def test_it_filters_records_by_date(admin_client):
    record = make_record()
    OcrRecord.objects.filter(pk=record.pk).update(created_at=record.created_at.replace(year=2020))
    recent = make_record()

    response = admin_client.get(CHANGELIST, {"created_at__year": 2020})

    assert "By created at" in admin_client.get(CHANGELIST).content.decode()
    assert response.status_code == 200
    assert record.image_md5 in response.content.decode()
    assert recent.image_md5 not in response.content.decode()


def test_it_offers_no_way_to_add_a_record(admin_client):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert f'href="{CHANGELIST}add/"' not in admin_client.get(CHANGELIST).content.decode()


def test_it_shows_a_record_read_only(admin_client):
    record = make_record(content=list("hello"))

    response = admin_client.post(f"{CHANGELIST}{record.pk}/change/", {"image_size": 1})

    assert response.status_code == 403
    assert OcrRecord.objects.get().image_size == record.image_size
    assert admin_client.get(f"{CHANGELIST}{record.pk}/change/").status_code == 200


def test_staff_can_delete_a_record(admin_client):
    record = make_record()

    response = admin_client.post(f"{CHANGELIST}{record.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not OcrRecord.objects.exists()


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_shows_a_text_records_lines_words_and_tags(admin_client):
    from ocr_record.models import OcrRecordTag

    result = {
        "width": 300,
        "height": 80,
        "direction": 90,
        "angle": 0.0,
        "text": "hello world",
        "confidence": 0.95,
        "lines": [
            {
                "text": "hello world",
                "confidence": 0.95,
                "location": [[1, 2], [3, 2], [3, 4], [1, 4]],
                "words": [
                    {"text": "hello", "confidence": 0.96, "location": [[1, 2], [2, 2], [2, 4], [1, 4]]},
                    {"text": "world", "confidence": 0.94, "location": [[2, 2], [3, 2], [3, 4], [2, 4]]},
                ],
            }
        ],
    }
    record = make_record(kind="text", content=["hello world"], result=result)
    OcrRecordTag.objects.create(record=record, name="desk")

    page = admin_client.get(f"{CHANGELIST}{record.pk}/change/").content.decode()

    assert "300×80 px, turned 90°" in page
    assert "<th>hello world</th><td>0.95</td>" in page
    assert "padding-left:2em'>world</td><td>0.94</td>" in page
    assert "desk" in page


def test_it_lists_the_cards_with_how_each_reads_and_whose_it_is(admin_client, django_user_model):
    restore_built_in_cards()
    owner = django_user_model.objects.create_user("alice", password="pw-long-enough")
    Card.objects.create(
        slug="mine",
        name="Mine",
        fields=[{"key": "x", "name": "X", "type": "text", "color": "#000000"}],
        created_by=owner,
    )

    listed = admin_client.get("/admin/ocr_extract/card/")
    shown = admin_client.get(f"/admin/ocr_extract/card/{Card.objects.get(slug='invoice').pk}/change/")

    assert listed.status_code == 200 and shown.status_code == 200
    page = listed.content.decode()
    assert "receipt" in page and "invoice" in page and "alice" in page


def test_the_admin_is_in_english_and_lists_api_keys_once(admin_client):
    record = make_record(content=["h", "i"])

    index = admin_client.get("/admin/").content.decode()
    page = admin_client.get(f"/admin/ocr_record/ocrrecord/{record.pk}/change/").content.decode()
    listing = admin_client.get("/admin/ocr_record/ocrrecord/").content.decode()

    assert index.count(">API keys<") == 1
    for shown in (page, listing):
        assert not re.search(r"[\u4e00-\u9fff]", shown), "a Chinese label on the operators' pages"
    assert "Image md5" in page and "Image size" in page
