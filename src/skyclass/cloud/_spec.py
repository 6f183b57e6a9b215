"""The deployment spec (``skyclass deploy SPEC.yaml``): pydantic models plus a YAML loader
whose errors name the field path and the line.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spec.yaml"
    >>> _ = path.write_text("name: t\\nmodel: /m\\nregions:\\n  - name: a\\n    replicas: -1\\n")
    >>> try:
    ...     load_spec(path)
    ... except ConfigError as err:
    ...     print(str(err).split(": ", 1)[1])
    line 5: regions[0].replicas: Input should be greater than or equal to 0 (fix the spec and retry)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from skyclass.errors import ConfigError
from skyclass.gateway import GatewaySettings

_NAME = r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"


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

    ``delay_ms`` (local only) simulates one-way network delay to the region;
    ``endpoints`` are V2 base URLs (external; for kubernetes, how the gateway reaches it);
    ``context``/``namespace``/``image``/``resources``/``max_replicas`` are for kubernetes.
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
    trust: TrustSpec | None = None  # replaces the deployment's ``trust`` for this region

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, name: str) -> str:
        from skyclass.cloud.providers import PROVIDERS

        if name not in PROVIDERS:
            raise ValueError(f"unknown provider {name!r}; use one of: {', '.join(PROVIDERS.names())}")
        return name

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
    """Send ``weight`` percent of traffic to replicas of another model."""

    model: str
    weight: float = Field(ge=0, le=100)
    replicas: int = Field(1, ge=1)


class ShadowSpec(_Strict):
    """Mirror ``percent`` of traffic to replicas of another model; answers are only compared."""

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
    canary: CanarySpec | None = None
    shadow: ShadowSpec | None = None


class DeploymentSpec(_Strict):
    """A whole deployment: one model, several regions, one gateway configuration."""

    name: str = Field(pattern=_NAME)
    model: str
    regions: list[RegionSpec] = Field(min_length=1)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    rollout: RolloutSpec = Field(default_factory=RolloutSpec)
    # alert rules, windows, drift thresholds: validated by skyclass.monitor.MonitorConfig
    monitor: dict | None = None
    trust: TrustSpec | None = None
    tls: TlsSpec = Field(default_factory=TlsSpec)
    # local regions: "netns" puts each in its own network namespace with tc netem
    # (delay_ms, jitter_ms, loss_percent); "proxy" simulates delay in the chaos proxy
    network: Literal["proxy", "netns"] = "proxy"

    def trusted_keys(self, region: RegionSpec) -> list[str]:
        """The key files ``region``'s replicas trust (its own ``trust``, else the top level)."""
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
        """The region called ``name`` (ConfigError listing the names otherwise)."""
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


def _line_map(node: yaml.Node, path: tuple = (), lines: dict | None = None) -> dict[tuple, int]:
    """Every key path of a composed YAML document → its 1-based line."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1
            _line_map(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)
    return lines


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _resolve_uri(uri: str, base: Path) -> str:
    """``file://./x`` and relative paths become absolute, relative to the spec's folder."""
    if uri.startswith("file://") and not uri.startswith("file:///"):
        return "file://" + str((base / uri[len("file://") :]).resolve())
    if re.match(r"^[a-z][a-z0-9+.-]*://", uri):
        return uri
    return str((base / uri).resolve())


def parse_spec(text: str, source: str = "<spec>", base: Path | None = None) -> DeploymentSpec:
    """Validate spec text; relative model/store URIs are resolved against ``base``."""
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise ConfigError(
            f"{source}: {where}: not valid YAML: {getattr(err, 'problem', err)}"
        ) from err
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: line 1: the spec must be a mapping with name, model, regions")
    lines = _line_map(node) if node is not None else {}
    try:
        spec = DeploymentSpec.model_validate(data)
    except ValidationError as err:
        problems = []
        for issue in err.errors():
            loc = tuple(issue["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
            problems.append(f"line {line}: {_dotted(loc) or '(top)'}: {issue['msg']}")
        raise ConfigError(
            f"{source}: " + "; ".join(problems) + " (fix the spec and retry)"
        ) from None
    base = base or Path.cwd()
    spec.model = _resolve_uri(spec.model, base)
    for region in spec.regions:
        if region.store:
            region.store = _resolve_uri(region.store, base)
    for part in (spec.rollout.canary, spec.rollout.shadow):
        if part is not None:
            part.model = _resolve_uri(part.model, base)
    _check_trust(spec, lines, source, base)
    return spec


def _check_trust(spec: DeploymentSpec, lines: dict, source: str, base: Path) -> None:
    """Resolve every ``trust.keys`` path against ``base`` and read it now (not at deploy)."""
    from skyclass.bundle import TrustedKey

    places = [(("trust",), spec.trust)]
    places += [(("regions", i, "trust"), r.trust) for i, r in enumerate(spec.regions)]
    for loc, trust in places:
        if trust is None:
            continue
        for index, key in enumerate(trust.keys):
            trust.keys[index] = str((base / key).resolve())
            try:
                TrustedKey.load(trust.keys[index])
            except ConfigError as err:
                at = (*loc, "keys", index)
                line = next((lines[at[:n]] for n in range(len(at), -1, -1) if at[:n] in lines), 1)
                raise ConfigError(f"{source}: line {line}: {_dotted(at)}: {err}") from None


def load_spec(path: str | Path) -> DeploymentSpec:
    """Read and validate a spec file; a ConfigError names the file, line and field path."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"cannot read spec {path}: {err.strerror}; check the path") from err
    return parse_spec(text, str(path), path.resolve().parent)
