"""Round trips with the V2 clients people really use: tritonclient (Triton's) and KServe's SDK.

tritonclient sends JSON tensors through rapidjson, which writes a float NaN as a bare
``NaN`` token, can put tensors in the binary data extension, and can gzip or deflate the
request body; every combination must give the probabilities of the in-memory oracle
(the preprocessor + scikit-learn model the bundle was made from), with the missing
``petal_width`` of the second row imputed as in training. The KServe SDK pins pandas < 3,
so it runs from its own venv (``scripts/install-test-tools.sh`` makes ``.tools/kserve-venv``)
through ``kserve_roundtrip.py``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

httpclient = pytest.importorskip("tritonclient.http")

ROOT = Path(__file__).resolve().parents[2]
KSERVE_PYTHON = ROOT / ".tools" / "kserve-venv" / "bin" / "python"
ROWS = [
    {
        "sepal_length": 5.1,
        "sepal_width": 3.5,
        "petal_length": 1.4,
        "petal_width": 0.2,
        "site": "north",
        "checked": True,
        "measured": "2024-03-01T00:00:00",
    },
    {
        "sepal_length": 6.7,
        "sepal_width": 3.0,
        "petal_length": 5.2,
        "petal_width": None,
        "site": "east",
        "checked": False,
        "measured": "2024-05-01",
    },
    {
        "sepal_length": 5.9,
        "sepal_width": 3.0,
        "petal_length": 4.2,
        "petal_width": 1.5,
        "site": "south",
        "checked": True,
        "measured": "2024-09-30T12:30:00",
    },
]


def _arrays() -> dict[str, np.ndarray]:
    def column(name):
        return [row[name] for row in ROWS]

    arrays = {
        name: np.array([np.nan if v is None else v for v in column(name)], dtype=np.float64)
        for name in ("sepal_length", "sepal_width", "petal_length", "petal_width")
    }
    arrays["site"] = np.array(column("site"), dtype=object)
    arrays["checked"] = np.array(column("checked"), dtype=bool)
    arrays["measured"] = np.array(column("measured"), dtype=object)
    return arrays


def _triton_inputs(binary: bool) -> list:
    inputs = []
    for name, array in _arrays().items():
        datatype = {"f": "FP64", "O": "BYTES", "b": "BOOL"}[array.dtype.kind]
        tensor = httpclient.InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    return inputs


@pytest.fixture(scope="module")
def triton(server):
    host = server.url.removeprefix("http://")
    client = httpclient.InferenceServerClient(url=host, connection_timeout=30, network_timeout=30)
    yield client
    client.close()


def test_tritonclient_sees_a_live_ready_model(triton):
    assert triton.is_server_live() and triton.is_server_ready()
    assert triton.is_model_ready("iris")
    metadata = triton.get_model_metadata("iris")
    assert metadata["name"] == "iris"
    assert [i["name"] for i in metadata["inputs"]] == list(_arrays())


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
@pytest.mark.parametrize("compression", [None, "gzip", "deflate"])
def test_tritonclient_round_trip(triton, fitted, binary, compression):
    outputs = [
        httpclient.InferRequestedOutput("probabilities", binary_data=binary),
        httpclient.InferRequestedOutput("label", binary_data=binary),
    ]
    result = triton.infer(
        "iris",
        _triton_inputs(binary),
        outputs=outputs,
        request_id="triton-1",
        request_compression_algorithm=compression,
    )
    expected = fitted.proba(ROWS)
    np.testing.assert_allclose(result.as_numpy("probabilities"), expected, atol=1e-5)
    labels = [v.decode() if isinstance(v, bytes) else v for v in result.as_numpy("label")]
    assert labels == list(fitted.model.classes_[expected.argmax(axis=1)])
    assert result.get_response()["id"] == "triton-1"


def test_tritonclient_json_sends_nan_as_a_bare_token():
    """The premise of the NaN handling: tritonclient's JSON really contains ``NaN``."""
    body, _ = httpclient.InferenceServerClient.generate_request_body(_triton_inputs(False))
    assert b"NaN" in (body if isinstance(body, bytes) else body.encode())


def test_kserve_client_round_trip(server, fitted):
    if not KSERVE_PYTHON.exists():
        pytest.skip("KServe SDK venv missing: run scripts/install-test-tools.sh (make deps)")
    done = subprocess.run(
        [str(KSERVE_PYTHON), str(Path(__file__).with_name("kserve_roundtrip.py")), server.url,
         json.dumps(ROWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    expected = fitted.proba(ROWS)
    assert reply["ready"] is True
    np.testing.assert_allclose(reply["json"], expected, atol=1e-5)
    np.testing.assert_allclose(reply["binary"], expected, atol=1e-5)
    assert reply["labels"] == list(fitted.model.classes_[expected.argmax(axis=1)])
    assert (reply["json_id"], reply["binary_id"]) == ("kserve-json", "kserve-binary")
