"""schemathesis against the live OpenAPI schema: every operation, a fixed seed, bounded examples.
No 5xx, and no response that contradicts the schema."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

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
