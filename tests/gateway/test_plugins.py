"""The plug-in pattern: a routing policy, a gateway engine or a cloud provider registered in
one place (here, in the test) is picked up by the lookups the product uses (the spec, the
router, ``run_engine``, ``get_provider``)."""

from collections.abc import Sequence

import pytest

from skyclass.cloud import parse_spec
from skyclass.cloud.providers import PROVIDERS, Provider, get_provider
from skyclass.errors import ConfigError
from skyclass.gateway import (
    ENGINES,
    Endpoint,
    Engine,
    GatewaySettings,
    Router,
    RoutingTable,
    run_engine,
)
from skyclass.gateway.policies import POLICIES, Policy


@pytest.fixture
def registered():
    """Register a class for the test only: ``registered(REGISTRY, name)(cls)``."""
    added = []

    def register(registry, name):
        added.append((registry, name))
        return registry.register(name)

    yield register
    for registry, name in added:
        with registry._lock:
            del registry._entries[name]


def test_a_new_policy_is_usable_from_the_settings(registered):
    @registered(POLICIES, "last")
    class Last(Policy):
        def choose(self, candidates: Sequence) -> object:
            return candidates[-1]

    table = RoutingTable(endpoints=[Endpoint(url=f"http://h{i}", region=f"r{i}") for i in range(3)])
    router = Router(GatewaySettings(policy="last", engine="builtin"), table)
    assert {router.choose("primary", None, set()).region for _ in range(5)} == {"r2"}
    with pytest.raises(ValueError, match="use one of: .*last"):
        GatewaySettings(policy="fastest")


def test_a_new_engine_is_picked_from_the_spec(registered):
    served = []

    @registered(ENGINES, "recording")
    class Recording(Engine):
        def serve(self, settings, source) -> None:
            served.append((settings.listen, source.file))

    spec = parse_spec(
        "name: t\nmodel: /m\nregions: [{name: a}]\n"
        "gateway: {engine: recording, listen: '127.0.0.1:9911'}\n"
    )
    run_engine(spec.gateway, endpoints_file="endpoints.json")
    assert served == [("127.0.0.1:9911", "endpoints.json")]
    with pytest.raises(ConfigError, match="gateway.engine.*use one of: builtin, envoy, recording"):
        parse_spec("name: t\nmodel: /m\nregions: [{name: a}]\ngateway: {engine: nginx}\n")


def test_a_new_provider_is_picked_from_the_spec(registered):
    @registered(PROVIDERS, "moon")
    class Moon(Provider):
        name = "moon"

        def launch(self, ctx, region, track, model_uri, model_version, count):
            return []

        def stop(self, replica, *, graceful=True) -> None:
            return None

    spec = parse_spec("name: t\nmodel: /m\nregions: [{name: a, provider: moon}]\n")
    assert spec.regions[0].provider == "moon"
    assert isinstance(get_provider("moon"), Moon)
    with pytest.raises(
        ConfigError,
        match="line 4: regions\\[0\\].provider.*use one of: external, kubernetes, local, moon",
    ):
        parse_spec("name: t\nmodel: /m\nregions:\n  - {name: a, provider: mars}\n")
