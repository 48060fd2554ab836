"""POST /api/ocr_record/parse_text/: all the text, with where it is, with the real Tesseract."""

import base64
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bench.metrics import overlap
from ocr_engine.geometry import Turns, bounds
from ocr_record.models import OcrRecord, OcrRecordTag
from ocr_record.services import TextOptions, ocr_record_parse_text
from tests.engines import ShortOfMemoryPpocrEngine
from tests.helpers import CJK_FONT_PATH, LIST_URL, draw_text, encode, page_with, pdf_of, upload

pytestmark = pytest.mark.django_db

PARSE_TEXT_URL = "/api/ocr_record/parse_text/"


def words_of(result: dict) -> dict[str, list[list[int]]]:
    return {word["text"]: word["location"] for line in result["lines"] for word in line["words"]}


def post_files(api_client, *contents: bytes, **options):
    files = [upload(content, f"image{number}.png") for number, content in enumerate(contents)]
    return api_client.post(PARSE_TEXT_URL, {"image": files, **options}, format="multipart")


def test_it_finds_each_word_where_it_was_drawn(api_client):
    page, drawn = page_with({"Lantern": (60, 50), "meadow": (520, 70), "harbour": (300, 260)})

    response = post_files(api_client, encode(page))

    assert response.status_code == 200
    result = response.json()["results"][0]
    found = words_of(result)
    assert set(found) == set(drawn)
    for word, box in drawn.items():
        assert overlap(bounds(found[word]), box) >= 0.5, word
    assert (result["width"], result["height"], result["direction"], result["angle"]) == (900, 400, 0, 0.0)


@pytest.mark.parametrize("file_name, word", [("abinet_CANDY.png", "CANDY"), ("mmocr_1240078.jpg", "ATTACK")])
def test_a_word_cropped_close_from_a_photo_is_read_whole(api_client, file_name, word):
    crop = (Path(__file__).resolve().parent / "realdata" / "scene_words" / file_name).read_bytes()

    response = post_files(api_client, crop)

    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["text"].strip().upper() == word
    assert [[w["text"].upper() for w in line["words"]] for line in result["lines"]] == [[word]]
    assert OcrRecord.objects.get().result["text"].strip().upper() == word


def test_it_answers_lines_with_confidences_and_the_text_in_reading_order(api_client):
    response = post_files(api_client, draw_text("first line here\nsecond line there\nthird and last"))

    result = response.json()["results"][0]
    assert result["text"] == "first line here\nsecond line there\nthird and last"
    assert [line["text"] for line in result["lines"]] == result["text"].split("\n")
    for line in result["lines"]:
        assert 0.5 < line["confidence"] <= 1
        assert len(line["location"]) == 4
        assert " ".join(word["text"] for word in line["words"]) == line["text"]


def test_it_reads_a_column_before_the_next(api_client):
    left = [
        "the apple trees grow",
        "in long rows along",
        "the river every",
        "summer and they",
        "give fruit to all",
        "who walk by them",
    ]
    right = [
        "walnuts fall in the",
        "autumn when the",
        "winds blow from the",
        "north and the birds",
        "come to gather",
        "them before winter",
    ]
    lines = {line: (40, 40 + 40 * number) for number, line in enumerate(left)}
    lines |= {line: (520, 40 + 40 * number) for number, line in enumerate(right)}
    page, _ = page_with(lines, size=(920, 340), font_size=26)

    text = post_files(api_client, encode(page)).json()["results"][0]["text"]

    assert text.split("\n") == left + right


@pytest.mark.parametrize("turned_clockwise", [90, 180, 270])
def test_it_reads_a_turned_page_upright_with_locations_on_the_upload(api_client, turned_clockwise):
    words = {
        "Sunrise": (40, 40),
        "over": (260, 40),
        "the": (400, 40),
        "harbour": (500, 40),
        "brings": (40, 120),
        "quiet": (240, 120),
        "boats": (420, 120),
        "home": (600, 120),
    }
    page, drawn = page_with(words, size=(800, 200))
    turned = page.rotate(-turned_clockwise, expand=True)
    # Where each drawn box went when the page was turned (a box's corners turn with it).
    to_turned = Turns()
    to_turned.add(turned_clockwise, turned.size, page.size)  # maps upright points onto the turned page

    response = post_files(api_client, encode(turned), detect_direction="true")

    result = response.json()["results"][0]
    assert result["direction"] == turned_clockwise
    assert result["text"].split() == list(words)
    found = words_of(result)
    for word, box in drawn.items():
        expected = bounds(to_turned.quad(box, turned.size))
        assert overlap(bounds(found[word]), expected) >= 0.5, word


def test_it_straightens_a_tilted_page_and_tilts_the_locations_with_it(api_client):
    page, _ = page_with({"tilted words here": (60, 80)}, size=(560, 200))

    result = post_files(api_client, encode(page.rotate(7, expand=True, fillcolor="white"))).json()["results"][0]

    assert result["text"] == "tilted words here"
    assert result["angle"] == pytest.approx(7, abs=1)
    first, _, _, last = result["lines"][0]["location"]
    assert last[1] > first[1]  # the bottom-left corner is below the top-left one
    top_left, top_right = result["lines"][0]["location"][:2]
    assert top_right[1] < top_left[1]  # the line rises to the right, as drawn


def test_it_reads_chinese_with_chi_sim(api_client):
    page, _ = page_with({"你好世界": (40, 40)}, size=(400, 140), font_size=48, font_path=CJK_FONT_PATH)

    response = post_files(api_client, encode(page), lang="chi_sim")

    assert response.json()["results"][0]["text"].replace(" ", "") == "你好世界"
    assert OcrRecord.objects.get().lang == "chi_sim"


def test_it_reads_one_line_in_quick_mode(api_client):
    result = post_files(api_client, draw_text("quick single line"), quick_mode="true").json()["results"][0]

    assert result["text"] == "quick single line"
    assert OcrRecord.objects.get().options == "lang=eng;detect_direction=0;quick_mode=1"


def test_it_takes_one_image_as_base64_json(api_client):
    image = draw_text("from base64")

    response = api_client.post(PARSE_TEXT_URL, {"image": base64.b64encode(image).decode()}, format="json")

    result = response.json()["results"][0]
    assert (result["name"], result["text"]) == ("0", "from base64")
    assert result["image_md5"] == hashlib.md5(image).hexdigest()
    assert result["image_size"] == len(image)


def test_it_takes_several_base64_images_and_data_urls_answering_in_order(api_client):
    first, second = draw_text("first image"), draw_text("second image")
    images = [base64.b64encode(first).decode(), "data:image/png;base64," + base64.b64encode(second).decode()]

    results = api_client.post(PARSE_TEXT_URL, {"images": images}, format="json").json()["results"]

    assert [(result["name"], result["text"]) for result in results] == [("0", "first image"), ("1", "second image")]


def test_it_takes_several_files_answering_in_order(api_client):
    results = post_files(api_client, draw_text("one"), draw_text("two"), draw_text("three")).json()["results"]

    assert [result["text"] for result in results] == ["one", "two", "three"]
    assert [result["name"] for result in results] == ["image0.png", "image1.png", "image2.png"]


def test_an_image_that_fails_fails_alone(api_client):
    response = post_files(api_client, draw_text("fine"), b"not an image at all", b"")

    assert response.status_code == 200
    good, not_image, empty = response.json()["results"]
    assert good["text"] == "fine"
    assert not_image == {
        "name": "image1.png",
        "error": {
            "code": "image_invalid",
            "detail": ("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
        },
    }
    assert empty["error"]["code"] == "image_invalid"
    assert OcrRecord.objects.count() == 1


def test_a_pdf_fails_saying_where_pdfs_are_read(api_client):
    response = post_files(api_client, pdf_of("a report"))

    assert response.status_code == 400
    error = response.json()["results"][0]["error"]
    assert error["code"] == "image_invalid"
    assert error["detail"].endswith("It is a PDF: POST it to /api/ocr_task/, which reads each of its pages.")
    assert not OcrRecord.objects.exists()


def test_it_answers_400_when_no_image_can_be_read(api_client):
    response = api_client.post(PARSE_TEXT_URL, {"images": ["%%%"]}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "image_invalid"
    assert response.json()["results"][0]["error"]["detail"] == "The image is not valid base64."
    assert not OcrRecord.objects.exists()


def test_it_refuses_an_image_over_the_size_limit_with_its_code(api_client, settings):
    small = draw_text("small")
    large = draw_text("larger image " * 3)
    settings.OCR_MAX_UPLOAD_BYTES = len(small) + 10

    results = post_files(api_client, small, large).json()["results"]
    base64_results = api_client.post(
        PARSE_TEXT_URL, {"images": [base64.b64encode(large).decode()]}, format="json"
    ).json()["results"]

    assert results[0]["text"] == "small"
    assert results[1] == {
        "name": "image1.png",
        "error": {
            "code": "image_size_invalid",
            "detail": f"The image is larger than the limit of {len(small) + 10} bytes.",
        },
    }
    assert base64_results[0]["error"]["code"] == "image_size_invalid"
    assert OcrRecord.objects.count() == 1


@pytest.mark.parametrize("size", [(14, 200), (200, 10)])
def test_it_refuses_an_image_with_a_side_under_15_px(api_client, size):
    response = post_files(api_client, encode(Image.new("L", size, 255)))

    assert response.status_code == 400
    error = response.json()["results"][0]["error"]
    assert error["code"] == "image_dimensions_invalid"
    assert "at least 15 px" in error["detail"]


def test_it_refuses_an_image_with_a_side_over_the_maximum(api_client, settings):
    settings.OCR_MAX_IMAGE_SIDE_PX = 300

    error = post_files(api_client, encode(Image.new("L", (301, 50), 255))).json()["results"][0]["error"]

    assert error == {
        "code": "image_dimensions_invalid",
        "detail": (
            "The image is 301×50 pixels: its shorter side must be at least 15 px and its longer side at most 300 px."
        ),
    }


def test_it_refuses_more_images_than_allowed(api_client, settings):
    settings.OCR_MAX_IMAGES_PER_REQUEST = 2

    response = post_files(api_client, draw_text("a"), draw_text("b"), draw_text("c"))

    assert response.status_code == 400
    assert response.json() == {"image": ["At most 2 images are accepted per request."]}
    assert not OcrRecord.objects.exists()


def test_it_refuses_an_image_sent_as_a_text_field_rather_than_a_file(api_client):
    response = api_client.post(PARSE_TEXT_URL, {"image": "hello.png"}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"image": ["Send each image as a file, not as a text field."]}
    assert not OcrRecord.objects.exists()


@pytest.mark.parametrize("engine", ["ppocr", "tesserocr", "auto"])
@pytest.mark.parametrize("size", [(8000, 300), (8000, 24)], ids=["blank strip", "blank thin line"])
def test_a_blank_image_reads_as_empty_on_every_engine(api_client, engine, size):
    response = post_files(api_client, encode(Image.new("L", size, 255)), engine=engine)

    assert response.status_code == 200
    result = response.json()["results"][0]
    assert (result["text"], result["lines"], result["width"], result["height"]) == ("", [], *size)
    assert OcrRecord.objects.get().result["lines"] == []


def test_words_on_a_large_empty_page_are_read_where_they_are_on_the_page(api_client):
    # 25 megapixels, nearly all white: read in the part that holds the words, placed back.
    page, drawn = page_with({"Lantern": (3900, 4200), "meadow": (4300, 4420)}, size=(5000, 5000))

    response = post_files(api_client, encode(page), engine="ppocr")

    result = response.json()["results"][0]
    found = words_of(result)
    assert set(found) == set(drawn)
    for word, box in drawn.items():
        assert overlap(bounds(found[word]), box) >= 0.5, word
    assert (result["width"], result["height"]) == (5000, 5000)


def test_an_engine_out_of_memory_is_a_503_to_try_again_and_nothing_is_stored(api_client, settings, monkeypatch):
    settings.OCR_ENGINE = "tests.engines.ShortOfMemoryPpocrEngine"
    monkeypatch.setattr(ShortOfMemoryPpocrEngine, "failures", 1)

    response = post_files(api_client, draw_text("short of memory"))

    assert response.status_code == 503
    assert response.json() == {
        "detail": "识别失败: PP-OCR ran out of the memory it may use on this image; try again later.",
        "code": "ocr_out_of_memory",
    }
    assert not OcrRecord.objects.exists()


@pytest.mark.parametrize(
    ("data", "format", "field"),
    [
        ({}, "multipart", "image"),
        ({}, "json", "image"),
        ({"images": "not a list"}, "json", "images"),
        ({"image": "x", "lang": "klingon"}, "json", "lang"),
        ({"image": "x", "detect_direction": "perhaps"}, "json", "detect_direction"),
    ],
)
def test_it_refuses_bad_requests_naming_the_field(api_client, data, format, field):
    response = api_client.post(PARSE_TEXT_URL, data, format=format)

    assert response.status_code == 400
    assert field in response.json()


def test_it_reads_the_same_image_with_the_same_options_once(api_client, counting_engine):
    image = draw_text("only once")

    first = post_files(api_client, image).json()["results"][0]
    second = post_files(api_client, image).json()["results"][0]
    quick = post_files(api_client, image, quick_mode="true").json()["results"][0]

    assert second == {**first, "cached": True}
    assert (first["cached"], quick["cached"]) == (False, False)
    assert quick["record_id"] != first["record_id"]
    assert counting_engine.calls == 2
    assert OcrRecord.objects.filter(kind="text").count() == 2


def test_a_text_record_and_a_letter_record_of_one_file_are_kept_apart(api_client, post_image):
    image = draw_text("both ways")

    post_image(image)
    post_files(api_client, image)

    assert sorted(OcrRecord.objects.values_list("kind", flat=True)) == ["letter", "text"]
    letter = OcrRecord.objects.get(kind="letter")
    assert letter.content == list("bothways")


def test_it_stores_lines_as_content_and_the_whole_result(api_client):
    result = post_files(api_client, draw_text("stored line one\nstored line two")).json()["results"][0]

    record = OcrRecord.objects.get()
    assert record.content == ["stored line one", "stored line two"]
    assert record.result["lines"] == result["lines"]
    assert record.pipeline == "text-v1"
    listed = api_client.get(LIST_URL).json()["results"][0]
    assert listed == {
        "id": record.id,
        "created_at": listed["created_at"],
        "image_md5": record.image_md5,
        "image_size": record.image_size,
        "content": ["stored line one", "stored line two"],
    }


def test_it_stores_one_tag_for_all_images_or_one_per_image(api_client):
    post_files(api_client, draw_text("alpha"), draw_text("beta"), tag="shared")
    post_files(api_client, draw_text("gamma"), draw_text("delta"), tag=["first", "second"])

    tags = dict(OcrRecordTag.objects.values_list("record__content_text", "name"))
    assert tags == {"alpha": "shared", "beta": "shared", "gamma": "first", "delta": "second"}


def test_a_known_image_gains_a_new_tag(api_client):
    image = draw_text("tagged twice")
    post_files(api_client, image, tag="monday")

    post_files(api_client, image, tag="tuesday")

    assert sorted(OcrRecord.objects.get().tags.values_list("name", flat=True)) == ["monday", "tuesday"]


def test_it_refuses_a_number_of_tags_that_matches_neither_rule(api_client):
    response = post_files(api_client, draw_text("a"), draw_text("b"), draw_text("c"), tag=["x", "y"])

    assert response.status_code == 400
    assert response.json() == {"tag": ["Send one tag for all images, or one per image."]}


def test_it_refuses_a_json_body_larger_than_one_image_in_base64(api_client, settings):
    # DATA_UPLOAD_MAX_MEMORY_SIZE is one image of OCR_MAX_UPLOAD_BYTES in base64, and a margin.
    response = api_client.post(
        PARSE_TEXT_URL, {"image": "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}, format="json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than the server accepts.",
        "code": "upload_too_large",
    }
    assert not OcrRecord.objects.exists()


def test_it_answers_503_for_a_language_whose_data_is_not_installed(api_client, settings):
    settings.OCR_TEXT_LANGUAGES = ["eng", "deu"]

    response = post_files(api_client, draw_text("hallo"), lang="deu")

    assert response.status_code == 503
    assert response.json()["code"] == "ocr_engine_unavailable"
    assert "tesseract-ocr-deu" in response.json()["detail"]


# Bodies that cost without bound, and the order of the answers ---------------------------------


def test_a_json_body_nested_without_end_gets_a_400(api_client):
    body = '{"image": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = api_client.post(PARSE_TEXT_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "JSON parse error - the document is nested too deeply."
    assert not OcrRecord.objects.exists()


def test_a_json_image_of_nearly_10_mib_is_read(api_client):
    # A PNG padded to 9.5 MiB: its base64 (12.7 MiB) is over Django's default 2.5 MB body.
    image = draw_text("large file")
    padded = image + b"\x00" * (9_500_000 - len(image))  # bytes after IEND are ignored by decoders

    response = api_client.post(PARSE_TEXT_URL, {"image": base64.b64encode(padded).decode()}, format="json")

    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "large file"


def test_a_list_of_200000_images_is_refused_by_its_count_before_any_is_decoded(api_client, settings):
    response = api_client.post(PARSE_TEXT_URL, {"images": ["x"] * 200_000}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "image": [f"At most {settings.OCR_MAX_IMAGES_PER_REQUEST} images are accepted per request."]
    }


def test_an_oversized_file_is_answered_in_its_place_among_the_others(api_client, settings):
    small = draw_text("first")
    large = small + b"\x00" * 30_000  # bytes after the PNG's end are ignored by decoders
    settings.OCR_MAX_UPLOAD_BYTES = 20_000

    response = api_client.post(
        PARSE_TEXT_URL,
        {"image": [upload(small, "1.png"), upload(large, "2.png"), upload(draw_text("last"), "3.png")]},
        format="multipart",
    )

    results = response.json()["results"]
    assert [result["name"] for result in results] == ["1.png", "2.png", "3.png"]
    assert results[1]["error"]["code"] == "image_size_invalid"
    assert [results[0]["text"], results[2]["text"]] == ["first", "last"]


def test_a_record_found_again_by_its_digest_holds_every_field_as_the_orm_reads_it(django_user_model, settings):
    settings.OCR_API_AUTH = "required"  # an owned record: owner_id is one of its fields
    owner = django_user_model.objects.create_user("reader", password="a long secret")
    image = draw_text("found again")

    def read(name: str):
        return ocr_record_parse_text(
            image_file=SimpleUploadedFile(name, image),
            image=Image.open(io.BytesIO(image)),
            options=TextOptions(),
            requested_by=owner,
        )

    first, _ = read("first.png")
    found, created = read("again.png")

    stored = OcrRecord.objects.get(pk=first.pk)
    assert created is False
    fields = [field.attname for field in OcrRecord._meta.concrete_fields]
    assert {name: getattr(found, name) for name in fields} == {name: getattr(stored, name) for name in fields}
    assert isinstance(found.result, dict) and found.created_at.tzinfo is not None
    assert (found._state.adding, found._state.db) == (False, "default")
