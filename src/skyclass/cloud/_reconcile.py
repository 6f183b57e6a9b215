"""Deploy as a reconcile loop: make the running replicas match the spec.

For every region and track (primary, and canary/shadow when the rollout asks):
pin the model version and replicate it to the region's store; if the running
replicas already serve that version in that number, leave them. Regions with
nothing running start all at once. Regions serving something else roll one by
one: start the new replicas, wait for V2 readiness, add them to the routing
table, then drop the old ones from the table and stop them gracefully. Gateways
retry on another region, so a rolling update fails no request.

Example:
    >>> from skyclass.cloud import deploy
    >>> # dep = deploy("deploy.yaml"); print(dep.gateway_url); dep.down()
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from skyclass.cloud._certs import Certificates
from skyclass.cloud._deployment import Deployment
from skyclass.cloud._gateway import ensure_gateway
from skyclass.cloud._placement import place
from skyclass.cloud._spec import load_spec
from skyclass.cloud._spec_models import DeploymentSpec, RegionSpec
from skyclass.cloud._state import Replica, StateStore
from skyclass.cloud._table import publish
from skyclass.cloud._waiting import wait_gateway_table, wait_ready
from skyclass.cloud.providers import LaunchContext, get_provider
from skyclass.errors import NotFoundError, SkyclassError


def _tracks(spec: DeploymentSpec, region: RegionSpec) -> list[tuple[str, str, int]]:
    """``(track, model_uri, count)`` wanted in ``region``."""
    count = len(region.endpoints) if region.provider == "external" else region.replicas
    wanted = [("primary", spec.model, count)]
    if region.provider != "external":
        if spec.rollout.canary:
            wanted.append(("canary", spec.rollout.canary.model, spec.rollout.canary.replicas))
        if spec.rollout.shadow:
            wanted.append(("shadow", spec.rollout.shadow.model, spec.rollout.shadow.replicas))
    return wanted


class _Reconciler:
    def __init__(
        self,
        store: StateStore,
        spec: DeploymentSpec,
        ctx: LaunchContext,
        gateway_url: str | None,
        say: Callable[[str], None],
    ) -> None:
        self.store, self.spec, self.ctx = store, spec, ctx
        self.gateway_url = gateway_url
        self.say = say
        self.placed: dict[tuple[str, str | None, tuple[str, ...]], tuple[str, str]] = {}

    def _publish(self) -> None:
        table = publish(self.ctx.folder, self.spec, self.store.replicas(self.spec.name))
        trust = Certificates(self.ctx.folder, self.spec.name).trust()
        wait_gateway_table(self.gateway_url, table.version, verify=trust)

    def _place(self, model: str, region: RegionSpec) -> tuple[str, str]:
        trusted = tuple(self.spec.trusted_keys(region))
        key = (model, region.store, trusted)
        if key not in self.placed:
            self.placed[key] = place(model, region.store, trusted)
        return self.placed[key]

    def _retire(self, old: list[Replica]) -> None:
        if not old:
            return
        for replica in old:
            self.store.mark_stopped(replica)
        self._publish()
        for replica in old:
            get_provider(replica.provider).stop(replica)

    def _changes(self) -> list[tuple[RegionSpec, str, str, str, int, list[Replica]]]:
        """``(region, track, uri, version, count, current replicas)`` that differ from the spec."""
        running = self.store.replicas(self.spec.name)
        out = []
        for region in self.spec.regions:
            for track, model, count in _tracks(self.spec, region):
                uri, version = self._place(model, region)
                current = [r for r in running if r.region == region.name and r.track == track]
                same = all(r.model_uri == uri and r.model_version == version for r in current)
                if len(current) != count or not same:
                    out.append((region, track, uri, version, count, current))
        return out

    def _start(self, batch: list[tuple[RegionSpec, str, str, str, int, list[Replica]]]) -> None:
        """Launch every change of ``batch`` at once and wait until all are ready."""
        fresh: list[Replica] = []
        try:
            for region, track, uri, version, count, _ in batch:
                self.say(f"{region.name}: starting {count} {track} replica(s) of version {version}")
                fresh += get_provider(region.provider).launch(
                    self.ctx, region, track, uri, version, count
                )
            tls = Certificates(self.ctx.folder, self.spec.name).client_context()
            wait_ready(fresh, self.ctx.folder / "logs", tls=tls)
        except BaseException:
            for replica in fresh:
                get_provider(replica.provider).stop(replica, graceful=False)
            raise
        for replica in fresh:
            self.store.add_replica(replica)
        self._publish()

    def apply(self) -> None:
        """New regions start all together; regions already serving roll one by one
        (new replicas ready and routed before the old ones leave)."""
        changes = self._changes()
        self._start([c for c in changes if not c[5]])
        for change in (c for c in changes if c[5]):
            self._start([change])
            self._retire(change[5])

    def leftovers(self) -> None:
        names = {r.name for r in self.spec.regions}
        self._retire([r for r in self.store.replicas(self.spec.name) if r.region not in names])


def deploy(
    spec_path: str | Path,
    *,
    state_dir: str | Path | None = None,
    gateway: bool = True,
    apply: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> Deployment:
    """Bring the deployment described by ``spec_path`` up, or up to date (``skyclass deploy``).

    Regions with nothing running start at once; regions serving another version roll one
    by one (new replicas ready and routed before the old ones stop), so a rolling update
    fails no request. Running it again with an unchanged spec leaves the replicas as they are.

    Parameters
    ----------
    spec_path : str or pathlib.Path
        The deployment spec file.
    state_dir : str or pathlib.Path, optional
        The state folder (default None: ``$SKYCLASS_STATE`` or ``./.skyclass-state``).
    gateway : bool
        Start (or keep) the spec's gateway as a background process (default True).
    apply : bool
        Server-side apply ``kubernetes`` regions to their clusters (default False: the
        manifests are only rendered into the state folder).
    say : callable
        Called with one line per step ("aws: starting 2 primary replica(s) ...") for the
        CLI to print; default: silent.

    Returns
    -------
    Deployment
        The deployment's handle.

    Raises
    ------
    SkyclassError
        ``ConfigError`` for a bad spec, ``IntegrityError`` for a bundle that fails its
        checks or signature, ``NotFoundError`` for a missing model; when it fails midway
        the message says that what already runs keeps running and how to stop it.
    """
    spec_path = Path(spec_path).resolve()
    spec = load_spec(spec_path)
    store = StateStore(state_dir)
    folder = store.folder(spec.name)
    try:
        previous_gateway = store.deployment(spec.name)["spec"].get("gateway")
    except NotFoundError:
        previous_gateway = None
    store.save_deployment(spec.name, str(spec_path), spec.model_dump_json())
    if spec.tls.replicas == "mutual":
        Certificates(folder, spec.name).rotate_gateway()  # new gateway key on every deploy
    if spec.tls.clients:
        Certificates(folder, spec.name).gateway_server()
    publish(folder, spec, store.replicas(spec.name))
    url = ensure_gateway(store, spec, spec_path, previous_gateway) if gateway else None
    reconciler = _Reconciler(store, spec, LaunchContext(spec, folder, apply), url, say)
    try:
        reconciler.apply()
        reconciler.leftovers()
    except SkyclassError as err:
        raise type(err)(
            f"{err} (what already runs keeps running; `skyclass down {spec.name}` stops it)"
        ) from err
    say(f"deployment {spec.name!r} is up" + (f"; gateway {url}" if url else ""))
    return Deployment(spec.name, store)
