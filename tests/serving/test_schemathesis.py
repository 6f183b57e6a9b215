"""Property-based API tests: schemathesis drives every operation of ``/openapi.json``.

About 100 generated requests in all (8 per operation, half of them addressed to the
served model so bodies reach the decoders); none may get a 5xx, and every answer must
match the documented status codes and response schemas.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import (  # noqa: E402
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def test_generated_requests_get_no_server_errors(server):
    api = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 13
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy(), served=st.booleans())
        @settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case, served):
            if served and case.path_parameters:  # half the cases address the served model
                case.path_parameters["name"] = "iris"
                if "version" in case.path_parameters:
                    case.path_parameters["version"] = "0"
            response = case.call(base_url=server.url, timeout=30)
            calls.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    assert len(calls) >= 50 and max(calls) < 500
    assert {200, 400, 404} <= set(calls)
    assert server.client.get("/v2/health/ready").status_code == 200
