"""Deploy-level tamper drill: three local regions, each pulling a signed model from its own cloud
(moto S3, GCS emulator, Azurite), the spec trusting one key. An attacker swaps the model in the
GCS copy; the region's fresh replica refuses it and stays not ready with the reason, the other
regions keep serving, and the gateway routes every request around it."""

import time

import httpx
import numpy as np
import orjson
import psutil
import pytest

from skyclass.bundle import Registry, generate_key, load
from skyclass.cloud import StateStore, deploy
from skyclass.cloud._certs import Certificates  # the deployment's mutual-TLS identities
from skyclass.cloud._table import publish  # what deploy does after launching replicas
from skyclass.cloud.providers import LaunchContext, get_provider
from skyclass.gateway import drive
from skyclass.serving import v2_request
from tests.bundle.factory import make_table
from tests.bundle.signing import swap_model
from tests.helpers import free_port

pytestmark = pytest.mark.slow

REGIONS = {"aws-us": "s3", "gcp-eu": "gcs", "azure-eu": "azure"}


@pytest.fixture
def clouds(request, monkeypatch):
    stores = {kind: request.getfixturevalue(f"{kind}_store") for kind in set(REGIONS.values())}
    for store in stores.values():
        for key, value in store.env.items():
            monkeypatch.setenv(key, value)  # replicas inherit the endpoints, as in a real cloud
    return stores


def _spec(path, model, stores) -> None:
    lines = [f"name: {path.stem}", f"model: {model}", "trust: {keys: [keys/team.pub]}", "regions:"]
    for region, kind in REGIONS.items():
        lines.append(f"  - {{name: {region}, cloud: {kind}, store: {stores[region]}}}")
    lines += [
        "gateway:",
        f"  listen: 127.0.0.1:{free_port()}",
        "  policy: round_robin",
        "  health: {interval_ms: 200, timeout_ms: 1000}",
        "  timeout_ms: 4000",
    ]
    path.write_text("\n".join(lines) + "\n")


def _restart(dep, state, region_name):
    """What a cloud does when a replica dies: start a fresh one from the region's own store."""
    dep.chaos(region_name, kill=True)
    spec = dep.spec
    region = spec.region(region_name)
    previous = StateStore(state).replicas(spec.name, active_only=False)
    old = next(r for r in previous if r.region == region_name)
    ctx = LaunchContext(spec, dep.folder)
    (fresh,) = get_provider("local").launch(
        ctx, region, "primary", old.model_uri, old.model_version, 1
    )
    StateStore(state).add_replica(fresh)
    publish(dep.folder, spec, StateStore(state).replicas(spec.name))
    return fresh


def _readiness(dep, replica, timeout: float = 120.0) -> dict:
    """The replica's readiness body once it stopped loading (ready or failed), asked with the
    gateway's client certificate (replicas speak mutual TLS)."""
    tls = Certificates(dep.folder, dep.name).client_context() or True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = httpx.get(replica.url + "/v2/health/ready", timeout=2, verify=tls).json()
            if body.get("state") != "loading":
                return body
        except (httpx.HTTPError, ValueError):
            pass
        if not psutil.pid_exists(replica.pid):
            break
        time.sleep(0.1)
    tails = {p.name: p.read_text()[-600:] for p in (dep.folder / "logs").glob("gcp-eu-*.log")}
    pytest.fail(f"{replica.url} did not finish loading in {timeout} s; logs: {tails}")


def _gateway_ready(dep, want: dict, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        regions = httpx.get(dep.gateway_url + "/gateway/status", timeout=5).json()["regions"]
        ready = {name: regions[name]["ready"] for name in want}
        if ready == want or time.monotonic() > deadline:
            return ready
        time.sleep(0.1)


def test_tampered_region_refuses_the_others_serve_and_the_gateway_routes_around(
    clouds, tmp_path, demo_bundle, other_bundle
):
    _, public = generate_key(tmp_path / "keys" / "team")
    source = clouds["s3"].unique_url("source")
    Registry(source).push(demo_bundle, sign=tmp_path / "keys" / "team.key", alias="champion")
    stores = {region: clouds[kind].unique_url(region) for region, kind in REGIONS.items()}
    spec = tmp_path / "signed.yaml"
    _spec(spec, f"{source}/demo@champion", stores)
    state = tmp_path / "state"
    dep = deploy(spec, state_dir=state)
    try:
        assert {r.region: r.model_uri for r in dep.replicas()} == {
            region: f"{store}/demo@1" for region, store in stores.items()
        }
        gcs = Registry(stores["gcp-eu"]).store
        swap_model(
            lambda name: gcs.read(f"demo/versions/1/{name}"),
            lambda name, data: gcs.write(f"demo/versions/1/{name}", data),
            other_bundle,
        )
        fresh = _restart(dep, state, "gcp-eu")
        body = _readiness(dep, fresh)
        assert body["ready"] is False and body["state"] == "failed", body
        assert "altered after trusted key" in body["error"] and "model.onnx" in body["error"]
        assert str(public) in body["error"]
        assert _gateway_ready(dep, {"aws-us": 1, "gcp-eu": 0, "azure-eu": 1}) == {
            "aws-us": 1,
            "gcp-eu": 0,
            "azure-eu": 1,
        }

        rows = make_table(1, seed=9).drop(columns=["y"]).to_dict("records")
        request = orjson.dumps(v2_request(load(demo_bundle).schema, rows))
        result = drive(dep.gateway_url + "/v2/models/demo/infer", request, rate=20, duration=2.0)
        assert result.total == 40 and result.failed == 0, [c.error for c in result.calls][:3]
        assert set(result.by_region()) == {"aws-us", "azure-eu"}, result.by_region()
        reply = httpx.post(dep.gateway_url + "/v2/models/demo/infer", content=request, timeout=10)
        probabilities = next(o for o in reply.json()["outputs"] if o["name"] == "probabilities")
        np.testing.assert_allclose(
            np.reshape(probabilities["data"], (1, -1)),
            load(demo_bundle).predict_proba(rows),
            atol=1e-6,
        )
    finally:
        dep.down()
