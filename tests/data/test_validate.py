"""Validation: target checks, class sizes, and every column decision with its reason."""

import numpy as np
import pandas as pd
import pytest

from skyclass.data import min_class_size_for, validate
from skyclass.errors import InputError
from tests.data.loans import loans
from tests.data.messy import DROPPED, make_messy


def test_messy_fixture_decisions_and_reasons():
    raw = make_messy()
    result = validate(raw, "segment")
    by_column = {d.column: d for d in result.decisions}
    assert {c for c, d in by_column.items() if d.action == "drop"} == DROPPED
    assert "ID-like" in by_column["customer_id"].reason
    assert "constant" in by_column["source"].reason and "'web'" in by_column["source"].reason
    assert "leaks the target" in by_column["outcome_code"].reason
    assert "free text" in by_column["notes"].reason
    assert by_column["signup"].action == "expand"
    assert by_column["segment"].action == "drop_rows" and "5 rows" in by_column["segment"].reason
    assert pd.api.types.is_datetime64_any_dtype(result.frame["signup"])
    assert result.features == ["age", "income", "plan", "region", "signup"]
    assert len(result.frame) == len(raw) - 5 and result.n_rows_in == len(raw)
    # rows maps back to the input rows that were kept
    assert result.frame["income"].tolist() == raw["income"].iloc[result.rows].tolist()
    assert result.labels == ["bronze", "gold", "platinum", "silver"]
    assert result.to_dict()["decisions"][0].keys() == {"column", "action", "reason"}


def test_missing_target_lists_the_columns_and_suggests():
    frame = pd.DataFrame({"label": ["a", "b"], "x": [1, 2]})
    with pytest.raises(
        InputError, match=r"'lable' not found \(did you mean 'label'\?\); the columns are: label, x"
    ):
        validate(frame, "lable")


def test_single_class_and_all_missing_target():
    with pytest.raises(InputError, match="single class"):
        validate(pd.DataFrame({"x": range(10), "y": ["a"] * 10}), "y")
    with pytest.raises(InputError, match="every value is missing"):
        validate(pd.DataFrame({"x": range(3), "y": [None] * 3}), "y")


def test_small_classes_error_then_drop_or_merge():
    frame = pd.DataFrame(
        {
            "x": np.random.default_rng(0).normal(size=40),
            "y": ["a"] * 20 + ["b"] * 15 + ["c"] * 3 + ["d"] * 2,
        }
    )
    needed = min_class_size_for(5, 0.2)
    with pytest.raises(InputError, match=r"'c' has 3, 'd' has 2.*--min-class-size 7.*--merge-rare"):
        validate(frame, "y")
    dropped = validate(frame, "y", min_class_size=needed)
    assert dropped.labels == ["a", "b"] and len(dropped.frame) == 35
    assert "dropped 5 rows" in dropped.decisions[0].reason
    with pytest.raises(InputError, match="'other' has 5"):
        validate(frame, "y", merge_rare="other")  # merged, still too small for 5 folds
    merged = validate(frame, "y", merge_rare="other", cv=3)
    assert merged.labels == ["a", "b", "other"]
    assert (merged.frame["y"] == "other").sum() == 5


def test_min_class_size_for_guarantees_folds():
    from sklearn.model_selection import StratifiedKFold, train_test_split

    for cv, test_size in [(5, 0.2), (3, 0.3), (10, 0.25)]:
        n = min_class_size_for(cv, test_size)
        y = np.array(["big"] * 200 + ["small"] * n)
        train, test = train_test_split(y, test_size=test_size, stratify=y, random_state=0)
        assert (test == "small").sum() >= 1 and (train == "small").sum() >= cv
        list(StratifiedKFold(cv).split(train, train))  # no error


def test_keeps_ordinary_columns_and_numeric_leak():
    rng = np.random.default_rng(1)
    y = rng.choice(["a", "b"], 100)
    frame = pd.DataFrame(
        {
            "score": rng.normal(size=100),  # unique floats are not IDs
            "count": rng.integers(0, 5, 100),
            "code": np.where(y == "a", 0, 1),  # integer restatement of the target
            "flag": rng.random(100) > 0.5,
            "y": y,
        }
    )
    result = validate(frame, "y")
    assert [(d.column, d.action) for d in result.decisions] == [("code", "drop")]
    assert result.features == ["score", "count", "flag"]


def test_drop_on_request_and_no_features_left():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=20), "z": rng.normal(size=20), "y": ["a", "b"] * 10})
    assert validate(frame, "y", drop=["z"]).decisions[-1].reason.startswith("dropped on request")
    with pytest.raises(InputError, match="no usable feature columns"):
        validate(frame, "y", drop=["x", "z"], cv=2)


def test_a_high_cardinality_restatement_of_the_target_is_flagged_with_evidence():
    result = validate(loans(), "grade")
    leak = {d.column: d for d in result.decisions}["sub_grade"]
    assert leak.action == "drop" and "sub_grade" not in result.features
    assert "leaks the target: 'sub_grade' alone predicts the class of 100.0% of the 2000 rows" in (
        leak.reason
    )
    assert "over its 35 values" in leak.reason and "--keep-leaky" in leak.reason
    assert {d.column for d in result.decisions} == {"sub_grade"}  # income, IDs-ish, etc. stay
    kept = validate(loans(), "grade", keep_leaky=True)
    flag = {d.column: d for d in kept.decisions}["sub_grade"]
    assert flag.action == "flag" and "kept because of --keep-leaky" in flag.reason
    assert "sub_grade" in kept.features


def test_strong_but_honest_features_are_not_leaks():
    rng = np.random.default_rng(3)
    n = 1000
    y = rng.choice(["x", "y"], n)
    frame = pd.DataFrame(
        {
            "strong": np.where(y == "x", 0.0, 2.5) + rng.normal(size=n),  # ~90% alone
            "majority_like": np.where(rng.random(n) < 0.995, "same", "rare"),
            "y": y,
        }
    )
    assert validate(frame, "y").decisions == []


def test_leakage_docstring_examples_run():
    import doctest

    from skyclass.data import _leakage

    result = doctest.testmod(_leakage)
    assert result.attempted > 0 and result.failed == 0
