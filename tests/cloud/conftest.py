"""Fixtures for cloud tests: real upstream processes, a private state folder."""

import pytest

from tests.gateway.servers import UpstreamPool


@pytest.fixture
def upstreams():
    """Factory: ``upstreams(("us-1",), ("eu-1",))`` → started Upstream objects (killed after)."""
    pool = UpstreamPool()
    yield pool
    pool.close()
