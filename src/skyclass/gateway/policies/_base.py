"""The one contract every routing policy implements.

A policy chooses one endpoint among the available candidates of one track for one
request. Lifecycle: the router creates one instance per track with :meth:`Policy.create`
when it starts and keeps it for its life; a policy may keep state between calls (a
counter, scores). Thread-safety: none needed, the router calls it from its event
loop only. The Envoy engine does not call policies per request: it turns the policy's
name into Envoy weights and priorities (see ``skyclass.gateway._envoy.config``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from skyclass.gateway._settings import names_from
from skyclass.gateway._state import EndpointState
from skyclass.plugins import Registry


class Policy(ABC):
    """Chooses one endpoint among the available candidates (never an empty sequence).

    A subclass implements :meth:`choose`; it overrides :meth:`create` only when it reads a
    gateway setting (``cost`` reads ``latency_bound_ms``).
    """

    @classmethod
    def create(cls, *, latency_bound_ms: float = 250.0) -> Policy:
        """A fresh instance from the gateway settings (only ``cost`` uses the bound).

        Parameters
        ----------
        latency_bound_ms : float
            The spec's ``gateway.latency_bound_ms``: the EWMA latency, in milliseconds, a
            region may have and still count as fast enough.

        Returns
        -------
        Policy
            A new instance with no state yet.
        """
        return cls()

    @abstractmethod
    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState:
        """The endpoint that takes the next attempt.

        Parameters
        ----------
        candidates : sequence of EndpointState
            The healthy, not ejected endpoints of one track, never empty; each carries its
            endpoint (URL, region, weight, price), EWMA latency and outstanding requests.

        Returns
        -------
        EndpointState
            One of ``candidates``.
        """


POLICIES: Registry[Policy] = Registry("routing policy", Policy, field="gateway.policy")
names_from("policy", POLICIES)
