"""Running the gateway of a deployment: as a detached process (deploy) or in the foreground.

The routing table comes from the deployment's ``endpoints.json`` when the state
folder knows the deployment, otherwise from the spec's external endpoints; any
number of gateways can run side by side from one spec (each watches the file,
none coordinates). ``listen`` overrides the spec's address for a second instance.
"""

from __future__ import annotations

from pathlib import Path

from skyclass.cloud._certs import Certificates
from skyclass.cloud._processes import SKYCLASS_CLI, alive, spawn, stop
from skyclass.cloud._spec import load_spec
from skyclass.cloud._spec_models import DeploymentSpec, check_listen
from skyclass.cloud._state import Replica, StateStore
from skyclass.cloud._table import build_table, table_path
from skyclass.cloud._waiting import wait_http_ok
from skyclass.errors import NotFoundError
from skyclass.gateway import ClientTls, run_engine


def run_gateway(
    spec_path: str | Path, *, state_dir: str | Path | None = None, listen: str | None = None
) -> None:
    """Serve the spec's gateway in the foreground until interrupted (``skyclass gateway``).

    A recorded deployment's gateway follows its routing table (``endpoints.json``) as
    ``deploy`` rewrites it; a spec never deployed can still be served when all its regions
    are ``external`` or ``kubernetes`` (their ``endpoints`` are the table).

    Parameters
    ----------
    spec_path : str or pathlib.Path
        The deployment spec file.
    state_dir : str or pathlib.Path, optional
        The state folder ``deploy`` used (default None: :func:`default_state_dir`).
    listen : str, optional
        ``host:port`` to listen on instead of the spec's ``gateway.listen`` (default None).

    Raises
    ------
    ConfigError
        When ``listen`` or the spec is invalid.
    NotFoundError
        When the deployment is not recorded and has local regions (whose addresses only the
        state knows).
    """
    if listen is not None:
        check_listen(listen)
    spec = load_spec(spec_path)
    settings = (
        spec.gateway if listen is None else spec.gateway.model_copy(update={"listen": listen})
    )
    store = StateStore(state_dir)
    try:
        store.deployment(spec.name)
    except NotFoundError:
        local = [r.name for r in spec.regions if r.provider == "local"]
        if local:
            raise NotFoundError(
                f"deployment {spec.name!r} is not recorded in {store.root}, so the endpoints of "
                f"its local regions ({', '.join(local)}) are unknown; run `skyclass deploy "
                f"{spec_path}` first or pass --state with the folder deploy used"
            ) from None
        static = [
            Replica(
                deployment=spec.name,
                region=r.name,
                track="primary",
                provider=r.provider,
                url=url.rstrip("/"),
                model_uri=spec.model,
                model_version="",
                cost_per_hour=r.cost_per_hour,
            )
            for r in spec.regions
            for url in r.endpoints
        ]
        run_engine(settings, build_table(spec, static, 1))
        return
    folder = store.folder(spec.name)
    if spec.tls.clients:
        cert, key = Certificates(folder, spec.name).gateway_server()
        settings = settings.model_copy(
            update={"client_tls": ClientTls(cert=str(cert), key=str(key))}
        )
    run_engine(settings, endpoints_file=str(table_path(folder)))


def gateway_url(spec: DeploymentSpec) -> str:
    host, port = spec.gateway.host_port()
    return f"{'https' if spec.tls.clients else 'http'}://{host}:{port}"


def ensure_gateway(
    store: StateStore, spec: DeploymentSpec, spec_path: Path, previous: dict | None
) -> str:
    """Start the deployment's gateway process unless one with the same settings runs.

    ``previous`` is the gateway section recorded before this deploy; when it differs
    the old gateway process is replaced.
    """
    row = store.deployment(spec.name)
    url = gateway_url(spec)
    same = previous == spec.gateway.model_dump(mode="json")
    if alive(row["gateway_pid"]) and row["gateway_url"] == url and same:
        return url
    stop(row["gateway_pid"])
    log = store.folder(spec.name) / "logs" / "gateway.log"
    proc = spawn([*SKYCLASS_CLI, "gateway", str(spec_path), "--state", str(store.root)], log)
    trust = Certificates(store.folder(spec.name), spec.name).trust()
    wait_http_ok(url + "/gateway/health", proc.pid, f"gateway of {spec.name!r}", log, verify=trust)
    store.set_gateway(spec.name, url, proc.pid)
    return url
