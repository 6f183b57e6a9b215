"""``skyclass dashboard``: the monitoring page served live, recomputed on each visit.

Routes: ``/`` (the page, reloading itself every ``refresh_s`` seconds), ``/api/summary``
(the same data as JSON) and ``/healthz``. Alerts keep their state for the life of the
server, so an ongoing condition is reported once.

Example:
    >>> from skyclass.monitor import dashboard_app
    >>> app = dashboard_app("bundle/", ["log.db"])  # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from skyclass.errors import SkyclassError
from skyclass.monitor._alerts import AlertManager
from skyclass.monitor._config import MonitorConfig
from skyclass.monitor._html import render_html
from skyclass.monitor._run import MonitorResult, model_source, monitor

__all__ = ["dashboard_app"]


def dashboard_app(
    model: Any,
    logs: Sequence[str],
    *,
    config: MonitorConfig | None = None,
    regions: Callable[[], list[dict]] | None = None,
    calibration: tuple[Sequence, Any] | None = None,
    refresh_s: int = 15,
    min_interval_s: float = 2.0,
) -> Starlette:
    """An ASGI app serving the monitoring page for ``model`` over ``logs``.

    ``regions`` is called on each refresh to read region health (a gateway or status file);
    results are reused for ``min_interval_s`` so many viewers don't recompute.

    Parameters
    ----------
    model : Bundle or str
        The bundle (or its path / registry URI) whose log is watched.
    logs : sequence of str
        Prediction log paths, URIs or globs (``skyclass serve --log``).
    config : MonitorConfig, optional
        Windows, drift thresholds and alert rules.
    regions : callable, optional
        Returns the region rows (gateway or status file) on each refresh.
    calibration : (y_true, y_proba), optional
        A labelled held-out set for estimated performance.
    refresh_s : int
        The page reloads itself every ``refresh_s`` seconds.
    min_interval_s : float
        A monitoring pass is reused for this long.

    Returns
    -------
    Starlette
        Routes ``/`` (the page), ``/api/summary`` (JSON) and ``/healthz``.
    """
    config = config or MonitorConfig()
    if isinstance(model, str | os.PathLike):
        from skyclass.bundle import load

        model = load(model)  # once, not on every visit
    model_source(model)  # fail at start-up, not on the first visit
    manager = AlertManager(config.rules, webhook=config.webhook, state_path=config.state)
    lock = threading.Lock()
    cache: dict = {}

    def snapshot() -> tuple[MonitorResult, list[dict] | None, str | None]:
        with lock:
            if cache and time.monotonic() - cache["at"] < min_interval_s:
                return cache["value"]
            result = monitor(
                model, list(logs), config=config, calibration=calibration, alerts=manager
            )
            region_rows, region_error = None, None
            if regions is not None:
                try:
                    region_rows = regions()
                except SkyclassError as err:
                    region_error = str(err)
                    result.notes.append(region_error)
            cache.update(at=time.monotonic(), value=(result, region_rows, region_error))
            return cache["value"]

    def page(request: Request) -> Response:
        try:
            result, region_rows, _ = snapshot()
        except SkyclassError as err:
            return HTMLResponse(_error_page(str(err)), status_code=503)
        return HTMLResponse(render_html(result, regions=region_rows, refresh_s=refresh_s))

    def summary(request: Request) -> Response:
        try:
            result, region_rows, region_error = snapshot()
        except SkyclassError as err:
            return JSONResponse({"error": str(err)}, status_code=503)
        return JSONResponse(
            {**result.to_dict(), "gateway_regions": region_rows, "gateway_error": region_error}
        )

    def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/", page), Route("/api/summary", summary), Route("/healthz", healthz)]
    )


def _error_page(message: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>skyclass monitor</title>"
        f"<meta http-equiv='refresh' content='5'><link rel='icon' href='data:,'></head><body><h1>Monitoring unavailable</h1><p>{escape(message)}</p></body></html>"
    )
