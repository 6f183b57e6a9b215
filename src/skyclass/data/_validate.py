"""Validate a labelled table: check the target, drop what cannot help, say why.

Every automatic decision becomes a :class:`Decision` (column, action, reason)
that ``skyclass train`` prints and puts in the report.

Rules, in order, for each feature column:

1. every value missing → drop;
2. one distinct value → drop (constant);
3. free text (strings with a mean length ≥ 30 characters or ≥ 4 words, and more
   than half of the rows distinct) → drop, since bundles carry numeric and
   categorical features only;
4. datetime (a timestamp column, or strings that parse as dates) → kept as a
   timestamp (UTC) that the preprocessor expands into year, month, day of week, hour;
5. ID-like (a string or integer column distinct on every row; integers only when
   sorted or named like an id) → drop;
6. leaking: the column alone predicts the class of at least 99% of the rows
   out of fold (5 folds of "value → most frequent class", numbers in quantile
   bins; see :mod:`skyclass.data._leakage`) while the majority class alone gets
   fewer than 90% → drop (or, with ``keep_leaky=True``, keep it and flag it).
   A column that restates the target, whatever its number of values
   (``sub_grade`` → ``grade``), is caught; an ID or free text is not, since
   unseen values fall back to the majority class.

Example:
    >>> import pandas as pd
    >>> from skyclass.data import validate
    >>> df = pd.DataFrame({"id": range(12), "x": [1, 2, 3] * 4, "y": list("aabbcc") * 2})
    >>> result = validate(df, "y", cv=2, test_size=0.25)
    >>> [(d.column, d.action) for d in result.decisions]
    [('id', 'drop')]
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from skyclass._jsonsafe import json_scalar
from skyclass.data._leakage import single_feature_accuracy
from skyclass.errors import InputError

__all__ = ["Decision", "Validation", "min_class_size_for", "validate"]

_TEXT_MEAN_CHARS = 30
_TEXT_MEAN_WORDS = 4
_ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|guid|key|index|row)$|^id[_\s.-]", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    """One automatic decision: ``drop``, ``expand``, ``drop_rows``, ``merge`` or ``flag``.

    ``flag`` keeps the column but warns (a leaking column kept with ``keep_leaky``).

    Parameters
    ----------
    column : str or None
        The column decided on; ``None`` for a decision about classes (``merge``).
    action : str
        ``"drop"``, ``"expand"``, ``"drop_rows"``, ``"merge"`` or ``"flag"``.
    reason : str
        The sentence ``skyclass train`` prints: what was found and what to do about it.
    """

    column: str | None
    action: str
    reason: str

    def to_dict(self) -> dict:
        """JSON-safe form.

        Returns
        -------
        dict
            ``{"column": ..., "action": ..., "reason": ...}``.
        """
        return asdict(self)


@dataclass
class Validation:
    """A cleaned table (features + target) with the decisions that produced it.

    Attributes
    ----------
    frame : DataFrame
        The kept feature columns and the target last, indexed 0..n-1.
    target : str
        The target column's name.
    labels : list
        The classes, sorted (by type name, then value).
    decisions : list of Decision
        Every automatic decision, in the order taken.
    n_rows_in : int
        Rows of the table given, before rows were dropped.
    rows : ndarray, optional
        The kept rows' positions in the table given (``frame`` row i is input row
        ``rows[i]``).
    """

    frame: pd.DataFrame
    target: str
    labels: list
    decisions: list[Decision] = field(default_factory=list)
    n_rows_in: int = 0
    rows: np.ndarray | None = field(default=None, repr=False)  # kept rows' positions in the input

    @property
    def features(self) -> list[str]:
        """Feature column names, in table order."""
        return [c for c in self.frame.columns if c != self.target]

    def to_dict(self) -> dict:
        """JSON-safe summary (without the frame).

        Returns
        -------
        dict
            ``target``, ``labels``, ``n_rows_in``, ``n_rows`` (kept), ``features`` and
            ``decisions`` (each :meth:`Decision.to_dict`).
        """
        return {
            "target": self.target,
            "labels": [json_scalar(v) for v in self.labels],
            "n_rows_in": self.n_rows_in,
            "n_rows": int(len(self.frame)),
            "features": self.features,
            "decisions": [d.to_dict() for d in self.decisions],
        }


def min_class_size_for(cv: int, test_size: float) -> int:
    """Rows a class needs so that a stratified test split and ``cv`` folds both see it.

    Parameters
    ----------
    cv : int
        Cross-validation folds on the training part.
    test_size : float
        Share of the rows held out for the test split, in (0, 1).

    Returns
    -------
    int
        The smallest class size that leaves ``cv`` rows in training and one in test.

    Example:
        >>> min_class_size_for(5, 0.2)
        7
    """
    # ``cv`` rows must stay in train and at least one must go to test.
    return max(cv + 1, math.ceil(cv / (1 - test_size)))


def _is_stringy(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) or series.dtype == object


def _looks_like_text(values: pd.Series, n_rows: int) -> bool:
    strings = values.astype(str)
    if strings.nunique() <= 0.5 * n_rows:
        return False
    mean_chars = strings.str.len().mean()
    mean_words = strings.str.split().str.len().mean()
    return bool(mean_chars >= _TEXT_MEAN_CHARS or mean_words >= _TEXT_MEAN_WORDS)


def _parse_datetimes(values: pd.Series) -> pd.Series | None:
    sample = values.astype(str).head(200)
    if not sample.str.contains(r"\d[-/:.]\d|\d{4}", regex=True).all():
        return None
    if sample.str.fullmatch(r"[+-]?\d+(\.\d+)?").any():
        return None
    try:
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    except (ValueError, TypeError):
        return None
    if parsed.notna().mean() < 0.95:
        return None
    try:
        return pd.to_datetime(values, errors="coerce", format="mixed")
    except (ValueError, TypeError):
        return None


def _as_datetime(stamps: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(stamps)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps


def _id_like(name: str, values: pd.Series, n_rows: int) -> bool:
    if len(values) != n_rows or values.nunique() != n_rows or n_rows < 3:
        return False
    if _is_stringy(values):
        return True
    if pd.api.types.is_integer_dtype(values) or (
        pd.api.types.is_float_dtype(values) and np.all(np.mod(values.to_numpy(), 1) == 0)
    ):
        return bool(values.is_monotonic_increasing or values.is_monotonic_decreasing) or bool(
            _ID_NAME.search(name)
        )
    return False


LEAK_ACCURACY = 0.99  # out-of-fold accuracy of the column alone that counts as a leak
_LEAK_MAX_MAJORITY = 0.9  # above this the majority class alone is nearly as good: no evidence
_LEAK_MIN_ROWS = 30


def _leak_evidence(name: str, values: pd.Series, target: pd.Series) -> str | None:
    """Why ``values`` restates the target (the out-of-fold evidence), or None."""
    if len(target) < _LEAK_MIN_ROWS:
        return None
    score = single_feature_accuracy(values, target)
    if score.accuracy < LEAK_ACCURACY or score.majority > _LEAK_MAX_MAJORITY:
        return None
    return (
        f"leaks the target: {name!r} alone predicts the class of {score.accuracy:.1%} of the "
        f"{score.n_rows} rows out of fold (5-fold, value -> most frequent class over its "
        f"{score.n_values} values; the majority class alone: {score.majority:.1%}), so it "
        "restates the answer"
    )


def _check_drop(frame: pd.DataFrame, drop: list[str]) -> None:
    """A ``--drop`` name that is no column is a typo, never silently ignored."""
    columns = [str(c) for c in frame.columns]
    for name in drop:
        if name not in columns:
            close = difflib.get_close_matches(name, columns, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(
                f"--drop {name!r}: no such column{hint}; the columns are: {', '.join(columns)}"
            )


def _check_target(frame: pd.DataFrame, target: str) -> None:
    if target in frame.columns:
        return
    columns = [str(c) for c in frame.columns]
    close = difflib.get_close_matches(target, columns, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(
        f"target column {target!r} not found{hint}; the columns are: {', '.join(columns)}"
    )


def _handle_small_classes(
    frame: pd.DataFrame,
    target: str,
    needed: int,
    min_class_size: int | None,
    merge_rare: str | None,
    decisions: list[Decision],
) -> pd.DataFrame:
    counts = frame[target].value_counts()
    if min_class_size is not None:
        small = counts[counts < min_class_size]
        if len(small):
            frame = frame[~frame[target].isin(small.index)]
            decisions.append(
                Decision(
                    None,
                    "drop_rows",
                    f"dropped {int(small.sum())} rows of classes smaller than --min-class-size "
                    f"{min_class_size}: " + ", ".join(f"{k!r} ({v})" for k, v in small.items()),
                )
            )
            counts = frame[target].value_counts()
    small = counts[counts < needed]
    if len(small) and merge_rare is not None:
        frame = frame.copy()
        if pd.api.types.is_numeric_dtype(frame[target]):
            raise InputError(f"--merge-rare needs a text target; {target!r} is numeric")
        frame[target] = frame[target].where(~frame[target].isin(small.index), merge_rare)
        decisions.append(
            Decision(
                None,
                "merge",
                f"merged classes with fewer than {needed} rows into {merge_rare!r}: "
                + ", ".join(f"{k!r} ({v})" for k, v in small.items()),
            )
        )
        counts = frame[target].value_counts()
        small = counts[counts < needed]
    if len(small):
        raise InputError(
            f"target {target!r}: classes too small to stratify (each needs at least {needed} "
            "rows for the test split and the CV folds): "
            + ", ".join(f"{k!r} has {v}" for k, v in small.items())
            + f"; drop them with --min-class-size {needed}, merge them with --merge-rare OTHER, "
            "or lower --cv"
        )
    return frame


def validate(
    data: pd.DataFrame,
    target: str,
    *,
    cv: int = 5,
    test_size: float = 0.2,
    min_class_size: int | None = None,
    merge_rare: str | None = None,
    drop: list[str] | None = None,
    keep_leaky: bool = False,
) -> Validation:
    """Check the target and clean the feature columns of ``data``; see the module rules.

    ``cv`` and ``test_size`` set how many rows each class needs; ``min_class_size``
    drops smaller classes, ``merge_rare`` merges classes that are too small into one
    label, ``drop`` names columns the user wants removed. ``keep_leaky`` keeps the
    columns rule 6 finds (each still gets a ``flag`` decision with its evidence).

    Parameters
    ----------
    data : DataFrame
        The labelled table, features and target.
    target : str
        The column to predict; rows where it is missing are dropped.
    cv : int
        Cross-validation folds training will use (sets the smallest usable class).
    test_size : float
        Share of rows training holds out for testing (also sets the smallest class).
    min_class_size : int, optional
        Drop classes with fewer rows than this (``--min-class-size``).
    merge_rare : str, optional
        Merge classes too small to stratify into one class of this name (``--merge-rare``;
        text targets only).
    drop : list of str, optional
        Columns to remove whatever their content (``--drop``).
    keep_leaky : bool
        Keep columns that alone predict the target (flagged) instead of dropping them.

    Returns
    -------
    Validation
        The cleaned table, its labels, and every decision with its reason.

    Raises
    ------
    InputError
        When the target is absent, has fewer than two classes, has classes too small to
        stratify, ``drop`` names unknown columns, or no feature column remains.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a table (pandas DataFrame); load files with load_table")
    _check_target(data, target)
    _check_drop(data, drop or [])
    n_rows_in = len(data)
    decisions: list[Decision] = []
    frame = data.reset_index(drop=True)
    missing = frame[target].isna()
    if missing.any():
        frame = frame[~missing]
        decisions.append(
            Decision(
                target, "drop_rows", f"dropped {int(missing.sum())} rows whose target is missing"
            )
        )
    if frame.empty:
        raise InputError(f"target {target!r}: every value is missing; nothing to learn from")
    counts = frame[target].value_counts()
    if len(counts) < 2:
        raise InputError(
            f"target {target!r} has a single class ({counts.index[0]!r}, {int(counts.iloc[0])} rows); "
            "a classifier needs at least 2 classes"
        )
    frame = _handle_small_classes(
        frame, target, min_class_size_for(cv, test_size), min_class_size, merge_rare, decisions
    )
    rows = frame.index.to_numpy()
    frame = frame.reset_index(drop=True)
    y = frame[target]
    kept: dict[str, pd.Series] = {}
    for name in frame.columns:
        if name == target:
            continue
        col = frame[name]
        reason, action, extra = _decide_column(name, col, y, drop or [])
        if action == "leak" and keep_leaky:
            decisions.append(Decision(name, "flag", f"{reason}; kept because of --keep-leaky"))
            kept[name] = col
            continue
        if action == "leak":
            action, reason = "drop", f"{reason}; pass --keep-leaky to keep it"
        if action == "keep":
            kept[name] = col
            continue
        decisions.append(Decision(name, action, reason))
        kept.update(extra)
    kept[target] = y
    cleaned = pd.DataFrame(kept)
    if len(cleaned.columns) == 1:
        raise InputError(
            "no usable feature columns remain after validation: "
            + "; ".join(f"{d.column}: {d.reason}" for d in decisions if d.column)
        )
    labels = sorted(y.unique().tolist(), key=lambda v: (str(type(v)), v))
    return Validation(cleaned, target, labels, decisions, n_rows_in, rows)


def _decide_column(
    name: str, col: pd.Series, y: pd.Series, drop: list[str]
) -> tuple[str, str, dict]:
    n_rows = len(y)
    if name in drop:
        return "dropped on request (--drop)", "drop", {}
    values = col.dropna()
    if values.empty:
        return "every value is missing", "drop", {}
    if values.nunique() == 1:
        return f"constant: every present value is {json_scalar(values.iloc[0])!r}", "drop", {}
    stamps = None
    if pd.api.types.is_datetime64_any_dtype(col):
        stamps = col
    elif _is_stringy(col):
        if _looks_like_text(values, n_rows):
            return (
                f"free text ({values.astype(str).str.len().mean():.0f} characters on average, "
                f"{values.nunique()} distinct values); bundles take numeric and categorical "
                "features only, so derive features from it yourself",
                "drop",
                {},
            )
        stamps = _parse_datetimes(col)
    if stamps is not None:
        return (
            "datetime: the preprocessor expands it into year, month, day of week and hour (UTC)",
            "expand",
            {name: _as_datetime(stamps)},
        )
    if _id_like(name, values, n_rows):
        return "ID-like: a different value on every row, so it cannot generalise", "drop", {}
    evidence = _leak_evidence(name, col, y)
    if evidence:
        return evidence, "leak", {}
    return "", "keep", {}
