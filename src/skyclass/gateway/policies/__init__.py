"""Routing policies, one module each, registered by name in ``POLICIES``.

Example:
    >>> from skyclass.gateway.policies import make_policy
    >>> type(make_policy("round_robin")).__name__
    'RoundRobin'
"""

from __future__ import annotations

from skyclass.gateway.policies._base import POLICIES, Policy
from skyclass.gateway.policies.cost import Cost
from skyclass.gateway.policies.latency import Latency
from skyclass.gateway.policies.least_outstanding import LeastOutstanding
from skyclass.gateway.policies.round_robin import RoundRobin
from skyclass.gateway.policies.weighted import Weighted

__all__ = [
    "POLICIES",
    "POLICY_NAMES",
    "Cost",
    "Latency",
    "LeastOutstanding",
    "Policy",
    "RoundRobin",
    "Weighted",
    "make_policy",
]

POLICY_NAMES = POLICIES.names()


def make_policy(name: str, *, latency_bound_ms: float = 250.0) -> Policy:
    """A fresh policy object by name (ConfigError listing the valid names otherwise).

    Parameters
    ----------
    name : str
        A registered policy name (``POLICY_NAMES``): ``round_robin``, ``weighted``,
        ``least_outstanding``, ``latency`` or ``cost``.
    latency_bound_ms : float
        Passed to :meth:`Policy.create` (only ``cost`` uses it), milliseconds.

    Returns
    -------
    Policy
        A new instance with no state yet.
    """
    return POLICIES.get(name).create(latency_bound_ms=latency_bound_ms)
