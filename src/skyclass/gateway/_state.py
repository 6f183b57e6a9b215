"""Live state of one endpoint: health, ejection, outstanding requests, EWMA latency.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> state = EndpointState(Endpoint(url="http://127.0.0.1:9", region="a"))
    >>> state.observe_latency(10.0); state.observe_latency(20.0); round(state.ewma_ms, 1)
    13.0
"""

from __future__ import annotations

import time

from skyclass.gateway._settings import Endpoint

_ALPHA = 0.3


class EndpointState:
    """Mutable routing facts about one endpoint (touched only from the gateway's event loop)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.healthy = True
        self.ejected_until = 0.0
        self.outstanding = 0
        self.ewma_ms: float | None = None
        self.consecutive_errors = 0
        self.health_ok_streak = 0
        self.health_fail_streak = 0
        self.registered_at = time.monotonic()
        self.dead = False  # last failure was a refused/reset connection, not mere slowness
        self.last_routed: float | None = None  # wall clock of the last attempt sent here

    @property
    def region(self) -> str:
        return self.endpoint.region

    def available(self, now: float) -> bool:
        """Healthy and not ejected at monotonic time ``now``."""
        return self.healthy and now >= self.ejected_until

    def observe_latency(self, ms: float) -> None:
        """Fold one round-trip time into the exponentially weighted moving average."""
        self.ewma_ms = ms if self.ewma_ms is None else (1 - _ALPHA) * self.ewma_ms + _ALPHA * ms

    def mark_down(self) -> None:
        """Passive failure (refused, reset, timeout): stop routing here until health checks pass."""
        self.healthy = False
        self.health_ok_streak = 0
