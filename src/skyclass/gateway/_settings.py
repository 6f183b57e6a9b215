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

from collections.abc import Callable
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
    """Active health checks: GET ``path`` every ``interval_ms`` on every endpoint."""

    interval_ms: int = Field(500, gt=0)
    timeout_ms: int = Field(300, gt=0)
    unhealthy_after: int = Field(2, ge=1)
    healthy_after: int = Field(2, ge=1)
    path: str = "/v2/health/ready"


class OutlierSettings(_Strict):
    """Passive ejection: ``consecutive_errors`` 5xx answers eject an endpoint for ``eject_ms``."""

    consecutive_errors: int = Field(3, ge=1)
    eject_ms: int = Field(5000, ge=0)


class ResidencySettings(_Strict):
    """Requests carrying ``header`` are only sent to regions whose zone equals its value."""

    header: str = "X-Data-Zone"


class ClientTls(_Strict):
    """Clients reach the gateway over TLS with this certificate and key (PEM files)."""

    cert: str
    key: str


class GatewaySettings(_Strict):
    """How one gateway instance listens, routes, retries and checks health."""

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
        registry = _NAMED_BY[info.field_name]
        if name not in registry:
            raise ValueError(
                f"unknown {registry.kind} {name!r}; use one of: {', '.join(registry.names())}"
            )
        return name

    def host_port(self) -> tuple[str, int]:
        """``listen`` split into host and port, e.g. ``("127.0.0.1", 8000)``."""
        host, _, port = self.listen.rpartition(":")
        return host or "127.0.0.1", int(port)


class Endpoint(_Strict):
    """One upstream replica: a V2 server URL and where it runs."""

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
    """

    ca: str
    cert: str
    key: str
    deployment: str

    def region_name(self, region: str) -> str:
        """The DNS name every certificate of ``region`` carries."""
        return f"{region}.{self.deployment}.skyclass"


class RoutingTable(_Strict):
    """Every endpoint the gateway may use, plus the rollout split and the upstream TLS."""

    endpoints: list[Endpoint] = Field(default_factory=list)
    tls: UpstreamTls | None = None
    canary_weight: float = Field(0.0, ge=0, le=100)
    shadow_percent: float = Field(0.0, ge=0, le=100)
    version: int = 0
