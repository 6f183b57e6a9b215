"""Dataset drift against a reference.json dict: values, false alarms, real shifts, config."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from skyclass.errors import ConfigError, InputError
from skyclass.monitor import DriftConfig, data_drift, prediction_drift
from tests.monitor._helpers import reference_from_frame

KINDS = {"age": "numeric", "income": "numeric", "city": "categorical", "member": "boolean"}


def _table(rng, n, *, shift=0.0):
    return pd.DataFrame(
        {
            "age": rng.normal(40 + 10 * shift, 10, n),
            "income": rng.lognormal(10 + shift, 0.5, n),
            "city": rng.choice(
                ["paris", "lyon", "nice"], n, p=[0.5 - 0.3 * shift, 0.3, 0.2 + 0.3 * shift]
            ),
            "member": rng.random(n) < 0.3 + 0.4 * shift,
        }
    )


def test_values_match_direct_scipy_small_reference():
    rng = np.random.default_rng(1)
    ref_frame, cur = _table(rng, 800), _table(rng, 300, shift=0.2)
    report = data_drift(reference_from_frame(ref_frame, KINDS), cur)
    by = {c.column: c for c in report.columns}
    assert by["age"].stattest == "ks"
    assert by["age"].score == pytest.approx(
        stats.ks_2samp(ref_frame["age"], cur["age"]).pvalue, abs=1e-15
    )
    assert by["city"].stattest == "chisquare"
    ref_counts = ref_frame["city"].value_counts()
    cur_counts = cur["city"].value_counts()
    keys = sorted(ref_counts.index)
    expected = stats.chisquare(
        [cur_counts[k] for k in keys], [ref_counts[k] * len(cur) / len(ref_frame) for k in keys]
    ).pvalue
    assert by["city"].score == pytest.approx(expected, rel=1e-10)
    assert by["member"].stattest == "z"
    table = [
        [ref_frame["member"].sum(), (~ref_frame["member"]).sum()],
        [cur["member"].sum(), (~cur["member"]).sum()],
    ]
    assert by["member"].score == pytest.approx(
        stats.chi2_contingency(table, correction=False).pvalue, rel=1e-10
    )
    assert report.n_drifted == sum(c.drifted for c in report.columns)
    assert report.dataset_drift == (report.share >= 0.5)


def test_values_match_direct_scipy_large_reference():
    rng = np.random.default_rng(2)
    ref_frame, cur = _table(rng, 4000), _table(rng, 500, shift=0.5)
    report = data_drift(reference_from_frame(ref_frame, KINDS), cur)
    by = {c.column: c for c in report.columns}
    assert by["income"].stattest == "wasserstein"
    expected = stats.wasserstein_distance(ref_frame["income"], cur["income"]) / np.std(
        ref_frame["income"]
    )
    assert by["income"].score == pytest.approx(expected, rel=1e-10)
    assert by["city"].stattest == "jensenshannon"
    assert report.dataset_drift is True
    assert set(report.drifted_columns) == {"age", "income", "city", "member"}


def _alarms(n_ref, n_cur):
    per_column = dict.fromkeys(KINDS, 0)
    dataset = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        report = data_drift(
            reference_from_frame(_table(rng, n_ref), KINDS, seed=seed), _table(rng, n_cur)
        )
        for name in report.drifted_columns:
            per_column[name] += 1
        dataset += report.dataset_drift
    return per_column, dataset


@pytest.mark.parametrize(("n_ref", "n_cur"), [(1000, 100), (5000, 1000)])
def test_false_alarm_rate_at_most_5_percent_over_100_seeds(n_ref, n_cur):
    per_column, dataset = _alarms(n_ref, n_cur)
    assert dataset <= 5
    assert all(count <= 5 for count in per_column.values()), per_column


def test_dataset_false_alarms_stay_rare_for_a_large_window():
    # Evidently's goodness-of-fit tests treat the reference as exact, so a column's false-alarm
    # rate grows with n_current / n_reference (chi-square: ~9% here); the dataset verdict,
    # needing half the columns, stays rare.
    per_column, dataset = _alarms(600, 300)
    assert dataset <= 5
    assert max(per_column.values()) <= 20


@pytest.mark.parametrize("n_ref", [600, 3000])
def test_real_shift_is_caught_every_time(n_ref):
    for seed in range(20):
        rng = np.random.default_rng(seed)
        report = data_drift(
            reference_from_frame(_table(rng, n_ref), KINDS), _table(rng, 300, shift=0.5)
        )
        assert report.dataset_drift, report.to_dict()


def test_thresholds_are_configurable():
    rng = np.random.default_rng(3)
    ref = reference_from_frame(_table(rng, 3000), KINDS)
    cur = _table(rng, 300, shift=0.15)
    default = {c.column: c for c in data_drift(ref, cur).columns}
    strict = DriftConfig.from_dict(
        {"thresholds": {"wasserstein": 1e-6}, "column_thresholds": {"city": 0.9}}
    )
    tuned = {c.column: c for c in data_drift(ref, cur, config=strict).columns}
    assert tuned["age"].threshold == 1e-6 and tuned["age"].drifted
    assert tuned["age"].score == default["age"].score
    assert tuned["city"].threshold == 0.9 and not tuned["city"].drifted
    forced = data_drift(ref, cur, config=DriftConfig(stattest="psi", drift_share=0.25))
    assert {c.stattest for c in forced.columns} == {"psi"}
    assert all(c.score == c.psi for c in forced.columns)
    assert forced.drift_share == 0.25


def test_missing_unsupported_and_empty_columns_are_skipped():
    rng = np.random.default_rng(4)
    frame = _table(rng, 200)
    ref = reference_from_frame(frame, KINDS)
    ref["columns"]["when"] = {"kind": "datetime", "n": 200, "missing": 0}
    cur = frame.drop(columns=["income"]).assign(age=np.nan)
    report = data_drift(ref, cur)
    assert set(report.skipped) == {"income", "when", "age"}
    assert "not in the current data" in report.skipped["income"]
    assert [c.column for c in report.columns] == ["city", "member"]


def test_bad_config_names_the_field():
    with pytest.raises(ConfigError, match="drift.drift_share"):
        DriftConfig.from_dict({"drift_share": 1.5})
    with pytest.raises(ConfigError, match="unknown field"):
        DriftConfig.from_dict({"treshold": 1})
    with pytest.raises(ConfigError, match="unknown drift test 'kss'"):
        DriftConfig.from_dict({"column_stattests": {"age": "kss"}})
    with pytest.raises(InputError, match="reference"):
        data_drift({"no": 1}, pd.DataFrame({"a": [1]}))


def test_prediction_drift_uses_shares_times_rows():
    ref = {"n_rows": 800, "columns": {}, "predictions": {"a": 0.5, "b": 0.3, "c": 0.2}}
    result = prediction_drift(ref, ["a"] * 30 + ["b"] * 50 + ["c"] * 20)
    assert result.stattest == "chisquare"
    assert result.score == pytest.approx(
        stats.chisquare([30, 50, 20], [50, 30, 20]).pvalue, rel=1e-10
    )
    assert result.drifted
    big = {"n_rows": 5000, "columns": {}, "predictions": {"a": 0.5, "b": 0.3, "c": 0.2}}
    same = prediction_drift(big, ["a"] * 50 + ["b"] * 30 + ["c"] * 20)
    assert same.stattest == "jensenshannon" and same.score == pytest.approx(0.0, abs=1e-12)
    assert not same.drifted
