"""/metrics for Prometheus, one log line per request with its id, and the middleware each kind of
request goes through."""

import json
import logging

import pytest
from django.utils.functional import SimpleLazyObject

from ocr_project.request_log import JsonFormatter
from tests.helpers import LIST_URL, draw_text

pytestmark = pytest.mark.django_db


def metric(text: str, name: str) -> float:
    """The value of the sample line that starts with `name` (labels included), 0 if absent."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_engine_time_cache_hits_and_records(client, post_image):
    before = client.get("/metrics").content.decode()
    image = draw_text("metrics")
    post_image(image)
    post_image(image)

    after = client.get("/metrics").content.decode()

    hits, misses = (
        'django_ocr_readings_total{cache="hit",kind="letter"}',
        'django_ocr_readings_total{cache="miss",kind="letter"}',
    )
    assert metric(after, misses) - metric(before, misses) == 1
    assert metric(after, hits) - metric(before, hits) == 1
    engine = 'django_ocr_engine_seconds_count{kind="letter"}'
    assert metric(after, engine) - metric(before, engine) == 1
    assert metric(after, 'django_ocr_records{kind="letter"}') == 1
    views = 'django_http_responses_total_by_status_view_method_total{method="POST",status="200",view="ocr_record-parse-letter"}'
    assert metric(after, views) - metric(before, views) == 2
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in after


def test_an_upload_that_is_not_an_image_is_counted_neither_a_hit_nor_a_miss(client, post_image):
    before = client.get("/metrics").content.decode()

    response = post_image(b"not an image at all")

    after = client.get("/metrics").content.decode()
    assert response.status_code == 400
    for cache in ("hit", "miss"):
        name = f'django_ocr_readings_total{{cache="{cache}",kind="letter"}}'
        assert metric(after, name) == metric(before, name)
    assert metric(after, 'django_ocr_records{kind="letter"}') == 0


def test_each_request_gets_an_id_and_one_log_line(client, post_image, caplog):
    caplog.set_level(logging.INFO, logger="django_ocr.requests")

    response = post_image(draw_text("logged"))

    (line,) = [record for record in caplog.records if record.name == "django_ocr.requests"]
    fields = line.fields
    assert response["X-Request-ID"] == fields["request_id"]
    assert (fields["method"], fields["route"], fields["status"]) == ("POST", "/api/ocr_record/parse_letter/", 200)
    assert fields["cache_hit"] is False
    assert 0 < fields["engine_ms"] <= fields["duration_ms"]


def test_the_route_of_a_record_is_its_pattern(client, caplog):
    caplog.set_level(logging.INFO, logger="django_ocr.requests")

    client.get("/api/ocr_record/12345/")

    (line,) = [record for record in caplog.records if record.name == "django_ocr.requests"]
    assert (line.fields["route"], line.fields["status"]) == ("/api/ocr_record/{pk}/", 404)


def test_a_request_id_from_the_caller_is_kept_and_a_strange_one_replaced(client):
    kept = client.get(LIST_URL, HTTP_X_REQUEST_ID="abc-123")
    replaced = client.get(LIST_URL, HTTP_X_REQUEST_ID="<script>")

    assert kept["X-Request-ID"] == "abc-123"
    assert len(replaced["X-Request-ID"]) == 32 and replaced["X-Request-ID"] != "<script>"


def test_with_its_level_off_no_line_is_written_but_the_request_id_is_still_answered(client, caplog):
    caplog.set_level(logging.WARNING, logger="django_ocr.requests")

    response = client.get(LIST_URL, HTTP_X_REQUEST_ID="abc-123")

    assert response["X-Request-ID"] == "abc-123"
    assert not [record for record in caplog.records if record.name == "django_ocr.requests"]


def test_an_api_request_is_given_no_session_user_or_messages_of_djangos(client):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "_messages")
    # The user there is the one DRF's authentication set, not the lazy one of Django's middleware.
    assert type(request.__dict__["user"]) is not SimpleLazyObject


def test_the_admin_still_keeps_a_session_and_a_user(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert response.wsgi_request.user.is_staff and response.wsgi_request.session.session_key


def test_json_log_lines_carry_the_request_fields():
    record = logging.LogRecord("django_ocr.requests", logging.INFO, __file__, 1, "message", None, None)
    record.fields = {"request_id": "abc", "status": 200}

    entry = json.loads(JsonFormatter().format(record))

    assert (entry["level"], entry["request_id"], entry["status"]) == ("INFO", "abc", 200)
