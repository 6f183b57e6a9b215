"""The Envoy configuration skyclass renders from settings and a routing table: residency as
zone-restricted header routes, canary as its own share, shadow mirrored from primary only,
rotations for balancing policies, one ordered pool for latency/cost, mTLS naming the region."""

import os
from pathlib import Path

import pytest

from skyclass.errors import ConfigError
from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable, UpstreamTls
from skyclass.gateway._envoy.config import bootstrap, render
from skyclass.gateway._envoy.control import order_regions
from skyclass.gateway.engines.envoy import envoy_command, envoy_workers

ZONES = {"aws-us": "us", "gcp-eu": "eu", "azure-eu": "eu"}


def _table(**extra) -> RoutingTable:
    endpoints = [
        Endpoint(url=f"http://127.0.0.1:{9000 + i}", region=r, zone=z, weight=1 + i)
        for i, (r, z) in enumerate(ZONES.items())
    ]
    return RoutingTable(endpoints=endpoints + extra.pop("more", []), version=3, **extra)


def _settings(**extra) -> GatewaySettings:
    return GatewaySettings(engine="builtin", **extra)


def _clusters(files) -> dict:
    return {c["name"]: c for c in files["cds.json"]["resources"]}


def _routes(files) -> list:
    return files["rds.json"]["resources"][0]["virtual_hosts"][0]["routes"]


def test_residency_routes_never_leave_the_zone():
    files = render(_settings(residency={"header": "X-Data-Zone"}, policy="round_robin"),
                   _table(), list(ZONES))  # fmt: skip
    clusters = _clusters(files)
    routes = _routes(files)
    eu = next(
        r
        for r in routes
        if r["match"].get("headers", [{}])[0].get("string_match") == {"exact": "eu"}
    )
    pools = [c["name"] for c in eu["route"]["weighted_clusters"]["clusters"]]
    assert sorted(pools) == ["pool.primary.zone-eu.azure-eu", "pool.primary.zone-eu.gcp-eu"]
    for pool in pools:  # failover order: the other eu region, never aws-us
        members = clusters[pool]["cluster_type"]["typed_config"]["clusters"]
        assert sorted(members) == ["region.primary.azure-eu", "region.primary.gcp-eu"]
    unknown = next(r for r in routes if "direct_response" in r)
    assert unknown["direct_response"]["status"] == 400
    assert unknown["direct_response"]["body"]["inline_string"] == "zones served here: eu, us"
    assert routes[0]["match"] == {"prefix": "/gateway/"}  # the control plane's own paths


def test_balancing_policies_are_rotations_and_ordered_ones_a_single_pool():
    table = _table()
    weighted = _routes(render(_settings(policy="weighted"), table, []))[-1]["route"]
    shares = {c["name"]: c["weight"] for c in weighted["weighted_clusters"]["clusters"]}
    assert shares == {"pool.primary.all.aws-us": 1667, "pool.primary.all.gcp-eu": 3333,
                      "pool.primary.all.azure-eu": 5000}  # fmt: skip
    files = render(_settings(policy="latency"), table, ["gcp-eu", "aws-us", "azure-eu"])
    assert _routes(files)[-1]["route"]["cluster"] == "pool.primary.all.ordered"
    ordered = _clusters(files)["pool.primary.all.ordered"]["cluster_type"]["typed_config"]
    assert ordered["clusters"] == ["region.primary.gcp-eu", "region.primary.aws-us",
                                   "region.primary.azure-eu"]  # fmt: skip
    retry = _routes(files)[-1]["route"]["retry_policy"]
    assert retry["num_retries"] == 2 and "connect-failure" in retry["retry_on"]
    assert retry["retry_priority"]["name"] == "envoy.retry_priorities.previous_priorities"


def test_canary_is_its_own_share_and_only_primary_is_mirrored():
    more = [
        Endpoint(url="http://127.0.0.1:9100", region="aws-us", zone="us", track="canary"),
        Endpoint(url="http://127.0.0.1:9200", region="aws-us", zone="us", track="shadow"),
    ]
    table = _table(more=more, canary_weight=10, shadow_percent=50)
    routes = _routes(render(_settings(policy="latency"), table, list(ZONES)))
    canary, primary = routes[-2], routes[-1]
    assert canary["match"]["runtime_fraction"]["default_value"] == {
        "numerator": 100_000, "denominator": "MILLION"}  # fmt: skip
    assert canary["route"]["cluster"] == "pool.canary.all.ordered"
    assert "request_mirror_policies" not in canary["route"]
    (mirror,) = primary["route"]["request_mirror_policies"]
    assert mirror["cluster"] == "pool.shadow.all.ordered"
    assert mirror["runtime_fraction"]["default_value"]["numerator"] == 500_000


def test_https_regions_get_mutual_tls_naming_the_region():
    tls = UpstreamTls(ca="/c/ca.pem", cert="/c/gw.pem", key="/c/gw.key", deployment="t")
    more = [Endpoint(url="https://127.0.0.1:9443", region="sec", zone="eu")]
    clusters = _clusters(render(_settings(), _table(more=more, tls=tls), []))
    socket = clusters["region.primary.sec"]["transport_socket"]["typed_config"]
    context = socket["common_tls_context"]
    assert context["validation_context"]["match_typed_subject_alt_names"] == [
        {"san_type": "DNS", "matcher": {"exact": "sec.t.skyclass"}}]  # fmt: skip
    assert context["tls_certificates"][0]["certificate_chain"] == {"filename": "/c/gw.pem"}
    assert "transport_socket" not in clusters["region.primary.aws-us"]  # plain http stays plain
    health = clusters["region.primary.sec"]["health_checks"][0]
    assert health["http_health_check"]["path"] == "/v2/health/ready"
    assert clusters["region.primary.sec"]["common_lb_config"]["healthy_panic_threshold"] == {
        "value": 0.0}  # fmt: skip


def test_bootstrap_keeps_admin_on_loopback():
    boot = bootstrap(_settings(), folder="/f", listen=("127.0.0.1", 8000), admin_port=9901,
                     control_port=9902)  # fmt: skip
    assert boot["admin"]["address"]["socket_address"] == {
        "address": "127.0.0.1",
        "port_value": 9901,
    }
    assert boot["dynamic_resources"]["cds_config"]["path_config_source"]["path"] == "/f/cds.json"


def test_cost_order_prefers_the_cheapest_within_the_bound():
    ewma = {"cheap": 30.0, "mid": 8.0, "dear": 2.0}
    costs = {"cheap": 0.1, "mid": 0.3, "dear": 0.9}
    assert order_regions("cost", ewma, costs, 50.0) == ["cheap", "mid", "dear"]
    assert order_regions("cost", ewma, costs, 10.0) == ["mid", "dear", "cheap"]


def test_envoy_workers_half_the_cores_or_the_override(monkeypatch):
    monkeypatch.delenv("SKYCLASS_ENVOY_WORKERS", raising=False)
    for cores, workers in ((1, 1), (2, 1), (4, 2), (8, 4), (64, 4)):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert envoy_workers() == workers
    monkeypatch.setenv("SKYCLASS_ENVOY_WORKERS", "3")
    command = envoy_command(Path("/bin/envoy"), Path("boot.json"))
    assert command[command.index("--concurrency") + 1] == "3"
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("SKYCLASS_ENVOY_WORKERS", bad)
        with pytest.raises(ConfigError, match=f"SKYCLASS_ENVOY_WORKERS='{bad}'.*whole number"):
            envoy_workers()
