"""The router: which endpoints exist, which are usable, and which one takes the next try.

It owns the endpoint states, the routing policies, the canary/shadow split, the
metrics and the cost ledger; it does no I/O.

Example:
    >>> from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable
    >>> table = RoutingTable(endpoints=[
    ...     Endpoint(url="http://a", region="us-1", zone="us"),
    ...     Endpoint(url="http://b", region="eu-1", zone="eu")])
    >>> router = Router(GatewaySettings(policy="round_robin"), table)
    >>> router.choose("primary", "eu", set()).region
    'eu-1'
"""

from __future__ import annotations

import ssl
import time

from skyclass.gateway._ledger import Ledger
from skyclass.gateway._metrics import GatewayMetrics
from skyclass.gateway._settings import GatewaySettings, RoutingTable, UpstreamTls
from skyclass.gateway._state import EndpointState
from skyclass.gateway._status import endpoint_row, gateway_status, region_status
from skyclass.gateway.policies import make_policy


def tls_context(tls: UpstreamTls | None) -> ssl.SSLContext | None:
    """The client side of mutual TLS: trust the deployment CA, present the gateway's cert."""
    if tls is None:
        return None
    context = ssl.create_default_context(cafile=tls.ca)
    context.load_cert_chain(tls.cert, tls.key)
    return context


class Router:
    """Routing decisions for one gateway instance (used from its event loop only).

    Parameters
    ----------
    settings : GatewaySettings
        The policy, retries, health and ejection rules.
    table : RoutingTable, optional
        The endpoints to route to (default none; see :meth:`load`).
    """

    def __init__(self, settings: GatewaySettings, table: RoutingTable | None = None) -> None:
        self.settings = settings
        self.metrics = GatewayMetrics()
        self.ledger = Ledger()
        bound = settings.latency_bound_ms
        self._policies = {
            track: make_policy(settings.policy, latency_bound_ms=bound)
            for track in ("primary", "canary", "shadow")
        }
        self.states: dict[str, EndpointState] = {}
        self._tls: ssl.SSLContext | None = None
        self._accounted: dict[str, float] = {}
        self.table = RoutingTable()
        self._canary_credit = 0.0
        self._shadow_credit = 0.0
        self.shadow_sent = 0
        self.shadow_failed = 0
        self.shadow_disagreements = 0
        self.unrouted = 0
        self.panic_routed = 0
        self.load(table or RoutingTable())

    # -- the table ---------------------------------------------------------------
    def load(self, table: RoutingTable) -> None:
        """Swap in a new routing table, keeping the live state of endpoints that stay.

        Parameters
        ----------
        table : RoutingTable
            The new table; endpoints whose definition is unchanged keep their health,
            latency and counters, the others start fresh (healthy until checked).
        """
        self.accrue()
        if table.tls != self.table.tls or self._tls is None:
            self._tls = tls_context(table.tls)
        fresh: dict[str, EndpointState] = {}
        for endpoint in table.endpoints:
            old = self.states.get(endpoint.url)
            if old is not None and old.endpoint == endpoint:
                fresh[endpoint.url] = old
            else:
                fresh[endpoint.url] = EndpointState(endpoint)
                self._accounted[endpoint.url] = time.monotonic()
        for url in set(self._accounted) - set(fresh):
            del self._accounted[url]
        self.states = fresh
        self.table = table

    def accrue(self) -> None:
        """Bill every registered endpoint for the time since it was last billed."""
        now = time.monotonic()
        for url, since in self._accounted.items():
            state = self.states.get(url)
            if state is not None and state.healthy:  # a dead replica is not billed
                self.ledger.add_replica_seconds(state.region, now - since)
                self._accounted[url] = now

    def tls_options(self, state: EndpointState) -> dict:
        """aiohttp request options for ``state``: mutual TLS naming its region, if https.

        Parameters
        ----------
        state : EndpointState
            The endpoint about to be called.

        Returns
        -------
        dict
            ``{"ssl": context, "server_hostname": region name}`` for an ``https``
            endpoint under the table's TLS, else empty.
        """
        tls = self.table.tls
        if tls is None or not state.endpoint.url.startswith("https:"):
            return {}
        return {"ssl": self._tls, "server_hostname": tls.region_name(state.region)}

    def zones(self) -> set[str]:
        """The data zones of the primary endpoints ("" for a region without one).

        Returns
        -------
        set of str
            Every zone some primary endpoint is in.
        """
        return {s.endpoint.zone for s in self.states.values() if s.endpoint.track == "primary"}

    # -- choosing ----------------------------------------------------------------
    def pick_track(self) -> str:
        """``"canary"`` for exactly ``canary_weight`` percent of calls (a credit counter).

        Returns
        -------
        str
            ``"canary"`` or ``"primary"``: the track of this call.
        """
        self._canary_credit += self.table.canary_weight
        if self._canary_credit >= 100.0:
            self._canary_credit -= 100.0
            return "canary"
        return "primary"

    def want_shadow(self) -> bool:
        """Whether this call is also mirrored: true for exactly ``shadow_percent`` % of calls.

        Returns
        -------
        bool
            True when the call should be copied to the shadow track.
        """
        self._shadow_credit += self.table.shadow_percent
        if self._shadow_credit >= 100.0:
            self._shadow_credit -= 100.0
            return True
        return False

    def pool(self, track: str, zone: str | None) -> list[EndpointState]:
        """Every endpoint of ``track`` allowed for ``zone``, available or not.

        Parameters
        ----------
        track : str
            ``primary``, ``canary`` or ``shadow``.
        zone : str or None
            The request's data zone; None puts no residency constraint.

        Returns
        -------
        list of EndpointState
            The endpoints of that track in that zone.
        """
        return [
            s
            for s in self.states.values()
            if s.endpoint.track == track and (zone is None or s.endpoint.zone == zone)
        ]

    def choose(
        self, track: str, zone: str | None, tried: set[str], *, now: float | None = None
    ) -> EndpointState | None:
        """The policy's pick among available endpoints, preferring regions not yet ``tried``.

        ``tried`` holds endpoint URLs already attempted for this request; a region
        with a tried endpoint is avoided while any other region is available. When
        nothing is available, endpoints that are only slow or erroring (not refusing
        connections) are used anyway ("panic" routing, as in Envoy): an overloaded
        last region answers slowly rather than not at all.

        Parameters
        ----------
        track : str
            ``primary``, ``canary`` or ``shadow``.
        zone : str or None
            The request's data zone (never left); None: any zone.
        tried : set of str
            Endpoint URLs already attempted for this request.
        now : float, optional
            ``time.monotonic()`` of the decision (default: now).

        Returns
        -------
        EndpointState or None
            The endpoint for the next attempt; None when no endpoint can take it.
        """
        now = time.monotonic() if now is None else now
        pool = [s for s in self.pool(track, zone) if s.endpoint.url not in tried]
        usable = [s for s in pool if s.available(now)]
        if not usable:
            usable = [s for s in pool if not s.dead]
            self.panic_routed += bool(usable)
        if not usable:
            return None
        tried_regions = {self.states[u].region for u in tried if u in self.states}
        elsewhere = [s for s in usable if s.region not in tried_regions]
        return self._policies[track].choose(elsewhere or usable)

    # -- outcomes ----------------------------------------------------------------
    def _labels(self, state: EndpointState) -> dict[str, str]:
        return {"region": state.region, "cloud": state.endpoint.cloud}

    def on_response(self, state: EndpointState, status: int, ms: float) -> None:
        """Record an answer: counts and latency; a 5xx streak ejects the endpoint.

        Parameters
        ----------
        state : EndpointState
            The endpoint that answered.
        status : int
            Its HTTP status (5xx counts as an error).
        ms : float
            Milliseconds the attempt took.
        """
        labels = self._labels(state)
        self.metrics.requests.labels(**labels, code=str(status)).inc()
        self.metrics.latency.labels(**labels).observe(ms / 1000.0)
        ok = status < 500
        state.dead = False
        self.ledger.record(state.region, ok=ok, ms=ms)
        if ok:
            state.consecutive_errors = 0
            state.observe_latency(ms)
            return
        self.metrics.errors.labels(**labels).inc()
        state.consecutive_errors += 1
        outlier = self.settings.outlier
        if state.consecutive_errors >= outlier.consecutive_errors:
            state.ejected_until = time.monotonic() + outlier.eject_ms / 1000.0
            state.consecutive_errors = 0
            self.metrics.ejections.labels(**labels).inc()

    def on_transport_error(self, state: EndpointState, ms: float, *, timed_out: bool) -> None:
        """Refused, reset or timed out: out of rotation at once until health checks pass.

        Refused or reset also marks it ``dead`` (not even a panic candidate).

        Parameters
        ----------
        state : EndpointState
            The endpoint the attempt went to.
        ms : float
            Milliseconds until the failure.
        timed_out : bool
            True when it did not answer in time (slow, maybe alive), False when the
            connection was refused or reset.
        """
        labels = self._labels(state)
        self.metrics.errors.labels(**labels).inc()
        self.ledger.record(state.region, ok=False, ms=ms)
        if state.healthy:
            self.metrics.ejections.labels(**labels).inc()
        state.mark_down()
        state.dead = not timed_out

    def on_failover(self, state: EndpointState) -> None:
        """Count a failed attempt that is retried elsewhere.

        Parameters
        ----------
        state : EndpointState
            The endpoint whose attempt failed.
        """
        self.metrics.failovers.labels(**self._labels(state)).inc()

    def on_health(
        self, state: EndpointState, ok: bool, ms: float, *, refused: bool = False
    ) -> None:
        """One active health-check result; flips health after the configured streaks.

        Parameters
        ----------
        state : EndpointState
            The endpoint checked.
        ok : bool
            True when the readiness check answered 200 in time.
        ms : float
            Milliseconds the check took (feeds the latency EWMA when ``ok``).
        refused : bool
            True when the check failed to connect or was reset (the process is gone).
        """
        health = self.settings.health
        if ok or refused:  # a timeout says nothing new about being dead
            state.dead = refused
        if ok:
            state.health_ok_streak += 1
            state.health_fail_streak = 0
            state.observe_latency(ms)
            if not state.healthy and state.health_ok_streak >= health.healthy_after:
                state.healthy = True
                state.consecutive_errors = 0
            return
        state.health_fail_streak += 1
        state.health_ok_streak = 0
        if state.healthy and state.health_fail_streak >= health.unhealthy_after:
            state.healthy = False
            self.metrics.ejections.labels(**self._labels(state)).inc()

    # -- reporting ---------------------------------------------------------------
    def snapshot(self) -> dict:
        """JSON-safe view: per-region traffic, health and cost, plus shadow counts.

        Returns
        -------
        dict
            What ``/gateway/status`` answers: ``policy``, ``table_version``, the
            rollout split, ``regions`` (per region: endpoints, requests, req/s, p50/p99,
            error rate, replica-hours, dollars, ready), ``shadow``, ``unrouted`` and
            ``panic_routed`` counts.
        """
        self.accrue()
        now = time.monotonic()
        rows = [
            (state.endpoint, endpoint_row(state.endpoint, healthy=state.healthy,
                                          available=state.available(now),
                                          outstanding=state.outstanding, ewma_ms=state.ewma_ms,
                                          last_routed=state.last_routed))
            for state in self.states.values()
        ]  # fmt: skip
        regions = region_status(
            rows, lambda name: self.ledger.region_stats(name, now), self.metrics
        )
        shadow = (self.shadow_sent, self.shadow_failed, self.shadow_disagreements)
        return gateway_status(self.settings, self.table, regions, version=self.table.version,
                              shadow=shadow, unrouted=self.unrouted,
                              panic_routed=self.panic_routed)  # fmt: skip
