"""Read the server's prediction log (SQLite WAL or JSON Lines) and join it with feedback.

Sinks are named like ``skyclass serve --log`` (the format lives in :mod:`skyclass.logformat`,
shared with the server's writer): ``log.db`` / ``sqlite:///abs/log.db`` or ``log.jsonl`` /
``jsonl:///abs/log.jsonl``; a path may be a glob. Several logs (one per replica or region) are
read together. SQLite is opened read-only, so reading never blocks a running server.
A JSON Lines file whose last line is cut short (a server killed mid-write) is read up to it.

Example:
    >>> from skyclass.monitor import read_prediction_log
    >>> log = read_prediction_log("skyclass-predictions.db")  # doctest: +SKIP
    >>> log.frame.columns.tolist()  # doctest: +SKIP
    ['id', 'ts', 'model_name', 'model_version', 'region', 'inputs', 'probabilities', 'label', 'bundle_sha256', 'quality', 'feedback', 'feedback_ts']
"""

from __future__ import annotations

import glob
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from skyclass.errors import InputError, NotFoundError
from skyclass.logformat import (
    FEEDBACK_COLUMNS,
    OPTIONAL_COLUMNS,
    PREDICTION_COLUMNS,
    parse_log_spec,
)

__all__ = ["PredictionLog", "read_prediction_log"]

COLUMNS = list(PREDICTION_COLUMNS)


@dataclass(frozen=True)
class PredictionLog:
    """Logged predictions, one row each, with the latest feedback label (or ``None``) joined on id.

    ``frame`` columns: id, ts, model_name, model_version, region, inputs (dict),
    probabilities (list), label, bundle_sha256 (str or None), quality (dict or None: the
    request's data quality, on its first row), feedback, feedback_ts. A log written before
    the optional columns has ``None`` in them.

    Parameters
    ----------
    frame : DataFrame
        The rows, with the columns above, sorted by ``ts``.
    """

    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def features(self) -> pd.DataFrame:
        """The logged inputs as a table (one column per feature), index aligned with ``frame``.

        Returns
        -------
        DataFrame
            One column per logged input name; a name a row did not send is missing there.
        """
        return pd.DataFrame.from_records(list(self.frame["inputs"]), index=self.frame.index)

    def labelled(self) -> PredictionLog:
        """Only predictions that received feedback.

        Returns
        -------
        PredictionLog
            The rows whose ``feedback`` is set (the latest label per id).
        """
        return PredictionLog(self.frame[self.frame["feedback"].notna()])

    def probabilities(self) -> np.ndarray:
        """Probabilities as a float array ``[n, k]``.

        Returns
        -------
        ndarray
            One row per prediction, one column per class; shape ``(0, 0)`` for an empty log.
        """
        if self.frame.empty:
            return np.zeros((0, 0))
        return np.asarray(list(self.frame["probabilities"]), dtype=np.float64)

    def between(self, start: float | None = None, end: float | None = None) -> PredictionLog:
        """Predictions with ``start <= ts < end`` (either bound optional).

        Parameters
        ----------
        start : float, optional
            First time included, in seconds since the epoch.
        end : float, optional
            First time excluded, in seconds since the epoch.

        Returns
        -------
        PredictionLog
            The rows in that time range.
        """
        keep = np.ones(len(self.frame), dtype=bool)
        if start is not None:
            keep &= self.frame["ts"].to_numpy() >= start
        if end is not None:
            keep &= self.frame["ts"].to_numpy() < end
        return PredictionLog(self.frame[keep])

    def where(self, **equals: object) -> PredictionLog:
        """Predictions whose columns equal the given values, e.g. ``where(region="eu")``.

        Parameters
        ----------
        **equals : object
            Column name → the value its rows must hold (all must match).

        Returns
        -------
        PredictionLog
            The matching rows.
        """
        keep = np.ones(len(self.frame), dtype=bool)
        for name, value in equals.items():
            keep &= (self.frame[name] == value).to_numpy()
        return PredictionLog(self.frame[keep])


def _resolve(spec: str) -> tuple[str, list[Path]]:
    parsed = parse_log_spec(spec, where="log")
    if parsed is None:
        raise InputError(
            f"log {spec!r} names no log; pass the file given to 'skyclass serve --log'"
        )
    kind, spec = parsed
    paths = (
        [Path(p) for p in sorted(glob.glob(spec))]
        if any(c in spec for c in "*?[")
        else [Path(spec)]
    )
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        raise NotFoundError(
            f"prediction log {spec!r} not found; pass the file given to 'skyclass serve --log'"
        )
    return kind, paths


def _read_sqlite(path: Path) -> tuple[list[tuple], list[tuple]]:
    try:
        con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            have = {row[1] for row in con.execute("PRAGMA table_info(predictions)")}
            selected = [c if c in have or c not in OPTIONAL_COLUMNS else "NULL" for c in COLUMNS]
            preds = con.execute(f"SELECT {', '.join(selected)} FROM predictions").fetchall()
            feedback = con.execute(f"SELECT {', '.join(FEEDBACK_COLUMNS)} FROM feedback").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as err:
        raise InputError(
            f"prediction log {path}: not a skyclass SQLite log ({err}); "
            "JSON Lines logs must end in .jsonl"
        ) from None
    preds = [
        (
            *row[:5],
            orjson.loads(row[5]),
            orjson.loads(row[6]),
            orjson.loads(row[7]),
            row[8],
            None if row[9] is None else orjson.loads(row[9]),
        )
        for row in preds
    ]
    feedback = [(i, ts, orjson.loads(label)) for i, ts, label in feedback]
    return preds, feedback


def _read_jsonl(path: Path) -> tuple[list[tuple], list[tuple]]:
    preds: list[tuple] = []
    feedback: list[tuple] = []
    lines = path.read_bytes().split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
            if obj.get("kind") == "feedback":
                feedback.append((str(obj["id"]), float(obj["ts"]), obj["label"]))
            else:
                preds.append(
                    tuple(
                        obj.get(name) if name in OPTIONAL_COLUMNS else obj[name] for name in COLUMNS
                    )
                )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as err:
            if number == len(lines):  # the last line, cut short by a killed writer
                break
            raise InputError(
                f"prediction log {path}, line {number}: not a log record ({err})"
            ) from None
    return preds, feedback


def _latest_feedback(feedback: Iterable[tuple]) -> dict[str, tuple[float, object]]:
    latest: dict[str, tuple[float, object]] = {}
    for pid, ts, label in feedback:
        if pid not in latest or ts >= latest[pid][0]:
            latest[pid] = (ts, label)
    return latest


def read_prediction_log(*sinks: str | Path) -> PredictionLog:
    """Read one or more prediction logs (paths, sink URIs or glob patterns) into a ``PredictionLog``.

    Feedback is joined on the prediction id; when an id received several labels the
    latest wins (a correction). Feedback for unknown ids is ignored.

    Parameters
    ----------
    *sinks : str or Path
        What ``skyclass serve --log`` was given: SQLite or JSON-lines files, ``sqlite:`` /
        ``jsonl:`` URIs or glob patterns (several regions' logs are read together).

    Returns
    -------
    PredictionLog
        Every prediction, sorted by time, with its latest feedback.

    Raises
    ------
    InputError
        When no sink is given or a file is not a skyclass log.
    NotFoundError
        When a sink matches no file.
    """
    if not sinks:
        raise InputError("no prediction log given; pass the file given to 'skyclass serve --log'")
    preds: list[tuple] = []
    feedback: list[tuple] = []
    for sink in sinks:
        kind, paths = _resolve(str(sink))
        for path in paths:
            p, f = (_read_jsonl if kind == "jsonl" else _read_sqlite)(path)
            preds += p
            feedback += f
    frame = pd.DataFrame.from_records(preds, columns=COLUMNS)
    frame = frame.drop_duplicates("id", keep="first")
    frame["ts"] = frame["ts"].astype(np.float64)
    frame["model_version"] = frame["model_version"].astype(str)
    for name in OPTIONAL_COLUMNS:  # None, not NaN, where a row has none
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    latest = _latest_feedback(feedback)
    frame["feedback"] = pd.Series(
        [latest.get(i, (None, None))[1] for i in frame["id"]], dtype=object, index=frame.index
    )
    frame["feedback_ts"] = [latest.get(i, (np.nan, None))[0] for i in frame["id"]]
    frame = frame.sort_values("ts", kind="stable").reset_index(drop=True)
    return PredictionLog(frame)
