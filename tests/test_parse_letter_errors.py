"""parse_letter refuses bad input and engine failures with a clear JSON error and stores nothing."""

import pytest
from PIL import Image

from ocr_record.models import OcrRecord
from tests.helpers import PARSE_LETTER_URL, draw_text, encode, pdf_of, upload

pytestmark = pytest.mark.django_db


def assert_nothing_stored():
    assert OcrRecord.objects.count() == 0


def test_it_requires_the_image_field(api_client):
    response = api_client.post(PARSE_LETTER_URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"image": ["No file was submitted."]}
    assert_nothing_stored()


def test_it_refuses_a_text_field_in_place_of_a_file(api_client):
    response = api_client.post(PARSE_LETTER_URL, {"image": "hello"}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert_nothing_stored()


def test_it_refuses_an_empty_file(post_image):
    response = post_image(b"")

    assert response.status_code == 400
    assert response.json() == {"image": ["The submitted file is empty."]}
    assert_nothing_stored()


def test_it_refuses_a_file_that_is_not_an_image(post_image):
    response = post_image(b"GIF87 this is not an image", name="letter.png")

    assert response.status_code == 400
    assert response.json() == {
        "image": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]
    }
    assert_nothing_stored()


def test_a_pdf_is_refused_with_where_pdfs_are_read(post_image):
    response = post_image(pdf_of("a letter"), name="letter.pdf")

    assert response.status_code == 400
    assert response.json() == {
        "image": [
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image. "
            "It is a PDF: POST it to /api/ocr_task/, which reads each of its pages."
        ]
    }
    assert_nothing_stored()


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_it_refuses_a_truncated_image(post_image, image_format):
    whole = draw_text("hello world", image_format=image_format)

    response = post_image(whole[: len(whole) // 2])

    assert response.status_code == 400
    assert response.json() == {"image": ["The image could not be decoded: the file is truncated or corrupted."]}
    assert_nothing_stored()


def test_it_refuses_an_image_with_more_pixels_than_the_limit(post_image, settings):
    settings.OCR_MAX_IMAGE_PIXELS = 1_000_000
    # 2000 × 2000 white pixels compress to a few kilobytes: a small decompression bomb.
    bomb = encode(Image.new("L", (2000, 2000), 255))

    response = post_image(bomb)

    assert response.status_code == 400
    assert response.json() == {"image": ["The image is 2000×2000 pixels: at most 1,000,000 pixels are accepted."]}
    assert_nothing_stored()


def test_it_refuses_an_upload_over_the_size_limit(post_image, settings):
    image = draw_text("hello world")
    settings.OCR_MAX_UPLOAD_BYTES = len(image) - 1

    response = post_image(image)

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The upload is larger than the limit of {len(image) - 1} bytes.",
        "code": "upload_too_large",
    }
    assert_nothing_stored()


def test_it_refuses_a_request_body_declared_over_the_limit_before_reading_it(api_client, settings):
    settings.OCR_MAX_UPLOAD_BYTES = 1000
    body = b"--boundary\r\n" + b"x" * 200_000 + b"\r\n--boundary--\r\n"

    response = api_client.generic("POST", PARSE_LETTER_URL, body, content_type="multipart/form-data; boundary=boundary")

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert_nothing_stored()


def test_it_accepts_an_upload_exactly_at_the_size_limit(post_image, settings):
    image = draw_text("hello")
    settings.OCR_MAX_UPLOAD_BYTES = len(image)

    response = post_image(image)

    assert response.status_code == 200
    assert OcrRecord.objects.count() == 1


def test_it_refuses_form_fields_over_the_memory_limit_as_too_large(api_client):
    fields = {"image": upload(draw_text("hello")), "note": "x" * 15_000_000}

    response = api_client.post(PARSE_LETTER_URL, fields, format="multipart")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than the server accepts.",
        "code": "upload_too_large",
    }
    assert_nothing_stored()


def test_it_refuses_a_form_with_too_many_fields(api_client):
    fields = {"image": upload(draw_text("hello")), **{f"field{number}": "x" for number in range(1001)}}

    response = api_client.post(PARSE_LETTER_URL, fields, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert_nothing_stored()


def test_it_refuses_json_with_unsupported_media_type(api_client):
    response = api_client.post(PARSE_LETTER_URL, {"image": "aGVsbG8="}, format="json")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert_nothing_stored()


def test_it_refuses_a_malformed_multipart_body(api_client):
    response = api_client.generic("POST", PARSE_LETTER_URL, b"garbage", content_type="multipart/form-data; boundary=")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert_nothing_stored()


def test_it_refuses_other_methods_with_json(api_client):
    response = api_client.get(PARSE_LETTER_URL)

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.', "code": "method_not_allowed"}


def test_it_answers_503_when_the_tesseract_program_is_missing(post_image, settings):
    settings.OCR_ENGINE = "tests.engines.MissingProgramEngine"

    response = post_image(draw_text("hello"))

    assert response.status_code == 503
    assert response.json()["code"] == "ocr_engine_unavailable"
    assert "'/nonexistent/bin/tesseract' program is not installed" in response.json()["detail"]
    assert_nothing_stored()


def test_it_answers_503_when_the_language_data_is_missing(post_image, settings):
    settings.OCR_LANGUAGE = "xyz"

    response = post_image(draw_text("hello"))

    assert response.status_code == 503
    assert response.json()["code"] == "ocr_engine_unavailable"
    assert "xyz" in response.json()["detail"]
    assert_nothing_stored()


def test_it_answers_503_for_an_engine_name_it_does_not_know(post_image, settings):
    settings.OCR_ENGINE = "no-such-engine"

    response = post_image(draw_text("hello"))

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The OCR engine is not available: unknown OCR engine 'no-such-engine': "
        "use one of ['auto', 'ppocr', 'pytesseract', 'tesserocr'] or a dotted path to a class",
        "code": "ocr_engine_unavailable",
    }
    assert_nothing_stored()


def test_it_answers_504_when_recognition_takes_longer_than_the_time_limit(post_image, settings):
    settings.OCR_TIMEOUT_S = 0.001
    page = draw_text("\n".join(["the quick brown fox jumps over the lazy dog"] * 20))

    response = post_image(page)

    assert response.status_code == 504
    assert response.json()["code"] == "ocr_timeout"
    assert response.json()["detail"].startswith("识别失败:")
    assert_nothing_stored()


def test_it_answers_500_ocr_failed_when_the_engine_fails(post_image, settings):
    settings.OCR_ENGINE = "tests.engines.FailingEngine"

    response = post_image(draw_text("hello"))

    assert response.status_code == 500
    assert response.json() == {"detail": "识别失败: the engine crashed on this image", "code": "ocr_failed"}
    assert_nothing_stored()


def test_it_answers_a_json_500_without_a_traceback_when_the_engine_has_a_bug(post_image, settings):
    settings.OCR_ENGINE = "tests.engines.BuggyEngine"

    response = post_image(draw_text("hello"))

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}
    assert_nothing_stored()


def test_it_recovers_once_the_engine_works_again(post_image, settings):
    settings.OCR_ENGINE = "tests.engines.FailingEngine"
    image = draw_text("hello")
    post_image(image)
    settings.OCR_ENGINE = "pytesseract"

    response = post_image(image)

    assert response.status_code == 200
    assert response.json() == {"content": list("hello")}
    assert OcrRecord.objects.count() == 1


def test_the_engine_stays_healthy_after_a_timeout(post_image, settings):
    settings.OCR_TIMEOUT_S = 0.001
    post_image(draw_text("\n".join(["the quick brown fox jumps over the lazy dog"] * 20)))
    settings.OCR_TIMEOUT_S = 10

    response = post_image(draw_text("hello"))

    assert response.status_code == 200
    assert response.json() == {"content": list("hello")}
    assert OcrRecord.objects.count() == 1


def test_a_host_the_service_does_not_answer_to_is_a_json_400_and_nothing_is_stored(client):
    response = client.post(PARSE_LETTER_URL, {"image": upload(draw_text("hello"))}, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "disallowed_host" and "DJANGO_ALLOWED_HOSTS" in response.json()["detail"]
    assert_nothing_stored()


def test_a_request_django_refuses_before_any_view_is_a_json_400_under_api_only(client):
    api = client.get("/api/ocr_record/", HTTP_HOST="evil.example")
    page = client.get("/", HTTP_HOST="evil.example")

    assert (api.status_code, api["Content-Type"]) == (400, "application/json")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
