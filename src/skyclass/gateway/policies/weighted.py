"""Weighted: smooth weighted round robin (the nginx algorithm) over endpoint weights.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> from skyclass.gateway._state import EndpointState
    >>> a = EndpointState(Endpoint(url="http://a", region="a", weight=3))
    >>> b = EndpointState(Endpoint(url="http://b", region="b", weight=1))
    >>> policy = Weighted()
    >>> "".join(policy.choose([a, b]).region for _ in range(8))
    'aabaaaba'
"""

from __future__ import annotations

from collections.abc import Sequence

from skyclass.gateway._state import EndpointState
from skyclass.gateway.policies._base import POLICIES, Policy


@POLICIES.register("weighted")
class Weighted(Policy):
    """Each pick adds every weight to a running score and takes the top score minus the total."""

    def __init__(self) -> None:
        self._current: dict[str, float] = {}

    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState:
        total = 0.0
        best: EndpointState | None = None
        for cand in candidates:
            url = cand.endpoint.url
            weight = cand.endpoint.weight
            score = self._current.get(url, 0.0) + weight
            self._current[url] = score
            total += weight
            if best is None or score > self._current[best.endpoint.url]:
                best = cand
        assert best is not None
        self._current[best.endpoint.url] -= total
        return best
