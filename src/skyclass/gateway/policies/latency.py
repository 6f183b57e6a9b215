"""Lowest latency: the candidate with the smallest EWMA round-trip time.

Endpoints never measured yet go first so every region gets a latency estimate;
health-check round trips keep the estimate fresh for regions not being chosen.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> from skyclass.gateway._state import EndpointState
    >>> near, far = (EndpointState(Endpoint(url=f"http://h{i}", region=f"r{i}")) for i in range(2))
    >>> near.observe_latency(2.0); far.observe_latency(40.0)
    >>> Latency().choose([far, near]).region
    'r0'
"""

from __future__ import annotations

from collections.abc import Sequence

from skyclass.gateway._state import EndpointState
from skyclass.gateway.policies._base import POLICIES, Policy


def _key(state: EndpointState) -> tuple[float, int]:
    ewma = -1.0 if state.ewma_ms is None else state.ewma_ms
    return (ewma, state.outstanding)


@POLICIES.register("latency")
class Latency(Policy):
    """Minimum EWMA latency, ties broken by fewer outstanding requests."""

    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState:
        return min(candidates, key=_key)
