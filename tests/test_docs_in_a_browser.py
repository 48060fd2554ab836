"""Swagger UI and ReDoc in a real headless Chromium: they render and no request leaves the machine."""

import pytest

from tests.browser import record_requests, sent_outside
from tests.helpers import make_record


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_runs_the_list_operation_with_nothing_fetched_from_outside(page, live_server):
    make_record(content=list("hello"))
    requested = record_requests(page)

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    summaries = page.locator("#operations-tag-ocr_record + div .opblock-summary-description").all_inner_texts()
    page.locator("#operations-ocr_record-ocr_record_list .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=20_000)

    assert sorted(summaries) == sorted(
        [
            "Ocr 解析记录-列表",
            "Ocr 解析记录-单个",
            "解析图片中的字母",
            "识别图片中的文字及位置 (text with positions)",
            "Ocr 解析记录-完整结果 (the whole record)",
        ]
    )
    assert status.inner_text().strip() == "200"
    assert '"content"' in page.locator(".live-responses-table .microlight").first.inner_text()
    page.wait_for_load_state("networkidle")
    assert sent_outside(requested, live_server.url) == []


@pytest.mark.django_db(transaction=True)
def test_redoc_renders_the_operations_with_nothing_fetched_from_outside(page, live_server):
    requested = record_requests(page)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/api/redoc/")
    page.get_by_text("解析图片中的字母").first.wait_for(state="attached", timeout=20_000)
    page.get_by_text("Ocr 解析记录-列表").first.wait_for(state="attached", timeout=20_000)

    page.wait_for_load_state("networkidle")
    assert sent_outside(requested, live_server.url) == []
    assert errors == []  # the bundle's CDN logo, refused by the page's policy, was one


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_runs_parse_text_with_an_uploaded_file(page, live_server, tmp_path):
    from tests.helpers import draw_text

    image = tmp_path / "hello.png"
    image.write_bytes(draw_text("hello world"))

    page.goto(f"{live_server.url}/api/docs/")
    operation = page.locator("#operations-ocr_record-ocr_record_parse_text_create")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("input[type=file]").first.set_input_files(str(image))
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=20_000)

    assert status.inner_text().strip() == "200"
    assert '"text": "hello world"' in operation.locator(".live-responses-table .microlight").first.inner_text()


@pytest.mark.django_db(transaction=True)
def test_redoc_shows_long_parameter_names_whole(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/api/redoc/#tag/ocr_record/operation/ocr_record_list")
    name = page.locator('td[kind="field"][title="created_at__gte"] span.property-name').first
    name.wait_for(state="attached", timeout=20_000)

    # The name's text ends inside its column, not under the description beside it.
    assert name.evaluate(
        "name => name.getBoundingClientRect().right <= name.closest('td').getBoundingClientRect().right"
    )
