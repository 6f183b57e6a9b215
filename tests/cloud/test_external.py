"""deploy → gateway process → status → second gateway side by side → failover → down,
with provider: external over real upstream processes (no model needed)."""

import json
import subprocess
import sys

import httpx
import orjson
import psutil
import pytest

from skyclass.cloud import StateStore, connect, deploy
from skyclass.cloud._certs import Certificates
from skyclass.errors import NotFoundError
from skyclass.gateway import drive
from tests.cloud.conftest import needs_envoy
from tests.helpers import free_port, wait_http

INFER = "/v2/models/m/infer"
BODY = orjson.dumps({"inputs": []})
CLI = [sys.executable, "-c", "from skyclass.cli import main; main()"]


def _spec(tmp_path, ups, port):
    regions = "".join(
        f"  - name: {u.region}\n    provider: external\n    cloud: {u.region.split('-')[0]}\n"
        f"    zone: {zone}\n    cost_per_hour: {cost}\n    endpoints: [{u.url}]\n"
        for u, zone, cost in zip(ups, ["us", "eu"], [0.4, 0.3])
    )
    path = tmp_path / "deploy.yaml"
    path.write_text(
        f"name: ext\nmodel: file:///registry/m@1\nregions:\n{regions}"
        f"gateway:\n  listen: 127.0.0.1:{port}\n  policy: round_robin\n"
        "  residency: {header: X-Data-Zone}\n  health: {interval_ms: 200, timeout_ms: 200}\n"
    )
    return path


def test_deploy_status_side_by_side_gateways_and_down(tmp_path, upstreams):
    ups = upstreams(("aws-1",), ("gcp-1",))
    state = tmp_path / "state"
    spec = _spec(tmp_path, ups, free_port())
    handle = deploy(spec, state_dir=state)
    second = None
    try:
        url = handle.gateway_url
        served = {
            httpx.post(url + INFER, content=BODY).headers["x-skyclass-region"] for _ in range(4)
        }
        assert served == {"aws-1", "gcp-1"}
        eu = httpx.post(url + INFER, content=BODY, headers={"X-Data-Zone": "eu"})
        assert eu.headers["x-skyclass-region"] == "gcp-1"

        rows = {r["region"]: r for r in connect("ext", state).status()}
        assert rows["aws-1"]["ready"] == 1 and rows["aws-1"]["zone"] == "us"
        assert rows["gcp-1"]["cost_per_hour"] == pytest.approx(0.3)
        assert rows["aws-1"]["model_version"] == "1"
        assert rows["aws-1"]["rps"] > 0

        out = subprocess.run(
            [*CLI, "status", "--json", "--state", str(state)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert {r["region"] for r in json.loads(out.stdout)["regions"]} == {"aws-1", "gcp-1"}
        table = subprocess.run(
            [*CLI, "status", "--state", str(state)], capture_output=True, text=True, check=True
        ).stdout
        assert "aws-1" in table and "$ so far" in table

        port2 = free_port()
        second = subprocess.Popen(
            [*CLI, "gateway", str(spec), "--state", str(state), "--listen", f"127.0.0.1:{port2}"]
        )
        url2 = f"http://127.0.0.1:{port2}"
        wait_http(url2 + "/gateway/health")
        result = drive(url2 + INFER, BODY, rate=100, duration=2.0, events=[(0.7, ups[0].kill)])
        assert result.failed == 0
        assert result.last_sent_to("aws-1") < result.events[0] + 1.0
        assert httpx.post(url + INFER, content=BODY).status_code == 200  # first one fails over too
    finally:
        if second is not None:
            second.terminate()
            second.wait(timeout=10)
        stopped = connect("ext", state).down()
    assert stopped == 2
    with pytest.raises(NotFoundError):
        connect("ext", state)
    with pytest.raises(httpx.HTTPError):
        httpx.get(url + "/gateway/health", timeout=1)
    gone = subprocess.run([*CLI, "status", "--state", str(state)], capture_output=True, text=True)
    assert gone.returncode == 2
    assert "run `skyclass deploy SPEC.yaml` first" in " ".join(gone.stderr.split())


def test_bad_spec_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("name: x\nmodel: /m\nregions:\n  - name: a\n    provider: moon\n")
    out = subprocess.run(
        [*CLI, "deploy", str(spec), "--state", str(tmp_path / "s")], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "line 5: regions[0].provider" in " ".join(out.stderr.split())
    assert "Traceback" not in out.stderr


def test_chaos_refuses_non_local_regions(tmp_path, upstreams):
    ups = upstreams(("aws-1",), ("gcp-1",))
    state = tmp_path / "state"
    deploy(_spec(tmp_path, ups, free_port()), state_dir=state, gateway=False)
    out = subprocess.run(
        [*CLI, "chaos", "aws-1", "--kill", "--state", str(state)], capture_output=True, text=True
    )
    assert out.returncode == 2 and "provider: local only" in " ".join(out.stderr.split())
    connect("ext", state).down()


def test_gateway_without_a_deploy_routes_to_the_spec_endpoints(tmp_path, upstreams):
    ups = upstreams(("aws-1",), ("gcp-1",))
    port = free_port()
    spec = _spec(tmp_path, ups, port)
    proc = subprocess.Popen([*CLI, "gateway", str(spec), "--state", str(tmp_path / "empty")])
    try:
        wait_http(f"http://127.0.0.1:{port}/gateway/health")
        reply = httpx.post(
            f"http://127.0.0.1:{port}{INFER}", content=BODY, headers={"X-Data-Zone": "us"}
        )
        assert reply.status_code == 200 and reply.headers["x-skyclass-region"] == "aws-1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    local = tmp_path / "local.yaml"
    local.write_text("name: loc\nmodel: /m\nregions:\n  - name: a\n")
    out = subprocess.run(
        [*CLI, "gateway", str(local), "--state", str(tmp_path / "empty")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "run `skyclass deploy" in " ".join(out.stderr.split())


def test_redeploy_keeps_the_gateway_unless_its_settings_change(tmp_path, upstreams):
    ups = upstreams(("aws-1",), ("gcp-1",))
    state = tmp_path / "state"
    spec = _spec(tmp_path, ups, free_port())
    first = deploy(spec, state_dir=state)
    try:
        pid = StateStore(state).deployment("ext")["gateway_pid"]
        deploy(spec, state_dir=state)  # nothing changed: same gateway process
        assert StateStore(state).deployment("ext")["gateway_pid"] == pid
        spec.write_text(spec.read_text().replace("policy: round_robin", "policy: cost"))
        deploy(spec, state_dir=state)
        assert StateStore(state).deployment("ext")["gateway_pid"] != pid
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
        status = httpx.get(first.gateway_url + "/gateway/status").json()
        assert status["policy"] == "cost" and set(status["regions"]) == {"aws-1", "gcp-1"}
    finally:
        connect("ext", state).down()


@pytest.mark.parametrize("engine", ["builtin", pytest.param("envoy", marks=needs_envoy)])
def test_clients_reach_the_gateway_over_tls(tmp_path, upstreams, engine):
    ups = upstreams(("aws-1",), ("gcp-1",))
    state = tmp_path / "state"
    spec = _spec(tmp_path, ups, free_port())
    spec.write_text(
        spec.read_text().replace(
            "gateway:\n", f"tls: {{clients: true}}\ngateway:\n  engine: {engine}\n"
        )
    )
    handle = deploy(spec, state_dir=state)
    try:
        assert handle.gateway_url.startswith("https://")
        trust = Certificates(handle.folder, "ext").trust()
        reply = httpx.post(handle.gateway_url + INFER, content=BODY, verify=trust, timeout=10)
        assert reply.status_code == 200 and reply.headers["x-skyclass-region"] in {"aws-1", "gcp-1"}
        with pytest.raises(httpx.HTTPError):  # not trusted without the deployment's CA
            httpx.post(handle.gateway_url + INFER, content=BODY, timeout=10)
        assert {r["region"] for r in handle.status()} == {"aws-1", "gcp-1"}
    finally:
        connect("ext", state).down()
