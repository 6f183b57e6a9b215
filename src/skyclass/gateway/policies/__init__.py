"""Routing policies, one module each, registered by name.

Example:
    >>> from skyclass.gateway.policies import make_policy
    >>> type(make_policy("round_robin")).__name__
    'RoundRobin'
"""

from __future__ import annotations

from skyclass.errors import ConfigError
from skyclass.gateway.policies._base import Policy
from skyclass.gateway.policies.cost import Cost
from skyclass.gateway.policies.latency import Latency
from skyclass.gateway.policies.least_outstanding import LeastOutstanding
from skyclass.gateway.policies.round_robin import RoundRobin
from skyclass.gateway.policies.weighted import Weighted

__all__ = ["Cost", "Latency", "LeastOutstanding", "Policy", "RoundRobin", "Weighted", "make_policy"]

POLICY_NAMES = ("round_robin", "least_outstanding", "latency", "cost", "weighted")


def make_policy(name: str, *, latency_bound_ms: float = 250.0) -> Policy:
    """A fresh policy object by name (one of ``POLICY_NAMES``)."""
    if name == "round_robin":
        return RoundRobin()
    if name == "least_outstanding":
        return LeastOutstanding()
    if name == "latency":
        return Latency()
    if name == "cost":
        return Cost(latency_bound_ms)
    if name == "weighted":
        return Weighted()
    raise ConfigError(
        f"gateway.policy: unknown policy {name!r}; use one of {', '.join(POLICY_NAMES)}"
    )
