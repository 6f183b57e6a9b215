"""V2 protocol conformance against a real ``skyclass serve`` process, scikit-learn as oracle."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from skyclass.serving import v2_request

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
        "site": "west",
        "checked": False,
        "measured": "2024-09-15T12:00:00",
    },
    {
        "sepal_length": 5.9,
        "sepal_width": 2.8,
        "petal_length": 4.1,
        "petal_width": 1.3,
        "site": "south",
        "checked": True,
        "measured": "2024-05-05T00:00:00",
    },
]


def _schema(fitted):
    from skyclass.bundle import load

    return load(fitted.path).schema


def _outputs(reply: dict) -> dict:
    return {output["name"]: output for output in reply["outputs"]}


def test_health_and_server_metadata(server):
    assert server.client.get("/v2/health/live").json() == {"live": True}
    assert server.client.get("/v2/health/ready").json() == {"ready": True, "state": "ready"}
    meta = server.client.get("/v2").json()
    assert meta["name"] == "skyclass" and meta["version"]
    assert "skyclass_feedback" in meta["extensions"]


def test_model_metadata_lists_schema_inputs_and_outputs(server, fitted):
    for path in ("/v2/models/iris", "/v2/models/iris/versions/0"):
        response = server.client.get(path)
        assert response.status_code == 200
        assert response.headers["x-skyclass-model-version"] == "iris:0"
        meta = response.json()
        assert meta["name"] == "iris" and meta["versions"] == ["0"]
        kinds = {i["name"]: (i["datatype"], i["shape"]) for i in meta["inputs"]}
        assert kinds == {
            "sepal_length": ("FP64", [-1]),
            "sepal_width": ("FP64", [-1]),
            "petal_length": ("FP64", [-1]),
            "petal_width": ("FP64", [-1]),
            "site": ("BYTES", [-1]),
            "checked": ("BOOL", [-1]),
            "measured": ("BYTES", [-1]),
        }
        assert meta["outputs"] == [
            {"name": "probabilities", "datatype": "FP32", "shape": [-1, 3]},
            {"name": "label", "datatype": "BYTES", "shape": [-1]},
        ]
        assert meta["parameters"]["labels"] == list(fitted.model.classes_)
    assert server.client.get("/v2/models/iris/ready").json() == {"name": "iris", "ready": True}
    assert server.client.get("/v2/models/iris/versions/0/ready").status_code == 200


def test_infer_matches_scikit_learn(server, fitted):
    body = v2_request(_schema(fitted), ROWS, id="req-1")
    response = server.client.post("/v2/models/iris/infer", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["x-skyclass-model-version"] == "iris:0"
    reply = response.json()
    assert reply["id"] == "req-1"
    assert (reply["model_name"], reply["model_version"]) == ("iris", "0")
    out = _outputs(reply)
    assert out["probabilities"]["datatype"] == "FP32" and out["probabilities"]["shape"] == [3, 3]
    served = np.asarray(out["probabilities"]["data"]).reshape(3, 3)
    expected = fitted.proba(ROWS)
    np.testing.assert_allclose(served, expected, atol=1e-5)
    assert out["label"]["datatype"] == "BYTES" and out["label"]["shape"] == [3]
    assert out["label"]["data"] == list(fitted.model.classes_[expected.argmax(axis=1)])


@pytest.mark.parametrize(
    ("datatype", "data", "value"),
    [
        ("FP32", [5.5], np.float32(5.5)),
        ("FP64", [5.5], 5.5),
        ("INT32", [5], 5.0),
        ("INT64", [6], 6.0),
        ("UINT8", [7], 7.0),
        ("FP64", [[5.5]], 5.5),  # nested, shape [1, 1]
    ],
)
def test_numeric_datatypes(server, fitted, datatype, data, value):
    row = dict(ROWS[0], sepal_length=float(value))
    body = v2_request(_schema(fitted), [ROWS[0]])
    shape = [1, 1] if isinstance(data[0], list) else [1]
    body["inputs"][0] = {"name": "sepal_length", "datatype": datatype, "shape": shape, "data": data}
    reply = server.client.post("/v2/models/iris/infer", json=body)
    assert reply.status_code == 200, reply.text
    served = np.asarray(_outputs(reply.json())["probabilities"]["data"])
    np.testing.assert_allclose(served, fitted.proba([row])[0], atol=1e-5)


def test_bool_int_and_bytes_datatypes(server, fitted):
    body = v2_request(_schema(fitted), ROWS[:2])
    inputs = {i["name"]: i for i in body["inputs"]}
    assert inputs["checked"]["datatype"] == "BOOL" and inputs["site"]["datatype"] == "BYTES"
    reply = server.client.post("/v2/models/iris/infer", json=body).json()
    as_bool = np.asarray(_outputs(reply)["probabilities"]["data"])
    inputs["checked"].update(datatype="INT64", data=[1, 0])  # 0/1 for a boolean column
    reply = server.client.post("/v2/models/iris/infer", json=body).json()
    np.testing.assert_allclose(np.asarray(_outputs(reply)["probabilities"]["data"]), as_bool)
    np.testing.assert_allclose(as_bool.reshape(2, 3), fitted.proba(ROWS[:2]), atol=1e-5)


def test_outputs_field_selects_outputs_and_request_id_is_generated(server, fitted):
    body = v2_request(_schema(fitted), ROWS[:1])
    body["outputs"] = [{"name": "label"}]
    reply = server.client.post("/v2/models/iris/infer", json=body).json()
    assert [o["name"] for o in reply["outputs"]] == ["label"]
    assert len(reply["id"]) == 32


def test_versioned_infer_and_zero_rows(server, fitted):
    body = v2_request(_schema(fitted), [])
    reply = server.client.post("/v2/models/iris/versions/0/infer", json=body)
    assert reply.status_code == 200, reply.text
    assert _outputs(reply.json())["probabilities"]["shape"] == [0, 3]


def test_predict_records_endpoint(server, fitted):
    response = server.client.post("/v2/models/iris/predict", json={"id": "p", "instances": ROWS})
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["labels"] == list(fitted.model.classes_)
    assert [p["id"] for p in reply["predictions"]] == ["p:0", "p:1", "p:2"]
    served = np.asarray([p["probabilities"] for p in reply["predictions"]])
    np.testing.assert_allclose(served, fitted.proba(ROWS), atol=1e-5)
    assert [p["label"] for p in reply["predictions"]] == list(
        fitted.model.classes_[served.argmax(axis=1)]
    )


def test_prediction_log_jsonl_rows(server, fitted):
    body = v2_request(_schema(fitted), ROWS[:1], id="logged-1")
    reply = server.client.post(
        "/v2/models/iris/infer", json=body, headers={"X-Skyclass-Durable": "1"}
    )
    assert reply.headers["x-skyclass-logged"] == "committed"
    lines = [orjson.loads(line) for line in server.log_path.read_bytes().splitlines()]
    (row,) = [line for line in lines if line.get("id") == "logged-1"]
    assert row["kind"] == "prediction"
    assert (row["model_name"], row["model_version"], row["region"]) == ("iris", "0", "local")
    assert row["inputs"]["site"] == "north" and row["inputs"]["sepal_length"] == 5.1
    np.testing.assert_allclose(row["probabilities"], fitted.proba(ROWS[:1])[0], atol=1e-5)
    assert row["label"] == _outputs(reply.json())["label"]["data"][0]


def test_metrics_count_requests_rows_and_classes(server, fitted):
    body = v2_request(_schema(fitted), ROWS)
    before = server.client.get("/metrics").text
    server.client.post("/v2/models/iris/infer", json=body)
    text = server.client.get("/metrics").text
    assert 'skyclass_model_info{name="iris",version="0"} 1.0' in text

    def value(metrics: str, name: str) -> float:
        lines = [line for line in metrics.splitlines() if line.startswith(name + " ")]
        return float(lines[0].split()[-1]) if lines else 0.0

    assert (
        value(text, "skyclass_rows_predicted_total")
        - value(before, "skyclass_rows_predicted_total")
        == 3
    )
    assert (
        'skyclass_requests_total{code="200",method="POST",route="/v2/models/{name}/infer"}' in text
    )
    assert "skyclass_request_duration_seconds_bucket" in text
    assert "skyclass_batch_rows_bucket" in text
    assert 'skyclass_predicted_class_total{label="setosa"}' in text


def test_access_log_is_json_per_request(server):
    server.client.get("/v2/health/live")
    lines = [orjson.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    live = [line for line in lines if line["path"] == "/v2/health/live"]
    assert live and live[-1]["status"] == 200 and live[-1]["method"] == "GET"


def test_binary_data_extension_matches_json(server, fitted):
    from skyclass.serving import read_v2_response, v2_binary_request

    schema = _schema(fitted)
    body, headers = v2_binary_request(schema, ROWS, id="bin-1")
    response = server.client.post("/v2/models/iris/infer", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    reply = read_v2_response(response.content, response.headers["inference-header-content-length"])
    out = _outputs(reply)
    assert reply["id"] == "bin-1"
    assert out["probabilities"]["parameters"]["binary_data_size"] == 3 * 3 * 4
    np.testing.assert_allclose(
        np.asarray(out["probabilities"]["data"]).reshape(3, 3), fitted.proba(ROWS), atol=1e-5
    )
    json_reply = server.client.post("/v2/models/iris/infer", json=v2_request(schema, ROWS)).json()
    assert out["label"]["data"] == _outputs(json_reply)["label"]["data"]
    # binary inputs with JSON outputs, and one binary output chosen by name
    body, headers = v2_binary_request(schema, ROWS, binary_output=False)
    plain = server.client.post("/v2/models/iris/infer", content=body, headers=headers)
    assert plain.headers["content-type"] == "application/json"
    assert _outputs(plain.json())["label"]["data"] == out["label"]["data"]
    json_body = v2_request(schema, ROWS)
    json_body["outputs"] = [
        {"name": "label", "parameters": {"binary_data": True}},
        {"name": "probabilities"},
    ]
    mixed = server.client.post("/v2/models/iris/infer", json=json_body)
    mixed_reply = read_v2_response(mixed.content, mixed.headers["inference-header-content-length"])
    assert _outputs(mixed_reply)["label"]["data"] == out["label"]["data"]
    assert "binary_data_size" not in (
        _outputs(mixed_reply)["probabilities"].get("parameters") or {}
    )
