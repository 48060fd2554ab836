"""Driving Debian's Chromium with Playwright: the `page` fixture (in conftest.py) and what the
browser tests check with it."""

import os
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# As this machine's closed network wants them: no background calls home from the browser itself.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_browser_page(monkeypatch):
    """A page in headless Chromium, for as long as the generator runs (the `page` fixture)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `make test` installs Debian's chromium; without it the browser tests cannot run."
        )
    # Playwright's sync API keeps an event loop running in this thread; the database calls the
    # test itself makes are still synchronous, so Django's guard against async misuse is lifted.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
            # With Playwright's loop running, Django keeps the test's connections apart from the
            # ones it closes at the end (asgiref's context-local storage): closed here, or the
            # test database could not be dropped at the end ("accessed by other users").
            connections.close_all()


def record_requests(page) -> list:
    requested = []
    page.on("request", lambda request: requested.append(request))
    return requested


def sent_outside(requests: list, live_server_url: str) -> list[str]:
    """The URLs of requests to another host that the browser actually sent.

    A request the page's Content-Security-Policy stopped is reported by the browser but never sent.
    """
    own_host = urlsplit(live_server_url).netloc
    return [
        request.url
        for request in requests
        if urlsplit(request.url).scheme in ("http", "https")
        and urlsplit(request.url).netloc != own_host
        and request.failure not in ("csp", "net::ERR_BLOCKED_BY_CSP")
    ]
