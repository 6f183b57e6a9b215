"""schemathesis against the *official* Open Inference Protocol REST spec (KServe's file).

Unlike ``test_schemathesis`` (our own ``/openapi.json``), the cases here come from
``v2_spec/rest_predict_v2.yaml`` as KServe publishes it, in both generation modes:
positive (bodies that follow the spec: any tensor shape, any datatype string, nested data)
and, for infer, negative (bodies that break it: a list or an object where a string belongs,
missing fields, wrong types). Half of the cases address the served model, with the input names
renamed to real columns so the bodies reach the tensor decoders. About 80 requests;
none may get a 5xx, and every 4xx must carry a JSON ``error`` message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

SPEC = Path(__file__).parent / "v2_spec" / "rest_predict_v2.yaml"
COLUMNS = ["sepal_length", "petal_width", "site", "checked", "measured", "unknown"]


def _address_served_model(case, names: list[str]) -> None:
    case.path_parameters["MODEL_NAME"] = "iris"
    case.path_parameters["MODEL_VERSION"] = "0"
    inputs = case.body.get("inputs") if isinstance(case.body, dict) else None
    if isinstance(inputs, list):
        for tensor, name in zip(inputs, names):
            if isinstance(tensor, dict):
                tensor["name"] = name


def test_official_v2_spec_cases_never_get_a_server_error(server):
    api = schemathesis.openapi.from_path(str(SPEC))
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 6
    statuses: list[int] = []
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if operation.method.upper() == "POST":  # only infer has a body that can break the spec
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(
                case=operation.as_strategy(generation_mode=mode),
                served=st.booleans(),
                names=st.lists(st.sampled_from(COLUMNS), min_size=6, max_size=6),
            )
            @settings(
                max_examples=12,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def check(case, served, names):
                if served and case.path_parameters:
                    _address_served_model(case, names)
                response = case.call(base_url=server.url, timeout=30)
                statuses.append(response.status_code)
                case.validate_response(response, checks=[not_a_server_error])
                if response.status_code >= 400:
                    assert isinstance(response.json().get("error"), str), response.text

            check()
    assert len(statuses) >= 70 and max(statuses) < 500
    assert {200, 400, 404} <= set(statuses)
    assert server.client.get("/v2/health/ready").status_code == 200
