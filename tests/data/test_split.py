"""Splits: stratified, seeded, disjoint, identical to scikit-learn's."""

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

from skyclass.data import stratified_folds, stratified_split, stratified_split_index


def test_split_is_sklearns_stratified_split():
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], 500, p=[0.6, 0.3, 0.1])
    frame = pd.DataFrame({"x": np.arange(500), "y": y})
    train_idx, test_idx = stratified_split_index(y, test_size=0.2, seed=7)
    _, expected = train_test_split(np.arange(500), test_size=0.2, stratify=y, random_state=7)
    assert test_idx.tolist() == sorted(expected.tolist())
    assert set(train_idx).isdisjoint(test_idx) and len(train_idx) + len(test_idx) == 500
    train, test = stratified_split(frame, "y", test_size=0.2, seed=7)
    assert sorted(test["x"]) == sorted(expected.tolist())
    for label in "abc":
        assert abs((test["y"] == label).mean() - (y == label).mean()) < 0.01


def test_folds_are_sklearns_shuffled_stratified_kfold():
    y = np.array([0] * 30 + [1] * 12)
    folds = stratified_folds(y, n_splits=4, seed=2)
    expected = StratifiedKFold(4, shuffle=True, random_state=2).split(np.zeros(42), y)
    for (a, b), (c, d) in zip(folds, expected):
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist()
    assert sorted(np.concatenate([v for _, v in folds]).tolist()) == list(range(42))
