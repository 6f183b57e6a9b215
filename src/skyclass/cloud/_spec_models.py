"""The deployment spec's pydantic models (what ``skyclass deploy SPEC.yaml`` may say).

Reading a spec file, with errors that name the line, is :mod:`skyclass.cloud._spec`.
The providers import these models; the models import no provider: ``regions[].provider``
is checked against the registry that ``skyclass.cloud.providers`` attaches with
:func:`names_from` when it is imported (the way ``skyclass.gateway``'s settings learn
their policy and engine names).

Example:
    >>> import skyclass.cloud  # imports the providers, which attach their registry
    >>> spec = DeploymentSpec.model_validate(
    ...     {"name": "t", "model": "/m", "regions": [{"name": "eu", "replicas": 2}]}
    ... )
    >>> spec.region("eu").replicas, spec.region("eu").provider
    (2, 'local')
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from skyclass.errors import ConfigError
from skyclass.gateway import GatewaySettings
from skyclass.plugins import Registry

_NAME = r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"

#: The plug-in registry whose names each spec field accepts. The package that owns the
#: registry fills it in when it is imported (:func:`names_from`); importing anything of
#: ``skyclass.cloud`` imports ``skyclass.cloud.providers`` first, so this module never
#: imports it back.
_NAMED_BY: dict[str, Registry] = {}


def names_from(field: str, registry: Registry) -> None:
    """Make spec ``field`` accept only names registered in ``registry``.

    Called once by the package that owns the registry (``skyclass.cloud.providers``).

    Parameters
    ----------
    field : str
        The field: ``"provider"`` (``regions[].provider``).
    registry : Registry
        The registry whose names are valid; read at validation time, so providers
        registered later (plug-ins, tests) are accepted too.

    Example:
        >>> from skyclass.cloud.providers import PROVIDERS
        >>> names_from("provider", PROVIDERS)  # what skyclass.cloud.providers does on import
    """
    _NAMED_BY[field] = registry


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Resources(_Strict):
    """Container resources per replica (kubernetes provider)."""

    cpu: str = "500m"
    memory: str = "512Mi"


class TrustSpec(_Strict):
    """Signature trust: replicas serve only a bundle signed by one of ``keys``.

    Each key is a PEM public key or CA certificate file (relative to the spec's folder);
    list old and new keys together while rotating. A replica whose bundle is unsigned,
    signed by another key or altered stays not ready with the reason; ``deploy`` also
    refuses to replicate such a bundle to a region's store.
    """

    keys: list[str] = Field(min_length=1)


class RegionSpec(_Strict):
    """One region: where replicas run, which residency zone, what a replica-hour costs.

    Attributes
    ----------
    name : str
        Region name, lowercase letters, digits and ``-`` (at most 40 characters), unique in
        the deployment; it names the replicas, logs and routing-table entries.
    provider : str
        Who runs the replicas: ``local`` (default), ``kubernetes``, ``external`` or another
        name registered in ``skyclass.cloud.providers.PROVIDERS``; an unknown name is
        refused with the list of registered ones.
    cloud : str
        Free-form label of the cloud (e.g. ``aws``), shown by ``skyclass status`` and carried
        in the routing table (default "").
    zone : str
        Data-residency zone; with ``gateway.residency`` a request naming a zone is only
        routed to regions of that zone (default "": no zone).
    replicas : int
        Replicas of the primary track, 0-64 (default 1). For ``external`` the endpoints
        list decides instead.
    cost_per_hour : float
        Price of one replica-hour in your currency, >= 0 (default 0); drives the ``cost``
        policy and the cost column of ``skyclass status``.
    weight : float
        Share of traffic under the ``weighted`` policy, >= 0 (default 1).
    store : str or None
        Registry URL of the region's own model store (``s3://``, ``gs://``, ``az://``,
        ``file://``); the model is replicated there before replicas start. None (default):
        replicas read the spec's ``model`` directly.
    delay_ms : float
        Simulated one-way network delay to the region in milliseconds, 0-10000 (local
        provider only; default 0).
    jitter_ms : float
        Random +- spread added to ``delay_ms`` in milliseconds, 0-10000 (default 0).
    loss_percent : float
        Packet loss in percent, 0-100, applied by tc netem under ``network: netns``
        (default 0).
    endpoints : list of str
        V2 base URLs: the replicas of an ``external`` region, or how the gateway reaches a
        ``kubernetes`` region (an ingress or load balancer). Not allowed for ``local``.
    context : str or None
        Kube context to apply manifests to (kubernetes; default: the current context).
    namespace : str
        Kubernetes namespace (default ``"default"``).
    image : str
        Container image of a replica (kubernetes; default ``"skyclass:latest"``).
    resources : Resources
        CPU and memory requests/limits per replica (kubernetes; default 500m, 512Mi).
    max_replicas : int or None
        Upper bound of the HorizontalPodAutoscaler, >= 1 (kubernetes; default None:
        twice the replica count, at least 2).
    trust : TrustSpec or None
        Keys this region's replicas trust; replaces the deployment's ``trust`` for the
        region (default None: the deployment's).
    """

    name: str = Field(pattern=_NAME)
    provider: str = "local"
    cloud: str = ""
    zone: str = ""
    replicas: int = Field(1, ge=0, le=64)
    cost_per_hour: float = Field(0.0, ge=0)
    weight: float = Field(1.0, ge=0)
    store: str | None = None
    delay_ms: float = Field(0.0, ge=0, le=10_000)
    jitter_ms: float = Field(0.0, ge=0, le=10_000)
    loss_percent: float = Field(0.0, ge=0, le=100)
    endpoints: list[str] = Field(default_factory=list)
    context: str | None = None
    namespace: str = "default"
    image: str = "skyclass:latest"
    resources: Resources = Field(default_factory=Resources)
    max_replicas: int | None = Field(None, ge=1)
    trust: TrustSpec | None = None

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, name: str, info: ValidationInfo) -> str:
        return _NAMED_BY[info.field_name].check(name)

    @field_validator("store")
    @classmethod
    def _store_url(cls, store: str | None) -> str | None:
        from skyclass.bundle.stores import check_store_url

        return None if store is None else check_store_url(store, "store")

    @model_validator(mode="after")
    def _provider_fields(self) -> RegionSpec:
        if self.provider == "external" and not self.endpoints:
            raise ValueError("an external region needs `endpoints: [http://host:port, ...]`")
        if self.provider == "local" and self.endpoints:
            raise ValueError("`endpoints` is for external/kubernetes regions; local starts its own")
        return self


class CanarySpec(_Strict):
    """Send ``weight`` percent of traffic to replicas of another model.

    Attributes
    ----------
    model : str
        Bundle path or registry URI of the canary model (e.g. ``file://./reg/t@challenger``),
        relative to the spec's folder.
    weight : float
        Percent of requests routed to the canary, 0-100; the rest go to the primary.
    replicas : int
        Canary replicas per non-external region, >= 1 (default 1).
    """

    model: str
    weight: float = Field(ge=0, le=100)
    replicas: int = Field(1, ge=1)


class ShadowSpec(_Strict):
    """Mirror ``percent`` of traffic to replicas of another model; answers are only compared.

    Attributes
    ----------
    model : str
        Bundle path or registry URI of the shadow model, relative to the spec's folder.
    percent : float
        Percent of requests mirrored to the shadow, 0-100 (default 100). Callers always get
        the primary's answer.
    replicas : int
        Shadow replicas per non-external region, >= 1 (default 1).
    """

    model: str
    percent: float = Field(100.0, ge=0, le=100)
    replicas: int = Field(1, ge=1)


class TlsSpec(_Strict):
    """TLS of a deployment: ``replicas: mutual`` (default) has the gateway and every local
    replica authenticate each other with certificates from the deployment's own CA;
    ``plain`` is unencrypted HTTP. ``clients: true`` also serves the gateway over HTTPS
    (certificate from the same CA, ``certs/ca.pem`` in the state folder to trust it)."""

    replicas: Literal["mutual", "plain"] = "mutual"
    clients: bool = False


class RolloutSpec(_Strict):
    """How a new model meets traffic next to the primary one: a canary, a shadow, or both.

    Attributes
    ----------
    canary : CanarySpec or None
        Replicas of another model that take a share of real requests (default None).
    shadow : ShadowSpec or None
        Replicas of another model that get copies of requests; their answers are only
        compared, never returned (default None).
    """

    canary: CanarySpec | None = None
    shadow: ShadowSpec | None = None


class DeploymentSpec(_Strict):
    """A whole deployment: one model, several regions, one gateway configuration.

    Attributes
    ----------
    name : str
        Deployment name (lowercase letters, digits, ``-``; at most 40 characters); the key
        of its state folder and of ``skyclass status/chaos/down NAME``.
    model : str
        Bundle path or registry URI (``name@alias`` or ``name@version``) every region
        serves; relative paths are resolved against the spec's folder.
    regions : list of RegionSpec
        At least one region; names must be unique.
    gateway : GatewaySettings
        Listen address, routing policy, retries, health checks and engine of the gateway
        (default: :class:`~skyclass.gateway.GatewaySettings` defaults).
    rollout : RolloutSpec
        Canary and shadow models (default: neither).
    monitor : dict or None
        The ``monitor:`` section (alert rules, windows, drift thresholds), kept as given and
        validated by ``skyclass.monitor.MonitorConfig`` when ``skyclass monitor`` reads it.
    trust : TrustSpec or None
        Keys every region's replicas trust unless the region names its own (default None:
        bundles need no signature).
    tls : TlsSpec
        Mutual TLS between gateway and replicas (default) or plain HTTP, and whether clients
        reach the gateway over HTTPS.
    network : {"proxy", "netns"}
        How local regions get their network distance: ``"proxy"`` (default) simulates
        ``delay_ms`` in the chaos proxy; ``"netns"`` puts each region in its own network
        namespace shaped by tc netem (needs root, iproute2 and nftables).
    """

    name: str = Field(pattern=_NAME)
    model: str
    regions: list[RegionSpec] = Field(min_length=1)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    rollout: RolloutSpec = Field(default_factory=RolloutSpec)
    monitor: dict | None = None
    trust: TrustSpec | None = None
    tls: TlsSpec = Field(default_factory=TlsSpec)
    network: Literal["proxy", "netns"] = "proxy"

    def trusted_keys(self, region: RegionSpec) -> list[str]:
        """The key files ``region``'s replicas trust (its own ``trust``, else the top level).

        Parameters
        ----------
        region : RegionSpec
            One of this spec's regions.

        Returns
        -------
        list of str
            Absolute paths of PEM public keys or CA certificates (resolved when the spec was
            read); empty when no ``trust`` applies, i.e. unsigned bundles are served.
        """
        trust = region.trust or self.trust
        return list(trust.keys) if trust else []

    @field_validator("gateway")
    @classmethod
    def _listen_address(cls, gateway: GatewaySettings) -> GatewaySettings:
        check_listen(gateway.listen, "gateway.listen")
        return gateway

    @field_validator("regions")
    @classmethod
    def _unique_names(cls, regions: list[RegionSpec]) -> list[RegionSpec]:
        seen: set[str] = set()
        for region in regions:
            if region.name in seen:
                raise ValueError(f"region name {region.name!r} appears twice; names must be unique")
            seen.add(region.name)
        return regions

    def region(self, name: str) -> RegionSpec:
        """The region called ``name``.

        Parameters
        ----------
        name : str
            A region name as written in the spec.

        Returns
        -------
        RegionSpec
            That region's settings.

        Raises
        ------
        ConfigError
            When the spec has no such region; the message lists the region names.
        """
        for region in self.regions:
            if region.name == name:
                return region
        known = ", ".join(r.name for r in self.regions)
        raise ConfigError(f"no region {name!r} in deployment {self.name!r}; regions: {known}")


_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$")


def check_listen(address: str, what: str = "--listen") -> tuple[str, int]:
    """``(host, port)`` of a ``host:port`` listen address, or ``ConfigError`` saying how to fix it.

    Example:
        >>> check_listen("127.0.0.1:8000")
        ('127.0.0.1', 8000)
        >>> check_listen("localhost-18000")
        Traceback (most recent call last):
        skyclass.errors.ConfigError: --listen 'localhost-18000' must be host:port with a port 1-65535, e.g. 127.0.0.1:8000
    """
    host, colon, port = str(address).rpartition(":")
    if not colon or not _HOST.match(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(
            f"{what} {address!r} must be host:port with a port 1-65535, e.g. 127.0.0.1:8000"
        )
    return host, int(port)
