"""The try-it page at / in a real headless Chromium against the live server, with the real Tesseract.

Screenshots are kept in test-artifacts/ (OCR_TEST_ARTIFACTS changes where)."""

import base64
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import ImageFont
from playwright.sync_api import expect

from ocr_record.models import OcrRecord
from ocr_task.models import OcrTask
from tests.browser import record_requests, sent_outside
from tests.helpers import FONT_PATH, draw_text, make_record, pdf_of, restore_built_in_cards

ARTIFACTS = Path(os.environ.get("OCR_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.django_db(transaction=True)


def png(name: str, content: bytes) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": content}


def open_page(page, live_server):
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("body[data-ready=true]", timeout=TIMEOUT_MS)


def upload(page, *files: dict, mode: str = "text") -> None:
    page.check(f'input[name="mode"][value="{mode}"]')
    page.set_input_files("#file-input", files=list(files))


def finished_results(page, count: int):
    results = page.locator("article.result:not(.reading)")
    results.nth(count - 1).wait_for(timeout=TIMEOUT_MS)
    return results


def drawn_word_box(text: str, word: str, font_size: int = 40) -> tuple[float, float, float, float]:
    """Where draw_text put `word` of `text` (one line): left, top, right, bottom in pixels."""
    font = ImageFont.truetype(FONT_PATH, font_size)
    start = text.index(word)
    x = font_size + font.getlength(text[:start])
    left, top, right, bottom = font.getbbox(word)
    return x + left, font_size // 2 + top, x + right, font_size // 2 + bottom


def test_an_image_read_as_text_shows_its_boxes_over_the_words_and_its_text(page, live_server):
    requests = record_requests(page)
    open_page(page, live_server)

    upload(page, png("greeting.png", draw_text("hello world")))
    result = finished_results(page, 1).first

    record = OcrRecord.objects.get()
    assert result.locator(".badge").inner_text() == "newly read"
    assert result.locator(".line").all_inner_texts() == ["hello world"]
    assert "".join(result.locator(".letters li").all_inner_texts()) == "helloworld"
    assert record.image_md5 in result.locator(".facts").inner_text()
    # The box of "hello", where the test drew it: on the screen, over the image as displayed.
    box = page.evaluate(
        """() => {
            const image = document.querySelector("article.result img").getBoundingClientRect();
            const word = document.querySelector('.word-box[data-text="hello"]').getBoundingClientRect();
            const scale = document.querySelector("article.result img").naturalWidth / image.width;
            return [(word.left - image.left) * scale, (word.top - image.top) * scale,
                    (word.right - image.left) * scale, (word.bottom - image.top) * scale];
        }"""
    )
    drawn = drawn_word_box("hello world", "hello")
    assert box == pytest.approx(drawn, abs=6)
    assert result.locator(".word-box.sure").count() == 2  # both words read surely: green
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "tryit-text.png", full_page=True)
    assert not sent_outside(requests, live_server.url)


def test_an_image_dropped_on_the_page_is_read(page, live_server):
    open_page(page, live_server)
    dropped = page.evaluate_handle(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (character) => character.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
            return transfer;
        }""",
        base64.b64encode(draw_text("dropped here")).decode(),
    )

    page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
    result = finished_results(page, 1).first

    assert result.locator("h3").inner_text() == "dropped.png"
    assert result.locator(".line").all_inner_texts() == ["dropped here"]


def test_the_copy_button_puts_the_text_on_the_clipboard(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_page(page, live_server)
    upload(page, png("copy.png", draw_text("copy me")))
    result = finished_results(page, 1).first

    result.locator("button.copy").click()

    expect(result.locator("button.copy")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == "copy me"


def test_hovering_a_line_highlights_its_box(page, live_server):
    open_page(page, live_server)
    upload(page, png("two.png", draw_text("first line\nsecond line")))
    result = finished_results(page, 1).first

    result.locator(".line").nth(1).hover()

    assert result.locator('.line-group[data-line="1"]').get_attribute("class") == "line-group active"
    assert result.locator('.line-group[data-line="0"]').get_attribute("class") == "line-group"


def test_an_image_read_for_letters_shows_the_letters_md5_size_and_whether_it_was_cached(page, live_server):
    image = draw_text("abc")
    open_page(page, live_server)

    upload(page, png("abc.png", image), mode="letters")
    first = finished_results(page, 1).first
    first_badge, first_letters = first.locator(".badge").inner_text(), first.locator(".letters li").all_inner_texts()
    upload(page, png("again.png", image), mode="letters")
    again = finished_results(page, 2).first

    record = OcrRecord.objects.get()
    assert (first_badge, first_letters) == ("newly read", ["a", "b", "c"])
    assert again.locator(".badge").inner_text() == "from the cache"
    facts = again.locator(".facts").inner_text()
    assert record.image_md5 in facts and f"{record.image_size:,} bytes" in facts
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "tryit-letters.png", full_page=True)


def test_several_images_are_read_at_once_and_a_bad_one_says_why(page, live_server):
    open_page(page, live_server)

    upload(page, png("one.png", draw_text("one")), {"name": "notes.png", "mimeType": "image/png", "buffer": b"text"})
    results = finished_results(page, 2)

    texts = {results.nth(i).locator("h3").inner_text(): results.nth(i) for i in range(2)}
    assert texts["one.png"].locator(".line").all_inner_texts() == ["one"]
    assert "Upload a valid image" in texts["notes.png"].locator(".error").inner_text()
    expect(texts["notes.png"].locator("img")).to_have_count(0, timeout=TIMEOUT_MS)  # no broken-image icon
    assert texts["one.png"].locator("img").count() == 1
    assert OcrRecord.objects.count() == 1


def test_the_history_lists_the_latest_records_searches_them_and_opens_one(page, live_server):
    open_page(page, live_server)
    upload(page, png("first.png", draw_text("apples")))
    finished_results(page, 1)
    upload(page, png("second.png", draw_text("pears")))
    finished_results(page, 2)
    history = page.locator("#history-list .record")
    history.nth(1).wait_for(timeout=TIMEOUT_MS)
    assert [text.split("\n")[1] for text in history.all_inner_texts()] == ["pears", "apples"]

    page.fill("#history-search", "apple")
    expect(history).to_have_count(1, timeout=TIMEOUT_MS)
    history.first.click()
    opened = finished_results(page, 3).first

    assert opened.locator("h3").inner_text() == f"Record #{OcrRecord.objects.get(content_text='apples').id}"
    assert opened.locator(".line").all_inner_texts() == ["apples"]
    assert opened.locator("img").count() == 1  # read in this page: its image is shown again


def test_a_record_from_before_is_shown_on_a_blank_page_of_its_size(page, live_server, client):
    client.post("/api/ocr_record/parse_text/", {"image": io.BytesIO(draw_text("kept"))})
    open_page(page, live_server)

    page.locator("#history-list .record").first.click()
    opened = finished_results(page, 1).first

    assert opened.locator("img").count() == 0
    assert opened.locator(".word-box").count() == 1
    assert "not images" in opened.inner_text()


def test_text_from_the_service_is_shown_as_text_never_as_html(page, live_server):
    make_record(content=['<img src="x" id="injected">', "<b>bold</b>"], kind="text")
    open_page(page, live_server)

    entry = page.locator("#history-list .record").first
    entry.wait_for(timeout=TIMEOUT_MS)

    assert '<img src="x" id="injected"> / <b>bold</b>' in entry.inner_text()
    assert page.locator("#injected").count() == 0 and page.locator("#history-list b").count() == 0


def test_an_error_of_the_service_is_shown_as_a_message(page, live_server, settings):
    settings.OCR_MAX_UPLOAD_BYTES = 200  # the request is refused before any image is read
    open_page(page, live_server)

    upload(page, png("a.png", draw_text("a")), png("b.png", draw_text("b")))
    results = finished_results(page, 2)

    assert "larger than the limit" in results.first.locator(".error").inner_text()
    assert not OcrRecord.objects.exists()


def test_links_lead_to_the_docs_and_the_admin(page, live_server):
    open_page(page, live_server)

    links = {link.inner_text(): link.get_attribute("href") for link in page.locator(".top nav a").all()}

    assert links == {"API docs (Swagger UI)": "/api/docs/", "ReDoc": "/api/redoc/", "Admin": "/admin/"}


def test_with_auth_required_it_asks_to_sign_in_and_then_reads(page, live_server, settings, django_user_model):
    settings.OCR_API_AUTH = "required"
    django_user_model.objects.create_user("reader", password="a long enough password", first_name="Rea")
    open_page(page, live_server)
    assert page.locator("#login").is_visible()

    page.fill('#login-form input[name="username"]', "reader")
    page.fill('#login-form input[name="password"]', "wrong password")
    page.click("#login-form button")
    page.locator("#login-error").wait_for(timeout=TIMEOUT_MS)
    wrong = page.locator("#login-error").inner_text()
    page.fill('#login-form input[name="password"]', "a long enough password")
    page.click("#login-form button")
    page.locator("#session").wait_for(timeout=TIMEOUT_MS)
    upload(page, png("mine.png", draw_text("signed")))
    result = finished_results(page, 1).first

    assert wrong == "wrong username or password"
    assert page.locator("#session-name").inner_text() == "Rea"  # the nickname /auth/login gives
    assert result.locator(".line").all_inner_texts() == ["signed"]
    assert OcrRecord.objects.get().requests.get().user.username == "reader"


def test_an_expired_token_is_refreshed_without_asking_again(page, live_server, settings, django_user_model):
    settings.OCR_API_AUTH = "required"
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(seconds=1)}
    django_user_model.objects.create_user("reader", password="a long enough password")
    open_page(page, live_server)
    page.fill('#login-form input[name="username"]', "reader")
    page.fill('#login-form input[name="password"]', "a long enough password")
    page.click("#login-form button")
    page.locator("#session").wait_for(timeout=TIMEOUT_MS)
    time.sleep(1.5)  # the access token expires

    upload(page, png("later.png", draw_text("still in")))
    result = finished_results(page, 1).first

    assert result.locator(".line").all_inner_texts() == ["still in"]
    assert page.locator("#login").is_hidden()


@pytest.fixture
def embedded_worker(settings):
    """The live server reads tasks in a thread of its own, as `make run` does."""
    from ocr_task import workers

    settings.OCR_TASK_EMBEDDED_THREADS = 1
    settings.OCR_TASK_POLL_S = 1
    settings.OCR_PDF_DPI = 150
    yield
    workers.embedded_worker.stop()


def pdf(name: str, *texts: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_of(*texts)}


def finished_task_files(page, count: int):
    files = page.locator("article.task-file:not(.reading)")
    files.nth(count - 1).wait_for(timeout=60_000)
    return files


def test_a_pdf_is_read_as_a_task_with_a_progress_bar_and_its_pages_open_with_their_boxes(
    page, live_server, embedded_worker
):
    requests = record_requests(page)
    open_page(page, live_server)

    upload(page, pdf("report.pdf", "first page", "second page"))
    card = page.locator("article.task-file")
    expect(card.locator("progress")).to_be_visible(timeout=TIMEOUT_MS)
    card = finished_task_files(page, 1).first

    assert card.locator("h3").inner_text() == "report.pdf"
    assert card.locator(".progress-text").inner_text() == "2 / 2 pages"
    assert card.locator("progress").evaluate("bar => [bar.value, bar.max]") == [2, 2]
    assert card.locator(".badge").inner_text() == "read"
    # Followed by server-sent events (no account needed here), not by polling.
    assert any(request.url.endswith("/events/") for request in requests)
    card.locator(".page-button", has_text="2").click()
    opened = page.locator("article.result[data-page='2']:not(.reading)")
    opened.wait_for(timeout=TIMEOUT_MS)
    assert opened.locator("h3").inner_text() == "report.pdf, page 2"
    assert opened.locator(".line").all_inner_texts() == ["second page"]
    assert opened.locator(".word-box").count() == 2
    # The boxes lie over the page's image (the rendered PDF page) where the words are drawn.
    box, image = (
        opened.locator(".word-box").first.bounding_box(),
        opened.locator("img").bounding_box(),
    )
    assert image["width"] > 0 and image["x"] <= box["x"] <= image["x"] + image["width"] / 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "tryit-task.png", full_page=True)


@pytest.mark.parametrize(
    "export_format, filename, starts",
    [
        ("pdf", "report.ocr.pdf", b"%PDF"),
        ("txt", "report.ocr.txt", b"first page"),
        ("json", "report.ocr.json", b"{"),
        ("hocr", "report.ocr.hocr", b"<?xml"),
        ("alto", "report.ocr.alto.xml", b"<?xml"),
    ],
)
def test_a_read_file_downloads_as_each_export(page, live_server, embedded_worker, export_format, filename, starts):
    open_page(page, live_server)
    upload(page, pdf("report.pdf", "first page"))
    card = finished_task_files(page, 1).first

    with page.expect_download(timeout=TIMEOUT_MS) as download:
        card.locator(f".download[data-format='{export_format}']").click()

    assert download.value.suggested_filename == filename
    assert Path(download.value.path()).read_bytes().startswith(starts)


def test_more_files_than_one_request_reads_go_to_a_task_each_with_its_bar(page, live_server, embedded_worker, settings):
    settings.OCR_MAX_IMAGES_PER_REQUEST = 2  # the page is built with it: set before it opens
    open_page(page, live_server)

    upload(page, *(png(f"{word}.png", draw_text(word)) for word in ("one", "two", "three")))
    files = finished_task_files(page, 3)

    assert files.locator("h3").all_inner_texts() == ["one.png", "two.png", "three.png"]
    assert files.locator(".progress-text").all_inner_texts() == ["1 / 1 pages"] * 3
    assert OcrTask.objects.get().items.count() == 3


def test_with_auth_required_a_task_is_followed_by_polling_and_downloads_carry_the_token(
    page, live_server, embedded_worker, settings, django_user_model
):
    settings.OCR_API_AUTH = "required"
    django_user_model.objects.create_user("reader", password="a long enough password")
    requests = record_requests(page)
    open_page(page, live_server)
    page.fill('#login-form input[name="username"]', "reader")
    page.fill('#login-form input[name="password"]', "a long enough password")
    page.click("#login-form button")
    page.locator("#session").wait_for(timeout=TIMEOUT_MS)

    upload(page, pdf("mine.pdf", "signed page"))
    card = finished_task_files(page, 1).first
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        card.locator(".download[data-format='txt']").click()

    # EventSource cannot send the token: the page polls the light detail instead.
    assert not any(request.url.endswith("/events/") for request in requests)
    assert Path(download.value.path()).read_text() == "signed page"
    assert OcrTask.objects.get().requested_by.username == "reader"


def test_a_receipt_s_fields_are_boxed_in_their_card_s_colours_and_listed(page, live_server):
    restore_built_in_cards()
    receipt = (Path(__file__).resolve().parent / "realdata" / "sroie_fields" / "004.jpg").read_bytes()
    open_page(page, live_server)

    page.check('input[name="mode"][value="fields"]')
    page.wait_for_selector('#card option[value="receipt"]', state="attached", timeout=TIMEOUT_MS)
    page.set_input_files("#file-input", files=[{"name": "004.jpg", "mimeType": "image/jpeg", "buffer": receipt}])
    result = finished_results(page, 1).first

    expect(result.locator('.fields dd[data-key="total"]')).to_contain_text("30.90")
    expect(result.locator('.fields dd[data-key="date"]')).to_contain_text("2018-11-18")
    total_box = result.locator('.field-box[data-key="total"]')
    assert total_box.get_attribute("stroke") == "#d62728"
    # The total's box lies where the reading found it, over the image as displayed.
    (record,) = OcrRecord.objects.all()
    shown = page.evaluate(
        """() => {
            const image = document.querySelector("article.result img");
            const frame = image.getBoundingClientRect();
            const box = document.querySelector('.field-box[data-key="total"]').getBoundingClientRect();
            const scale = image.naturalWidth / frame.width;
            return [(box.left - frame.left) * scale, (box.top - frame.top) * scale];
        }"""
    )
    line = next(line for line in record.result["lines"] if "30.90" in line["text"])
    assert shown[0] >= min(x for x, _ in line["location"]) - 8
    assert abs(shown[1] - min(y for _, y in line["location"])) < 12
    assert result.locator("table.group tr").count() > 2  # the items, as rows
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tryit-fields.png"), full_page=True)


def test_a_pasted_invoice2data_template_becomes_a_card_that_reads_a_pdf_and_a_bad_one_says_why(page, live_server):
    from tests.invoices import INVOICES, born_digital_pdf, template  # noqa: PLC0415

    restore_built_in_cards()
    invoice = INVOICES["de"]
    open_page(page, live_server)
    page.check('input[name="mode"][value="fields"]')
    page.click("#own-card summary")

    page.fill("#own-card-source", "keywords: [ACME]\nfields:\n  total: 'Summe (\\d+'")
    page.click("#own-card-make")
    expect(page.locator("#own-card-error")).to_contain_text(
        "invoice2data: The regex of field 'total' is no regular expression"
    )

    page.fill("#own-card-source", template(invoice))
    page.click("#own-card-make")
    expect(page.locator("#own-card-made")).to_contain_text("Musterfirma GmbH")
    assert page.locator("#card").input_value() == "musterfirma-gmbh"
    page.set_input_files(
        "#file-input",
        files=[{"name": "rechnung.pdf", "mimeType": "application/pdf", "buffer": born_digital_pdf(invoice)}],
    )
    result = finished_results(page, 1).first

    expect(result.locator('.fields dd[data-key="invoice_number"]')).to_contain_text(invoice.number)
    expect(result.locator('.fields dd[data-key="amount"]')).to_contain_text("1333.50")


def test_a_card_defined_field_by_field_on_the_page_reads_a_document(page, live_server):
    from tests.invoices import INVOICES, born_digital_pdf  # noqa: PLC0415

    restore_built_in_cards()
    invoice = INVOICES["fr"]
    open_page(page, live_server)
    page.check('input[name="mode"][value="fields"]')
    page.click("#own-card summary")
    page.select_option("#own-card-kind", "fields")

    page.fill(
        "#own-card-source",
        '{"name": "Facture", "fields": [{"key": "numero", "name": "Numéro", "type": "id", "labels": ["Facture n°"]},'
        ' {"key": "total", "name": "Total", "type": "amount", "labels": ["Total TTC"]}]}',
    )
    page.click("#own-card-make")
    expect(page.locator("#own-card-made")).to_contain_text("Facture")
    page.set_input_files(
        "#file-input",
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": born_digital_pdf(invoice)}],
    )
    result = finished_results(page, 1).first

    expect(result.locator('.fields dd[data-key="numero"]')).to_contain_text(invoice.number)
    expect(result.locator('.fields dd[data-key="total"]')).to_contain_text("1333.50")


def test_a_link_is_read_on_the_page_and_a_link_to_this_machine_is_refused_in_words(page, live_server, settings):
    from tests.urlserver import UrlServer  # noqa: PLC0415

    with UrlServer(image=draw_text("read from a link")) as server:
        settings.OCR_URL_ALLOWED_PORTS = [80, 443, server.port]
        open_page(page, live_server)

        page.fill("#url-input", server.url("/receipt.png"))
        page.click("#url-form button")
        refused = finished_results(page, 1).first
        expect(refused).to_contain_text("only public addresses")

        settings.OCR_URL_ALLOW_PRIVATE = True
        page.fill("#url-input", server.url("/image.png"))
        page.click("#url-form button")
        result = finished_results(page, 2).first

        assert result.locator(".line").all_inner_texts() == ["read from a link"]
        assert server.requests == ["/image.png"]
