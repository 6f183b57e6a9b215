"""Running a gateway: in the foreground (the CLI) or in a background thread (tests, demos).

Example:
    >>> from skyclass.gateway import GatewaySettings, RoutingTable, start_in_thread
    >>> gw = start_in_thread(GatewaySettings(listen="127.0.0.1:0"), RoutingTable())
    >>> gw.url.startswith("http://127.0.0.1:")
    True
    >>> gw.stop()
"""

from __future__ import annotations

import os
import socket
import threading
import time

import uvicorn

from skyclass.errors import SkyclassError
from skyclass.gateway._app import GatewayApp
from skyclass.gateway._settings import GatewaySettings, RoutingTable


def _uvicorn_config(app: GatewayApp, host: str, port: int) -> uvicorn.Config:
    tls = app.settings.client_tls
    return uvicorn.Config(
        app,
        ssl_certfile=tls.cert if tls else None,
        ssl_keyfile=tls.key if tls else None,
        host=host,
        port=port,
        lifespan="on",
        access_log=False,
        log_level="warning",
        http="httptools",
        loop="uvloop",
        server_header=False,
        date_header=False,
        backlog=2048,
        timeout_keep_alive=30,
    )


def serve(
    settings: GatewaySettings,
    table: RoutingTable | None = None,
    *,
    endpoints_file: str | os.PathLike | None = None,
) -> None:
    """Run a gateway on ``settings.listen`` until interrupted (blocking).

    Parameters
    ----------
    settings : GatewaySettings
        Where to listen and how to route.
    table : RoutingTable, optional
        A fixed routing table (default: read ``endpoints_file``, else empty).
    endpoints_file : str or os.PathLike, optional
        A routing-table file to follow as deploys replace it.
    """
    host, port = settings.host_port()
    app = GatewayApp(settings, table, endpoints_file=endpoints_file)
    uvicorn.Server(_uvicorn_config(app, host, port)).run()


class GatewayThread:
    """A gateway running in a daemon thread of this process; ``stop()`` shuts it down.

    Made by :func:`start_in_thread`.

    Parameters
    ----------
    app : GatewayApp
        The gateway application to serve.
    host : str
        The address to bind.
    port : int
        The port to bind (a real one; ``start_in_thread`` resolves 0).
    """

    def __init__(self, app: GatewayApp, host: str, port: int) -> None:
        self.app = app
        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(_uvicorn_config(app, host, port))
        self._thread = threading.Thread(
            target=self._server.run, name="skyclass-gateway", daemon=True
        )

    def _start(self, timeout: float = 15.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SkyclassError(f"gateway on {self.url} did not start; is the port free?")
            time.sleep(0.01)

    def stop(self) -> None:
        """Ask the server to exit and wait (up to 10 s) for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_in_thread(
    settings: GatewaySettings,
    table: RoutingTable | None = None,
    *,
    endpoints_file: str | os.PathLike | None = None,
) -> GatewayThread:
    """Start a gateway in a background thread and return once it accepts connections.

    Parameters
    ----------
    settings : GatewaySettings
        As for :func:`serve`; port 0 in ``listen`` picks a free port (see ``.url``).
    table, endpoints_file : RoutingTable, str or os.PathLike, optional
        The fixed routing table and/or the file to follow, as for :func:`serve`.

    Returns
    -------
    GatewayThread
        The running gateway; ``.url`` is its base URL, ``.stop()`` ends it.

    Raises
    ------
    SkyclassError
        When the server does not start within 15 s (e.g. the port is taken).
    """
    host, port = settings.host_port()
    if port == 0:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    app = GatewayApp(settings, table, endpoints_file=endpoints_file)
    gateway = GatewayThread(app, host, port)
    gateway._start()
    return gateway
