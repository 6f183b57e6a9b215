"""Semantic readiness: ready only after hashes and golden rows verify; live answers regardless."""

from __future__ import annotations

import hashlib
import json
import shutil
import time

import pytest

from skyclass.serving import v2_request
from tests.helpers import wait_http


def _copy(fitted, tmp_path):
    target = tmp_path / "bundle"
    shutil.copytree(fitted.path, target)
    return target


def _rehash(bundle, name: str) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    data = (bundle / name).read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _failed(server) -> dict:
    """Poll readiness until loading is over; the final (failed) reply."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reply = wait_http(server.url + "/v2/health/ready", expect=503).json()
        if reply["state"] != "loading":
            return reply
        time.sleep(0.05)
    pytest.fail("model still loading after 60 s")


def _not_ready(server, *fragments: str) -> None:
    assert server.client.get("/v2/health/live").json() == {"live": True}
    reply = _failed(server)
    assert reply["ready"] is False and reply["state"] == "failed"
    for fragment in fragments:
        assert fragment in reply["error"], reply["error"]
    infer = server.client.post("/v2/models/iris/infer", json={"inputs": []})
    assert infer.status_code == 503 and fragments[0] in infer.json()["error"]
    assert server.client.get("/v2/models/iris/ready").status_code == 503
    assert "skyclass_model_ready 0.0" in server.client.get("/metrics").text


def test_tampered_model_file_is_never_ready(start_server, fitted, tmp_path):
    bundle = _copy(fitted, tmp_path)
    onnx_bytes = bytearray((bundle / "model.onnx").read_bytes())
    onnx_bytes[-10] ^= 0xFF
    (bundle / "model.onnx").write_bytes(bytes(onnx_bytes))
    _not_ready(start_server(bundle, "--log", "none"), "model.onnx")


def test_golden_rows_that_do_not_reproduce_are_never_ready(start_server, fitted, tmp_path):
    bundle = _copy(fitted, tmp_path)
    golden = json.loads((bundle / "golden.json").read_text())
    golden[3]["probabilities"] = golden[3]["probabilities"][::-1]
    (bundle / "golden.json").write_text(json.dumps(golden))
    _rehash(bundle, "golden.json")
    _not_ready(start_server(bundle, "--log", "none"), "golden.json", "row 3")


def test_ready_server_serves_the_zip_form_too(start_server, fitted, tmp_path):
    from skyclass.bundle import load, read_files, write_zip

    archive = write_zip(tmp_path / "iris.skyclass", read_files(fitted.path))
    server = start_server(archive, "--log", "none").wait_ready()
    body = v2_request(load(fitted.path).schema, [fitted.frame.iloc[0].to_dict()])
    body["inputs"] = [
        dict(i, data=[str(v) for v in i["data"]]) if i["name"] == "measured" else i
        for i in body["inputs"]
    ]
    assert server.client.post("/v2/models/iris/infer", json=body).status_code == 200


def test_missing_bundle_is_a_one_line_cli_error(tmp_path):
    import subprocess

    from tests.serving.conftest import CLI

    done = subprocess.run(
        [*CLI, "serve", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "nope" in done.stderr and "Traceback" not in done.stderr
