"""schemathesis against the live OpenAPI schema: every operation, a fixed seed, bounded examples.
No 5xx, and no response that contradicts the schema; a task's event stream read event by event."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.helpers import draw_text, upload

# The application without ocr_project.wsgi's start of the embedded task threads: those would run on
# through the other tests of this process.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


# Transactional: schemathesis calls the WSGI application, which closes the database connection at the
# end of each request, as in production; a test wrapped in one transaction could not survive that.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_contradicts_its_schema(case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_of_a_task_is_what_its_schema_says(api_client):
    """The stream read as a schema fuzzer reads text/event-stream: each event (its name and data)
    checked against the operation's schema; each event's data is the JSON its description names."""
    task_id = api_client.post(
        "/api/ocr_task/", {"files": [upload(draw_text("streamed"), "a.png")], "async_task": "false"}, format="multipart"
    ).json()["id"]
    operation = schema["/api/ocr_task/{id}/events/"]["GET"]
    case = operation.Case(path_parameters={"id": task_id})

    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    events = [line.removeprefix("event: ") for line in response.text.splitlines() if line.startswith("event: ")]
    data = [json.loads(line.removeprefix("data: ")) for line in response.text.splitlines() if line.startswith("data: ")]
    assert events == ["progress", "end"]
    summary_fields = set(schema.raw_schema["components"]["schemas"]["OcrTaskSummary"]["properties"])
    assert set(data[0]) == summary_fields and data[1] == {"id": task_id, "status": "succeeded"}
