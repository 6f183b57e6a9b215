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
import pyarrow.csv as pacsv

from skyclass.data import iter_table
from skyclass.errors import InputError

__all__ = ["predict_file"]


def _bundle(bundle: Any):
    if isinstance(bundle, str | os.PathLike):
        from skyclass.bundle import load

        return load(bundle)
    return bundle


def predict_file(
    bundle: Any,
    data: str | os.PathLike,
    out: str | os.PathLike,
    *,
    chunk_rows: int = 65536,
    keep: list[str] | None = None,
    probabilities: bool = True,
    encoding: str | None = None,
) -> int:
    """Score every row of ``data`` with ``bundle`` into CSV ``out``; returns the row count.

    Columns: the ``keep`` input columns (e.g. an id), ``label`` (the bundle's decision
    rule applied), then ``proba_<label>`` per class unless ``probabilities=False``.
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
        for chunk in iter_table(data, chunk_rows=chunk_rows, encoding=encoding):
            missing = [c for c in keep or [] if c not in chunk.columns]
            if missing:
                raise InputError(f"--keep: no column {missing[0]!r} in {data}")
            proba = np.asarray(model.predict_proba(chunk))
            columns = {c: pa.array(chunk[c].to_numpy(), from_pandas=True) for c in keep or []}
            columns["label"] = pa.array([str(v) for v in model.decide(proba)])
            if probabilities:
                for i, label in enumerate(labels):
                    columns[f"proba_{label}"] = pa.array(proba[:, i].astype(np.float64))
            table = pa.table(columns)
            if writer is None:
                writer = pacsv.CSVWriter(str(tmp), table.schema)
            writer.write_table(table)
            rows += len(chunk)
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
