"""Semantic readiness: ready only after hashes and golden rows verify; live answers regardless."""

from __future__ import annotations

import hashlib
import json
import shutil
import time

import pytest

from skyclass.serving import v2_request
from tests.helpers import wait_http
from tests.serving.conftest import Server


def _tampered_model(fitted, folder):
    bundle = folder / "tampered"
    shutil.copytree(fitted.path, bundle)
    onnx_bytes = bytearray((bundle / "model.onnx").read_bytes())
    onnx_bytes[-10] ^= 0xFF
    (bundle / "model.onnx").write_bytes(bytes(onnx_bytes))
    return bundle


def _wrong_golden(fitted, folder):
    """Golden probabilities that do not match, with the manifest hash updated to match them."""
    bundle = folder / "golden"
    shutil.copytree(fitted.path, bundle)
    golden = json.loads((bundle / "golden.json").read_text())
    golden[3]["probabilities"] = golden[3]["probabilities"][::-1]
    data = json.dumps(golden).encode()
    (bundle / "golden.json").write_bytes(data)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["golden.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    return bundle


def _zipped(fitted, folder):
    from skyclass.bundle import read_files, write_zip

    return write_zip(folder / "iris.skyclass", read_files(fitted.path))


@pytest.fixture(scope="module")
def servers(fitted, tmp_path_factory):
    """Three servers started at once (they load in parallel): tampered, golden, zip."""
    folder = tmp_path_factory.mktemp("readiness")
    bundles = {
        "tampered": _tampered_model(fitted, folder),
        "golden": _wrong_golden(fitted, folder),
        "zip": _zipped(fitted, folder),
    }
    started = {name: Server(path, "--log", "none", cwd=folder) for name, path in bundles.items()}
    yield started
    for server in started.values():
        server.stop()


def _failed(server) -> dict:
    """Poll readiness until loading is over; the final (failed) reply."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        reply = wait_http(server.url + "/v2/health/ready", expect=503, timeout=90).json()
        if reply["state"] != "loading":
            return reply
        time.sleep(0.05)
    pytest.fail("model still loading after 90 s")


def _not_ready(server, *fragments: str) -> None:
    server.wait_live()
    assert server.client.get("/v2/health/live").json() == {"live": True}
    reply = _failed(server)
    assert reply["ready"] is False and reply["state"] == "failed"
    for fragment in fragments:
        assert fragment in reply["error"], reply["error"]
    infer = server.client.post("/v2/models/iris/infer", json={"inputs": []})
    assert infer.status_code == 503 and fragments[0] in infer.json()["error"]
    assert server.client.get("/v2/models/iris/ready").status_code == 503
    assert "skyclass_model_ready 0.0" in server.client.get("/metrics").text


def test_tampered_model_file_is_never_ready(servers):
    _not_ready(servers["tampered"], "model.onnx")


def test_golden_rows_that_do_not_reproduce_are_never_ready(servers):
    _not_ready(servers["golden"], "golden.json", "row 3")


def test_ready_server_serves_the_zip_form_too(servers, fitted):
    from skyclass.bundle import load

    server = servers["zip"].wait_ready()
    record = fitted.frame.iloc[0].to_dict()
    record["measured"] = record["measured"].isoformat()
    body = v2_request(load(fitted.path).schema, [record])
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
