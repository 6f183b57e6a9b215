"""Bad requests get the right 4xx with a message naming the fault, and the server keeps serving."""

from __future__ import annotations

import httpx
import pytest

from skyclass.serving import v2_request
from tests.serving.conftest import API_KEY, serve_until_exit

ROW = {
    "sepal_length": 5.1,
    "sepal_width": 3.5,
    "petal_length": 1.4,
    "petal_width": 0.2,
    "site": "north",
    "checked": True,
    "measured": "2024-03-01T00:00:00",
}


@pytest.fixture(scope="module")
def body(fitted):
    from skyclass.bundle import load

    return v2_request(load(fitted.path).schema, [ROW, ROW])


def _with(body: dict, name: str, **changes) -> dict:
    inputs = [dict(i, **changes) if i["name"] == name else i for i in body["inputs"]]
    return {**body, "inputs": inputs}


def _still_serving(server, body) -> None:
    assert server.client.get("/v2/health/ready").status_code == 200
    assert server.client.post("/v2/models/iris/infer", json=body).status_code == 200


def _error(response: httpx.Response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["error"]
    for fragment in fragments:
        assert fragment in message, message


def test_malformed_json(server, body):
    response = server.client.post(
        "/v2/models/iris/infer",
        content=b'{"inputs": [',
        headers={"content-type": "application/json"},
    )
    _error(response, 400, "malformed JSON")
    _still_serving(server, body)


def _probabilities(response: httpx.Response) -> list[float]:
    assert response.status_code == 200, response.text
    return next(o["data"] for o in response.json()["outputs"] if o["name"] == "probabilities")


def test_nan_token_means_missing_like_null(server, body):
    """tritonclient (rapidjson) writes float NaN as a bare NaN token: it is a missing value."""
    raw = httpx.Request("POST", "/", json=body).content
    assert raw.count(b'"petal_width","datatype":"FP64","shape":[2],"data":[0.2,0.2]') == 1
    as_nan = raw.replace(b'"data":[0.2,0.2]', b'"data":[NaN,0.2]', 1)
    as_null = raw.replace(b'"data":[0.2,0.2]', b'"data":[null,0.2]', 1)
    with_nan = _probabilities(server.client.post("/v2/models/iris/infer", content=as_nan))
    with_null = _probabilities(server.client.post("/v2/models/iris/infer", content=as_null))
    plain = _probabilities(server.client.post("/v2/models/iris/infer", content=raw))
    assert with_nan == with_null
    assert with_nan[:3] != plain[:3] and with_nan[3:] == plain[3:]


@pytest.mark.parametrize("token", [b"Infinity", b"-Infinity", b"1e999"])
def test_infinite_numbers_are_refused_naming_the_element(server, body, token):
    raw = httpx.Request("POST", "/", json=body).content
    bad = raw.replace(b'"data":[0.2,0.2]', b'"data":[0.2,' + token + b"]", 1)
    response = server.client.post("/v2/models/iris/infer", content=bad)
    if token == b"1e999":  # orjson refuses a number it cannot represent: malformed JSON
        _error(response, 400, "malformed JSON")
    else:
        _error(response, 400, "petal_width", "element 1", "infinite")
    _still_serving(server, body)


@pytest.mark.parametrize(
    ("name", "changes", "fragments"),
    [
        (
            "sepal_length",
            {"datatype": "BYTES", "data": ["5.1", "5.1"]},
            ("sepal_length", "numeric", "FP64"),
        ),
        ("sepal_length", {"data": ["a", 5.1]}, ("sepal_length", "element 0", "FP64")),
        ("sepal_length", {"data": [5.1, True]}, ("sepal_length", "element 1")),
        ("sepal_length", {"shape": [3]}, ("sepal_length", "shape [3]", "3 values")),
        ("sepal_length", {"shape": [2, 2]}, ("sepal_length", "shape")),
        ("sepal_length", {"datatype": "FP128"}, ("sepal_length", "FP128")),
        (
            "sepal_length",
            {"datatype": "INT32", "data": [1, 2**40]},
            ("sepal_length", "INT32 range"),
        ),
        (
            "sepal_length",
            {"datatype": "INT64", "data": [1, 1.5]},
            ("sepal_length", "element 1", "INT64"),
        ),
        ("site", {"data": ["north", 3]}, ("site", "element 1", "BYTES")),
        ("site", {"datatype": "FP64", "data": [1.0, 2.0]}, ("site", "categorical", "BYTES")),
        ("checked", {"datatype": "INT64", "data": [1, 7]}, ("checked", "row 1")),
        ("checked", {"data": [1, 0]}, ("checked", "BOOL")),
        ("measured", {"data": ["yesterday", "2024-01-01"]}, ("measured", "row 0")),
        ("petal_width", {"data": [[0.2], [0.3, 0.4]], "shape": [2, 1]}, ("petal_width", "ragged")),
        ("sepal_length", {"datatype": ["FP64"]}, ("sepal_length", "['FP64']")),
        ("sepal_length", {"datatype": {"FP64": 1}}, ("sepal_length", "datatype")),
        ("sepal_length", {"datatype": None}, ("sepal_length", "datatype")),
        ("sepal_length", {"shape": {"n": 2}}, ("sepal_length", "shape")),
        ("sepal_length", {"data": {"0": 5.1}}, ("sepal_length", "'data' must be a list")),
        ("site", {"data": [["north"], {"a": 1}], "shape": [2, 1]}, ("site", "ragged")),
        ("site", {"data": [{"a": 1}, "north"]}, ("site", "element 0", "BYTES")),
    ],
)
def test_wrong_datatype_or_shape(server, body, name, changes, fragments):
    response = server.client.post("/v2/models/iris/infer", json=_with(body, name, **changes))
    _error(response, 400, *fragments)


def test_structural_errors(server, body):
    infer = "/v2/models/iris/infer"
    _error(server.client.post(infer, json=[1, 2]), 400, "JSON object")
    _error(server.client.post(infer, json={"inputs": []}), 400, "inputs")
    _error(
        server.client.post(infer, json={**body, "inputs": body["inputs"][1:]}), 400, "sepal_length"
    )
    twice = {**body, "inputs": [*body["inputs"], body["inputs"][0]]}
    _error(server.client.post(infer, json=twice), 400, "appears twice")
    short = _with(body, "site", shape=[1], data=["north"])
    _error(server.client.post(infer, json=short), 400, "site", "rows")
    _error(server.client.post(infer, json={**body, "outputs": [{"name": "x"}]}), 400, "'x'")
    _error(server.client.post(infer, json={**body, "id": 5}), 400, "'id'")
    _error(server.client.post("/v2/models/iris/predict", json={"rows": []}), 400, "instances")
    _error(
        server.client.post("/v2/models/iris/predict", json={"instances": [1]}), 400, "instances[0]"
    )
    _still_serving(server, body)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw"])
def test_compressed_request_bodies(server, body, encoding):
    import gzip
    import zlib

    raw = httpx.Request("POST", "/", json=body).content
    if encoding == "gzip":
        packed = gzip.compress(raw)
    elif encoding == "deflate":
        packed = zlib.compress(raw)
    else:  # raw deflate stream without the zlib header, as some clients send for "deflate"
        squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        packed = squeezer.compress(raw) + squeezer.flush()
    header = {"content-encoding": encoding.removesuffix("-raw")}
    plain = server.client.post("/v2/models/iris/infer", content=raw)
    packed_reply = server.client.post("/v2/models/iris/infer", content=packed, headers=header)
    assert _probabilities(packed_reply) == _probabilities(plain)
    _error(
        server.client.post("/v2/models/iris/infer", content=raw, headers=header),
        400,
        "not valid",
    )
    _error(
        server.client.post(
            "/v2/models/iris/infer", content=raw, headers={"content-encoding": "br"}
        ),
        415,
        "'br'",
        "gzip",
    )


def test_compressed_body_within_the_size_limit(restricted_server, body):
    """A small gzip body that expands past --max-body-bytes gets 413, not a huge allocation."""
    import gzip

    bomb = gzip.compress(b'{"inputs": [' + b" " * 50_000 + b"]}")
    assert len(bomb) < 2000
    response = restricted_server.client.post(
        "/v2/models/iris/infer", content=bomb, headers={"content-encoding": "gzip"}
    )
    _error(response, 413, "decompresses", "--max-body-bytes")
    _still_serving(restricted_server, body)


def test_unknown_model_version_or_route(server, body):
    _error(server.client.post("/v2/models/nope/infer", json=body), 404, "'nope'", "'iris'")
    _error(server.client.post("/v2/models/iris/versions/9/infer", json=body), 404, "'9'")
    _error(server.client.get("/v2/models/nope"), 404, "nope")
    _error(server.client.get("/v2/models/iris/versions/9/ready"), 404, "'9'")
    _error(server.client.get("/v3/anything"), 404, "Not Found")
    _error(server.client.delete("/v2/models/iris/infer"), 405, "DELETE")
    _still_serving(server, body)


def test_oversized_body_and_too_many_rows(restricted_server, body):
    server = restricted_server
    big = v2_request_from(body, 200)
    _error(server.client.post("/v2/models/iris/infer", json=big), 413, "2000")

    def chunks():
        payload = httpx.Request("POST", "/", json=big).content
        for start in range(0, len(payload), 500):
            yield payload[start : start + 500]

    _error(server.client.post("/v2/models/iris/infer", content=chunks()), 413, "2000")
    four = v2_request_from(body, 4)
    _error(server.client.post("/v2/models/iris/infer", json=four), 413, "4 rows", "--max-rows")
    _still_serving(server, body)


def v2_request_from(body: dict, n: int) -> dict:
    """``body`` (two equal rows) grown to ``n`` rows."""
    inputs = [dict(i, shape=[n], data=[i["data"][0]] * n) for i in body["inputs"]]
    return {"inputs": inputs}


def test_auth_required_except_health(restricted_server, body):
    server = restricted_server
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        assert anonymous.get("/v2/health/live").status_code == 200
        assert anonymous.get("/v2/health/ready").status_code == 200
        for method, path in (
            ("GET", "/v2"),
            ("GET", "/v2/models/iris"),
            ("GET", "/metrics"),
            ("POST", "/v2/models/iris/infer"),
            ("GET", "/openapi.json"),
            ("POST", "/v2/models/iris/feedback"),
        ):
            _error(anonymous.request(method, path, json=body), 401, "Authorization: Bearer")
        wrong = {"Authorization": "Bearer nope"}
        _error(anonymous.post("/v2/models/iris/infer", json=body, headers=wrong), 401, "API key")
        unprefixed = {"Authorization": API_KEY}
        _error(
            anonymous.post("/v2/models/iris/infer", json=body, headers=unprefixed), 401, "API key"
        )
    assert server.client.post("/v2/models/iris/infer", json=body).status_code == 200
    assert server.client.get("/metrics").status_code == 200
    assert API_KEY not in server.log_text()


def test_missing_api_key_variable_is_a_one_line_cli_error(fitted, tmp_path):
    done = serve_until_exit(
        str(fitted.path), "--api-key-env", "SKYCLASS_UNSET_VARIABLE_X", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "SKYCLASS_UNSET_VARIABLE_X" in done.stderr and "Traceback" not in done.stderr


def test_binary_data_errors(server, fitted):
    import struct

    from skyclass.bundle import load
    from skyclass.serving import v2_binary_request

    body, headers = v2_binary_request(load(fitted.path).schema, [ROW, ROW])
    cut = int(headers["Inference-Header-Content-Length"])
    infer = "/v2/models/iris/infer"
    _error(server.client.post(infer, content=body[:-3], headers=headers), 400, "binary")
    _error(server.client.post(infer, content=body + b"xx", headers=headers), 400, "not claimed")
    bad_header = {**headers, "Inference-Header-Content-Length": str(len(body) + 5)}
    _error(server.client.post(infer, content=body, headers=bad_header), 400, "Inference-Header")
    infinite = body[:cut] + struct.pack("<d", float("inf")) + body[cut + 8 :]
    _error(server.client.post(infer, content=infinite, headers=headers), 400, "sepal_length", "inf")
    _still_serving(server, _plain_body(fitted))


def _plain_body(fitted):
    from skyclass.bundle import load

    return v2_request(load(fitted.path).schema, [ROW])


def _counter(server, line_start: str) -> float:
    for line in server.client.get("/metrics").text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_imputed_and_unseen_inputs_are_counted_and_reported(server, body):
    """A left-out optional column and an unseen category are scored but never silently."""
    imputed = 'skyclass_input_imputed_total{column="petal_width",reason="missing_column"}'
    unseen = 'skyclass_input_unseen_categories_total{column="site"}'
    before = _counter(server, imputed), _counter(server, unseen)
    clean = server.client.post("/v2/models/iris/infer", json=body)
    assert clean.status_code == 200 and "x-skyclass-data-quality" not in clean.headers
    inputs = [
        dict(i, data=["west", "north"]) if i["name"] == "site" else i
        for i in body["inputs"]
        if i["name"] != "petal_width"
    ]
    reply = server.client.post("/v2/models/iris/infer", json={"inputs": inputs})
    assert reply.status_code == 200, reply.text
    said = reply.headers["x-skyclass-data-quality"]
    assert "missing_columns=2 (petal_width)" in said and "unseen=1 (site)" in said
    assert (_counter(server, imputed), _counter(server, unseen)) == (before[0] + 2, before[1] + 1)
    records = server.client.post(
        "/v2/models/iris/predict", json={"instances": [dict(ROW, site="west", petal_width=None)]}
    )
    assert records.status_code == 200
    assert records.headers["x-skyclass-data-quality"] == (
        "missing_values=1 (petal_width); unseen=1 (site)"
    )


def test_strict_server_refuses_what_it_would_impute(start_server, fitted, body):
    strict = start_server(fitted.path, "--log", "none", "--strict").wait_ready()
    assert strict.client.post("/v2/models/iris/infer", json=body).status_code == 200
    inputs = [i for i in body["inputs"] if i["name"] != "petal_width"]
    reply = strict.client.post("/v2/models/iris/infer", json={"inputs": inputs})
    _error(reply, 400, "--strict", "'petal_width' is missing from the input")
    unseen = strict.client.post(
        "/v2/models/iris/predict", json={"instances": [dict(ROW, site="west")]}
    )
    _error(unseen, 400, "--strict", "'site'", "unseen")
