"""Leak checks: what one feature alone says about the target, and rows shared by two tables.

A feature is turned into integer codes (categories as they are, numbers into
at most 20 quantile bins, missing as a code of its own; no target information
is used, so the binning cannot leak). :func:`single_feature_accuracy` then
learns "code → most frequent class" on four folds and scores the fifth, so a
column that merely has many values (an ID, free text) gains nothing: unseen
values fall back to the majority class. A column whose values nearly
determine the class (``sub_grade`` → ``grade``) scores close to 1.

Example:
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(list("abc") * 40)
    >>> copy = y.map({"a": "a1", "b": "b7", "c": "c2"})
    >>> single_feature_accuracy(copy, y).accuracy
    1.0
    >>> noise = pd.Series(np.random.default_rng(0).normal(size=120))
    >>> single_feature_accuracy(noise, y).accuracy < 0.5
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SingleFeatureScore", "feature_codes", "shared_rows", "single_feature_accuracy"]

_BINS = 20
_FOLDS = 5


@dataclass(frozen=True)
class SingleFeatureScore:
    """Out-of-fold accuracy of "value → most frequent class", and of always the majority class."""

    accuracy: float
    majority: float
    n_rows: int
    n_values: int


def feature_codes(values: pd.Series, bins: int = _BINS) -> np.ndarray:
    """Integer codes for ``values``: categories, or quantile bins of numbers; missing → own code."""
    present = values.notna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.astype("int64").where(values.notna())
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        distinct = np.unique(numbers[present])
        if distinct.size > bins:
            edges = np.unique(np.quantile(numbers[present], np.linspace(0, 1, bins + 1)[1:-1]))
            codes = np.searchsorted(edges, numbers, side="right")
        else:
            codes = np.searchsorted(distinct, numbers)
    else:
        codes, _ = pd.factorize(values.astype(str).where(values.notna(), None))
    return np.where(present, codes, -1) + 1


def single_feature_accuracy(
    values: pd.Series, target: pd.Series, *, folds: int = _FOLDS, seed: int = 0
) -> SingleFeatureScore:
    """Out-of-fold accuracy of predicting ``target`` from ``values`` alone (see the module doc).

    Parameters
    ----------
    values : Series
        One feature column (numbers are cut in 20 quantile bins; missing is its own value).
    target : Series
        The class of each row, aligned with ``values`` by position.
    folds : int
        Number of seeded random folds.
    seed : int
        Seed of the fold assignment.

    Returns
    -------
    SingleFeatureScore
        ``accuracy`` of "value → most frequent class", ``majority`` (accuracy of always
        the majority class), ``n_rows`` and ``n_values`` (distinct codes).
    """
    codes = feature_codes(values.reset_index(drop=True))
    classes = pd.factorize(target.reset_index(drop=True))[0]
    n, k, v = len(classes), int(classes.max()) + 1, int(codes.max()) + 1
    fold = np.random.default_rng(seed).permutation(n) % folds
    right = majority_right = 0
    for f in range(folds):
        train, test = fold != f, fold == f
        table = np.bincount(codes[train] * k + classes[train], minlength=v * k).reshape(v, k)
        majority = int(np.argmax(table.sum(axis=0)))
        guess = np.where(table.sum(axis=1) > 0, table.argmax(axis=1), majority)
        right += int(np.sum(guess[codes[test]] == classes[test]))
        majority_right += int(np.sum(classes[test] == majority))
    return SingleFeatureScore(right / n, majority_right / n, n, int(np.unique(codes).size))


def shared_rows(train: pd.DataFrame, test: pd.DataFrame) -> int:
    """How many rows of ``test`` equal some row of ``train`` on every column of ``test``.

    Parameters
    ----------
    train : DataFrame
        The rows a model learnt from; it must have every column of ``test``.
    test : DataFrame
        The rows it is scored on.

    Returns
    -------
    int
        Rows of ``test`` (counted with repeats) whose values also form a row of ``train``.

    Example:
        >>> a = pd.DataFrame({"x": [1, 2, 3], "c": list("pqr")})
        >>> shared_rows(a, pd.DataFrame({"x": [2, 9], "c": ["q", "q"]}))
        1
    """
    columns = list(test.columns)
    seen = pd.util.hash_pandas_object(train[columns], index=False).to_numpy()
    return int(np.isin(pd.util.hash_pandas_object(test, index=False).to_numpy(), seen).sum())
