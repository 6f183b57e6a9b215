"""Region health for the dashboard from a real gateway (status JSON and Prometheus text)."""

import httpx
import pytest

from skyclass.errors import InputError, NotFoundError
from skyclass.gateway import GatewaySettings, RoutingTable, start_in_thread
from skyclass.gateway._metrics import GatewayMetrics
from skyclass.monitor import read_status_file, regions_from_gateway, regions_from_status
from skyclass.monitor._regions import regions_from_prometheus
from tests.gateway.conftest import endpoint
from tests.gateway.servers import UpstreamPool
from tests.helpers import free_port

INFER = "/v2/models/m/infer"
BODY = b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1.0]}]}'


def test_regions_from_a_running_gateway():
    pool = UpstreamPool()
    gw = None
    try:
        a, b = pool(("aws-1",), ("gcp-1",))
        gw = start_in_thread(
            GatewaySettings(listen="127.0.0.1:0", policy="round_robin"),
            RoutingTable(
                endpoints=[endpoint(a, zone="us"), endpoint(b, zone="eu", cost_per_hour=0.5)]
            ),
        )
        for _ in range(10):
            assert httpx.post(gw.url + INFER, content=BODY, timeout=10).status_code == 200
        regions = {r["region"]: r for r in regions_from_gateway(gw.url)}
        assert set(regions) == {"aws-1", "gcp-1"}
        assert regions["aws-1"]["requests"] == 5 and regions["gcp-1"]["requests"] == 5
        assert regions["gcp-1"]["zone"] == "eu" and regions["gcp-1"]["cost_per_hour"] == 0.5
        assert regions["aws-1"]["healthy"] is True and regions["aws-1"]["ready"] == 1
        assert regions["aws-1"]["p50_ms"] > 0 and regions["aws-1"]["error_rate"] == 0
        text = httpx.get(gw.url + "/gateway/metrics", timeout=10).text
        prom = {r["region"]: r for r in regions_from_prometheus(text)}
        assert prom["aws-1"]["requests"] == 5 and prom["aws-1"]["p99_ms"] > 0
    finally:
        if gw is not None:
            gw.stop()
        pool.close()


def test_prometheus_quantiles_follow_histogram_quantile():
    metrics = GatewayMetrics()
    for ms in [1, 2, 3, 4, 30]:  # buckets 0.5, 1, 2.5, 5, 10, 25, 50 ms ...
        metrics.latency.labels(region="eu", cloud="gcp").observe(ms / 1000)
    metrics.requests.labels(region="eu", cloud="gcp", code="200").inc(5)
    metrics.errors.labels(region="eu", cloud="gcp").inc(1)
    (region,) = regions_from_prometheus(metrics.render().decode())
    # rank 2.5 of 5 lies in (2.5 ms, 5 ms] holding observations 3 and 4: 2.5 + 2.5 * 0.5/2
    assert region["p50_ms"] == pytest.approx(3.125)
    assert region["error_rate"] == pytest.approx(0.2)


def test_status_documents_and_files(tmp_path):
    rows = regions_from_status(
        [{"name": "a", "replicas_ready": 0, "replicas": 2, "dollars_per_hour": 1.0}]
    )
    assert rows[0]["region"] == "a" and rows[0]["healthy"] is False and rows[0]["endpoints"] == 2
    assert rows[0]["cost_per_hour"] == 1.0
    with pytest.raises(InputError, match="regions"):
        regions_from_status({"regions": 3})
    with pytest.raises(NotFoundError, match="skyclass status --json"):
        read_status_file(tmp_path / "none.json")
    with pytest.raises(InputError, match="is 'skyclass gateway' running"):
        regions_from_gateway(f"http://127.0.0.1:{free_port()}")
