"""Seeded stratified splits: one train/test split, then CV folds inside train.

The test part is set aside here and touched once, at the very end of training.

Example:
    >>> import pandas as pd
    >>> from skyclass.data import stratified_split, stratified_folds
    >>> df = pd.DataFrame({"x": range(20), "y": ["a", "b"] * 10})
    >>> train, test = stratified_split(df, "y", test_size=0.25, seed=0)
    >>> len(train), len(test), test["y"].value_counts().tolist()
    (15, 5, [3, 2])
    >>> len(stratified_folds(train["y"], n_splits=3, seed=0))
    3
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

__all__ = ["stratified_folds", "stratified_split", "stratified_split_index"]


def stratified_split_index(
    y: pd.Series | np.ndarray, *, test_size: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions ``(train, test)`` of a seeded split that keeps class shares.

    Parameters
    ----------
    y : Series or ndarray
        The class of each row.
    test_size : float
        Share of rows in the test part, in (0, 1) (scikit-learn rounds it up).
    seed : int
        Seed of the shuffle; the same seed and ``y`` give the same split.

    Returns
    -------
    tuple of ndarray
        Sorted train positions and sorted test positions; together every row once.
    """
    y = np.asarray(y)
    positions = np.arange(len(y))
    train, test = train_test_split(
        positions, test_size=test_size, stratify=y, random_state=seed, shuffle=True
    )
    return np.sort(train), np.sort(test)


def stratified_split(
    frame: pd.DataFrame, target: str, *, test_size: float = 0.2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``frame`` into (train, test) keeping class shares; indexes are reset.

    Parameters
    ----------
    frame : DataFrame
        The labelled table.
    target : str
        The column whose class shares both parts keep.
    test_size : float
        Share of rows set aside for the final test, in (0, 1).
    seed : int
        Seed of the split (as :func:`stratified_split_index`).

    Returns
    -------
    tuple of DataFrame
        ``(train, test)``, each in the original row order, indexed from 0.
    """
    train, test = stratified_split_index(frame[target], test_size=test_size, seed=seed)
    return (
        frame.iloc[train].reset_index(drop=True),
        frame.iloc[test].reset_index(drop=True),
    )


def stratified_folds(
    y: pd.Series | np.ndarray, *, n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled stratified K-fold index pairs ``(train_idx, validation_idx)`` over ``y``.

    Parameters
    ----------
    y : Series or ndarray
        The class of each training row; every class needs at least ``n_splits`` rows.
    n_splits : int
        Number of folds.
    seed : int
        Seed of scikit-learn's ``StratifiedKFold`` shuffle.

    Returns
    -------
    list of tuple of ndarray
        ``n_splits`` pairs; each row is in exactly one validation part.
    """
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    y = np.asarray(y)
    return list(splitter.split(np.zeros(len(y)), y))
