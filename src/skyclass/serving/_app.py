"""``create_app``: the ASGI application of one model server.

Middleware, outermost first: ``Observe`` (metrics, JSON access log, model version header)
→ ``BearerAuth`` (when an API key is set) → ``BodyLimit`` → a Starlette router.

Requests are routed by bare Starlette (about a third of FastAPI's per-request framework
cost, measured); FastAPI only writes the OpenAPI document (``/openapi.json``, ``/docs``)
from the same route table.

Example:
    >>> from skyclass.serving import ServeSettings, create_app
    >>> app = create_app("/path/to/bundle", ServeSettings(log="none"))
    >>> app.host.state
    'loading'
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Match, Route

from skyclass._version import __version__
from skyclass.bundle import Bundle
from skyclass.serving import _collector as collector
from skyclass.serving import _openapi as docs
from skyclass.serving._auth import BearerAuth
from skyclass.serving._handlers import Handlers
from skyclass.serving._limits import BodyLimit
from skyclass.serving._metrics import ServingMetrics
from skyclass.serving._model import ModelHost
from skyclass.serving._observe import Observe
from skyclass.serving._predlog import PredictionLogWriter
from skyclass.serving._responses import JSONResponse, error_response
from skyclass.serving._settings import ServeSettings
from skyclass.serving._sinks import open_sink

_logger = logging.getLogger("skyclass.serving")
MODEL = "/v2/models/{name}"
VERSION = "/v2/models/{name}/versions/{version}"
TITLE = "skyclass model server (Open Inference Protocol V2)"


def create_app(
    bundle_or_uri: Bundle | str | Path, settings: ServeSettings | None = None
) -> Observe:
    """The ASGI app serving one bundle.

    The bundle loads and verifies in a background thread when the app starts (its
    lifespan), so ``/v2/health/live`` answers at once and ``/v2/health/ready`` turns 200
    only after verification.

    Parameters
    ----------
    bundle_or_uri : skyclass.bundle.Bundle or str or pathlib.Path
        What to serve: a loaded ``Bundle`` (verified again before serving), a bundle
        directory, a ``.skyclass`` file or a registry URI like
        ``file:///srv/registry/iris@champion``.
    settings : ServeSettings or None
        Server options; ``None`` takes every default (SQLite log in the working directory).

    Returns
    -------
    Observe
        The ASGI application, to run with any ASGI server. It has ``.host`` (the
        ``ModelHost``: ``ready``, ``state``, ``reason``) and ``.log`` (the prediction log
        writer, ``None`` with ``log="none"``).

    Raises
    ------
    skyclass.errors.ConfigError
        When ``settings.api_key_env`` names an unset variable or ``settings.log`` is not a
        known sink.
    """
    settings = settings or ServeSettings()
    api_key = settings.api_key()
    metrics = ServingMetrics()
    sink = open_sink(settings.log)
    log = (
        PredictionLogWriter(
            sink,
            metrics,
            region=settings.region,
            max_queue=settings.log_queue_size,
            process=settings.log_process,
        )
        if sink is not None
        else None
    )
    source = str(bundle_or_uri) if isinstance(bundle_or_uri, Path) else bundle_or_uri
    host = ModelHost(
        source,
        on_ready=lambda h: _on_ready(h, metrics, log, settings),
        trusted_keys=settings.trusted_keys,
    )
    handlers = Handlers(host, settings, metrics, log)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if log is not None:
            log.start()
        host.start()
        try:
            yield
        finally:
            if log is not None:
                log.close()

    async def http_error(request, exc):
        message = f"{exc.detail}: {request.method} {request.url.path}"
        return error_response(exc.status_code, message, headers=exc.headers)

    async def bug(request, exc):
        _logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, f"internal error ({type(exc).__name__}); see the server log")

    table = _table(handlers)
    routes = _routes(table)
    app = Starlette(
        routes=[*routes, *_doc_routes(table)],
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, Exception: bug},
    )
    hot = [route for route in routes if route.path.endswith("/infer")]
    asgi = BodyLimit(HotRoutes(app, hot), max_bytes=settings.max_body_bytes)
    if api_key:
        asgi = BearerAuth(asgi, api_key=api_key)
    observed = Observe(asgi, metrics=metrics, host=host, access_log=settings.access_log)
    observed.host, observed.log = host, log
    return observed


def _on_ready(
    host: ModelHost,
    metrics: ServingMetrics,
    log: PredictionLogWriter | None,
    settings: ServeSettings,
) -> None:
    metrics.model_info.labels(host.name, host.version).set(1)
    metrics.ready.set(1)
    if log is not None:
        log.model_name, log.model_version = host.name, host.version
        log.bundle_sha256 = host.bundle.manifest_sha256
        log.kinds = {column.name: column.kind for column in host.bundle.schema}
    if settings.tune_gc:
        collector.settle()


def _table(h: Handlers) -> list[tuple]:
    """(path, method, endpoint(request, **path params), response model, request body schema)."""
    table = [
        ("/v2/health/live", "GET", h.live, docs.Live, None),
        ("/v2/health/ready", "GET", h.ready, docs.Ready, None),
        ("/v2", "GET", h.server_metadata, docs.ServerMetadata, None),
        ("/metrics", "GET", h.metrics_text, None, None),
    ]
    for suffix, handler, model, body in (
        ("", h.model_metadata, docs.ModelMetadata, None),
        ("/ready", h.model_ready, None, None),
        ("/infer", h.infer, docs.InferResponse, docs.INFER_REQUEST),
        ("/predict", h.predict, docs.PredictResponse, docs.PREDICT_REQUEST),
    ):
        method = "POST" if body else "GET"
        table.append((MODEL + suffix, method, _versionless(handler), model, body))
        table.append((VERSION + suffix, method, handler, model, body))
    table.append(
        (MODEL + "/feedback", "POST", h.feedback, docs.FeedbackResponse, docs.FEEDBACK_REQUEST)
    )
    return table


def _versionless(handler):
    async def endpoint(request: Request, name: str):
        return await handler(request, name, None)

    endpoint.__name__ = handler.__name__
    return endpoint


class _Route(Route):
    """A Starlette route that records itself in the scope (metrics label by template)."""

    def matches(self, scope):
        match, child = super().matches(scope)
        if match != Match.NONE:
            child["route"] = self
        return match, child


class HotRoutes:
    """Requests for ``routes`` (``infer``) go straight to their endpoint, others to ``app``.

    Starlette's error middlewares and its scan of the route table cost a single-row infer
    request about 5 % of its CPU; its endpoints catch every error they expect (``guarded``),
    so here only a bug needs catching: logged, and answered 500 like the app's own handler.
    """

    def __init__(self, app, routes: list[Route]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            for route in self.routes:
                match, child = route.matches(scope)
                if match == Match.FULL:
                    scope.update(child)
                    await self._call(route, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _call(self, route: Route, scope, receive, send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await route.endpoint(request)
        except Exception as err:
            _logger.exception("unexpected error on POST %s", scope["path"])
            response = error_response(
                500, f"internal error ({type(err).__name__}); see the server log"
            )
        await response(scope, receive, send)


def _routes(table: list[tuple]) -> list[Route]:
    def adapt(endpoint):
        async def call(request: Request):
            return await endpoint(request, **request.path_params)

        return call

    # the router tries routes in order, one regex each: inference first saves ~10 per request
    hot_first = sorted(table, key=lambda row: not row[0].endswith(("/infer", "/predict")))
    return [
        _Route(path, adapt(endpoint), methods=[method], name=f"{method} {path}")
        for path, method, endpoint, _model, _body in hot_first
    ]


def _doc_routes(table: list[tuple]) -> list[Route]:
    """``/openapi.json`` and ``/docs``, generated once by FastAPI from the route table."""
    describer = FastAPI(title=TITLE, version=__version__, openapi_url=None)
    for path, method, endpoint, model, body in table:
        describer.add_api_route(
            path, endpoint, methods=[method], response_model=model, **_doc_options(path, body)
        )
    document: dict = {}

    async def openapi(request: Request):
        if not document:
            document.update(describer.openapi())
        return JSONResponse(document)

    async def swagger(request: Request):
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)

    return [
        _Route("/openapi.json", openapi, methods=["GET"]),
        _Route("/docs", swagger, methods=["GET"]),
    ]


def _doc_options(path: str, body: dict | None) -> dict:
    options: dict = {"openapi_extra": docs.json_body(body) if body else None}
    if path == "/metrics":
        options["response_class"] = PlainTextResponse
    if path.startswith(("/v2/models", "/metrics")) or path == "/v2":
        options["responses"] = docs.ERRORS
    elif path == "/v2/health/ready":
        options["responses"] = {503: {"model": docs.Ready}}
    return options
