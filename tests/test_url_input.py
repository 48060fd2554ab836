"""Images by URL at parse_text (multipart and JSON), with real servers on loopback: a fetched image
goes the way an upload goes (limits, checks, dedup, record) and its record keeps the link; each
refusal is a JSON 4xx with its code, nothing stored, and the refused server never asked."""

import pytest

from ocr_record.models import OcrRecord
from tests.helpers import draw_text, upload
from tests.urlserver import UrlServer

pytestmark = pytest.mark.django_db

PARSE_TEXT_URL = "/api/ocr_record/parse_text/"
PARSE_LETTER_URL = "/api/ocr_record/parse_letter/"


@pytest.fixture
def server():
    with UrlServer(image=draw_text("fetched by url")) as running:
        yield running


@pytest.fixture
def private_allowed(settings, server):
    """As in a closed network: the loopback server may be reached; every other rule stays."""
    settings.OCR_URL_ALLOW_PRIVATE = True
    settings.OCR_URL_ALLOWED_PORTS = [80, 443, server.port]
    settings.OCR_URL_TIMEOUT_S = 5.0


def test_an_image_by_url_is_read_as_its_upload_would_be_and_its_record_keeps_the_link(
    api_client, server, private_allowed
):
    url = server.url("/image.png")

    response = api_client.post(PARSE_TEXT_URL, {"url": url}, format="multipart")

    assert response.status_code == 200, response.json()
    (result,) = response.json()["results"]
    assert (result["name"], result["cached"]) == (url, False)
    assert "fetched by url" in result["text"].lower()
    record = OcrRecord.objects.get()
    assert (record.source_url, record.image_size) == (url, len(server.image))
    # The same file uploaded is the same record, read once.
    again = api_client.post(PARSE_TEXT_URL, {"image": upload(server.image)}, format="multipart").json()["results"][0]
    assert (again["record_id"], again["cached"]) == (record.pk, True)
    detail = api_client.get(f"/api/ocr_record/{record.pk}/result/").json()
    assert detail["source_url"] == url


def test_several_links_in_json_are_read_in_order_beside_an_upload_in_multipart(api_client, server, private_allowed):
    urls = [server.url("/image.png"), server.url("/redirect?to=/image.png")]

    by_json = api_client.post(PARSE_TEXT_URL, {"url": urls}, format="json").json()["results"]
    mixed = api_client.post(
        PARSE_TEXT_URL, {"image": upload(draw_text("an upload")), "url": urls[0]}, format="multipart"
    ).json()["results"]

    assert [result["name"] for result in by_json] == urls
    assert by_json[0]["record_id"] == by_json[1]["record_id"]
    assert [result["name"] for result in mixed] == ["image.png", urls[0]]


@pytest.mark.parametrize(
    "path, code",
    [("/page.html", "url_not_an_image"), ("/missing", "url_fetch_failed"), ("/huge", "url_too_large")],
)
def test_a_link_to_no_image_is_a_400_with_its_code_and_nothing_stored(api_client, server, private_allowed, path, code):
    response = api_client.post(PARSE_TEXT_URL, {"url": server.url(path)}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["results"][0]["error"]["code"]) == (code, code)
    assert "secret" not in response.content.decode() and "private details" not in response.content.decode()
    assert not OcrRecord.objects.exists()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254"])
def test_a_link_to_this_machine_or_its_network_is_refused_and_never_fetched(api_client, server, settings, host):
    settings.OCR_URL_ALLOWED_PORTS = [80, 443, server.port]

    response = api_client.post(PARSE_TEXT_URL, {"url": server.url("/image.png", host=host)}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "url_not_allowed"
    assert server.requests == [] and not OcrRecord.objects.exists()


def test_with_url_input_off_a_link_is_refused_alike_wherever_it_is_sent(api_client, server, settings):
    settings.OCR_URL_INPUT = False

    answers = [
        api_client.post(PARSE_TEXT_URL, {"url": server.url()}, format="json"),
        api_client.post(PARSE_TEXT_URL, {"url": server.url()}, format="multipart"),
        api_client.post("/api/ocr_task/", {"urls": server.url(), "async_task": "true"}, format="multipart"),
        api_client.post("/api/extract/", {"url": server.url(), "card": "receipt"}, format="multipart"),
    ]

    for response in answers:
        assert response.status_code == 400
        assert response.json()["code"] == "url_input_off" and "OCR_URL_INPUT" in response.json()["detail"]
    assert server.requests == [] and not OcrRecord.objects.exists()


def test_parse_letter_keeps_v1_s_contract_and_takes_no_link(api_client, server, private_allowed):
    response = api_client.post(PARSE_LETTER_URL, {"url": server.url()}, format="multipart")

    assert response.status_code == 400
    assert "image" in response.json()
    assert server.requests == []


TASKS_URL = "/api/ocr_task/"
EXTRACT_URL = "/api/extract/"


def test_a_task_takes_links_beside_files_and_keeps_each_link_as_its_file_s_name(api_client, server, private_allowed):
    from ocr_task.models import OcrTask  # noqa: PLC0415

    response = api_client.post(
        TASKS_URL,
        {
            "async_task": "true",
            "files": [upload(draw_text("an upload"), "upload.png")],
            "urls": [server.url("/image.png")],
        },
        format="multipart",
    )

    assert response.status_code == 202, response.json()
    task = OcrTask.objects.get()
    assert [item.origin_name for item in task.items.order_by("id")] == ["upload.png", server.url("/image.png")]


def test_a_task_with_a_link_that_cannot_be_fetched_is_refused_before_any_work(api_client, server, settings):
    from ocr_task.models import OcrTask  # noqa: PLC0415

    settings.OCR_URL_ALLOWED_PORTS = [80, 443, server.port]

    response = api_client.post(
        TASKS_URL, {"async_task": "true", "urls": [server.url("/image.png")]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "url_not_allowed"
    assert server.url("/image.png") in response.json()["detail"]
    assert not OcrTask.objects.exists() and server.requests == []


def test_a_task_of_more_links_than_files_allowed_fetches_none(api_client, server, private_allowed, settings):
    settings.OCR_TASK_MAX_FILES = 2

    response = api_client.post(TASKS_URL, {"async_task": "true", "urls": [server.url()] * 3}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (400, "too_many_files")
    assert server.requests == []


def test_a_document_s_fields_by_link(api_client, server, private_allowed):
    from tests.helpers import restore_built_in_cards  # noqa: PLC0415

    restore_built_in_cards()
    response = api_client.post(EXTRACT_URL, {"card": "receipt", "url": server.url("/image.png")}, format="json")

    assert response.status_code == 200, response.json()
    record = OcrRecord.objects.get(pk=response.json()["record_ids"][0])
    assert record.source_url == server.url("/image.png")
    refused = api_client.post(EXTRACT_URL, {"card": "receipt", "url": server.url("/page.html")}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "url_not_an_image")


def test_the_platform_s_task_takes_links_too(api_client, server, private_allowed):
    from ocr_extract.models import Card  # noqa: PLC0415
    from tests.helpers import restore_built_in_cards  # noqa: PLC0415

    restore_built_in_cards()
    card = Card.objects.get(slug="receipt")

    response = api_client.post(
        f"/api/extracting/v2/task?async_task=false&feature_type_id={card.pk}",
        {"urls": [server.url("/image.png")]},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert [item["origin_name"] for item in response.json()["items"]] == [server.url("/image.png")]


def test_allowing_private_addresses_is_warned_about_at_every_start(settings):
    from ocr_record.checks import check_url_input_reaches_only_public_addresses  # noqa: PLC0415

    settings.OCR_URL_ALLOW_PRIVATE = False
    assert check_url_input_reaches_only_public_addresses(None) == []

    settings.OCR_URL_ALLOW_PRIVATE = True
    (warning,) = check_url_input_reaches_only_public_addresses(None)
    assert warning.id == "ocr_record.W001" and "private addresses" in warning.msg


def test_when_this_process_fetches_as_many_links_as_it_may_another_is_a_503_at_once(
    api_client, server, private_allowed, settings
):
    from ocr_record.fetching import fetch_slot  # noqa: PLC0415

    settings.OCR_URL_MAX_FETCHES = 1

    with fetch_slot(1):  # another request of this process fetching
        busy = api_client.post(PARSE_TEXT_URL, {"url": server.url("/image.png")}, format="json")
    after = api_client.post(PARSE_TEXT_URL, {"url": server.url("/image.png")}, format="json")

    assert (busy.status_code, busy.json()["code"]) == (503, "url_busy")
    assert after.status_code == 200 and server.requests == ["/image.png"]
