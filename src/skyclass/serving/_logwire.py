"""Queued log items joined column-wise (``Run``), and the message a group of runs travels in.

A ``Run`` is consecutive queued items that encode together: feedback, or predictions with
the same columns and number of classes. Its arrays are joined once (one concatenation per
column for a group of 40 single-row requests, not 40 encodings), and its ids stay
``RowIds`` (request id, rows) until the rows are written.

``pack(runs, stamp)`` turns runs into bytes for the writer process and ``unpack`` turns
them back, without pickle: a JSON header (ids, timestamps, labels, strings, data quality,
and for each numeric array its dtype, shape and size) followed by the raw little-endian
bytes of the numeric arrays. ``stamp`` carries the fields every row shares (model, region).

Example:
    >>> import numpy as np
    >>> from skyclass.serving._ids import RowIds
    >>> item = Item(RowIds("r", 2), {"x": np.array([1.0, 2.0]), "c": np.array(["a", "b"],
    ...     dtype=object)}, np.array([[0.3, 0.7], [0.6, 0.4]], dtype=np.float32), ['"b"', '"a"'],
    ...     ts=5.0)
    >>> runs, stamp = unpack(pack(join([item]), {"region": "eu"}))
    >>> list(runs[0].row_ids()), runs[0].columns["x"].tolist(), runs[0].columns["c"].tolist()
    (['r:0', 'r:1'], [1.0, 2.0], ['a', 'b'])
    >>> runs[0].probabilities.tolist() == item.probabilities.tolist(), stamp
    (True, {'region': 'eu'})
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import chain

import numpy as np
import orjson

from skyclass.serving._ids import RowIds

_LENGTH = struct.Struct("<Q")
#: dtype kinds that travel as raw bytes (never objects)
_RAW_KINDS = "biuf"


@dataclass
class Item:
    """One queued submission: a request's predicted rows, or feedback (``columns`` None)."""

    ids: Sequence[str]
    columns: dict[str, np.ndarray] | None
    probabilities: np.ndarray | None
    labels: list[str]
    ts: float
    future: Future | None = None
    quality: str | None = None


@dataclass
class Run:
    """Consecutive items joined: per-item ids, times and quality; per-row labels and arrays."""

    ids: list[Sequence[str]]
    ts: list[float]
    quality: list[str | None]
    labels: list[str]
    columns: dict[str, np.ndarray] | None = None
    probabilities: np.ndarray | None = None

    @property
    def feedback(self) -> bool:
        """True for a run of feedback (ground-truth labels), False for predictions."""
        return self.columns is None

    def row_ids(self) -> Iterator[str]:
        """Every row's id, in order."""
        return chain.from_iterable(self.ids)

    def row_ts(self) -> Iterator[float]:
        """Every row's timestamp (its item's), in order."""
        return chain.from_iterable([ts] * len(ids) for ts, ids in zip(self.ts, self.ids))

    def row_quality(self) -> Iterator[str | None]:
        """Each item's quality JSON on its first row, ``None`` on every other row."""
        return chain.from_iterable(
            chain((quality,), [None] * (len(ids) - 1))
            for quality, ids in zip(self.quality, self.ids)
        )


def join(items: list[Item]) -> list[Run]:
    """The items as runs, in the order they were submitted."""
    groups: list[list[Item]] = []
    for item in items:
        if groups and _shape(groups[-1][0]) == _shape(item):
            groups[-1].append(item)
        else:
            groups.append([item])
    return [_joined(group) for group in groups]


def _shape(item: Item) -> tuple | None:
    if item.columns is None:
        return None
    return tuple(item.columns), item.probabilities.shape[1:]


def _joined(group: list[Item]) -> Run:
    first = group[0]
    run = Run(
        ids=[item.ids for item in group],
        ts=[item.ts for item in group],
        quality=[item.quality for item in group],
        labels=first.labels if len(group) == 1 else list(chain(*(i.labels for i in group))),
    )
    if first.columns is not None:
        if len(group) == 1:
            run.columns, run.probabilities = first.columns, first.probabilities
        else:
            run.columns = {
                name: np.concatenate([item.columns[name] for item in group])
                for name in first.columns
            }
            run.probabilities = np.concatenate([item.probabilities for item in group])
    return run


def pack(runs: list[Run], stamp: dict) -> bytes:
    """``runs`` and ``stamp`` as one message: a JSON header, then raw array bytes."""
    blobs: list[bytes] = []

    def raw(array: np.ndarray) -> list:
        array = np.ascontiguousarray(array)
        little = array.dtype.newbyteorder("<")
        blobs.append(array.astype(little, copy=False).tobytes())
        return [little.str, list(array.shape), len(blobs[-1])]

    header = []
    for run in runs:
        entry: dict = {
            "ids": [_ids_spec(ids) for ids in run.ids],
            "ts": run.ts,
            "quality": run.quality,
            "labels": run.labels,
        }
        if run.columns is not None:
            entry["columns"] = [
                [name, "raw", *raw(array)]
                if array.dtype.kind in _RAW_KINDS
                else [name, "json", array.tolist()]
                for name, array in run.columns.items()
            ]
            entry["probabilities"] = raw(run.probabilities)
        header.append(entry)
    text = orjson.dumps({"stamp": stamp, "runs": header})
    return b"".join([_LENGTH.pack(len(text)), text, *blobs])


def unpack(message: bytes) -> tuple[list[Run], dict]:
    """The runs and stamp of a ``pack`` message."""
    (size,) = _LENGTH.unpack_from(message)
    offset = _LENGTH.size + size
    body = orjson.loads(message[_LENGTH.size : offset])
    view = memoryview(message)

    def array(spec: list) -> np.ndarray:
        nonlocal offset
        dtype, shape, nbytes = np.dtype(spec[0]), spec[1], spec[2]
        if dtype.kind not in _RAW_KINDS:
            raise ValueError(f"log message: dtype {spec[0]!r} cannot travel as raw bytes")
        values = np.frombuffer(view[offset : offset + nbytes], dtype=dtype).reshape(shape)
        offset += nbytes
        return values

    runs = []
    for entry in body["runs"]:
        run = Run(
            ids=[_ids_from(spec) for spec in entry["ids"]],
            ts=entry["ts"],
            quality=entry["quality"],
            labels=entry["labels"],
        )
        if "columns" in entry:
            run.columns = {
                name: array(spec) if how == "raw" else np.array(spec[0], dtype=object)
                for name, how, *spec in entry["columns"]
            }
            run.probabilities = array(entry["probabilities"])
        runs.append(run)
    return runs, body["stamp"]


def _ids_spec(ids: Sequence[str]) -> list:
    if isinstance(ids, RowIds):
        return ["rows", ids.request_id, ids.n_rows]
    return ["list", list(ids)]


def _ids_from(spec: list) -> Sequence[str]:
    if spec[0] == "rows":
        return RowIds(spec[1], spec[2])
    return spec[1]
