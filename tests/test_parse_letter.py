"""POST /api/ocr_record/parse_letter/ with the real Tesseract."""

import hashlib
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from ocr_record.models import OcrRecord
from tests.helpers import LIST_URL, PARSE_LETTER_URL, draw_text, encode, upload

pytestmark = pytest.mark.django_db


def test_it_recognizes_hello_world_and_lists_it_first(api_client, post_image):
    """The original v1.0.0 test."""
    response = post_image(draw_text("hello world"))

    assert response.status_code == 200
    assert response.json()["content"] != []
    listed = api_client.get(LIST_URL).json()
    assert listed["results"][0]["content"] == response.json()["content"]


def test_it_answers_the_letters_in_reading_order_one_per_item(post_image):
    response = post_image(draw_text("hello world"))

    assert response.json() == {"content": list("helloworld")}


def test_it_keeps_only_alphabetic_characters(post_image):
    response = post_image(draw_text("Code 42, OK!"))

    assert response.json() == {"content": list("CodeOK")}


def test_it_stores_the_md5_size_and_letters_of_the_upload(post_image):
    image = draw_text("hello world")

    post_image(image)

    record = OcrRecord.objects.get()
    assert record.image_md5 == hashlib.md5(image).hexdigest()
    assert record.image_size == len(image)
    assert record.content == list("helloworld")
    assert record.content_text == "helloworld"
    assert record.created_at is not None


def test_it_answers_a_known_file_from_its_record_without_running_ocr(post_image, counting_engine):
    image = draw_text("hello world")
    first = post_image(image)

    second = post_image(image, name="another-name.png")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert counting_engine.calls == 1
    assert OcrRecord.objects.count() == 1


def test_a_known_file_is_answered_from_its_digest_without_decoding_the_image(post_image, monkeypatch):
    image = draw_text("hello world")
    first = post_image(image)

    def decoding(*args, **kwargs):
        raise AssertionError("a known file was decoded")

    monkeypatch.setattr("ocr_record.images.decode_image", decoding)
    second = post_image(image)

    assert (second.status_code, second["X-OCR-Cache"]) == (200, "hit")
    assert second.json() == first.json()
    assert OcrRecord.objects.count() == 1


def test_a_new_file_is_looked_up_once_then_read(api_client):
    image = draw_text("looked up once")

    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(PARSE_LETTER_URL, {"image": upload(image)}, format="multipart")

    assert (response.status_code, response["X-OCR-Cache"]) == (200, "miss")
    lookups = [query["sql"] for query in queries.captured_queries if "dedup_rank" in query["sql"]]
    assert len(lookups) == 1, lookups
    assert OcrRecord.objects.get().content == list("lookeduponce")


def test_headers_say_which_record_answered_and_whether_it_was_stored_before(post_image):
    image = draw_text("hello world")

    first, second = post_image(image), post_image(image)

    record = OcrRecord.objects.get()
    assert (first["X-OCR-Record-ID"], first["X-OCR-Cache"]) == (str(record.id), "miss")
    assert (second["X-OCR-Record-ID"], second["X-OCR-Cache"]) == (str(record.id), "hit")
    assert first.json() == {"content": list("helloworld")}  # the v1.0.0 body, unchanged


def test_it_returns_the_stored_content_of_a_known_file(post_image):
    image = draw_text("hello world")
    post_image(image)
    OcrRecord.objects.update(content=list("stored"))

    response = post_image(image)

    assert response.json() == {"content": list("stored")}


def test_it_recognizes_a_different_file_with_the_same_picture_again(post_image, counting_engine):
    post_image(draw_text("hello world", image_format="PNG"))

    response = post_image(draw_text("hello world", image_format="BMP"), name="image.bmp")

    assert response.json() == {"content": list("helloworld")}
    assert counting_engine.calls == 2
    assert OcrRecord.objects.count() == 2


@pytest.mark.parametrize("image_format", ["JPEG", "GIF", "TIFF", "WEBP", "BMP"])
def test_it_reads_the_common_image_formats(post_image, image_format):
    response = post_image(draw_text("hello", image_format=image_format), name=f"image.{image_format.lower()}")

    assert response.status_code == 200
    assert response.json() == {"content": list("hello")}


def test_it_reads_dark_text_on_a_transparent_background(post_image):
    transparent = draw_text("hello", mode="RGBA", background=(0, 0, 0, 0))

    response = post_image(transparent)

    assert response.json() == {"content": list("hello")}


def test_it_answers_an_empty_list_for_an_image_without_text(post_image):
    response = post_image(encode(Image.new("RGB", (200, 100), "white")))

    assert response.status_code == 200
    assert response.json() == {"content": []}
    assert OcrRecord.objects.get().content == []


def test_a_chinese_photo_s_letters_are_its_characters_though_parse_letter_has_no_language(post_image):
    photo = (Path(__file__).resolve().parent / "realdata" / "chinese" / "paddleocr_word_2.jpg").read_bytes()

    response = post_image(photo, "sign.jpg")

    # Printed "汉阳鹦鹉家居建材市场E区25-26号": its digits and dash are no letters.
    assert response.status_code == 200
    assert "".join(response.json()["content"]) == "汉阳鹦鹉家居建材市场E区号"
    assert OcrRecord.objects.get().content == response.json()["content"]


def test_it_keeps_which_engine_and_pipeline_read_the_record(post_image):
    post_image(draw_text("hello world"))

    record = OcrRecord.objects.get()
    assert record.engine.startswith("auto: tesserocr 2.13.0, tesseract 5.")
    assert "rapidocr 3.10.0 (PP-OCRv6 small)" in record.engine
    # A clean image Tesseract is sure of costs Tesseract alone.
    assert record.pipeline == "letters-v1: tesserocr, raw"


def test_it_keeps_the_preprocessing_steps_of_a_doubtful_image(post_image, settings):
    settings.OCR_ENGINE = "tesserocr"
    post_image(draw_text("quizzical", font_size=10))

    record = OcrRecord.objects.get()
    assert record.content == list("quizzical")
    assert record.pipeline.startswith("letters-v1: grayscale, upscale x")


def test_the_original_engine_reads_the_same_letters(post_image, settings):
    settings.OCR_ENGINE = "pytesseract"

    response = post_image(draw_text("hello world"))

    assert response.json() == {"content": list("helloworld")}
    assert OcrRecord.objects.get().engine.startswith("pytesseract 0.3.13, tesseract 5.")


def test_a_file_with_the_same_md5_and_size_but_other_bytes_never_gets_its_record(post_image, counting_engine):
    """md5 collisions are cheap to craft: an attacker's file must not poison the answer for another."""
    image = draw_text("hello world")
    OcrRecord.objects.create(
        image_md5=hashlib.md5(image).hexdigest(),
        image_size=len(image),
        image_sha256="f" * 64,  # the colliding file: same md5 and size, other bytes
        content=list("poisoned"),
        content_text="poisoned",
    )

    response = post_image(image)

    assert response.json() == {"content": list("helloworld")}
    assert counting_engine.calls == 1
    assert OcrRecord.objects.filter(image_md5=hashlib.md5(image).hexdigest()).count() == 2


def test_a_record_kept_before_sha256_is_still_found_by_md5_and_size(post_image, counting_engine):
    image = draw_text("hello world")
    OcrRecord.objects.create(
        image_md5=hashlib.md5(image).hexdigest(), image_size=len(image), content=list("legacy"), content_text="legacy"
    )

    response = post_image(image)

    assert response.json() == {"content": list("legacy")}
    assert counting_engine.calls == 0


def test_it_keeps_the_sha256_of_the_upload(post_image):
    image = draw_text("hello world")

    post_image(image)

    assert OcrRecord.objects.get().image_sha256 == hashlib.sha256(image).hexdigest()


#: The indexes a dedup lookup may go through: the partial unique ones (by SHA-256, shared or owned)
#: and md5 with size (records kept before SHA-256 was).
DEDUP_INDEXES = ("ocr_record_unique_reading_sha256", "ocr_record_unique_owned_reading", "ocr_record_md5_size")


def lookup_plans(queries) -> list[str]:
    """SQLite's plan of each table access of the SELECTs among `queries`."""
    lookups = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    plans = []
    with connection.cursor() as cursor:
        for sql in lookups:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plans += [row[3] for row in cursor.fetchall() if "ocr_record_ocrrecord" in row[3]]
    return plans


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans; PostgreSQL reads a tiny table whole")
@pytest.mark.parametrize("owned", [False, True], ids=["shared records", "owned records"])
def test_each_dedup_lookup_goes_through_its_own_index_not_through_every_record_of_its_kind(
    api_client, settings, django_user_model, owned
):
    if owned:
        settings.OCR_API_AUTH = "required"
        api_client.force_authenticate(django_user_model.objects.create_user("alice", password="a long secret"))
    image = draw_text("indexed")

    with CaptureQueriesContext(connection) as miss:
        assert api_client.post(PARSE_LETTER_URL, {"image": upload(image)}, format="multipart")["X-OCR-Cache"] == "miss"
    with CaptureQueriesContext(connection) as hit:
        assert api_client.post(PARSE_LETTER_URL, {"image": upload(image)}, format="multipart")["X-OCR-Cache"] == "hit"

    plans = lookup_plans(miss) + lookup_plans(hit)
    assert plans and all(plan.startswith("SEARCH") for plan in plans), plans
    # Not the kind index: an index SQLite can use only when the query spells out the partial
    # index's own condition, or it reads every letter record (a whole table at a million).
    assert all(any(f"USING INDEX {index} " in plan for index in DEDUP_INDEXES) for plan in plans), plans
