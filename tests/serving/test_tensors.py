"""V2 tensor decoding: every datatype, flat or nested data, and the error messages."""

from __future__ import annotations

import numpy as np
import pytest

from skyclass.errors import InputError
from skyclass.serving._tensors import decode_request


def _one(datatype: str, shape: list, data: list):
    request = decode_request(
        {"inputs": [{"name": "x", "datatype": datatype, "shape": shape, "data": data}]}
    )
    return request.inputs["x"], request.n_rows


@pytest.mark.parametrize(
    ("datatype", "data", "dtype"),
    [
        ("BOOL", [True, False], np.bool_),
        ("UINT8", [0, 255], np.uint8),
        ("UINT16", [1, 2], np.uint16),
        ("UINT32", [1, 2], np.uint32),
        ("UINT64", [1, 2], np.uint64),
        ("INT8", [-128, 127], np.int8),
        ("INT16", [-1, 2], np.int16),
        ("INT32", [-1, 2], np.int32),
        ("INT64", [-(2**63), 2**63 - 1], np.int64),
        ("FP16", [0.5, 1], np.float16),
        ("FP32", [0.1, 2], np.float32),
        ("FP64", [0.1, 2], np.float64),
        ("BYTES", ["a", "é"], np.object_),
    ],
)
def test_every_datatype_decodes_flat_and_nested(datatype, data, dtype):
    flat, n = _one(datatype, [2], data)
    nested, _ = _one(datatype, [2, 1], [[v] for v in data])
    assert n == 2 and flat.values.dtype == dtype and flat.missing is None
    assert flat.values.tolist() == nested.values.tolist() == np.asarray(data, dtype=dtype).tolist()


def test_nulls_are_missing():
    numbers, _ = _one("INT64", [3], [1, None, 3])
    assert np.isnan(numbers.values[1]) and numbers.missing.tolist() == [False, True, False]
    text, _ = _one("BYTES", [2], [None, "b"])
    assert text.values.tolist() == [None, "b"] and text.missing.tolist() == [True, False]


@pytest.mark.parametrize(
    ("datatype", "shape", "data", "message"),
    [
        ("FP32", [2], [1.0], "needs 2 values"),
        ("FP32", [1, 2], [1.0, 2.0], "shape"),
        ("FP32", [2, 1, 1], [1.0, 2.0], "shape"),
        ("FP32", [-1], [], "shape"),
        ("FP32", [2], [1.0, "2"], "element 1"),
        ("FP32", [2], [1.0, True], "element 1"),
        ("INT32", [1], [2**31], "INT32 range"),
        ("UINT8", [1], [-1], "UINT8 range"),
        ("INT64", [1], [2**64], "INT64 range"),
        ("INT64", [1], [1.0], "element 0"),
        ("BOOL", [1], [1], "element 0"),
        ("BYTES", [1], [b"x".decode() and 1], "element 0"),
        ("FP64", [2, 1], [[1.0], [2.0, 3.0]], "ragged"),
        ("FP64", [1, 1], [[[1.0]]], "nested"),
        ("COMPLEX", [1], [1], "datatype"),
    ],
)
def test_bad_tensors_name_the_input_and_element(datatype, shape, data, message):
    with pytest.raises(InputError, match=message) as info:
        _one(datatype, shape, data)
    assert "'x'" in str(info.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"inputs": {}}, "inputs"),
        ({"inputs": [5]}, r"inputs\[0\]"),
        ({"inputs": [{"datatype": "FP32", "shape": [1], "data": [1]}]}, "name"),
        ({"id": 3, "inputs": []}, "'id'"),
        ({"parameters": [], "inputs": []}, "parameters"),
        (
            {
                "inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}],
                "outputs": "label",
            },
            "outputs",
        ),
    ],
)
def test_bad_request_structure(body, message):
    with pytest.raises(InputError, match=message):
        decode_request(body)


def test_rows_must_agree_across_inputs():
    body = {
        "inputs": [
            {"name": "a", "datatype": "FP32", "shape": [2], "data": [1, 2]},
            {"name": "b", "datatype": "FP32", "shape": [1], "data": [1]},
        ]
    }
    with pytest.raises(InputError, match="'b' has 1 rows"):
        decode_request(body)
