"""Batch scoring: stream a table through a bundle in chunks into a CSV file.

The output is written to a temporary file beside ``out`` and renamed when every
chunk succeeded, so a failure never leaves a half-written file.

Example:
    >>> from skyclass.pipeline import predict_file
    >>> predict_file("out/wine/bundle", "examples/wine.csv", "preds.csv")  # doctest: +SKIP
    178
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from skyclass.data import DataQuality, iter_batches
from skyclass.errors import InputError

__all__ = ["predict_file"]


def _bundle(bundle: Any):
    if isinstance(bundle, str | os.PathLike):
        from skyclass.bundle import load

        return load(bundle)
    return bundle


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_null(t)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)


def _fast_columns(table: pa.Table, schema) -> dict[str, np.ndarray] | None:
    """Canonical model inputs straight from Arrow, or ``None`` when a column needs the full
    schema checks (missing, boolean/datetime, or a type that must be validated row by row).

    Numbers become float64 (missing → NaN); categorical text or integers become
    strings (missing → ""), exactly what ``Schema.to_arrays`` produces for them.
    """
    columns = {}
    for col in schema:
        if col.name not in table.column_names:
            return None
        arr = table.column(col.name)
        if col.kind == "numeric" and _is_number(arr.type):
            columns[col.name] = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
        elif col.kind == "categorical" and (_is_text(arr.type) or pa.types.is_integer(arr.type)):
            text = pc.fill_null(arr.cast(pa.string()), "").to_numpy(zero_copy_only=False)
            columns[col.name] = text.astype(str)
        else:
            return None
    return columns


def _score(model, table: pa.Table, quality: DataQuality | None = None) -> np.ndarray:
    fast = _fast_columns(table, model.schema)
    if fast is not None:
        return np.asarray(model.predict_proba_arrays(fast, quality))
    return np.asarray(model.predict_proba(table.to_pandas(), quality))  # full checks, clear errors


def _in_file(err: InputError, offset: int) -> InputError:
    """``err`` naming its row in the whole file: a bad cell's ``row`` counts within the chunk
    that starts at row ``offset``."""
    row = getattr(err, "row", None)
    if not offset or row is None:
        return err
    moved = InputError(str(err).replace(f"row {row} ", f"row {row + offset} ", 1))
    moved.row = row + offset
    return moved


def predict_file(
    bundle: Any,
    data: str | os.PathLike,
    out: str | os.PathLike,
    *,
    chunk_rows: int = 65536,
    keep: list[str] | None = None,
    probabilities: bool = True,
    encoding: str | None = None,
    quality: DataQuality | None = None,
    strict: bool = False,
) -> int:
    """Score every row of ``data`` with ``bundle`` into CSV ``out``; returns the row count.

    Columns: the ``keep`` input columns (e.g. an id), ``label`` (the bundle's decision
    rule applied), then ``proba_<label>`` per class (float32, the ONNX graph's own precision) unless
    ``probabilities=False``. Chunks whose columns are plain numbers and strings skip
    pandas and go from Arrow straight to the graph; others take the full schema checks.
    ``quality`` (a ``DataQuality``) counts what had to be imputed, mapped to unknown or
    converted; ``strict`` makes any of it an ``InputError`` (and no file is written).

    Parameters
    ----------
    bundle : str, os.PathLike or skyclass.bundle.Bundle
        A bundle directory, ``.skyclass`` file, registry URI or a loaded bundle.
    data : str or os.PathLike
        The table to score (CSV, TSV, Parquet, JSON Lines; local or object store).
    out : str or os.PathLike
        The CSV file to write (written beside it first, renamed into place at the end).
    chunk_rows : int
        Rows scored per chunk (default 65,536): bounds memory on big files.
    keep : list of str or None
        Input columns copied into the output before ``label`` (e.g. an id).
    probabilities : bool
        Write ``proba_<label>`` columns (default ``True``).
    encoding : str or None
        Text encoding of the file (default: sniffed).
    quality : skyclass.bundle.DataQuality or None
        Collects the counts of imputed, unknown and converted cells when given.
    strict : bool
        Raise ``InputError`` (writing nothing) when any cell had to be imputed or converted.

    Returns
    -------
    int
        The number of rows scored.
    """
    model = _bundle(bundle)
    out = Path(out).absolute()
    if out.is_dir():
        raise InputError(f"--out {out}: is a directory; give a file name such as preds.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    labels = [str(v) for v in model.labels]
    rows = 0
    writer = None
    try:
        for chunk in iter_batches(data, chunk_rows=chunk_rows, encoding=encoding):
            missing = [c for c in keep or [] if c not in chunk.column_names]
            if missing:
                raise InputError(f"--keep: no column {missing[0]!r} in {data}")
            counted = DataQuality() if quality is not None or strict else None
            try:
                proba = _score(model, chunk, counted)
            except InputError as err:
                raise _in_file(err, rows) from None
            if counted is not None:
                if strict:
                    counted.check_strict(f"{data} (rows {rows + 1:,}-{rows + chunk.num_rows:,})")
                if quality is not None:
                    quality.merge(counted)
            columns = {c: chunk.column(c) for c in keep or []}
            columns["label"] = pa.array(np.asarray(model.decide(proba)).astype(str))
            if probabilities:
                for i, label in enumerate(labels):
                    columns[f"proba_{label}"] = pa.array(proba[:, i].astype(np.float32))
            table = pa.table(columns)
            if writer is None:
                writer = pacsv.CSVWriter(str(tmp), table.schema)
            writer.write_table(table)
            rows += chunk.num_rows
        if writer is None:
            raise InputError(f"{data}: no rows to score")
        writer.close()
        writer = None
        os.replace(tmp, out)
    finally:
        if writer is not None:
            writer.close()
        if tmp.exists():
            tmp.unlink()
    return rows
