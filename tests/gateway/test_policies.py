"""Routing policies on live endpoint states, and hedging against a real slow upstream."""

import time
from collections import Counter

import httpx
import orjson
import pytest

from skyclass.errors import ConfigError
from skyclass.gateway import Endpoint, GatewaySettings, Router, RoutingTable
from skyclass.gateway.policies import make_policy
from tests.gateway.conftest import endpoint

INFER = "/v2/models/m/infer"
BODY = orjson.dumps({"inputs": []})


def _router(policy, *endpoints, **settings):
    return Router(
        GatewaySettings(policy=policy, **settings), RoutingTable(endpoints=list(endpoints))
    )


def _picks(router, n, zone=None):
    return Counter(router.choose("primary", zone, set()).region for _ in range(n))


def test_latency_follows_the_ewma():
    router = _router(
        "latency", Endpoint(url="http://a", region="near"), Endpoint(url="http://b", region="far")
    )
    router.states["http://a"].observe_latency(5.0)
    router.states["http://b"].observe_latency(50.0)
    assert _picks(router, 10) == {"near": 10}
    for _ in range(10):  # near gets slow: the EWMA moves and traffic follows
        router.on_response(router.states["http://a"], 200, 200.0)
    assert _picks(router, 10) == {"far": 10}


def test_cost_takes_the_cheapest_region_within_the_latency_bound():
    router = _router(
        "cost",
        Endpoint(url="http://a", region="cheap", cost_per_hour=0.1),
        Endpoint(url="http://b", region="mid", cost_per_hour=0.3),
        Endpoint(url="http://c", region="dear", cost_per_hour=0.9),
        latency_bound_ms=100,
    )
    for url, ms in (("http://a", 300.0), ("http://b", 60.0), ("http://c", 5.0)):
        router.states[url].observe_latency(ms)
    assert _picks(router, 5) == {"mid": 5}  # cheap is over the bound
    router.states["http://b"].mark_down()
    assert _picks(router, 5) == {"dear": 5}


def test_weighted_and_round_robin_shares():
    router = _router(
        "weighted",
        Endpoint(url="http://a", region="a", weight=3),
        Endpoint(url="http://b", region="b", weight=1),
    )
    assert _picks(router, 400) == {"a": 300, "b": 100}
    router = _router("round_robin", *(Endpoint(url=f"http://{r}", region=r) for r in "xyz"))
    assert _picks(router, 300) == {"x": 100, "y": 100, "z": 100}


def test_least_outstanding_avoids_the_busy_endpoint():
    router = _router(
        "least_outstanding",
        Endpoint(url="http://a", region="a"),
        Endpoint(url="http://b", region="b"),
    )
    router.states["http://a"].outstanding = 10
    assert _picks(router, 50) == {"b": 50}


def test_retry_prefers_another_region_then_another_replica():
    router = _router(
        "round_robin",
        Endpoint(url="http://a1", region="a"),
        Endpoint(url="http://a2", region="a"),
        Endpoint(url="http://b1", region="b"),
    )
    assert router.choose("primary", None, {"http://a1"}).region == "b"
    assert router.choose("primary", None, {"http://a1", "http://b1"}).endpoint.url == "http://a2"
    assert router.choose("primary", None, {"http://a1", "http://a2", "http://b1"}) is None


def test_unknown_policy_is_a_config_error():
    with pytest.raises(ConfigError, match="gateway.policy: .*use one of: cost, latency"):
        make_policy("fastest")


def test_hedged_request_answers_from_the_fast_region(upstreams, gateway):
    (slow,) = upstreams(("aws-1",), delay_ms=800)
    (fast,) = upstreams(("gcp-1",))
    table = RoutingTable(endpoints=[endpoint(slow), endpoint(fast)])
    gw = gateway(table, policy="round_robin", hedge_after_ms=100)
    for _ in range(4):
        start = time.perf_counter()
        reply = httpx.post(gw.url + INFER, content=BODY, timeout=5)
        assert reply.status_code == 200 and reply.headers["x-skyclass-region"] == "gcp-1"
        assert time.perf_counter() - start < 0.7
    assert fast.count() == 4 and slow.count() >= 1  # the slow region was asked, then hedged
