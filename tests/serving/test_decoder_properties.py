"""hypothesis on the V2 decoding layer: any JSON value in any field is a clean ``InputError``.

The decoder (``decode_request``) and the column conversion (``columns_from_tensors``,
``columns_from_records``) either give canonical arrays or raise ``InputError``; nothing else
may escape (a ``TypeError`` there is an HTTP 500). Valid requests keep decoding to the
values sent.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyclass.data import ColumnSchema, Schema
from skyclass.errors import InputError
from skyclass.serving._body import parse_json
from skyclass.serving._columns import columns_from_records, columns_from_tensors
from skyclass.serving._tensors import decode_request

SCHEMA = Schema(
    [
        ColumnSchema("x", "numeric", required=False),
        ColumnSchema("flag", "boolean", required=False),
        ColumnSchema("site", "categorical", categories=["a", "b"], required=False),
        ColumnSchema("when", "datetime", required=False),
    ]
)
VALID = {
    "id": "r1",
    "inputs": [
        {"name": "x", "datatype": "FP64", "shape": [2], "data": [1.5, None]},
        {"name": "flag", "datatype": "BOOL", "shape": [2], "data": [True, False]},
        {"name": "site", "datatype": "BYTES", "shape": [2, 1], "data": [["a"], ["b"]]},
        {"name": "when", "datatype": "BYTES", "shape": [2], "data": ["2024-01-02", None]},
    ],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["FP64", "BYTES", "BOOL", "INT8", "x", "site"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
#: where in a request the hypothesis value goes: a top-level field or a field of one tensor
top_fields = st.sampled_from(["id", "inputs", "outputs", "parameters", "extra"])
tensor_fields = st.sampled_from(["name", "datatype", "shape", "data", "parameters"])


def _decode(body: object) -> dict[str, np.ndarray] | None:
    try:
        request = decode_request(body)
        return columns_from_tensors(SCHEMA, request.inputs, request.n_rows)
    except InputError:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=top_fields, value=json_values)
def test_any_value_in_a_top_level_field(field, value):
    _decode({**VALID, field: value})


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(position=st.integers(0, 3), field=tensor_fields, value=json_values)
def test_any_value_in_a_tensor_field(position, field, value):
    inputs = [dict(tensor) for tensor in VALID["inputs"]]
    inputs[position][field] = value
    _decode({**VALID, "inputs": inputs})


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=json_values)
def test_any_whole_body_and_any_record(value):
    _decode(value)
    try:
        columns_from_records(SCHEMA, value)
        columns_from_records(SCHEMA, [{"x": value, "flag": value, "site": value, "when": value}])
    except InputError:
        pass


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.lists(st.floats(allow_nan=True, allow_infinity=False) | st.none(), max_size=20))
def test_numbers_nan_and_null_decode_to_the_values_sent(data):
    body = {"inputs": [{"name": "x", "datatype": "FP64", "shape": [len(data)], "data": data}]}
    arrays = _decode(body)
    assert arrays is not None
    expected = [math.nan if v is None or math.isnan(v) else v for v in data]
    np.testing.assert_array_equal(arrays["x"], np.asarray(expected, dtype=np.float64))


def test_valid_request_decodes_to_canonical_arrays():
    arrays = _decode(VALID)
    assert arrays["x"].tolist()[0] == 1.5 and math.isnan(arrays["x"][1])
    assert arrays["flag"].tolist() == [1.0, 0.0]
    assert arrays["site"].tolist() == ["a", "b"]
    assert arrays["when"][0] == 1704153600.0 and math.isnan(arrays["when"][1])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": NaN}', "nan"),
        (b'{"a": [Infinity, -Infinity]}', [math.inf, -math.inf]),
        (b'{"a": 1}', {"a": 1}),
    ],
)
def test_parse_json_reads_non_finite_tokens(raw, expected):
    value = parse_json(raw)
    if expected == "nan":
        assert math.isnan(value["a"])
    elif isinstance(expected, list):
        assert value["a"] == expected
    else:
        assert value == expected


@pytest.mark.parametrize("raw", [b'{"a": nan}', b'{"a": NaN', b"[" * 100_000, b"\xff"])
def test_parse_json_errors_are_input_errors(raw):
    with pytest.raises(InputError, match="malformed JSON"):
        parse_json(raw)
