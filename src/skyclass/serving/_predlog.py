"""The prediction log: a bounded queue drained by one writer thread into a sink, directly
or (``process=True``, what ``skyclass serve`` uses) through a writer process of its own.

The response path only appends to a queue. The writer commits in groups: rows nobody waits
for are gathered for up to ``GROUP_COMMIT_S`` into one commit; a durable submission or
feedback (someone waits for its commit) is committed at once, with whatever else is queued. The queue is bounded in rows (queued or being
written): a prediction that would pass the bound is dropped and its rows counted in
``skyclass_prediction_log_dropped_total`` instead of blocking or failing the request (a
single request larger than the bound is still taken when nothing else waits). ``submit(..., durable=True)`` returns a future that completes once the rows are
committed, so a caller can acknowledge "logged" only after the commit.

Example:
    >>> import tempfile, pathlib, numpy as np
    >>> from skyclass.serving._metrics import ServingMetrics
    >>> from skyclass.serving._sinks import open_sink
    >>> log = PredictionLogWriter(open_sink(str(pathlib.Path(tempfile.mkdtemp()) / "p.db")),
    ...                     ServingMetrics(), model_name="iris", model_version="1", region="eu")
    >>> log.start()
    >>> done = log.submit(["r1"], {"x": np.array([1.0])}, np.array([[0.3, 0.7]]), ['"b"'],
    ...                   durable=True)
    >>> done.result(timeout=10)
    1
    >>> log.close()
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from itertools import repeat

import numpy as np
import orjson

from skyclass.serving._logchild import LogChild, LogChildError
from skyclass.serving._logwire import Item, Run, join, pack, unpack
from skyclass.serving._metrics import ServingMetrics
from skyclass.serving._sinks import FeedbackRow, PredictionRow, Sink

_logger = logging.getLogger("skyclass.serving")
_STOP = object()
_MAX_ITEMS_PER_COMMIT = 4096
#: how long the writer gathers predictions nobody waits for into one commit (a commit has a
#: fixed cost, paid per request when requests trickle in one by one)
GROUP_COMMIT_S = 0.05


class PredictionLogWriter:
    """Asynchronous, bounded, single-writer log of predictions and feedback.

    ``model_name``/``model_version``/``bundle_sha256`` are stamped on every prediction row and ``kinds``
    (column → schema kind) turns canonical arrays back into client values (booleans as
    true/false, datetimes as ISO-8601 UTC, missing as null); the server sets them once the
    model is loaded.

    With ``process=True`` the rows are encoded and written by a child process (see
    ``_logchild``): the writer thread only joins each group's arrays and hands them over, so
    the per-row work runs outside the server's GIL. Should that process die, the thread
    opens the sink itself and writes from then on (the failure is logged).
    """

    def __init__(
        self,
        sink: Sink,
        metrics: ServingMetrics,
        *,
        region: str,
        model_name: str = "",
        model_version: str = "",
        max_queue: int = 100_000,
        process: bool = False,
    ) -> None:
        self.sink = sink
        self.process = process
        self._child: LogChild | None = None
        self.metrics = metrics
        self.model_name = model_name
        self.model_version = model_version
        self.bundle_sha256: str | None = None
        self.region = region
        self.kinds: dict[str, str] = {}
        self.max_queue = max_queue
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0  # rows queued or being written, bounded by max_queue
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="skyclass-predlog", daemon=True)
        self._opened = threading.Event()
        self._urgent = threading.Event()  # set when a queued item waits for its commit
        self._open_error: BaseException | None = None

    def start(self) -> None:
        """Open the sink (in the writer process, or on the writer thread); raises what
        opening raised."""
        if self.process:
            self._child = LogChild(self.sink, self._write_message)
            self._child.start()
        self._thread.start()
        self._opened.wait()
        if self._open_error is not None:
            raise self._open_error

    def submit(
        self,
        ids: Sequence[str],
        columns: dict[str, np.ndarray],
        probabilities: np.ndarray,
        labels: list[str],
        *,
        durable: bool = False,
        quality: str | None = None,
    ) -> Future | None:
        """Queue predicted rows (``labels`` as JSON text); ``None`` if the queue was full.

        ``ids`` may be any sequence of strings; it is read on the writer thread only.
        ``quality`` is the request's data-quality JSON (``DataQuality.to_json()``), stored
        on its first row.
        """
        item = Item(
            ids, columns, probabilities, labels, time.time(), Future() if durable else None,
            quality,
        )  # fmt: skip
        return self._put(item, len(ids))

    def feedback(self, ids: list[str], labels: list[str]) -> Future | None:
        """Queue ground-truth labels (JSON text); the future completes when committed."""
        return self._put(Item(ids, None, None, labels, time.time(), Future()), len(ids))

    def _put(self, item: Item, rows: int) -> Future | None:
        with self._lock:
            if self._pending and self._pending + rows > self.max_queue:
                full = True
            else:
                full = False
                self._pending += rows
                pending = self._pending
        if full:
            if item.columns is not None:
                self.metrics.log_dropped.inc(rows)
            return None
        self._queue.put(item)
        if item.future is not None:
            self._urgent.set()
        self.metrics.log_queue.set(pending)
        return item.future if item.future is not None else _DONE

    def close(self, timeout: float = 30.0) -> None:
        """Write everything queued, then close the sink."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._urgent.set()
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            if self._child is None:
                self.sink.open()
        except BaseException as err:  # reported to start()
            self._open_error = err
            self._opened.set()
            return
        self._opened.set()
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            self._urgent.wait(GROUP_COMMIT_S)  # gather more, unless someone waits for a commit
            self._urgent.clear()
            while len(batch) < _MAX_ITEMS_PER_COMMIT:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stopping = True
                batch = [item for item in batch if item is not _STOP]
            if batch:
                self._write(batch)
        if self._child is not None:
            self._child.close()
        else:
            self.sink.close()

    def _write(self, batch: list[Item]) -> None:
        try:
            self._commit(batch)
        finally:
            with self._lock:
                self._pending -= sum(len(item.ids) for item in batch)
                pending = self._pending
            self.metrics.log_queue.set(pending)

    def _commit(self, batch: list[Item]) -> None:
        try:
            predictions, feedback = self._store(join(batch))
        except Exception as err:
            self.metrics.log_errors.inc()
            _logger.error("prediction log write failed: %s", err)
            for item in batch:
                if item.future is not None:
                    item.future.set_exception(err)
            return
        self.metrics.log_written.labels("prediction").inc(predictions)
        self.metrics.log_written.labels("feedback").inc(feedback)
        for item in batch:
            if item.future is not None:
                item.future.set_result(len(item.ids))

    def _store(self, runs: list[Run]) -> tuple[int, int]:
        """Commit the runs (through the writer process when there is one); rows written."""
        if self._child is not None:
            try:
                return self._child.commit(pack(runs, self._stamp()))
            except LogChildError as err:
                if not err.gone:  # the sink's own error: reported like a thread's
                    raise
                _logger.error("%s; the server writes the prediction log itself from now on", err)
                self._child.close()
                self._child = None
                self.sink.open()
        return self._write_runs(self.sink, runs)

    def _stamp(self) -> dict:
        return {
            "model_name": self.model_name,
            "model_version": self.model_version,
            "bundle_sha256": self.bundle_sha256,
            "region": self.region,
            "kinds": self.kinds,
        }

    def _write_message(self, sink: Sink, message: bytes) -> tuple[int, int]:
        """In the writer process: one ``pack`` message written to ``sink``."""
        runs, stamp = unpack(message)
        for name, value in stamp.items():
            setattr(self, name, value)
        return self._write_runs(sink, runs)

    def _write_runs(self, sink: Sink, runs: list[Run]) -> tuple[int, int]:
        predictions: list[PredictionRow] = []
        feedback: list[FeedbackRow] = []
        for run in runs:
            if run.feedback:
                feedback += map(FeedbackRow._make, zip(run.row_ids(), run.row_ts(), run.labels))
            else:
                predictions += self._rows(run)
        sink.write(predictions, feedback)
        return len(predictions), len(feedback)

    def _rows(self, run: Run) -> list[PredictionRow]:
        """The rows of a run of predictions as plain tuples in ``PredictionRow`` field order.

        Built in bulk: the run's arrays are joined first, so a commit of 40 single-row
        requests encodes each column once, not 40 times, and a zipped tuple costs a tenth
        of a ``PredictionRow``.
        """
        n = len(run.labels)
        quality = repeat(None) if all(q is None for q in run.quality) else run.row_quality()
        return list(
            zip(
                run.row_ids(),
                run.row_ts(),
                repeat(self.model_name, n),
                repeat(self.model_version, n),
                repeat(self.region, n),
                _inputs_json(run.columns, self.kinds, n),
                _rows_json(run.probabilities),
                run.labels,
                repeat(self.bundle_sha256, n),
                quality,
            )
        )


def _inputs_json(columns: dict[str, np.ndarray], kinds: dict[str, str], n: int) -> list[str]:
    """One JSON object (column → client value) per row, as ``orjson.dumps`` of the row's dict
    would write it: each column is encoded once in bulk, then one ``%`` format per row."""
    names = list(columns)
    if not names:
        return ["{}"] * n
    if n == 0:
        return []
    template = (
        "{"
        + ",".join(orjson.dumps(name).decode().replace("%", "%%") + ":%s" for name in names)
        + "}"
    )
    texts = [_json_texts(columns[name], kinds.get(name, "")) for name in names]
    return list(map(template.__mod__, zip(*texts)))


def _json_texts(array: np.ndarray, kind: str) -> list[str]:
    """The JSON text of every element of a canonical array (``null`` for missing)."""
    if kind in ("categorical", "text"):
        memo = {"": "null"}  # categories repeat: encode each distinct string once
        dumps = orjson.dumps
        texts = []
        append = texts.append
        for value in array.tolist():
            text = memo.get(value)
            if text is None:
                text = memo[value] = dumps(value).decode()
            append(text)
        return texts
    if kind == "boolean":
        code = np.where(np.isnan(array), 2, array == 1.0).astype(np.intp)
        return _BOOLEAN_TEXT[code].tolist()
    if kind == "datetime":  # ISO-8601 strings and nulls: no comma inside any element
        return orjson.dumps(_json_values(array, kind)).decode()[1:-1].split(",")
    if array.dtype.kind != "f":  # not a canonical float array: encode element by element
        return [orjson.dumps(value).decode() for value in _json_values(array, kind)]
    # numbers (NaN → null): one orjson call; a JSON number has no comma, so split on them
    values = np.ascontiguousarray(array, dtype=np.float64)
    return orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY).decode()[1:-1].split(",")


_BOOLEAN_TEXT = np.array(["false", "true", "null"], dtype=object)


def _rows_json(matrix: np.ndarray) -> list[str]:
    """``[a,b,c]`` text per row of a float matrix: one orjson call, split (4x faster).

    The row separators become newlines (never inside JSON numbers), so a split keeps the
    brackets and no row string is built twice.
    """
    if len(matrix) == 0:
        return []
    text = orjson.dumps(np.ascontiguousarray(matrix), option=orjson.OPT_SERIALIZE_NUMPY)
    return text[1:-1].replace(b"],[", b"]\n[").decode().split("\n")


def _json_values(array: np.ndarray, kind: str) -> list:
    """A canonical array back as the JSON values a client sends; missing becomes ``None``."""
    if kind in ("categorical", "text"):
        return [value if value != "" else None for value in array.tolist()]
    values = array.tolist()
    if kind == "boolean":
        return [None if v != v else v == 1.0 for v in values]
    if kind == "datetime":
        stamps = np.where(np.isnan(array), 0, array * 1e6).astype("datetime64[us]")
        text = np.datetime_as_string(stamps, unit="s").tolist()
        return [None if v != v else t for v, t in zip(values, text)]
    return [None if v != v else v for v in values]


class _Done(Future):
    """An already-finished future for non-durable submissions."""

    def __init__(self) -> None:
        super().__init__()
        self.set_result(0)


_DONE = _Done()
