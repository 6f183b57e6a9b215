"""Deployment state in a small SQLite database, so status/down/chaos work from a new shell.

The folder is ``$SKYCLASS_STATE`` or ``./.skyclass-state``; it also holds each
deployment's routing table (``<name>/endpoints.json``, watched by gateways),
chaos control files and replica logs.

Example:
    >>> import tempfile
    >>> store = StateStore(tempfile.mkdtemp())
    >>> store.deployments()
    []
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from skyclass.errors import NotFoundError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deployments (
    name TEXT PRIMARY KEY, spec_path TEXT, spec_json TEXT, gateway_url TEXT,
    gateway_pid INTEGER, created REAL, updated REAL
);
CREATE TABLE IF NOT EXISTS replicas (
    id INTEGER PRIMARY KEY AUTOINCREMENT, deployment TEXT, region TEXT, track TEXT,
    provider TEXT, url TEXT, pid INTEGER, proxy_pid INTEGER, model_uri TEXT,
    model_version TEXT, cost_per_hour REAL, started REAL, stopped REAL
);
"""


def default_state_dir() -> Path:
    """Where deployment state lives when no folder is given.

    Returns
    -------
    pathlib.Path
        ``$SKYCLASS_STATE`` when set, else ``./.skyclass-state`` (relative to the current
        directory; not created here).
    """
    return Path(os.environ.get("SKYCLASS_STATE", ".skyclass-state"))


@dataclass
class Replica:
    """One running (or stopped) replica as recorded in the state database.

    Attributes
    ----------
    deployment : str
        Name of the deployment it belongs to.
    region : str
        Name of its region in the spec.
    track : str
        ``"primary"``, ``"canary"`` or ``"shadow"``.
    provider : str
        Name of the provider that started it (``local``, ``kubernetes``, ``external``, ...);
        the same provider stops it.
    url : str
        Base URL the gateway routes to (for ``local``: the chaos proxy in front of the
        server), without a trailing ``/``.
    model_uri : str
        The bundle or registry URI it serves (pinned to a version).
    model_version : str
        The model version it serves, as placed in the region's store.
    cost_per_hour : float
        Price of one replica-hour, copied from the region when it started.
    pid : int or None
        Process id of the ``skyclass serve`` process (``local`` only; default None).
    proxy_pid : int or None
        Process id of its chaos proxy (``local`` only; default None).
    started : float
        Start time in epoch seconds (default 0.0).
    stopped : float or None
        Stop time in epoch seconds; None (default) while it runs.
    id : int or None
        Row id in the state database, set by :meth:`StateStore.add_replica` (default None).
    """

    deployment: str
    region: str
    track: str
    provider: str
    url: str
    model_uri: str
    model_version: str
    cost_per_hour: float
    pid: int | None = None
    proxy_pid: int | None = None
    started: float = 0.0
    stopped: float | None = None
    id: int | None = None

    def hours(self, now: float | None = None) -> float:
        """Replica-hours billed so far (from ``started`` to ``stopped``, or to ``now``).

        Parameters
        ----------
        now : float, optional
            The time to bill a running replica up to, in epoch seconds (default None: the
            current time).

        Returns
        -------
        float
            Hours, never negative.
        """
        end = self.stopped if self.stopped is not None else (now or time.time())
        return max(0.0, end - self.started) / 3600.0


class StateStore:
    """Read/write access to one state folder: the SQLite database of deployments and
    replicas, and one sub-folder per deployment (routing table, logs, chaos files, certs).

    Every call opens its own connection (WAL mode, 30 s busy timeout), so several
    processes (``deploy``, ``status``, ``chaos``, the gateway) may use one folder at once.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The state folder, created if missing (default None: :func:`default_state_dir`).
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root) if root is not None else default_state_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.root = self.root.resolve()
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.root / "state.db", timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def folder(self, deployment: str) -> Path:
        """The deployment's own folder under the state root, created if missing.

        Parameters
        ----------
        deployment : str
            The deployment's name.

        Returns
        -------
        pathlib.Path
            ``<root>/<deployment>``: routing table, logs, chaos control files, certificates.
        """
        path = self.root / deployment
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- deployments -----------------------------------------------------------
    def save_deployment(self, name: str, spec_path: str, spec_json: str) -> None:
        """Record a deployment's spec (insert, or update the one of that name).

        Parameters
        ----------
        name : str
            The deployment's name.
        spec_path : str
            Absolute path of the spec file it was deployed from.
        spec_json : str
            The validated spec as JSON (``DeploymentSpec.model_dump_json()``).
        """
        now = time.time()
        with self._connect() as db:
            db.execute(
                "INSERT INTO deployments(name, spec_path, spec_json, created, updated) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "spec_path=excluded.spec_path, spec_json=excluded.spec_json, updated=excluded.updated",
                (name, spec_path, spec_json, now, now),
            )

    def set_gateway(self, name: str, url: str | None, pid: int | None) -> None:
        """Record the deployment's gateway (or, with None, that none runs).

        Parameters
        ----------
        name : str
            The deployment's name.
        url : str or None
            The gateway's base URL.
        pid : int or None
            Process id of the background gateway process.
        """
        with self._connect() as db:
            db.execute(
                "UPDATE deployments SET gateway_url=?, gateway_pid=? WHERE name=?", (url, pid, name)
            )

    def deployment(self, name: str | None = None) -> dict:
        """One deployment's record.

        Parameters
        ----------
        name : str, optional
            The deployment's name (default None: the most recently updated one).

        Returns
        -------
        dict
            ``name``, ``spec_path``, ``spec`` (the spec as a dict), ``gateway_url``,
            ``gateway_pid``, ``created`` and ``updated`` (epoch seconds).

        Raises
        ------
        NotFoundError
            When there is no such deployment (or none at all) in this folder.
        """
        with self._connect() as db:
            if name is None:
                row = db.execute(
                    "SELECT * FROM deployments ORDER BY updated DESC LIMIT 1"
                ).fetchone()
            else:
                row = db.execute("SELECT * FROM deployments WHERE name=?", (name,)).fetchone()
        if row is None:
            what = f"deployment {name!r}" if name else "any deployment"
            raise NotFoundError(
                f"no record of {what} in {self.root}; run `skyclass deploy SPEC.yaml` first "
                "or point $SKYCLASS_STATE / --state at the right folder"
            )
        out = dict(row)
        out["spec"] = json.loads(out.pop("spec_json"))
        return out

    def deployments(self) -> list[str]:
        """Names of every recorded deployment.

        Returns
        -------
        list of str
            Sorted by name.
        """
        with self._connect() as db:
            return [r["name"] for r in db.execute("SELECT name FROM deployments ORDER BY name")]

    def forget(self, name: str) -> None:
        """Delete a deployment's record and its replicas' rows (stops nothing).

        Parameters
        ----------
        name : str
            The deployment's name.
        """
        with self._connect() as db:
            db.execute("DELETE FROM deployments WHERE name=?", (name,))
            db.execute("DELETE FROM replicas WHERE deployment=?", (name,))

    # -- replicas --------------------------------------------------------------
    def add_replica(self, replica: Replica) -> Replica:
        """Record a replica that was started.

        Parameters
        ----------
        replica : Replica
            The replica, as its provider returned it (``id`` is ignored).

        Returns
        -------
        Replica
            The same object, its ``id`` set to the new row's id.
        """
        row = asdict(replica)
        row.pop("id")
        with self._connect() as db:
            cur = db.execute(
                f"INSERT INTO replicas({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
            replica.id = cur.lastrowid
        return replica

    def mark_stopped(self, replica: Replica) -> None:
        """Record that a replica stopped now (sets ``replica.stopped`` too).

        Parameters
        ----------
        replica : Replica
            A recorded replica (its ``id`` is set).
        """
        replica.stopped = time.time()
        with self._connect() as db:
            db.execute("UPDATE replicas SET stopped=? WHERE id=?", (replica.stopped, replica.id))

    def replicas(self, deployment: str, *, active_only: bool = True) -> list[Replica]:
        """The replicas recorded for a deployment, in the order they were added.

        Parameters
        ----------
        deployment : str
            The deployment's name.
        active_only : bool
            Leave out the stopped ones (default True).

        Returns
        -------
        list of Replica
            Fresh objects read from the database.
        """
        query = "SELECT * FROM replicas WHERE deployment=?"
        if active_only:
            query += " AND stopped IS NULL"
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id", (deployment,)).fetchall()
        return [Replica(**dict(r)) for r in rows]
