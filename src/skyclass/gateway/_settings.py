"""Gateway settings and the routing table (which endpoints exist), as pydantic models.

The settings are the ``gateway:`` section of a deployment spec; the routing table
is what a deploy writes (``endpoints.json``) and every gateway instance watches.

Example:
    >>> from skyclass.gateway import GatewaySettings, Endpoint, RoutingTable
    >>> settings = GatewaySettings(policy="round_robin", retries=1)
    >>> table = RoutingTable(endpoints=[Endpoint(url="http://127.0.0.1:9001", region="a")])
    >>> settings.health.interval_ms, table.endpoints[0].track
    (500, 'primary')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from skyclass.plugins import Registry

#: The plug-in registry whose names each settings field accepts, and each field's default.
#: The packages that own the registries fill these in when they are imported (see
#: :func:`names_from`); importing anything of ``skyclass.gateway`` imports them first, so
#: this module never imports them back.
_NAMED_BY: dict[str, Registry] = {}
_DEFAULTS: dict[str, Callable[[], str]] = {}


def names_from(field: str, registry: Registry, *, default: Callable[[], str] | None = None) -> None:
    """Make :class:`GatewaySettings` ``field`` accept only names registered in ``registry``.

    Called once by the package that owns the registry (``engines``, ``policies``).

    Parameters
    ----------
    field : str
        The settings field: ``"engine"`` or ``"policy"``.
    registry : Registry
        The registry whose names are valid; read at validation time, so classes
        registered later (plug-ins, tests) are accepted too.
    default : callable, optional
        For ``engine``: returns the default name when the spec gives none.

    Examples
    --------
    >>> from skyclass.gateway.policies import POLICIES
    >>> names_from("policy", POLICIES)  # what skyclass.gateway.policies does on import
    """
    _NAMED_BY[field] = registry
    if default is not None:
        _DEFAULTS[field] = default


def _default_engine() -> str:
    return _DEFAULTS["engine"]()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HealthSettings(_Strict):
    """Active health checks: GET ``path`` every ``interval_ms`` on every endpoint.

    Parameters
    ----------
    interval_ms : int
        Milliseconds between two checks of one endpoint (default 500).
    timeout_ms : int
        A check not answered within this many milliseconds fails (default 300).
    unhealthy_after : int
        Consecutive failed checks that take an endpoint out of rotation (default 2).
    healthy_after : int
        Consecutive passed checks that put it back (default 2).
    path : str
        The readiness path checked; a 200 passes (default the V2 ``/v2/health/ready``).
    """

    interval_ms: int = Field(500, gt=0)
    timeout_ms: int = Field(300, gt=0)
    unhealthy_after: int = Field(2, ge=1)
    healthy_after: int = Field(2, ge=1)
    path: str = "/v2/health/ready"


class OutlierSettings(_Strict):
    """Passive ejection: ``consecutive_errors`` 5xx answers eject an endpoint for ``eject_ms``.

    Parameters
    ----------
    consecutive_errors : int
        5xx answers (or refused/reset attempts) in a row that eject an endpoint (default 3).
    eject_ms : int
        Milliseconds an ejected endpoint gets no traffic (default 5000; 0 disables).
    """

    consecutive_errors: int = Field(3, ge=1)
    eject_ms: int = Field(5000, ge=0)


class ResidencySettings(_Strict):
    """Requests carrying ``header`` are only sent to regions whose zone equals its value.

    Parameters
    ----------
    header : str
        The request header naming the data zone (default ``X-Data-Zone``). A request
        without it may go anywhere; one naming a zone no region has gets 400, one whose
        zone has no healthy region 503 naming the zone (never another zone).
    """

    header: str = "X-Data-Zone"


class ClientTls(_Strict):
    """Clients reach the gateway over TLS with this certificate and key (PEM files).

    Parameters
    ----------
    cert : str
        Path of the gateway's certificate chain (PEM).
    key : str
        Path of its private key (PEM, unencrypted).
    """

    cert: str
    key: str


class GatewaySettings(_Strict):
    """How one gateway instance listens, routes, retries and checks health.

    Parameters
    ----------
    listen : str
        ``host:port`` to bind (default ``127.0.0.1:8000``; port 0 picks a free one where
        the caller supports it).
    engine : str
        The data plane: ``envoy`` or ``builtin`` (any name in ``ENGINES``); default
        ``envoy`` where the Envoy binary is installed, else ``builtin``. An unknown name
        raises ``ValueError`` listing the valid ones.
    policy : str
        The routing policy, a name in ``POLICIES`` (default ``latency``); unknown names
        raise ``ValueError``.
    residency : ResidencySettings, optional
        The data-zone rule; None (default) routes without zones.
    health : HealthSettings
        Active health checks (default: every 500 ms on ``/v2/health/ready``).
    retries : int
        Further attempts after a failed one, each on a different region when one is
        available (default 2).
    timeout_ms : int
        Milliseconds one upstream attempt may take before it is retried elsewhere
        (default 2000).
    hedge_after_ms : int, optional
        When set, a second copy goes to another region if the first has not answered
        within this many milliseconds; the first success wins (default None: no hedging).
    outlier : OutlierSettings
        Passive ejection of endpoints that keep failing (default 3 errors, 5 s).
    latency_bound_ms : float
        For the ``cost`` policy: the cheapest region whose measured latency is within
        this many milliseconds takes the traffic (default 250).
    client_tls : ClientTls, optional
        Serve clients over HTTPS with this certificate; None (default) is plain HTTP.
    """

    listen: str = "127.0.0.1:8000"
    engine: str = Field(default_factory=_default_engine)
    policy: str = "latency"
    residency: ResidencySettings | None = None
    health: HealthSettings = Field(default_factory=HealthSettings)
    retries: int = Field(2, ge=0)
    timeout_ms: int = Field(2000, gt=0)
    hedge_after_ms: int | None = Field(None, gt=0)
    outlier: OutlierSettings = Field(default_factory=OutlierSettings)
    latency_bound_ms: float = Field(250.0, gt=0)
    client_tls: ClientTls | None = None

    @field_validator("engine", "policy")
    @classmethod
    def _registered(cls, name: str, info: ValidationInfo) -> str:
        return _NAMED_BY[info.field_name].check(name)

    def host_port(self) -> tuple[str, int]:
        """``listen`` split into host and port.

        Returns
        -------
        tuple of (str, int)
            The host (``127.0.0.1`` when ``listen`` gives only ``:port``) and the port,
            e.g. ``("127.0.0.1", 8000)``.
        """
        host, _, port = self.listen.rpartition(":")
        return host or "127.0.0.1", int(port)


class Endpoint(_Strict):
    """One upstream replica: a V2 server URL and where it runs.

    Parameters
    ----------
    url : str
        The replica's V2 base URL (``http://`` or ``https://`` for mTLS), e.g.
        ``http://127.0.0.1:9001``.
    region : str
        The region it belongs to; routing, failover and the numbers are per region.
    cloud : str
        The cloud of the region (``aws``, ``gcp``, ...), a label on metrics (default "").
    zone : str
        The data zone of the region for the residency rule (default "": none).
    cost_per_hour : float
        US dollars per replica-hour, for the ``cost`` policy and the ledger (default 0).
    weight : float
        The region's share for the ``weighted`` policy (default 1; 0 sends nothing).
    track : {"primary", "canary", "shadow"}
        Which rollout track the replica serves (default ``primary``).
    """

    url: str
    region: str
    cloud: str = ""
    zone: str = ""
    cost_per_hour: float = Field(0.0, ge=0)
    weight: float = Field(1.0, ge=0)
    track: Literal["primary", "canary", "shadow"] = "primary"


class UpstreamTls(_Strict):
    """Mutual TLS to the replicas: the deployment's CA and the gateway's client certificate.

    Every replica's certificate names its region as ``<region>.<deployment>.skyclass``
    (see :meth:`region_name`); the gateway checks that name, so a replica can only
    answer for the region it was issued for.

    Parameters
    ----------
    ca : str
        Path of the deployment CA's certificate (PEM) that every replica's chains to.
    cert : str
        Path of the gateway's client certificate (PEM), presented to the replicas.
    key : str
        Path of that certificate's private key (PEM).
    deployment : str
        The deployment's name, the middle part of every replica's DNS name.
    """

    ca: str
    cert: str
    key: str
    deployment: str

    def region_name(self, region: str) -> str:
        """The DNS name every certificate of ``region`` carries.

        Parameters
        ----------
        region : str
            The region's name from the spec.

        Returns
        -------
        str
            ``<region>.<deployment>.skyclass``, e.g. ``aws-1.demo.skyclass``.
        """
        return f"{region}.{self.deployment}.skyclass"


class RoutingTable(_Strict):
    """Every endpoint the gateway may use, plus the rollout split and the upstream TLS.

    Parameters
    ----------
    endpoints : list of Endpoint
        Every replica, of every region and track (default none: every request gets 503).
    tls : UpstreamTls, optional
        mTLS to the ``https://`` endpoints; None (default) for plain HTTP only.
    canary_weight : float
        Percent (0-100) of requests that go to canary replicas (default 0).
    shadow_percent : float
        Percent (0-100) of primary requests also mirrored to shadow replicas, whose
        answers are never returned (default 0).
    version : int
        Increases with every table a deploy writes; the status reports the version in
        effect (default 0).
    """

    endpoints: list[Endpoint] = Field(default_factory=list)
    tls: UpstreamTls | None = None
    canary_weight: float = Field(0.0, ge=0, le=100)
    shadow_percent: float = Field(0.0, ge=0, le=100)
    version: int = 0


@dataclass(frozen=True)
class TableSource:
    """Where a gateway gets its routing table: a fixed ``table``, or a watched ``file``.

    Parameters
    ----------
    table : RoutingTable, optional
        A table that never changes (a single-region gateway, tests).
    file : str or os.PathLike, optional
        The JSON routing table a deploy replaces atomically (``endpoints.json``); the
        gateway follows each replacement within a fraction of a second. Given both, the
        table is used until the file is read. Neither: an empty table (every request 503).

    Examples
    --------
    >>> TableSource(file="endpoints.json").table is None
    True
    """

    table: RoutingTable | None = None
    file: str | os.PathLike | None = None
