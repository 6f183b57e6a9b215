"""The endpoint logic of one server: model checks, decoding, batching, logging, replies.

Every handler returns a response; errors become ``{"error": ...}`` with 400 (bad input),
404 (unknown model or version), 409 (feedback without a log), 413 (too large),
503 (not ready / log queue full) or 504 (timeout). ``create_app`` wires these to routes.

Row ids: the rows of a request with id ``R`` are logged as ``R`` (one row) or
``R:0``, ``R:1``, ... (several rows); a request without ``id`` gets a random one, echoed
in the reply. Feedback refers to these ids.
"""

from __future__ import annotations

import asyncio
import functools

import numpy as np
import orjson
from starlette.requests import Request
from starlette.responses import Response

from skyclass._version import __version__
from skyclass.bundle import DataQuality
from skyclass.errors import InputError, NotFoundError, SkyclassError
from skyclass.serving._batcher import MicroBatcher
from skyclass.serving._binary import HEADER, split_body
from skyclass.serving._body import UnsupportedEncoding, decompress, parse_json
from skyclass.serving._columns import DATATYPE_OF_KIND, columns_from_records, columns_from_tensors
from skyclass.serving._ids import RequestIds, RowIds, row_ids
from skyclass.serving._limits import BodyTooLarge
from skyclass.serving._metrics import ServingMetrics
from skyclass.serving._model import ModelHost
from skyclass.serving._predlog import PredictionLogWriter
from skyclass.serving._responses import JSONResponse, error_response
from skyclass.serving._settings import ServeSettings
from skyclass.serving._tensors import decode_request

OUTPUTS = ("probabilities", "label")
DURABLE_HEADER = "x-skyclass-durable"
#: on replies whose input needed imputation or had unseen categories (see ``DataQuality.header``)
QUALITY_HEADER = "x-skyclass-data-quality"


class HTTPError(Exception):
    """An error reply with its status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def guarded(handler):
    """Turn exceptions of an async handler into ``{"error": ...}`` replies."""

    @functools.wraps(handler)
    async def wrapper(*args, **kwargs) -> Response:
        try:
            return await handler(*args, **kwargs)
        except HTTPError as err:
            return error_response(err.status, str(err))
        except NotFoundError as err:
            return error_response(404, str(err))
        except BodyTooLarge as err:
            return error_response(413, str(err))
        except UnsupportedEncoding as err:
            return error_response(415, str(err))
        except (InputError, SkyclassError) as err:
            return error_response(400, str(err))
        except TimeoutError:
            return error_response(504, "inference did not finish in time (--request-timeout)")

    return wrapper


class Handlers:
    """State shared by the endpoints of one app: model host, batcher, log, metrics."""

    def __init__(
        self,
        host: ModelHost,
        settings: ServeSettings,
        metrics: ServingMetrics,
        log: PredictionLogWriter | None,
    ) -> None:
        self.host = host
        self.settings = settings
        self.metrics = metrics
        self.log = log
        self.new_id = RequestIds()
        self.batcher = MicroBatcher(
            host.predict,
            max_rows=settings.max_batch_size,
            max_wait_s=settings.max_batch_wait_ms / 1000,
            on_batch=self._count_batch,
        )

    def _count_batch(self, rows: int, requests: int) -> None:
        self.metrics.batch_rows.observe(rows)
        self.metrics.batch_requests.observe(requests)

    # -- checks -------------------------------------------------------------

    def _model(self, name: str, version: str | None) -> ModelHost:
        host = self.host
        if not host.ready:
            raise HTTPError(503, host.reason)
        if name != host.name:
            raise NotFoundError(
                f"model '{name}' is not served here; this server serves '{host.name}'"
            )
        if version is not None and version != host.version:
            raise NotFoundError(
                f"model '{name}' has no version '{version}' here; this server serves "
                f"version '{host.version}'"
            )
        return host

    async def _body(self, request: Request) -> bytes:
        """The request body, decompressed per ``Content-Encoding`` within the size limit."""
        return decompress(
            await request.body(),
            request.headers.get("content-encoding"),
            limit=self.settings.max_body_bytes,
        )

    async def _json(self, request: Request, body: bytes | None = None) -> object:
        return parse_json(await self._body(request) if body is None else body)

    def _account(self, quality: DataQuality) -> dict[str, str]:
        """Count imputed and unseen inputs in the metrics; the reply header (``--strict``: 400)."""
        if not quality:
            return {}
        for column, cells in quality.missing_columns.items():
            self.metrics.imputed.labels(column, "missing_column").inc(cells)
        for column, cells in quality.missing_values.items():
            cells -= quality.missing_columns.get(column, 0)
            if cells > 0:
                self.metrics.imputed.labels(column, "missing_value").inc(cells)
        for column, cells in quality.unseen.items():
            self.metrics.unseen.labels(column).inc(cells)
        if self.settings.strict:
            quality.check_strict("request")
        return {QUALITY_HEADER: quality.header()}

    def _check_rows(self, n_rows: int) -> None:
        if n_rows > self.settings.max_rows:
            raise HTTPError(
                413,
                f"request has {n_rows} rows, over the limit of {self.settings.max_rows} "
                "(--max-rows); split it into several requests",
            )

    # -- health and metadata ------------------------------------------------

    async def live(self, request: Request) -> Response:
        return JSONResponse({"live": True})

    async def ready(self, request: Request) -> Response:
        if self.host.ready:
            return JSONResponse({"ready": True, "state": "ready"})
        body = {"ready": False, "state": self.host.state, "error": self.host.reason}
        return JSONResponse(body, status_code=503)

    async def server_metadata(self, request: Request) -> Response:
        return JSONResponse(
            {
                "name": "skyclass",
                "version": __version__,
                "extensions": ["skyclass_predict", "skyclass_feedback", "prometheus_metrics"],
                "region": self.settings.region,
            }
        )

    async def metrics_text(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type="text/plain; version=0.0.4")

    @guarded
    async def model_metadata(self, request: Request, name: str, version: str | None) -> Response:
        host = self._model(name, version)
        bundle = host.bundle
        inputs = [
            {
                "name": column.name,
                "datatype": DATATYPE_OF_KIND[column.kind],
                "shape": [-1],
                "parameters": {"kind": column.kind, "required": column.required},
            }
            for column in bundle.schema
        ]
        k = len(host.labels)
        return JSONResponse(
            {
                "name": host.name,
                "versions": [host.version],
                "platform": "onnxruntime_onnx",
                "inputs": inputs,
                "outputs": [
                    {"name": "probabilities", "datatype": "FP32", "shape": [-1, k]},
                    {"name": "label", "datatype": "BYTES", "shape": [-1]},
                ],
                "parameters": {
                    "labels": host.labels,
                    "target": bundle.target,
                    "decision_rule": bundle.decision_rule,
                },
            }
        )

    @guarded
    async def model_ready(self, request: Request, name: str, version: str | None) -> Response:
        host = self._model(name, version)
        return JSONResponse({"name": host.name, "ready": True})

    # -- inference ----------------------------------------------------------

    @guarded
    async def infer(self, request: Request, name: str, version: str | None) -> Response:
        self.batcher.expect()
        waiting = True
        try:
            host = self._model(name, version)
            header, binary = split_body(await self._body(request), request.headers.get(HEADER))
            decoded = decode_request(await self._json(request, header), binary)
            self._check_rows(decoded.n_rows)
            wanted = decoded.outputs or list(OUTPUTS)
            unknown = [output for output in wanted if output not in OUTPUTS]
            if unknown:
                raise InputError(
                    f"outputs: unknown output {unknown[0]!r}; choose from {list(OUTPUTS)}"
                )
            quality = DataQuality()
            columns = columns_from_tensors(
                host.bundle.schema, decoded.inputs, decoded.n_rows, quality
            )
            said = self._account(quality)
            self.batcher.arrived()
            waiting = False
            proba, index = await self._predict(columns, decoded.n_rows)
        finally:
            if waiting:
                self.batcher.arrived()
        request_id = decoded.id or self.new_id()
        logged = await self._log(
            request, request_id, columns, proba, index, decoded.parameters, quality
        )
        n, k = proba.shape
        tensors = {
            "probabilities": ("FP32", [n, k], proba, {"labels": host.label_text.tolist()}),
            "label": ("BYTES", [n], host.label_text[index], None),
        }
        outputs, blobs = [], []
        for output in wanted:
            datatype, shape, values, parameters = tensors[output]
            tensor = {"name": output, "datatype": datatype, "shape": shape}
            binary_output = decoded.binary_outputs is None or output in decoded.binary_outputs
            if binary_output:
                if output == "label":
                    blob = b"".join(host.label_binary[index].tolist())
                else:
                    blob = values.astype("<f4").tobytes()
                blobs.append(blob)
                parameters = {**(parameters or {}), "binary_data_size": len(blob)}
            else:
                tensor["data"] = values.tolist() if datatype == "BYTES" else values.reshape(-1)
            if parameters:
                tensor["parameters"] = parameters
            outputs.append(tensor)
        body = {
            "model_name": host.name,
            "model_version": host.version,
            "id": request_id,
            "outputs": outputs,
        }
        headers = {"x-skyclass-logged": logged, **said}
        if not blobs:
            return JSONResponse(body, headers=headers)
        header = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
        headers[HEADER] = str(len(header))
        return Response(
            b"".join([header, *blobs]), media_type="application/octet-stream", headers=headers
        )

    @guarded
    async def predict(self, request: Request, name: str, version: str | None) -> Response:
        host = self._model(name, version)
        body = await self._json(request)
        if not isinstance(body, dict) or "instances" not in body:
            raise InputError('request body must be {"instances": [{column: value, ...}, ...]}')
        request_id = body.get("id")
        if request_id is not None and not isinstance(request_id, str):
            raise InputError("field 'id' must be a string")
        instances = body["instances"]
        self._check_rows(len(instances) if isinstance(instances, list) else 0)
        quality = DataQuality()
        columns = columns_from_records(host.bundle.schema, instances, quality)
        said = self._account(quality)
        proba, index = await self._predict(columns, len(instances))
        request_id = request_id or self.new_id()
        logged = await self._log(
            request, request_id, columns, proba, index, body.get("parameters"), quality
        )
        ids = row_ids(request_id, len(instances))
        rows = [
            {"id": row_id, "label": host.labels[i], "probabilities": p}
            for row_id, i, p in zip(ids, index.tolist(), proba.tolist())
        ]
        reply = {
            "model_name": host.name,
            "model_version": host.version,
            "id": request_id,
            "labels": host.labels,
            "predictions": rows,
        }
        return JSONResponse(reply, headers={"x-skyclass-logged": logged, **said})

    async def _predict(self, columns: dict, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        if n_rows == 0:
            return np.zeros((0, len(self.host.labels)), dtype=np.float32), np.zeros(
                0, dtype=np.int64
            )
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps the call in a new task
        async with asyncio.timeout(self.settings.request_timeout_s):
            proba, index = await self.batcher.submit(columns, n_rows)
        metrics = self.metrics
        metrics.rows.inc(n_rows)
        if n_rows == 1:
            counts = [(int(index[0]), 1)]
        else:
            counts = enumerate(np.bincount(index, minlength=len(self.host.labels)).tolist())
        for label, count in counts:
            if count:
                metrics.labelled(metrics.classes, self.host.label_text[label]).inc(count)
        return proba, index

    async def _log(self, request, request_id, columns, proba, index, parameters, quality) -> str:
        """Queue the rows (with the request's data quality when it is not clean); with the
        durable header (or parameter) wait for the commit."""
        if self.log is None or len(index) == 0:
            return "off" if self.log is None else "committed"
        durable = request.headers.get(DURABLE_HEADER, "").lower() in ("1", "true", "yes") or (
            isinstance(parameters, dict) and parameters.get("durable") is True
        )
        labels = np.array(self.host.label_json, dtype=object)[index].tolist()
        ids = RowIds(request_id, len(index))  # the strings are made on the writer thread
        future = self.log.submit(
            ids, columns, proba, labels, durable=durable, quality=quality.to_json()
        )
        if future is None:
            if durable:
                raise HTTPError(503, "prediction log queue is full; retry shortly")
            return "dropped"
        if not durable:
            return "queued"
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), self.settings.request_timeout_s)
        except Exception as err:
            raise HTTPError(503, f"prediction was not committed to the log: {err}") from None
        return "committed"

    # -- feedback -----------------------------------------------------------

    @guarded
    async def feedback(self, request: Request, name: str) -> Response:
        host = self._model(name, None)
        if self.log is None:
            raise HTTPError(
                409,
                "this server runs without a prediction log (--log none); "
                "feedback has nowhere to go",
            )
        body = await self._json(request)
        items = body if isinstance(body, list) else [body]
        ids, labels = [], []
        by_text = {str(label): label for label in host.labels}
        for position, item in enumerate(items):
            where = f"feedback[{position}]" if isinstance(body, list) else "feedback"
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
                raise InputError(f'{where} must be {{"id": "<prediction id>", "label": <label>}}')
            label = item.get("label")
            if isinstance(label, (list, dict)) or (
                label not in host.label_index and str(label) not in by_text
            ):
                raise InputError(
                    f"{where}: label {label!r} is not one of the model's labels {host.labels}"
                )
            label = label if label in host.label_index else by_text[str(label)]
            ids.append(item["id"])
            labels.append(orjson.dumps(label).decode())
        future = self.log.feedback(ids, labels)
        if future is None:
            raise HTTPError(503, "prediction log queue is full; retry shortly")
        await asyncio.wait_for(asyncio.wrap_future(future), self.settings.request_timeout_s)
        return JSONResponse({"recorded": len(ids)})
