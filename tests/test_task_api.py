"""/api/ocr_task/: submitting files, following the task, exporting its readings; real Tesseract.

Pages of asynchronous tasks are read by `workers.work_once()`, the unit of work of the embedded
worker's threads (tests/test_task_workers.py runs the threads and Celery workers themselves)."""

import io
import json
from datetime import timedelta
from pathlib import Path

import numpy
import pypdfium2
import pytest
from django.utils import timezone
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from rest_framework.test import APIClient

from ocr_record.models import OcrRecord
from ocr_task import workers
from ocr_task.models import OcrTask, OcrTaskItem, OcrTaskPage
from tests.helpers import draw_text, get_export, make_record, pdf_of, restore_built_in_cards, upload
from tests.invoices import INVOICES, born_digital_pdf, scanned_pdf

pytestmark = pytest.mark.django_db

TASKS_URL = "/api/ocr_task/"


@pytest.fixture(autouse=True)
def quick_pdfs(settings):
    settings.OCR_PDF_DPI = 150  # the tests' pages are drawn at 150 dpi


@pytest.fixture
def submit(api_client):
    def submit(*files: tuple[str, bytes], async_task: bool | str | None = True, **fields):
        """POST `files` as (name, bytes); async_task=None leaves the field out."""
        data = {"files": [upload(content, name) for name, content in files], **fields}
        if async_task is not None:
            data["async_task"] = str(async_task).lower()
        return api_client.post(TASKS_URL, data, format="multipart")

    return submit


def read_everything() -> None:
    while workers.work_once():
        pass


def page_texts(answer: dict) -> list[list[str]]:
    return [[page["text"] for page in item["readings"]] for item in answer["items"]]


def test_a_synchronous_task_answers_with_the_reading_of_its_file(submit):
    response = submit(("receipt.png", draw_text("thank you")), async_task=False, task_name="receipts")

    assert response.status_code == 201
    answer = response.json()
    assert response["Location"].endswith(f"/api/ocr_task/{answer['id']}/")
    assert (answer["status"], answer["task_name"], answer["total"]) == ("succeeded", "receipts", 1)
    assert answer["progress"] == {"pages_done": 1, "pages_total": 1}
    [item] = answer["items"]
    assert (item["origin_name"], item["status"], item["is_pdf"]) == ("receipt.png", "succeeded", False)
    [page] = item["readings"]
    assert page["text"] == "thank you"
    assert [word["text"] for word in page["lines"][0]["words"]] == ["thank", "you"]
    assert OcrRecord.objects.get(pk=page["record_id"]).kind == "text"


def test_a_synchronous_pdf_is_read_page_by_page(submit):
    response = submit(("report.pdf", pdf_of("first page text", "second page here")), async_task=False)

    assert response.status_code == 201
    assert page_texts(response.json()) == [["first page text", "second page here"]]


def test_the_text_layer_of_a_pdf_is_not_trusted_its_pages_are_read(submit):
    """A PDF saying one thing in its text layer and showing another is read for what it shows."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    canvas.setFont("Helvetica", 28)
    canvas.drawString(60, 760, "what the page shows")
    hidden = canvas.beginText(60, 700)
    hidden.setTextRenderMode(3)
    hidden.setFont("Helvetica", 28)
    hidden.textOut("a hidden claim")
    canvas.drawText(hidden)
    canvas.save()

    response = submit(("layered.pdf", buffer.getvalue()), async_task=False)

    assert page_texts(response.json()) == [["what the page shows"]]


def test_an_asynchronous_task_answers_at_once_and_is_read_in_the_background(submit):
    response = submit(
        ("report.pdf", pdf_of("first page text", "second page here")), ("photo.png", draw_text("a photo"))
    )

    assert response.status_code == 202
    answer = response.json()
    assert (answer["status"], answer["total"], answer["progress"]) == (
        "pending",
        2,
        {"pages_done": 0, "pages_total": 3},
    )
    assert [(item["origin_name"], item["pages"]) for item in answer["items"]] == [
        ("report.pdf", 2),
        ("photo.png", 1),
    ]
    assert not OcrRecord.objects.exists()

    read_everything()

    detail = OcrTask.objects.get(pk=answer["id"])
    assert detail.status == "succeeded"
    assert detail.finished_at is not None
    assert OcrRecord.objects.count() == 3


def test_the_detail_shows_the_progress_page_by_page_without_the_readings(api_client, submit):
    task_id = submit(("report.pdf", pdf_of("first page text", "second page here"))).json()["id"]

    workers.work_once()  # one page read
    partway = api_client.get(f"{TASKS_URL}{task_id}/").json()
    read_everything()
    done = api_client.get(f"{TASKS_URL}{task_id}/").json()

    records = list(OcrTaskPage.objects.order_by("number").values_list("record_id", flat=True))
    assert (partway["status"], partway["progress"]) == ("running", {"pages_done": 1, "pages_total": 2})
    (item,) = partway["items"]
    assert (item["status"], item["pages"], item["pages_done"]) == ("running", 2, 1)
    assert (item["record_ids"], item["failed_pages"]) == ([records[0], None], [])
    assert (done["status"], done["progress"]) == ("succeeded", {"pages_done": 2, "pages_total": 2})
    assert done["items"][0]["record_ids"] == records
    assert "lines" not in json.dumps(done)


def test_the_detail_with_readings_true_has_every_pages_reading(api_client, submit):
    task_id = submit(("report.pdf", pdf_of("first page text", "second page here"))).json()["id"]
    read_everything()

    done = api_client.get(f"{TASKS_URL}{task_id}/", {"readings": "true"}).json()

    assert page_texts(done) == [["first page text", "second page here"]]
    assert done["items"][0]["readings"][0]["lines"][0]["words"][0]["text"] == "first"
    assert api_client.get(f"{TASKS_URL}{task_id}/", {"readings": "maybe"}).json() == {
        "readings": ["Must be a valid boolean."]
    }


def test_a_files_pages_endpoint_pages_through_its_readings(api_client, submit):
    answer = submit(("report.pdf", pdf_of("one", "two", "three"))).json()
    read_everything()
    pages_url = f"{TASKS_URL}{answer['id']}/items/{answer['items'][0]['id']}/pages/"

    first = api_client.get(pages_url, {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()

    assert first["count"] == 3
    assert [(page["number"], page["text"]) for page in first["results"] + second["results"]] == [
        (1, "one"),
        (2, "two"),
        (3, "three"),
    ]
    assert first["results"][0]["lines"][0]["words"][0]["text"] == "one"
    assert api_client.get(f"{TASKS_URL}{answer['id']}/items/999/pages/").status_code == 404


def test_a_pages_image_is_the_page_as_read_scaled_to_a_screen(api_client, submit):
    answer = submit(("report.pdf", pdf_of("one", "two"))).json()
    read_everything()
    item_url = f"{TASKS_URL}{answer['id']}/items/{answer['items'][0]['id']}"
    reading = api_client.get(f"{item_url}/pages/", {"page": 2, "page_size": 1}).json()["results"][0]

    response = api_client.get(f"{item_url}/pages/2/image/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert max(image.size) == 1600 and max(reading["width"], reading["height"]) > 1600
    assert image.width / image.height == pytest.approx(reading["width"] / reading["height"], abs=0.01)
    assert api_client.get(f"{item_url}/pages/3/image/").json()["code"] == "not_found"


def test_a_200_page_task_is_polled_in_less_than_10_kb(api_client, settings):
    settings.OCR_TASK_MAX_PDF_PAGES = 200
    task = OcrTask.objects.create(status="running")
    item = OcrTaskItem.objects.create(task=task, origin_name="long.pdf", is_pdf=True, status="running")
    record = make_record(kind="text", result={"text": "x" * 2000, "lines": []})
    OcrTaskPage.objects.bulk_create(
        OcrTaskPage(item=item, number=number, status="succeeded" if number <= 120 else "pending", record=record)
        for number in range(1, 201)
    )

    response = api_client.get(f"{TASKS_URL}{task.pk}/")

    assert response.status_code == 200
    assert len(response.content) <= 10 * 1024
    assert response.json()["items"][0]["record_ids"][:121] == [record.pk] * 120 + [None]


def test_a_file_that_cannot_be_read_fails_alone(api_client, submit):
    task_id = submit(("notes.txt", b"just text"), ("photo.png", draw_text("still read"))).json()["id"]
    read_everything()

    answer = api_client.get(f"{TASKS_URL}{task_id}/").json()

    notes, photo = answer["items"]
    assert (notes["status"], notes["pages"], notes["record_ids"]) == ("failed", 0, [])
    assert notes["error"].startswith("Upload a valid image.")
    assert photo["status"] == "succeeded"
    assert OcrRecord.objects.get(pk=photo["record_ids"][0]).content_text == "still read"
    assert answer["status"] == "succeeded"


def test_a_task_none_of_whose_files_can_be_read_fails_at_once(submit):
    answer = submit(("broken.pdf", b"%PDF-1.4 broken"), ("empty.png", b"")).json()

    assert answer["status"] == "failed"
    assert [item["error"] for item in answer["items"]] == [
        "The PDF cannot be read: it is damaged.",
        "The file is empty.",
    ]


def test_the_same_page_is_read_once_across_tasks_and_endpoints(api_client, submit):
    image = draw_text("seen before")
    api_client.post("/api/ocr_record/parse_text/", {"image": upload(image)}, format="multipart")

    submit(("again.png", image), async_task=False)

    assert OcrRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"async_task": None}, "async_task"),
        ({"async_task": "perhaps"}, "async_task"),
        ({"lang": "klingon"}, "lang"),
        ({"callback_url": "not a url"}, "callback_url"),
        ({"task_name": "x" * 201}, "task_name"),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_stored(submit, fields, field):
    response = submit(("photo.png", draw_text("x")), **fields)

    assert response.status_code == 400
    assert field in response.json()
    assert not OcrTask.objects.exists()


def test_files_or_links_are_required(api_client):
    response = api_client.post(TASKS_URL, {"async_task": "true"}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"detail": "Send at least one file (`files`) or link (`urls`).", "code": "no_files"}


def test_a_synchronous_task_takes_one_file(submit):
    response = submit(("a.png", draw_text("a")), ("b.png", draw_text("b")), async_task=False)

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert not OcrTask.objects.exists()


def test_a_synchronous_task_refuses_more_pages_than_a_client_should_wait_for(settings, submit):
    settings.OCR_TASK_SYNC_MAX_PAGES = 1

    response = submit(("long.pdf", pdf_of("a", "b")), async_task=False)

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_pages"
    assert "async_task=true" in response.json()["detail"]


@pytest.mark.parametrize(
    ("limit", "value", "files", "code"),
    [
        ("OCR_TASK_MAX_FILES", 1, [("a.png", b"x"), ("b.png", b"y")], "too_many_files"),
        ("OCR_TASK_MAX_FILE_BYTES", 100, [("big.png", b"x" * 101)], "file_too_large"),
        ("OCR_TASK_MAX_BYTES", 150, [("a.png", b"x" * 100), ("b.png", b"y" * 100)], "task_too_large"),
        ("OCR_TASK_MAX_PDF_PAGES", 1, [("long.pdf", pdf_of("a", "b"))], "too_many_pages"),
    ],
)
def test_each_limit_refuses_the_whole_task_with_a_clear_400_before_any_work(
    settings, submit, limit, value, files, code
):
    setattr(settings, limit, value)

    response = submit(*files)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not OcrTask.objects.exists() and not OcrRecord.objects.exists()


def test_a_request_larger_than_a_task_may_be_is_refused_before_it_is_read(settings, submit):
    settings.OCR_TASK_MAX_BYTES = 1000

    response = submit(("big.png", b"x" * 200_000))

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"


def test_tasks_are_listed_newest_first_filtered_and_paged(api_client, submit):
    first = submit(("a.png", draw_text("first")), async_task=False).json()
    second = submit(("b.png", draw_text("second"))).json()

    everything = api_client.get(TASKS_URL).json()
    pending = api_client.get(TASKS_URL, {"status": "pending"}).json()
    later = api_client.get(TASKS_URL, {"created_at__gte": second["created_at"]}).json()
    paged = api_client.get(TASKS_URL, {"page_size": 1, "page": 2}).json()

    assert [task["id"] for task in everything["results"]] == [second["id"], first["id"]]
    assert everything["results"][1]["items"][0]["pages"] == 1  # the list counts pages, without readings
    assert [task["id"] for task in pending["results"]] == [second["id"]]
    assert [task["id"] for task in later["results"]] == [second["id"]]
    assert (paged["count"], [task["id"] for task in paged["results"]]) == (2, [first["id"]])


@pytest.mark.parametrize("query", [{"status": "done"}, {"created_at__gte": "yesterday"}, {"page": "0"}])
def test_a_bad_list_query_is_a_4xx_with_json(api_client, query):
    response = api_client.get(TASKS_URL, query)

    assert response.status_code in (400, 404)
    assert response.json()


def test_an_unknown_task_is_a_json_404(api_client):
    response = api_client.get(f"{TASKS_URL}999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


class TestExports:
    @pytest.fixture
    def read_pdf_task(self, submit):
        answer = submit(("report.pdf", pdf_of("first page text", "second page here")), async_task=False).json()
        return answer["id"], answer["items"][0]["id"]

    def export(self, api_client, task_id, item_id, **query):
        return get_export(api_client, f"{TASKS_URL}{task_id}/items/{item_id}/export/", query)

    def test_txt_is_the_text_of_each_page_separated_by_form_feeds(self, api_client, read_pdf_task):
        response = self.export(api_client, *read_pdf_task, format="txt")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert 'filename="report.ocr.txt"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content).decode() == "first page text\fsecond page here"

    def test_the_plain_and_highlighted_pdfs_are_named_apart(self, api_client, read_pdf_task, settings):
        settings.OCR_PDF_DPI = 100
        plain = self.export(api_client, *read_pdf_task, format="pdf")
        highlighted = self.export(api_client, *read_pdf_task, format="pdf", highlight="true")

        assert (plain.status_code, highlighted.status_code) == (200, 200)
        assert 'filename="report.ocr.pdf"' in plain["Content-Disposition"]
        assert 'filename="report.ocr.highlighted.pdf"' in highlighted["Content-Disposition"]

    def test_json_is_every_page_reading(self, api_client, read_pdf_task):
        response = self.export(api_client, *read_pdf_task, format="json")

        item = json.loads(b"".join(response.streaming_content))
        assert item["origin_name"] == "report.pdf"
        assert [page["text"] for page in item["readings"]] == ["first page text", "second page here"]
        assert item["readings"][1]["lines"][0]["words"][0]["location"]

    def test_pdf_is_searchable_its_invisible_text_layer_is_the_reading(self, api_client, read_pdf_task):
        response = self.export(api_client, *read_pdf_task, format="pdf")

        assert response["Content-Type"] == "application/pdf"
        document = pypdfium2.PdfDocument(b"".join(response.streaming_content))
        assert [page.get_textpage().get_text_range() for page in document] == ["first page text", "second page here"]
        # A4 as the original: the page images keep their size.
        assert document[0].get_size() == pytest.approx((595.2, 841.9), abs=1)

    def test_each_word_sits_where_it_is_on_the_page(self, api_client, read_pdf_task):
        response = self.export(api_client, *read_pdf_task, format="pdf")

        page = pypdfium2.PdfDocument(b"".join(response.streaming_content))[0]
        text = page.get_textpage()
        left, bottom, right, top = text.get_charbox(0)  # "f" of "first", in points, y up
        # pdf_of draws the text at (100, 120) px at 150 dpi: 48 x 57.6 points from the top-left.
        assert 40 < left < 60
        assert 842 - 100 < top < 842 - 50

    def test_highlight_draws_the_word_boxes_in_their_confidence_colour(self, api_client, read_pdf_task):
        plain = self.export(api_client, *read_pdf_task, format="pdf")
        highlighted = self.export(api_client, *read_pdf_task, format="pdf", highlight="true")

        def green_pixels(response) -> int:
            page = pypdfium2.PdfDocument(b"".join(response.streaming_content))[0]
            red, green, blue = numpy.asarray(page.render(scale=1).to_pil().convert("RGB"), dtype=int).transpose(2, 0, 1)
            return int(((green > red + 40) & (green > blue + 40)).sum())

        assert green_pixels(highlighted) > 100  # the words read surely are boxed in green
        assert green_pixels(plain) == 0

    def test_a_file_still_being_read_cannot_be_exported_yet(self, api_client, submit):
        answer = submit(("photo.png", draw_text("later"))).json()

        response = self.export(api_client, answer["id"], answer["items"][0]["id"], format="txt")

        assert response.status_code == 409
        assert response.json()["code"] == "item_not_finished"

    def test_a_failed_file_has_nothing_to_export(self, api_client, submit):
        answer = submit(("notes.txt", b"just text"), ("photo.png", draw_text("fine"))).json()

        response = self.export(api_client, answer["id"], answer["items"][0]["id"])

        assert response.status_code == 409
        assert response.json()["code"] == "item_failed"

    @pytest.mark.parametrize(
        ("query", "field"), [({"format": "docx"}, "format"), ({"format": "txt", "highlight": "true"}, "highlight")]
    )
    def test_a_bad_export_query_is_named(self, api_client, read_pdf_task, query, field):
        response = self.export(api_client, *read_pdf_task, **query)

        assert response.status_code == 400
        assert field in response.json()

    def test_a_file_of_another_task_is_not_found(self, api_client, submit, read_pdf_task):
        other = submit(("photo.png", draw_text("other")), async_task=False).json()

        response = self.export(api_client, read_pdf_task[0], other["items"][0]["id"])

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_with_auth_required_a_client_sees_only_its_own_tasks(settings, django_user_model):
    from rest_framework.test import APIClient

    settings.OCR_API_AUTH = "required"
    alice, bob = (django_user_model.objects.create_user(name, password="pw-long-enough") for name in ("alice", "bob"))
    clients = {}
    for user in (alice, bob):
        clients[user.username] = APIClient()
        clients[user.username].force_authenticate(user)
    own = (
        clients["alice"]
        .post(TASKS_URL, {"files": [upload(draw_text("mine"), "mine.png")], "async_task": "false"}, format="multipart")
        .json()
    )

    assert clients["alice"].get(f"{TASKS_URL}{own['id']}/").status_code == 200
    assert clients["bob"].get(f"{TASKS_URL}{own['id']}/").status_code == 404
    assert clients["bob"].get(TASKS_URL).json()["count"] == 0
    assert APIClient().get(TASKS_URL).status_code == 401
    assert OcrTask.objects.get().requested_by == alice
    assert OcrTaskPage.objects.get().record.requests.get().user == alice


def test_a_json_body_is_refused_with_a_415(api_client):
    response = api_client.post(TASKS_URL, {"files": [], "async_task": True}, format="json")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_chinese_page_exports_to_a_searchable_pdf_with_its_chinese_text(api_client, submit):
    from tests.helpers import CJK_FONT_PATH, page_with

    image, _ = page_with({"你好世界": (40, 40)}, size=(400, 140), font_size=48, font_path=CJK_FONT_PATH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    answer = submit(("chinese.png", buffer.getvalue()), async_task=False, lang="chi_sim").json()

    response = get_export(
        api_client, f"{TASKS_URL}{answer['id']}/items/{answer['items'][0]['id']}/export/", {"format": "pdf"}
    )

    document = pypdfium2.PdfDocument(b"".join(response.streaming_content))
    # Tesseract's chi_sim puts spaces between some characters; the PDF's text is the reading's.
    assert answer["items"][0]["readings"][0]["text"].replace(" ", "") == "你好世界"
    # The page's text has no spaces between Chinese characters; the PDF places each as a word.
    assert document[0].get_textpage().get_text_range().replace(" ", "") == answer["items"][0]["readings"][0]["text"]


def test_deleting_a_task_deletes_its_files_and_pages_and_keeps_the_records(api_client, submit):
    answer = submit(("photo.png", draw_text("delete me")), async_task=False).json()

    response = api_client.delete(f"{TASKS_URL}{answer['id']}/")

    assert response.status_code == 204
    assert not OcrTask.objects.exists() and not OcrTaskPage.objects.exists()
    assert OcrRecord.objects.filter(pk=answer["items"][0]["readings"][0]["record_id"]).exists()
    assert api_client.get(f"{TASKS_URL}{answer['id']}/").status_code == 404


def test_a_page_of_a_task_deleted_while_it_is_read_is_dropped_quietly(settings, submit):
    settings.OCR_ENGINE = "tests.engines.TaskDeletingEngine"
    submit(("photo.png", draw_text("gone")))

    assert workers.work_once() is True  # the page was read, its task deleted meanwhile: no error

    assert not OcrTask.objects.exists() and not OcrTaskPage.objects.exists()
    assert workers.work_once() is False


def test_with_auth_required_a_client_cannot_delete_another_clients_task(settings, django_user_model):
    from rest_framework.test import APIClient

    settings.OCR_API_AUTH = "required"
    owner, other = (
        django_user_model.objects.create_user(name, password="pw-long-enough") for name in ("owner", "other")
    )
    owner_client, other_client = APIClient(), APIClient()
    owner_client.force_authenticate(owner)
    other_client.force_authenticate(other)
    task = owner_client.post(
        TASKS_URL, {"files": [upload(draw_text("mine"), "mine.png")], "async_task": "true"}, format="multipart"
    ).json()

    assert other_client.delete(f"{TASKS_URL}{task['id']}/").status_code == 404
    assert OcrTask.objects.exists()


# Quotas per client, and retention -------------------------------------------------------------


def test_a_client_past_its_stored_bytes_quota_gets_413_naming_the_limit(settings, submit):
    first = draw_text("first file")
    settings.OCR_QUOTA_STORED_BYTES = len(first) + 100
    assert submit(("first.png", first)).status_code == 202

    response = submit(("second.png", draw_text("second file")))

    assert response.status_code == 413
    assert response.json()["code"] == "storage_quota_exceeded"
    assert response.json()["detail"].startswith(f"Your tasks hold {len(first)} bytes of files;")
    assert f"the limit of {len(first) + 100} bytes per client" in response.json()["detail"]
    assert OcrTask.objects.count() == 1


def test_a_client_with_too_many_pages_waiting_gets_429_until_they_are_read(settings, submit):
    settings.OCR_QUOTA_QUEUED_PAGES = 3
    assert submit(("report.pdf", pdf_of("one", "two"))).status_code == 202

    refused = submit(("more.pdf", pdf_of("three", "four")))
    read_everything()
    accepted = submit(("more.pdf", pdf_of("three", "four")))

    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "You have 2 pages waiting to be read; these 2 more would pass the limit of 3 pages per "
        "client. Send them once those are read.",
        "code": "pages_quota_exceeded",
    }
    assert accepted.status_code == 202
    assert OcrTask.objects.count() == 2


def test_anonymous_clients_have_a_quota_each_by_address(settings):
    settings.OCR_QUOTA_QUEUED_PAGES = 1
    here, there = APIClient(REMOTE_ADDR="198.51.100.1"), APIClient(REMOTE_ADDR="198.51.100.2")

    def send(client, text):
        return client.post(TASKS_URL, {"files": [upload(draw_text(text))], "async_task": "true"}, format="multipart")

    assert [send(here, "a").status_code, send(here, "b").status_code, send(there, "c").status_code] == [202, 429, 202]
    assert sorted(OcrTask.objects.values_list("client_address", flat=True)) == ["198.51.100.1", "198.51.100.2"]


def test_tasks_past_their_retention_are_deleted_by_the_workers_and_their_records_kept(settings, submit):
    settings.OCR_TASK_RETENTION_DAYS = 30
    old, recent = (submit((f"{name}.png", draw_text(name))).json()["id"] for name in ("old", "recent"))
    read_everything()
    OcrTask.objects.filter(pk=old).update(created_at=timezone.now() - timedelta(days=31))
    workers._last_retention_sweep["at"] = float("-inf")

    workers.work_once()

    assert list(OcrTask.objects.values_list("id", flat=True)) == [recent]
    assert not OcrTaskItem.objects.filter(task_id=old).exists()
    assert sorted(OcrRecord.objects.values_list("content_text", flat=True)) == ["old", "recent"]


class TestCards:
    """A task with a card: the card's fields read out of each file once it is read."""

    @pytest.fixture(autouse=True)
    def built_in_cards(self):
        restore_built_in_cards()

    def test_each_file_of_a_task_with_a_card_has_its_fields(self, api_client, submit):
        receipt = (Path(__file__).resolve().parent / "realdata" / "sroie_fields" / "004.jpg").read_bytes()

        answer = submit(("004.jpg", receipt), async_task=False, card="receipt").json()

        item = answer["items"][0]
        extraction = item["extraction"]
        fields = {field["key"]: field for field in extraction["fields"]}
        assert (extraction["card"], fields["date"]["normalized"], fields["total"]["normalized"]) == (
            "receipt",
            "2018-11-18",
            "30.90",
        )
        assert fields["total"]["page"] == 1 and len(fields["total"]["location"]) == 4
        assert OcrTaskItem.objects.get(pk=item["id"]).extraction == extraction
        listed = api_client.get(TASKS_URL).json()["results"][0]["items"][0]
        exported = json.loads(
            b"".join(
                api_client.get(
                    f"{TASKS_URL}{answer['id']}/items/{item['id']}/export/", {"format": "json"}
                ).streaming_content
            )
        )
        assert listed["extraction"] == exported["extraction"] == extraction

    def test_a_born_digital_invoice_in_a_task_is_read_from_its_text_layer_and_a_scan_by_ocr(self, submit):
        invoice = INVOICES["de"]

        answer = submit(
            ("rechnung.pdf", born_digital_pdf(invoice)), ("scan.pdf", scanned_pdf(invoice)), card="invoice"
        ).json()
        read_everything()

        items = OcrTaskItem.objects.filter(task_id=answer["id"]).order_by("id")
        extractions = {item.origin_name: item.extraction for item in items}
        assert extractions["rechnung.pdf"]["page_sources"] == [{"number": 1, "source": "text_layer"}]
        assert extractions["scan.pdf"]["page_sources"] == [{"number": 1, "source": "ocr"}]
        for extraction in extractions.values():
            fields = {field["key"]: field["normalized"] for field in extraction["fields"]}
            assert (fields["invoice_number"], fields["issue_date"], fields["total"]) == (
                invoice.number,
                invoice.date_iso,
                "1333.50",
            )

    def test_a_task_without_a_card_has_no_extraction(self, submit):
        answer = submit(("page.png", draw_text("no card")), async_task=False).json()

        assert answer["items"][0]["extraction"] is None

    def test_an_unknown_card_refuses_the_task_before_any_work(self, submit):
        response = submit(("page.png", draw_text("no such card")), async_task=False, card="passport")

        assert response.status_code == 400
        assert list(response.json()) == ["card"]
        assert not OcrTask.objects.exists()
