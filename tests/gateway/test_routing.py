"""Gateway routing against real upstream processes: failover, residency, canary, shadow, 503s."""

import socket
import socketserver
import threading
import time

import httpx
import orjson
import pytest

from skyclass.gateway import Endpoint, RoutingTable, drive
from tests.gateway.conftest import ENGINES, endpoint
from tests.helpers import wait_http

INFER = "/v2/models/m/infer"
BODY = orjson.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 1], "data": [1.0]}]})


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_round_robin_spreads_and_tags_region_and_version(upstreams, gateway, engine):
    a, b = upstreams(("aws-1",), ("gcp-1",))
    gw = gateway(RoutingTable(endpoints=[endpoint(a), endpoint(b)]), policy="round_robin")
    regions = []
    n = 6 if engine == "builtin" else 40  # Envoy splits at random between the two rotations
    for _ in range(n):
        r = httpx.post(gw.url + INFER, content=BODY)
        assert r.status_code == 200
        regions.append(r.headers["x-skyclass-region"])
        assert r.headers["x-skyclass-model-version"] == f"m:{regions[-1]}"
        assert r.headers.get_list("content-length") == [str(len(r.content))]  # never doubled
        assert len(r.headers.get_list("x-skyclass-region")) == 1
    assert sorted(set(regions)) == ["aws-1", "gcp-1"]
    if engine == "builtin":
        assert regions.count("aws-1") == 3
    assert a.count() == regions.count("aws-1") and b.count() == regions.count("gcp-1")


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_killed_region_gets_no_traffic_and_no_request_fails(upstreams, gateway):
    ups = upstreams(("aws-1",), ("gcp-1",), ("azure-1",))
    table = RoutingTable(endpoints=[endpoint(u) for u in ups])
    gw = gateway(table, policy="round_robin", health={"interval_ms": 200, "timeout_ms": 200})
    killed_at = []

    def kill():
        killed_at.append(time.time())
        ups[0].kill()

    result = drive(gw.url + INFER, BODY, rate=150, duration=3.0, events=[(1.0, kill)])
    assert result.failed == 0, [c for c in result.calls if not c.ok][:3]
    kill_event = result.events[0]
    last = result.last_sent_to("aws-1")
    assert last is not None and last < kill_event + 1.0
    after = [c for c in result.calls if c.sent > kill_event + 0.2]
    assert after and all(c.region != "aws-1" for c in after)
    stats = httpx.get(gw.url + "/gateway/status").json()
    assert stats["regions"]["aws-1"]["ready"] == 0
    # the last attempt the gateway itself sent the dead region (failed over) was within 1 s
    assert stats["regions"]["aws-1"]["endpoints"][0]["last_routed"] < killed_at[0] + 1.0
    assert stats["regions"]["gcp-1"]["ready"] == 1


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_hung_region_fails_no_request(upstreams, gateway):
    (good,) = upstreams(("gcp-1",))
    with socket.socket() as hung:  # accepts connections (backlog) and never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        hung_ep = Endpoint(url=f"http://127.0.0.1:{hung.getsockname()[1]}", region="aws-1")
        gw = gateway(
            RoutingTable(endpoints=[hung_ep, endpoint(good)]),
            policy="round_robin",
            timeout_ms=300,
            health={"interval_ms": 200, "timeout_ms": 200},
        )
        result = drive(gw.url + INFER, BODY, rate=50, duration=1.5)
    assert result.failed == 0
    assert set(result.by_region()) == {"gcp-1"}


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_all_regions_down_is_503_with_message(upstreams, gateway):
    a, b = upstreams(("aws-1",), ("gcp-1",))
    gw = gateway(RoutingTable(endpoints=[endpoint(a), endpoint(b)]))
    a.kill()
    b.kill()
    for _ in range(2):  # first: every attempt refused; second: nothing left to try
        r = httpx.post(gw.url + INFER, content=BODY)
        assert r.status_code == 503
        assert "no healthy region" in r.json()["error"]
        assert r.headers["x-skyclass-region"] == "none"


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_residency_never_crosses_zones_even_during_failover(upstreams, gateway):
    us, eu1, eu2 = upstreams(("aws-us",), ("gcp-eu",), ("azure-eu",))
    table = RoutingTable(endpoints=[endpoint(us, "us"), endpoint(eu1, "eu"), endpoint(eu2, "eu")])
    gw = gateway(table, policy="latency", residency={"header": "X-Data-Zone"})
    result = drive(
        gw.url + INFER,
        BODY,
        rate=200,
        duration=5.0,
        headers={"X-Data-Zone": "eu"},
        events=[(2.0, eu1.kill)],
    )
    assert result.total == 1000 and result.failed == 0
    assert set(result.by_region()) <= {"gcp-eu", "azure-eu"}
    assert us.count() == 0
    eu2.kill()
    r = httpx.post(gw.url + INFER, content=BODY, headers={"X-Data-Zone": "eu"})
    assert r.status_code == 503 and "'eu'" in r.json()["error"]
    r = httpx.post(gw.url + INFER, content=BODY, headers={"X-Data-Zone": "mars"})
    assert r.status_code == 400 and "mars" in r.json()["error"]
    assert httpx.post(gw.url + INFER, content=BODY).headers["x-skyclass-region"] == "aws-us"


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_canary_weight_is_honoured(upstreams, gateway):
    main, canary = upstreams(("aws-1",), ("aws-1c",))
    table = RoutingTable(
        endpoints=[endpoint(main), endpoint(canary, track="canary")], canary_weight=10
    )
    gw = gateway(table)
    result = drive(gw.url + INFER, BODY, rate=250, duration=8.0)
    assert result.total == 2000 and result.failed == 0
    share = sum(1 for c in result.calls if c.track == "canary") / result.total
    assert abs(share - 0.10) <= 0.03
    assert canary.count() == sum(1 for c in result.calls if c.track == "canary")


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_shadow_gets_every_copy_and_disagreements_are_counted(upstreams, gateway, engine):
    (main,) = upstreams(("aws-1",), label="cat")
    (shadow,) = upstreams(("aws-1s",), label="dog")
    table = RoutingTable(
        endpoints=[endpoint(main), endpoint(shadow, track="shadow")], shadow_percent=100
    )
    gw = gateway(table)
    labels = set()
    for _ in range(40):
        r = httpx.post(gw.url + INFER, content=BODY)
        assert r.headers["x-skyclass-region"] == "aws-1"
        labels.add(r.json()["outputs"][0]["data"][0])
    assert labels == {"cat"}
    # Envoy mirrors and discards the shadow's answers: copies are counted, not compared
    wait_for = {"sent": 40, "failed": 0, "disagreements": 40 if engine == "builtin" else None}
    deadline = time.monotonic() + 10
    while (seen := httpx.get(gw.url + "/gateway/status").json()["shadow"]) != wait_for:
        assert time.monotonic() < deadline, seen
    assert shadow.count() == 40


def test_outlier_ejection_on_5xx_and_retry_elsewhere(upstreams, gateway):
    (bad,) = upstreams(("aws-1",), status=500)
    (good,) = upstreams(("gcp-1",))
    gw = gateway(
        RoutingTable(endpoints=[endpoint(bad), endpoint(good)]),
        policy="round_robin",
        outlier={"consecutive_errors": 2, "eject_ms": 60000},
    )
    for _ in range(10):
        r = httpx.post(gw.url + INFER, content=BODY)
        assert r.status_code == 200 and r.headers["x-skyclass-region"] == "gcp-1"
    assert bad.count() == 2  # ejected after two 5xx answers
    metrics = httpx.get(gw.url + "/gateway/metrics").text
    assert 'skyclass_gateway_ejections_total{cloud="aws",region="aws-1"} 1.0' in metrics
    assert 'skyclass_gateway_failovers_total{cloud="aws",region="aws-1"} 2.0' in metrics


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_gateway_admin_paths(gateway):
    gw = gateway(RoutingTable())
    wait_http(gw.url + "/gateway/health")
    r = httpx.get(gw.url + "/gateway/nope")
    assert r.status_code == 404 and "/gateway/status" in r.json()["error"]


class _RawHandler(socketserver.StreamRequestHandler):
    """HTTP/1.1 keep-alive answers with Capitalised header names (as nginx or Go servers send)."""

    def handle(self):
        while True:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = self.rfile.readline()
                if not line:
                    return
                head += line
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.rfile.read(length)
            body = b'{"outputs": []}'
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nX-Skyclass-Model-Version: m:7\r\n\r\n%s" % (len(body), body)
            )


def _wait_ready(url: str, region: str, timeout: float = 15.0) -> None:
    """Poll /gateway/status until ``region`` has a ready endpoint; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    status = {}
    while time.monotonic() < deadline:
        status = httpx.get(url + "/gateway/status").json()
        if status["regions"].get(region, {}).get("ready", 0) >= 1:
            return
        time.sleep(0.05)
    pytest.fail(f"{region} never became ready: {status}")


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_upstream_header_case_never_doubles_headers(gateway):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _RawHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        gw = gateway(RoutingTable(endpoints=[Endpoint(url=url, region="go-1")]))
        _wait_ready(gw.url, "go-1")  # under heavy load the first health check can come late
        r = httpx.post(gw.url + INFER, content=BODY)
        assert r.status_code == 200 and r.json() == {"outputs": []}
        assert r.headers.get_list("content-length") == ["15"]
        assert r.headers["x-skyclass-model-version"] == "m:7"
        assert r.headers["x-skyclass-region"] == "go-1"
        assert [h for h in r.headers if h.startswith("x-envoy")] == []  # same on both engines
    finally:
        server.shutdown()
        server.server_close()
