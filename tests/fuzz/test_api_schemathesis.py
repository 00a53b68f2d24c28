"""Fuzz the whole API from its own OpenAPI schema: no input may cause a server error, and every
answer must match the documented schema. Runs as a district leader's token and as a superuser's."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from wanghua.core import services
from wanghua.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(world, make_user):
    return services.create_token(make_user("fuzzer", is_superuser=True), "fuzz")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_any_input(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           checks=[not_a_server_error, response_schema_conformance])
