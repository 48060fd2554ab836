import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import browser, engines
from tests.helpers import PARSE_LETTER_URL, upload

# Requests in tests do not start the embedded task worker's threads: tests read pages with
# `workers.work_once()` (what those threads run), or start the threads themselves. Set here, when
# the tests are collected, not in a fixture: schemathesis loads the schema with a request while
# collecting, and a browser may still ask the live server for something after its test ended.
django_settings.OCR_TASK_EMBEDDED_THREADS = 0


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Each test starts with every throttle's allowance whole (logins are throttled by default)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def post_image(api_client):
    """POST bytes as the `image` field of parse_letter."""

    def post(content: bytes, name: str = "image.png"):
        return api_client.post(PARSE_LETTER_URL, {"image": upload(content, name)}, format="multipart")

    return post


@pytest.fixture
def counting_engine(settings):
    """The real pytesseract engine, counting how many images it was asked to read."""
    settings.OCR_ENGINE = "tests.engines.CountingPytesseractEngine"
    engines.CountingPytesseractEngine.calls = 0
    return engines.CountingPytesseractEngine


@pytest.fixture
def page(monkeypatch):
    """A page in Debian's headless Chromium (tests/browser.py); fails where there is none."""
    yield from browser.open_browser_page(monkeypatch)
