"""A corpus of bad and unusual uploads and queries: each gets its documented answer, never a 5xx
or an HTML page, and nothing bad is stored."""

import io

import pytest
from PIL import Image

from ocr_record.models import OcrRecord
from tests.helpers import LIST_URL, PARSE_LETTER_URL, draw_text, encode, upload

pytestmark = pytest.mark.django_db

INVALID = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."


def eps_document() -> bytes:
    """An EPS file: Pillow would render it by running Ghostscript, which the service never allows."""
    return b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nnewpath 0 0 moveto 100 100 lineto stroke\n%%EOF\n"


REFUSED_UPLOADS = {
    "zero bytes": (b"", "The submitted file is empty."),
    "text renamed .png": (b"hello, I am text", INVALID),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>', INVALID),
    "html": (b"<!doctype html><html><body>hi</body></html>", INVALID),
    "pdf": (
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        f"{INVALID} It is a PDF: POST it to /api/ocr_task/, which reads each of its pages.",
    ),
    "eps (ghostscript)": (eps_document(), INVALID),
}


@pytest.mark.parametrize("name", REFUSED_UPLOADS)
def test_it_refuses_what_is_not_an_image_it_reads(post_image, name):
    content, message = REFUSED_UPLOADS[name]

    response = post_image(content, name="image.png")

    assert response.status_code == 400
    assert response.json() == {"image": [message]}
    assert not OcrRecord.objects.exists()


def test_it_refuses_a_header_declaring_50000_by_50000_pixels_in_a_tiny_file(post_image):
    header = encode(Image.new("1", (1, 1)))
    huge = header[:16] + (50_000).to_bytes(4, "big") * 2 + header[24:]

    response = post_image(huge)

    assert response.status_code == 400
    assert "pixels" in response.json()["image"][0] or response.json()["image"] == [INVALID]
    assert not OcrRecord.objects.exists()


def frames_gif() -> bytes:
    first = Image.open(io.BytesIO(draw_text("first"))).convert("P")
    second = Image.open(io.BytesIO(draw_text("later"))).convert("P").resize(first.size)
    buffer = io.BytesIO()
    first.save(buffer, format="GIF", save_all=True, append_images=[second], duration=100)
    return buffer.getvalue()


def multipage_tiff() -> bytes:
    first = Image.open(io.BytesIO(draw_text("first"))).convert("L")
    second = Image.open(io.BytesIO(draw_text("second"))).convert("L")
    buffer = io.BytesIO()
    first.save(buffer, format="TIFF", save_all=True, append_images=[second])
    return buffer.getvalue()


def exif_rotated_jpeg() -> bytes:
    upright = Image.open(io.BytesIO(draw_text("upright"))).convert("RGB")
    stored = upright.rotate(90, expand=True)  # stored sideways...
    exif = stored.getexif()
    exif[0x0112] = 6  # ...with the tag that says "turn 90° clockwise to view"
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def palette_with_transparency() -> bytes:
    image = Image.open(io.BytesIO(draw_text("palette", mode="RGBA", background=(0, 0, 0, 0))))
    return encode(image.convert("P"))


READABLE_UPLOADS = {
    "animated gif (first frame)": (frames_gif, "first"),
    "multi-page tiff (first page)": (multipage_tiff, "first"),
    "16-bit png": (lambda: encode(Image.open(io.BytesIO(draw_text("sixteen"))).convert("I;16")), "sixteen"),
    "cmyk jpeg": (lambda: draw_text("cmyk", image_format="JPEG", mode="CMYK"), "cmyk"),
    "palette with transparency": (palette_with_transparency, "palette"),
    "exif-rotated jpeg (read upright)": (exif_rotated_jpeg, "upright"),
    "webp": (lambda: draw_text("webp", image_format="WEBP"), "webp"),
}


@pytest.mark.parametrize("name", READABLE_UPLOADS)
def test_it_reads_unusual_but_valid_images(post_image, name):
    make, letters = READABLE_UPLOADS[name]

    response = post_image(make())

    assert response.status_code == 200
    assert response.json() == {"content": list(letters)}


def test_a_one_pixel_image_is_refused_by_the_one_image_check_of_every_entry_point(post_image):
    response = post_image(encode(Image.new("L", (1, 1), 255)))

    assert response.status_code == 400
    assert "1×1 pixels: its shorter side must be at least 15 px" in response.json()["image"][0]
    assert not OcrRecord.objects.exists()


def test_parse_letter_refuses_a_side_parse_text_refuses(post_image, api_client, settings):
    settings.OCR_MAX_IMAGE_SIDE_PX = 500
    wide = encode(Image.new("L", (600, 40), 255))

    letters = post_image(wide)
    text = api_client.post("/api/ocr_record/parse_text/", {"image": upload(wide)}, format="multipart")

    assert letters.status_code == 400 and "longer side at most 500 px" in letters.json()["image"][0]
    assert text.json()["results"][0]["error"]["code"] == "image_dimensions_invalid"
    assert not OcrRecord.objects.exists()


def test_a_file_name_with_path_separators_and_unicode_is_only_a_name(post_image):
    response = post_image(draw_text("named"), name="../../etc/passwd/图片 ✓.png")

    assert response.status_code == 200
    assert response.json() == {"content": list("named")}


def test_the_image_field_sent_twice_reads_the_last_one(api_client):
    response = api_client.post(
        PARSE_LETTER_URL, {"image": [upload(draw_text("first")), upload(draw_text("last"))]}, format="multipart"
    )

    assert response.status_code == 200
    assert response.json() == {"content": list("last")}


def test_an_extra_unknown_field_is_ignored(api_client):
    response = api_client.post(
        PARSE_LETTER_URL, {"image": upload(draw_text("extra")), "colour": "blue"}, format="multipart"
    )

    assert response.json() == {"content": list("extra")}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),  # no boundary
        ("image/png", draw_text("raw")),  # the image as the whole body
        ("application/json", b'{"image": "aGVsbG8="}'),
        ("text/plain", b"image=hello"),
    ],
)
def test_a_body_that_is_not_the_expected_multipart_gets_a_json_4xx(api_client, content_type, body):
    response = api_client.generic("POST", PARSE_LETTER_URL, body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json() or "image" in response.json()
    assert not OcrRecord.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"created_at__gte": "not-a-date"},
        {"created_at__lte": "2024-02-30"},
        {"image_size__gte": "-"},
        {"image_size__lte": "1e400"},
        {"id": "1; DROP TABLE ocr_record_ocrrecord"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"kind": "everything"},
    ],
)
def test_a_bad_query_gets_a_json_4xx(api_client, query):
    response = api_client.get(LIST_URL, query)

    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": str(10**9)},
        {"search": "x" * 10_000},
        {"search": "%_\\'\""},
    ],
)
def test_an_odd_but_harmless_query_gets_a_page(api_client, query):
    OcrRecord.objects.create(image_md5="0" * 32, image_size=1, content=["a"], content_text="a")

    response = api_client.get(LIST_URL, query)

    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("ordering", ["password", "-content_text,__class__", "id;drop table"])
def test_an_ordering_it_does_not_offer_is_a_400_naming_those_it_does(api_client, ordering):
    OcrRecord.objects.create(image_md5="0" * 32, image_size=1, content=["a"], content_text="a")

    response = api_client.get(LIST_URL, {"ordering": ordering})

    assert response.status_code == 400
    assert "use created_at, id, image_size" in response.json()["ordering"][0]


def test_repeated_parameters_use_the_last(api_client):
    first = OcrRecord.objects.create(image_md5="0" * 32, image_size=1, content=["a"], content_text="a")
    second = OcrRecord.objects.create(image_md5="1" * 32, image_size=2, content=["b"], content_text="b")

    response = api_client.get(f"{LIST_URL}?id={first.id}&id={second.id}")

    assert [record["id"] for record in response.json()["results"]] == [second.id]
