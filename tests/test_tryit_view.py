"""The try-it page as served: public, self-contained, configured from the settings."""

import json
import re

import pytest


def page_config(response) -> dict:
    found = re.search(
        r'<script id="tryit-config" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def test_the_page_is_served_at_the_root_with_a_same_origin_only_policy(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "https://" not in response.content.decode()  # nothing from elsewhere


def test_its_configuration_comes_from_the_settings(client, settings):
    settings.OCR_TEXT_LANGUAGES = ["eng", "deu"]
    settings.OCR_API_AUTH = "required"

    config = page_config(client.get("/"))

    assert config["textLanguages"] == ["eng", "deu"]
    assert config["authRequired"] is True
    assert config["maxImagesPerRequest"] == settings.OCR_MAX_IMAGES_PER_REQUEST
    assert config["urls"] == {
        "parseLetter": "/api/ocr_record/parse_letter/",
        "parseText": "/api/ocr_record/parse_text/",
        "records": "/api/ocr_record/",
        "tasks": "/api/ocr_task/",
        "cards": "/api/cards/",
        "extract": "/api/extract/",
        "login": "/auth/login",
        "refresh": "/auth/refresh",
    }


@pytest.mark.parametrize("path", ["/static/tryit/app.js", "/static/tryit/app.css"])
def test_its_script_and_style_are_served_by_the_service(client, path):
    response = client.get(path)

    assert response.status_code == 200
