"""The extraction platform's own paths (../shared/seeds/003): POST /api/extracting/v2/task and
GET /api/extracting/v2/{extract_id}, in its shapes, on a real receipt."""

import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from ocr_extract.models import Card
from ocr_task.exports import ocr_task_item_export
from ocr_task.models import OcrTask, OcrTaskItem
from tests.helpers import draw_text, restore_built_in_cards, upload

pytestmark = pytest.mark.django_db

RECEIPT = (Path(__file__).resolve().parent / "realdata" / "sroie_fields" / "004.jpg").read_bytes()


@pytest.fixture(autouse=True)
def built_in_cards():
    restore_built_in_cards()


def create(api_client, *files, **query):
    query = {"async_task": "false", "feature_type_id": Card.objects.get(slug="receipt").pk, **query}
    path = "/api/extracting/v2/task?" + "&".join(f"{name}={value}" for name, value in query.items())
    return api_client.post(path, {"files": [upload(content, name) for name, content in files]}, format="multipart")


def test_a_synchronous_task_answers_its_extractions_in_the_platform_s_shape(api_client):
    response = create(api_client, ("004.jpg", RECEIPT), task_name="march")

    assert response.status_code == 200
    answer = response.json()
    item = OcrTaskItem.objects.get()
    assert (answer["status"], answer["message"], answer["total"], answer["ids"]) == (200, "创建任务成功", 1, [item.pk])
    (extraction,) = answer["items"]
    assert (extraction["id"], extraction["extract_task_id"], extraction["origin_name"]) == (
        item.pk,
        item.task_id,
        "004.jpg",
    )
    assert (extraction["status"], extraction["status_name"]) == (5, "预标注成功")
    assert extraction["tag_type_id"] == Card.objects.get(slug="receipt").pk
    assert OcrTask.objects.get().name == "march"


def test_an_extraction_s_result_has_its_tags_with_where_they_are_and_its_groups(api_client):
    extract_id = create(api_client, ("004.jpg", RECEIPT)).json()["ids"][0]

    response = api_client.get(f"/api/extracting/v2/{extract_id}")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["code"]) == (200, 200)
    item = body["item"]
    result = item["result"]
    assert (result["status"], item["doc_type"], item["origin_name"]) == ("OK", 2, "004.jpg")
    tags = {tag["key"]: tag for tag in result["tag_list"]}
    assert [tag["tag_name"] for tag in result["tag_list"]] == ["Company", "Date", "Address", "Total"]
    total = tags["total"]
    assert (total["value"], total["word"], total["after_treatment"], total["color"]) == (
        "30.90",
        "30.90",
        "30.90",
        [214, 39, 40],
    )
    assert item["content"][total["index"] : total["index"] + 5] == "30.90"
    assert 0 < result["doc_prob"] <= 1
    (items,) = result["relation_extract"]
    assert items["name"] == "Items" and items["children"]
    first_row = items["children"][0]["children"]
    assert [child["key"] for child in first_row] == ["name", "quantity", "amount"]
    assert result["pdf_path"].endswith(f"/api/ocr_task/{item['extract_task_id']}/items/{extract_id}/export/?format=pdf")


def test_an_asynchronous_task_answers_at_once_its_extractions_unprocessed(api_client):
    answer = create(
        api_client, ("a.png", draw_text("TOTAL 9.00")), ("b.png", draw_text("later")), async_task="true"
    ).json()

    assert answer["total"] == 2
    assert [(item["status"], item["status_name"]) for item in answer["items"]] == [(0, "未处理")] * 2


@pytest.mark.parametrize(
    ("query", "parameter"),
    [({"feature_type_id": 9999}, "feature_type_id"), ({"async_task": "perhaps"}, "async_task")],
)
def test_it_refuses_a_query_it_cannot_use_naming_the_parameter(api_client, query, parameter):
    response = create(api_client, ("004.jpg", RECEIPT), **query)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert not OcrTask.objects.exists()


def test_an_extraction_that_does_not_exist_or_is_another_s_is_a_404(api_client, django_user_model, settings):
    extract_id = create(api_client, ("004.jpg", RECEIPT)).json()["ids"][0]
    settings.OCR_API_AUTH = "required"
    bob = django_user_model.objects.create_user("bob", password="x")
    api_client.force_authenticate(bob)

    assert api_client.get(f"/api/extracting/v2/{extract_id}").status_code == 404
    assert api_client.get("/api/extracting/v2/999999").json()["code"] == "not_found"


def test_the_highlighted_pdf_boxes_each_field_in_its_colour_with_a_legend(api_client):
    extract_id = create(api_client, ("004.jpg", RECEIPT)).json()["ids"][0]
    url = f"/api/extracting/v2/{extract_id}/export/highlight"

    asked = api_client.get(url)
    ocr_task_item_export(item_id=extract_id)  # what a task worker does meanwhile
    answer = api_client.get(url).json()
    pdf = b"".join(api_client.get(answer["item"]["url"]).streaming_content)

    assert (asked.status_code, asked["Retry-After"]) == (202, "2")
    assert (answer["status"], answer["item"]["name"]) == (200, "004.fields.pdf")
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 2  # the receipt, then the legend
    legend = document[1].get_textpage().get_text_range()
    assert "Total: 30.90" in legend and "Date: 18-11-18" in legend
    # The total's box is stroked in its colour where the total is on the receipt.
    total = next(
        field for field in OcrTaskItem.objects.get(pk=extract_id).extraction["fields"] if field["key"] == "total"
    )
    width = Image.open(io.BytesIO(RECEIPT)).width
    page = document[0].render(scale=width / document[0].get_width()).to_pil().convert("RGB")
    (left, top), (right, _), _, (_, bottom) = total["location"]
    edge = [page.getpixel((round(x), round(top))) for x in range(round(left) + 3, round(right) - 3)]
    assert sum(red > 150 and green < 110 and blue < 110 for red, green, blue in edge) > len(edge) / 2


def test_a_task_without_a_card_has_no_fields_pdf(api_client):
    task = api_client.post(
        "/api/ocr_task/", {"files": [upload(draw_text("no card"), "a.png")], "async_task": "false"}, format="multipart"
    ).json()

    response = api_client.get(f"/api/extracting/v2/{task['items'][0]['id']}/export/highlight")

    assert response.status_code == 409
    assert response.json()["code"] == "no_card"


def test_the_platform_s_task_takes_a_card_of_one_s_own_and_reads_a_born_digital_pdf_from_its_text(api_client):
    from tests.invoices import INVOICES, born_digital_pdf, template  # noqa: PLC0415

    invoice = INVOICES["nl"]
    card = api_client.post("/api/cards/", {"invoice2data": template(invoice)}, format="json").json()

    extract_id = create(api_client, ("factuur.pdf", born_digital_pdf(invoice)), feature_type_id=card["id"]).json()[
        "ids"
    ][0]
    result = api_client.get(f"/api/extracting/v2/{extract_id}").json()["item"]["result"]

    tags = {tag["key"]: tag for tag in result["tag_list"]}
    assert (tags["invoice_number"]["value"], tags["amount"]["value"]) == (invoice.number, invoice.total)
    assert OcrTaskItem.objects.get(pk=extract_id).extraction["page_sources"] == [{"number": 1, "source": "text_layer"}]
