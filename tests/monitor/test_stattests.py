"""Each drift test equals a direct scipy computation; the default choice follows Evidently's rule."""

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from skyclass.errors import InputError
from skyclass.monitor.stattests import ColumnSample, default_stattest, get_stattest


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_ks_equals_scipy(rng):
    a, b = rng.normal(size=400), rng.normal(0.2, 1, size=300)
    result = get_stattest("ks")(ColumnSample.numeric(a), ColumnSample.numeric(b))
    expected = stats.ks_2samp(a, b).pvalue
    assert result.score == pytest.approx(expected, abs=1e-15)
    assert result.drifted == (expected <= 0.05)
    assert result.threshold == 0.05


def test_ks_drops_nan_like_evidently(rng):
    a = rng.normal(size=200)
    b = np.concatenate([rng.normal(size=100), [np.nan, np.inf]])
    result = get_stattest("ks")(ColumnSample.numeric(a), ColumnSample.numeric(b))
    assert result.score == pytest.approx(stats.ks_2samp(a, b[:100]).pvalue, abs=1e-15)


def test_chisquare_equals_scipy():
    ref = {"a": 500, "b": 300, "c": 200}
    cur = {"a": 40, "b": 40, "c": 20}
    result = get_stattest("chisquare")(ColumnSample.categorical(ref), ColumnSample.categorical(cur))
    expected = stats.chisquare([40, 40, 20], [50, 30, 20]).pvalue
    assert result.score == pytest.approx(expected, rel=1e-12)
    assert result.drifted == (expected < 0.05)


def test_chisquare_new_category_is_drift():
    result = get_stattest("chisquare")(
        ColumnSample.categorical({"a": 10, "b": 10}), ColumnSample.categorical({"a": 5, "z": 1})
    )
    assert (result.score, result.drifted) == (0.0, True)


def test_z_test_equals_pearson_chi2_of_2x2_table():
    ref, cur = {"yes": 120, "no": 80}, {"yes": 45, "no": 55}
    result = get_stattest("z")(ColumnSample.categorical(ref), ColumnSample.categorical(cur))
    table = np.array([[120, 80], [45, 55]])
    expected = stats.chi2_contingency(table, correction=False).pvalue
    assert result.score == pytest.approx(expected, rel=1e-10)
    assert result.drifted is True


def test_z_test_single_shared_value_is_no_drift():
    result = get_stattest("z")(
        ColumnSample.categorical({"a": 5}), ColumnSample.categorical({"a": 9})
    )
    assert (result.score, result.drifted) == (1.0, False)


def test_wasserstein_normalised_by_reference_std(rng):
    a, b = rng.normal(size=3000), rng.normal(0.3, 1.2, size=800)
    result = get_stattest("wasserstein")(ColumnSample.numeric(a), ColumnSample.numeric(b))
    expected = stats.wasserstein_distance(a, b) / np.std(a)
    assert result.score == pytest.approx(expected, rel=1e-12)
    assert result.drifted == (expected >= 0.1)


@pytest.mark.parametrize("seed", range(5))
def test_wasserstein_1d_equals_scipy_with_ties_and_unequal_sizes(seed):
    from skyclass.monitor.stattests.wasserstein import wasserstein_1d

    rng = np.random.default_rng(seed)
    u = rng.integers(0, 20, size=int(rng.integers(1, 300))).astype(float)
    v = rng.normal(10, 5, size=int(rng.integers(1, 300))).round(1)
    assert wasserstein_1d(u, v) == pytest.approx(
        stats.wasserstein_distance(u, v), rel=1e-12, abs=1e-12
    )


def test_wasserstein_std_floor():
    a, b = np.zeros(2000), np.full(10, 0.5)
    result = get_stattest("wasserstein")(ColumnSample.numeric(a), ColumnSample.numeric(b))
    assert result.score == pytest.approx(0.5 / 0.001)


def test_jensenshannon_numeric_uses_sturges_bins(rng):
    a, b = rng.normal(size=2000), rng.normal(0.5, 1, size=500)
    result = get_stattest("jensenshannon")(ColumnSample.numeric(a), ColumnSample.numeric(b))
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins="sturges")
    p = np.histogram(a, edges)[0] / a.size
    q = np.histogram(b, edges)[0] / b.size
    assert result.score == pytest.approx(jensenshannon(p, q), rel=1e-12)
    assert result.drifted == (jensenshannon(p, q) >= 0.1)


def test_jensenshannon_categorical_equals_scipy():
    result = get_stattest("jensenshannon")(
        ColumnSample.categorical({"a": 600, "b": 300, "c": 100}),
        ColumnSample.categorical({"a": 20, "b": 50, "d": 30}),
    )
    p = np.array([0.6, 0.3, 0.1, 0.0])
    q = np.array([0.2, 0.5, 0.0, 0.3])
    assert result.score == pytest.approx(jensenshannon(p, q), rel=1e-12)
    assert result.drifted is True


def test_psi_formula_with_filled_zeroes():
    result = get_stattest("psi")(
        ColumnSample.categorical({"a": 70, "b": 30}), ColumnSample.categorical({"a": 50, "c": 50})
    )
    p = np.array([0.7, 0.3, 1e-4])
    q = np.array([0.5, 1e-4, 0.5])
    assert result.score == pytest.approx(np.sum((p - q) * np.log(p / q)), rel=1e-12)
    assert result.drifted is True


@pytest.mark.parametrize(
    ("n_ref", "ref_values", "kind", "expected"),
    [
        (1000, np.arange(1000.0), "num", "ks"),
        (1001, np.arange(1001.0), "num", "wasserstein"),
        (500, np.tile([1.0, 2.0, 3.0], 200)[:500], "num", "chisquare"),
        (500, np.tile([1.0, 2.0], 250), "num", "z"),
        (5000, np.tile([1.0, 2.0, 3.0], 2000)[:5000], "num", "jensenshannon"),
        (900, {"a": 450, "b": 450}, "cat", "z"),
        (900, {"a": 300, "b": 300, "c": 300}, "cat", "chisquare"),
        (2000, {"a": 1000, "b": 1000}, "cat", "jensenshannon"),
    ],
)
def test_default_stattest_follows_evidently(n_ref, ref_values, kind, expected):
    if kind == "num":
        ref = ColumnSample.numeric(ref_values)
        cur = ColumnSample.numeric(ref_values[:50])
    else:
        ref = ColumnSample.categorical(ref_values)
        cur = ColumnSample.categorical({k: 1 for k in ref_values})
    assert ref.n == n_ref
    assert default_stattest(ref, cur).name == expected


def test_unknown_test_and_empty_side_are_input_errors():
    with pytest.raises(InputError, match="unknown drift test 'nope'"):
        get_stattest("nope")
    with pytest.raises(InputError, match="needs values on both sides"):
        get_stattest("ks")(ColumnSample.numeric([1.0, 2.0]), ColumnSample.numeric([np.nan]))


def test_a_new_drift_test_registered_in_one_place_is_used_by_the_monitor_config():
    """One class and one decorator: the config accepts the name, data_drift runs it, and the
    unknown-name error lists it."""
    from skyclass.errors import ConfigError
    from skyclass.monitor import DriftConfig
    from skyclass.monitor.stattests import REGISTRY, StatTest, register

    @register
    class MeanShift(StatTest):
        name = "mean_shift_test_only"
        default_threshold = 0.5
        kinds = ("num",)
        score_kind = "distance"

        def statistic(self, reference, current):
            return abs(float(np.mean(current.values)) - float(np.mean(reference.values)))

    import pandas as pd

    from skyclass.monitor import data_drift
    from tests.monitor._helpers import reference_from_frame

    reference = reference_from_frame(pd.DataFrame({"x": np.zeros(50)}), {"x": "numeric"})
    config = DriftConfig.from_dict({"stattest": "mean_shift_test_only"})
    report = data_drift(reference, pd.DataFrame({"x": np.ones(50)}), config=config)
    column = report.columns[0]
    assert (column.stattest, column.score, column.drifted) == ("mean_shift_test_only", 1.0, True)
    assert "mean_shift_test_only" in REGISTRY
    with pytest.raises(ConfigError, match="mean_shift_test_only"):
        DriftConfig.from_dict({"stattest": "nope"})


@pytest.mark.parametrize(
    ("name", "at_threshold"),
    [("ks", True), ("chisquare", False), ("z", False), ("psi", True), ("jensenshannon", True), ("wasserstein", True)],
)
def test_verdict_at_the_threshold_follows_evidently(name, at_threshold):
    """Evidently: KS drifts at p <= t, chi-square and z at p < t, distances at d >= t."""
    test = get_stattest(name)
    assert test.drifted(0.05, 0.05) is at_threshold
    small_is_drift = test.score_kind == "p_value"
    assert test.drifted(0.01, 0.05) is small_is_drift
    assert test.drifted(0.5, 0.05) is not small_is_drift
