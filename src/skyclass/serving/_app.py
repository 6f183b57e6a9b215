"""``create_app``: the ASGI application of one model server.

Middleware, outermost first: ``Observe`` (metrics, JSON access log, model version header)
→ ``BearerAuth`` (when an API key is set) → ``BodyLimit`` → FastAPI routes.

Example:
    >>> from skyclass.serving import ServeSettings, create_app
    >>> app = create_app("/path/to/bundle", ServeSettings(log="none"))
    >>> callable(app)
    True
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse

import skyclass
from skyclass.serving import _openapi as docs
from skyclass.serving._auth import BearerAuth
from skyclass.serving._handlers import Handlers
from skyclass.serving._limits import BodyLimit
from skyclass.serving._metrics import ServingMetrics
from skyclass.serving._model import ModelHost
from skyclass.serving._observe import Observe
from skyclass.serving._predlog import PredictionLog
from skyclass.serving._responses import error_response
from skyclass.serving._settings import ServeSettings
from skyclass.serving._sinks import open_sink

_logger = logging.getLogger("skyclass.serving")
MODEL = "/v2/models/{name}"
VERSION = "/v2/models/{name}/versions/{version}"


def create_app(bundle_or_uri, settings: ServeSettings | None = None):
    """The ASGI app serving one bundle (a ``Bundle``, a path or a registry URI).

    The bundle loads and verifies in a background thread when the app starts, so
    ``/v2/health/live`` answers at once and ``/v2/health/ready`` turns 200 only after
    verification. ``settings.api_key_env`` is read here (``ConfigError`` if unset).
    """
    settings = settings or ServeSettings()
    api_key = settings.api_key()
    metrics = ServingMetrics()
    sink = open_sink(settings.log)
    log = (
        PredictionLog(sink, metrics, region=settings.region, max_queue=settings.log_queue_size)
        if sink is not None
        else None
    )
    source = str(bundle_or_uri) if isinstance(bundle_or_uri, Path) else bundle_or_uri
    host = ModelHost(source, on_ready=lambda h: _on_ready(h, metrics, log))
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

    app = FastAPI(
        title="skyclass model server (Open Inference Protocol V2)",
        version=skyclass.__version__,
        lifespan=lifespan,
        redoc_url=None,
    )
    _routes(app, handlers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request, exc):
        return error_response(exc.status_code, f"{exc.detail}: {request.method} {request.url.path}")

    @app.exception_handler(Exception)
    async def _bug(request, exc):
        _logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, f"internal error ({type(exc).__name__}); see the server log")

    app.state.host = host
    app.state.log = log
    asgi = BodyLimit(app, max_bytes=settings.max_body_bytes)
    if api_key:
        asgi = BearerAuth(asgi, api_key=api_key)
    observed = Observe(asgi, metrics=metrics, host=host, access_log=settings.access_log)
    observed.fastapi = app
    return observed


def _on_ready(host: ModelHost, metrics: ServingMetrics, log: PredictionLog | None) -> None:
    metrics.model_info.labels(host.name, host.version).set(1)
    metrics.ready.set(1)
    if log is not None:
        log.model_name, log.model_version = host.name, host.version
        log.kinds = {column.name: column.kind for column in host.bundle.schema}


def _routes(app: FastAPI, h: Handlers) -> None:
    add = app.add_api_route
    add("/v2/health/live", h.live, methods=["GET"], response_model=docs.Live)
    add(
        "/v2/health/ready",
        h.ready,
        methods=["GET"],
        response_model=docs.Ready,
        responses={503: {"model": docs.Ready}},
    )
    add(
        "/v2",
        h.server_metadata,
        methods=["GET"],
        response_model=docs.ServerMetadata,
        responses=docs.ERRORS,
    )
    add(
        "/metrics",
        h.metrics_text,
        methods=["GET"],
        response_class=PlainTextResponse,
        responses=docs.ERRORS,
    )
    for suffix, handler, model, body in (
        ("", h.model_metadata, docs.ModelMetadata, None),
        ("/ready", h.model_ready, None, None),
        ("/infer", h.infer, docs.InferResponse, docs.INFER_REQUEST),
        ("/predict", h.predict, docs.PredictResponse, docs.PREDICT_REQUEST),
    ):
        method = "POST" if body else "GET"
        extra = docs.json_body(body) if body else None
        add(
            MODEL + suffix,
            _unversioned(handler),
            methods=[method],
            response_model=model,
            responses=docs.ERRORS,
            openapi_extra=extra,
        )
        add(
            VERSION + suffix,
            _versioned(handler),
            methods=[method],
            response_model=model,
            responses=docs.ERRORS,
            openapi_extra=extra,
        )
    add(
        MODEL + "/feedback",
        _named(h.feedback),
        methods=["POST"],
        response_model=docs.FeedbackResponse,
        responses=docs.ERRORS,
        openapi_extra=docs.json_body(docs.FEEDBACK_REQUEST),
    )


def _unversioned(handler):
    async def endpoint(request: Request, name: str):
        return await handler(request, name, None)

    endpoint.__name__ = handler.__name__
    return endpoint


def _named(handler):
    async def feedback(request: Request, name: str):
        return await handler(request, name)

    return feedback


def _versioned(handler):
    async def endpoint(request: Request, name: str, version: str):
        return await handler(request, name, version)

    endpoint.__name__ = handler.__name__ + "_version"
    return endpoint
