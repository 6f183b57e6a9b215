"""Cost: the cheapest candidate whose EWMA latency is within a bound.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> from skyclass.gateway._state import EndpointState
    >>> cheap = EndpointState(Endpoint(url="http://a", region="cheap", cost_per_hour=0.1))
    >>> dear = EndpointState(Endpoint(url="http://b", region="dear", cost_per_hour=0.9))
    >>> cheap.observe_latency(30.0); dear.observe_latency(3.0)
    >>> Cost(latency_bound_ms=50).choose([dear, cheap]).region
    'cheap'
    >>> Cost(latency_bound_ms=10).choose([dear, cheap]).region
    'dear'
"""

from __future__ import annotations

from collections.abc import Sequence

from skyclass.gateway._state import EndpointState
from skyclass.gateway.policies._base import POLICIES, Policy


@POLICIES.register("cost")
class Cost(Policy):
    """Cheapest within ``latency_bound_ms``; when none is within it, the fastest.

    Ties in price go to the endpoint with fewer outstanding requests; an endpoint not yet
    measured counts as within the bound.

    Parameters
    ----------
    latency_bound_ms : float
        The largest EWMA latency, in milliseconds, that still counts as fast enough.
    """

    def __init__(self, latency_bound_ms: float) -> None:
        self.latency_bound_ms = latency_bound_ms

    @classmethod
    def create(cls, *, latency_bound_ms: float = 250.0) -> Cost:
        """A cost policy with the spec's latency bound.

        Parameters
        ----------
        latency_bound_ms : float
            The spec's ``gateway.latency_bound_ms``.

        Returns
        -------
        Cost
            A new instance.
        """
        return cls(latency_bound_ms)

    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState:
        within = [c for c in candidates if c.ewma_ms is None or c.ewma_ms <= self.latency_bound_ms]
        if not within:
            return min(candidates, key=lambda c: c.ewma_ms or 0.0)
        return min(within, key=lambda c: (c.endpoint.cost_per_hour, c.outstanding))
