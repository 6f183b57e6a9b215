"""Least outstanding requests by the power of two choices.

Two random candidates are compared and the one with fewer requests in flight wins,
which balances almost as well as scanning all of them at constant cost.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> from skyclass.gateway._state import EndpointState
    >>> busy, idle = (EndpointState(Endpoint(url=f"http://h{i}", region=f"r{i}")) for i in range(2))
    >>> busy.outstanding = 5
    >>> LeastOutstanding(seed=0).choose([busy, idle]).region
    'r1'
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from skyclass.gateway._state import EndpointState
from skyclass.gateway.policies._base import POLICIES, Policy


@POLICIES.register("least_outstanding")
class LeastOutstanding(Policy):
    """Power of two choices on the number of outstanding requests.

    Parameters
    ----------
    seed : int or None
        Seed of the random pair picks (``None``: a fresh, unseeded generator); set it for
        reproducible tests.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState:
        if len(candidates) == 1:
            return candidates[0]
        first, second = self._random.sample(list(candidates), 2)
        return first if first.outstanding <= second.outstanding else second
