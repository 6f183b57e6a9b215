"""Round robin: each candidate in turn.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> from skyclass.gateway._state import EndpointState
    >>> eps = [EndpointState(Endpoint(url=f"http://h{i}", region=f"r{i}")) for i in range(2)]
    >>> policy = RoundRobin()
    >>> [policy.choose(eps).region for _ in range(3)]
    ['r0', 'r1', 'r0']
"""

from __future__ import annotations

from collections.abc import Sequence

from skyclass.gateway._state import EndpointState
from skyclass.gateway.policies._base import POLICIES, Policy


@POLICIES.register("round_robin")
class RoundRobin(Policy):
    """Cycles through candidates with one counter."""

    def __init__(self) -> None:
        self._next = 0

    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState:
        chosen = candidates[self._next % len(candidates)]
        self._next += 1
        return chosen
