"""Read misclassification costs (``--costs FILE``) into a ``CostMatrix`` for the labels.

Accepted forms (a JSON or CSV file, or the same value from Python):

- a false-positive / false-negative pair for two classes: ``{"fp": 1, "fn": 5}`` or
  ``[1, 5]`` (the positive class is the second label);
- a k × k matrix, rows the true class and columns the predicted class, in label
  order: ``[[0, 1, 1], [5, 0, 1], [9, 9, 0]]``, or ``{"labels": [...], "matrix": [...]}``,
  or a CSV with one row per true class (a header row of labels is optional).

Example:
    >>> from skyclass.pipeline import read_costs
    >>> read_costs({"fp": 1, "fn": 5}, ["ham", "spam"]).pair
    (1.0, 5.0)
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skyclass.errors import InputError, NotFoundError
from skyclass.metrics import CostMatrix

__all__ = ["Costs", "read_costs"]


@dataclass(frozen=True)
class Costs:
    """A cost matrix over the labels, and the FP/FN pair when it came from one.

    Attributes
    ----------
    matrix : skyclass.metrics.CostMatrix
        k x k costs in label order (rows: true class, columns: predicted).
    pair : tuple of (float, float) or None
        ``(fp, fn)`` when the costs were given as a two-class pair, else ``None``.
    """

    matrix: CostMatrix
    pair: tuple[float, float] | None = None


def _parse_file(path: Path) -> Any:
    if not path.is_file():
        raise NotFoundError(f"--costs {path}: no such file")
    text = path.read_text(encoding="utf-8-sig").strip()
    if not text:
        raise InputError(f"--costs {path}: the file is empty")
    if text[0] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(
                f"--costs {path}: invalid JSON at line {err.lineno}: {err.msg}"
            ) from err
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    header = None
    try:
        [float(c) for c in rows[0]]
    except ValueError:
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    matrix = []
    for number, row in enumerate(rows, start=2 if header else 1):
        cells = [c.strip() for c in row]
        try:
            float(cells[0])
        except ValueError:
            cells = cells[1:]  # a leading label column
        try:
            matrix.append([float(c) for c in cells])
        except ValueError as err:
            raise InputError(f"--costs {path}: line {number}: {err}; use numbers only") from err
    if header and len(header) == len(matrix) + 1:
        header = header[1:]
    return {"labels": header, "matrix": matrix} if header else matrix


def read_costs(source: Any, labels: Sequence[Any], positive: Any = None) -> Costs:
    """Costs from a file path, a dict, a pair or a matrix, checked against ``labels``.

    Parameters
    ----------
    source : str, os.PathLike, dict, list or skyclass.metrics.CostMatrix
        A JSON/CSV file, ``{"fp": 1, "fn": 5}`` / ``[1, 5]`` (two classes), a k x k
        matrix in label order, or ``{"labels": [...], "matrix": [...]}``.
    labels : sequence
        The target's labels, in order.
    positive : Any
        The positive class of a pair (default: the second label).

    Returns
    -------
    Costs
        The cost matrix over ``labels`` (and the pair when given as one).

    Raises
    ------
    skyclass.errors.InputError
        For a malformed value, a wrong shape, negative costs or unknown labels (the
        message says what to give instead); ``NotFoundError`` for a missing file.
    """
    where = "--costs"
    if isinstance(source, CostMatrix):
        return Costs(source)
    if isinstance(source, str | os.PathLike):
        where = f"--costs {source}"
        source = _parse_file(Path(source))
    labels = list(labels)
    k = len(labels)
    if isinstance(source, Mapping) and ("fp" in source or "fn" in source):
        source = [source.get("fp"), source.get("fn")]
    if isinstance(source, Mapping) and "matrix" in source:
        given = source.get("labels")
        matrix = source["matrix"]
    else:
        given, matrix = None, source
    try:
        array = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where}: costs must be numbers: {err}") from err
    if array.ndim == 1:
        if array.shape != (2,):
            raise InputError(f"{where}: a cost pair is [FP, FN], got {array.size} numbers")
        if k != 2:
            raise InputError(
                f"{where}: an FP/FN pair needs two classes but the target has {k}; "
                f"give a {k}x{k} matrix (rows: true class, columns: predicted)"
            )
        if (array < 0).any() or not np.isfinite(array).all():
            raise InputError(f"{where}: FP and FN costs must be finite numbers >= 0")
        fp, fn = float(array[0]), float(array[1])
        positive = labels[1] if positive is None else positive
        order = [v for v in labels if v != positive] + [positive]
        return Costs(CostMatrix.from_binary(fp, fn, labels=order), (fp, fn))
    if array.ndim != 2 or array.shape != (k, k):
        raise InputError(
            f"{where}: the cost matrix has shape {'x'.join(map(str, array.shape))} but the target "
            f"has {k} classes ({', '.join(map(str, labels))}); give a {k}x{k} matrix "
            "(rows: true class, columns: predicted)"
        )
    if given is not None:
        names = [str(g) for g in given]
        if sorted(names) != sorted(str(v) for v in labels):
            raise InputError(f"{where}: its labels {names} are not the target's {labels}")
        order = [names.index(str(v)) for v in labels]
        array = array[np.ix_(order, order)]
    return Costs(CostMatrix(array.tolist(), labels=labels))
