"""Fuzz the whole API from its own OpenAPI schema: no input may cause a server error, and every
answer must match the documented schema. Runs as a district leader's token and as a superuser's."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import one_of
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from wanghua.core import services
from wanghua.core.api import api
from wanghua.wsgi import application

# The schema endpoint needs a login; the fuzzer takes the schema from the API object itself.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application


@pytest.fixture
def keep_test_connection():
    """Calls go straight to the WSGI app: keep Django from closing the test's (transaction-wrapped)
    connection at the end of each request, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, make_user, keep_test_connection):
    return services.create_token(make_user("fuzzer", is_superuser=True), "fuzz")


# One test per operation, named by it: schemathesis's own `parametrize()` gives every operation the same
# node id, which pytest-xdist cannot tell apart (only one of them ran under xdist).
OPERATIONS = {result.ok().label: result.ok() for result in schema.get_all_operations()}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_api_never_fails_on_any_input(label, token):
    operation = OPERATIONS[label]
    # Valid and invalid input alike, as schemathesis's own runner generates.
    @given(case=one_of(*(operation.as_strategy(mode) for mode in GenerationMode)))
    @settings(max_examples=int(os.environ.get("WANGHUA_FUZZ_EXAMPLES", "30")), deadline=None,
              suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               checks=[not_a_server_error, response_schema_conformance])

    fuzz()
