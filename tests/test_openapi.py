"""The OpenAPI schema reproduces the v1.0.0 reference (shared/seeds/000), and its pages answer."""

import re

import pytest
from django.core.management import call_command

SCHEMA_URL = "/api/schema/?format=json"

# The two components exactly as the v1.0.0 reference gives them.
OCR_PARSE_LETTER_RES_SER = {
    "required": ["content"],
    "type": "object",
    "properties": {
        "content": {
            "description": "解析图片得到的字母列表",
            "type": "array",
            "items": {"description": "字母", "type": "string", "maxLength": 1, "minLength": 1},
        }
    },
}
OCR_RECORD_DISPLAY_SER = {
    "required": ["image_md5", "image_size", "content"],
    "type": "object",
    "properties": {
        "id": {"title": "Id", "type": "integer", "readOnly": True},
        "created_at": {"title": "创建时间", "type": "string", "format": "date-time", "readOnly": True},
        "image_md5": {
            "title": "图片的md5",
            "description": "长度为 32 的小写字母、数字",
            "type": "string",
            "maxLength": 32,
            "minLength": 1,
        },
        "image_size": {"title": "图片的大小", "description": "单位为 B", "type": "integer"},
        "content": {"description": "识别结果", "type": "array", "items": {"type": "string", "minLength": 1}},
    },
}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get(SCHEMA_URL).json()


def normalized(component: dict) -> dict:
    """The component with `required` as a set: its order carries no meaning."""
    return {**component, "required": sorted(component["required"])}


def test_it_is_titled_django_ocr_version_1_0_0(schema):
    assert schema["info"]["title"] == "django-ocr"
    assert schema["info"]["version"] == "1.0.0"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("OcrParseLetterResSer", OCR_PARSE_LETTER_RES_SER), ("OcrRecordDisplaySer", OCR_RECORD_DISPLAY_SER)],
)
def test_its_components_match_the_v1_reference(schema, name, expected):
    assert normalized(schema["components"]["schemas"][name]) == normalized(expected)


@pytest.mark.parametrize(
    ("path", "method", "summary"),
    [
        ("/api/ocr_record/{id}/", "get", "Ocr 解析记录-单个"),
        ("/api/ocr_record/", "get", "Ocr 解析记录-列表"),
        ("/api/ocr_record/parse_letter/", "post", "解析图片中的字母"),
    ],
)
def test_its_operations_have_the_v1_summaries(schema, path, method, summary):
    assert schema["paths"][path][method]["summary"] == summary


def test_it_has_the_three_v1_operations_and_the_later_ones_beside_them(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}

    assert operations == {
        ("/api/ocr_record/", "get"),
        ("/api/ocr_record/{id}/", "get"),
        ("/api/ocr_record/parse_letter/", "post"),
        ("/api/ocr_record/parse_text/", "post"),
        ("/api/ocr_record/{id}/result/", "get"),
        ("/api/ocr_task/", "get"),
        ("/api/ocr_task/", "post"),
        ("/api/ocr_task/{id}/", "get"),
        ("/api/ocr_task/{id}/", "delete"),
        ("/api/ocr_task/{id}/events/", "get"),
        ("/api/ocr_task/{id}/items/{item_id}/pages/", "get"),
        ("/api/ocr_task/{id}/items/{item_id}/pages/{number}/image/", "get"),
        ("/api/ocr_task/{id}/items/{item_id}/export/", "get"),
        ("/api/cards/", "get"),
        ("/api/cards/", "post"),
        ("/api/cards/{id}/", "get"),
        ("/api/cards/{id}/", "put"),
        ("/api/cards/{id}/", "patch"),
        ("/api/cards/{id}/", "delete"),
        ("/api/extract/", "post"),
        ("/api/extracting/v2/task", "post"),
        ("/api/extracting/v2/{extract_id}", "get"),
        ("/api/extracting/v2/{extract_id}/export/highlight", "get"),
        ("/auth/login", "post"),
        ("/auth/refresh", "post"),
        ("/auth/logout", "post"),
    }


def test_the_list_has_every_v1_parameter_with_its_description_and_the_new_filters(schema):
    parameters = {
        parameter["name"]: parameter.get("description")
        for parameter in schema["paths"]["/api/ocr_record/"]["get"]["parameters"]
    }

    assert parameters.pop("kind").startswith("`letter` or `text`")
    assert parameters.pop("lang").startswith("The language(s) read")
    assert parameters.pop("tag").startswith("Records carrying this tag")
    assert parameters == {
        "id": None,
        "image_md5": None,
        "image_size__lte": None,
        "image_size__gte": None,
        "created_at__lte": None,
        "created_at__gte": None,
        "search": "A search term.",
        "ordering": "Which field to use when ordering the results.",
        "page": "A page number within the paginated result set.",
        "page_size": "Number of results to return per page.",
    }


def test_the_list_answers_the_paginated_records(schema):
    response = schema["paths"]["/api/ocr_record/"]["get"]["responses"]["200"]
    page = schema["components"]["schemas"]["PaginatedOcrRecordDisplaySerList"]

    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedOcrRecordDisplaySerList"
    }
    assert sorted(page["properties"]) == ["count", "next", "previous", "results"]
    assert sorted(page["required"]) == ["count", "results"]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/OcrRecordDisplaySer"}


def test_the_detail_takes_the_id_in_the_path(schema):
    operation = schema["paths"]["/api/ocr_record/{id}/"]["get"]

    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [("id", "path", True)]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OcrRecordDisplaySer"
    }


def test_parse_letter_takes_a_multipart_body_with_a_required_binary_image(schema):
    operation = schema["paths"]["/api/ocr_record/parse_letter/"]["post"]
    body_ref = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    body = schema["components"]["schemas"][body_ref.rsplit("/", 1)[1]]

    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]
    assert body["required"] == ["image"]
    assert body["properties"]["image"] == {"type": "string", "format": "binary"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OcrParseLetterResSer"
    }


def test_parse_letter_documents_its_error_statuses(schema):
    responses = schema["paths"]["/api/ocr_record/parse_letter/"]["post"]["responses"]

    assert sorted(responses) == ["200", "400", "413", "500", "503", "504"]


def test_the_schema_is_served_as_yaml_by_default(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"title: django-ocr" in response.content


def test_the_schema_passes_drf_spectacular_validation_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_their_assets_from_this_server_only(client, url):
    response = client.get(url)

    assert response.status_code == 200
    # "data:" URLs are inline and fetch nothing.
    assets = [
        url for url in re.findall(r'(?:src|href)="([^"]+)"', response.content.decode()) if not url.startswith("data:")
    ]
    assert assets
    # This server's paths: its static files, and ReDoc's bundle without the CDN logo (ocr_api.docs).
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_parse_text_documents_both_input_forms_every_option_and_examples(schema):
    operation = schema["paths"]["/api/ocr_record/parse_text/"]["post"]
    content = operation["requestBody"]["content"]
    components = schema["components"]["schemas"]

    assert set(content) == {"multipart/form-data", "application/json"}
    multipart = components[content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    json_body = components[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert multipart["properties"]["image"]["items"] == {"type": "string", "format": "binary"}
    assert {"image", "images", "lang", "detect_direction", "quick_mode", "tag"} <= set(json_body["properties"])
    assert {"lang", "detect_direction", "quick_mode", "tag"} <= set(multipart["properties"])
    assert set(content["application/json"]["examples"]) == {"OneImageAsBase64", "SeveralImagesAsBase64"}
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert answer["examples"]["Answer"]["value"]["results"][0]["lines"][0]["words"]
    assert answer["schema"] == {"$ref": "#/components/schemas/ParseTextResponse"}


def test_the_task_submission_documents_its_fields_and_both_answers(schema):
    operation = schema["paths"]["/api/ocr_task/"]["post"]
    form = schema["components"]["schemas"][
        operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]

    assert set(form["properties"]) == {
        "files",
        "urls",
        "async_task",
        "lang",
        "detect_direction",
        "task_name",
        "callback_url",
        "card",
    }
    assert set(form["required"]) == {"async_task"}  # files, or links to them
    assert form["properties"]["files"]["items"]["format"] == "binary"
    assert {"201", "202", "400", "413"} <= set(operation["responses"])


def test_the_export_documents_each_format_as_its_media_type(schema):
    operation = schema["paths"]["/api/ocr_task/{id}/items/{item_id}/export/"]["get"]

    assert set(operation["responses"]["200"]["content"]) == {
        "application/pdf",
        "text/plain",
        "application/json",
        "text/html",
        "application/xml",
        "text/tab-separated-values",
    }
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"format", "highlight", "item_id"}
