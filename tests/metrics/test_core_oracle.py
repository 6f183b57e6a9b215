"""Helpers for the parity suite: call skyclass and scikit-learn the same way, compare all.

``run_both(ours, theirs, *args, **kwargs)`` calls both functions recording warnings; when
scikit-learn raises ``ValueError`` ours must raise ``ValueError`` too; otherwise results must
be equal (counts exactly, floats within 1e-12, NaN where scikit-learn has NaN) and ours must
emit the same kinds of metric warnings.
"""

import warnings

import numpy as np
import pytest

TOL = 1e-12
_WARN_KINDS = ("UndefinedMetricWarning", "UserWarning")


def assert_same(ours, theirs, *, where=""):
    """Equal values: ints exactly, floats to 1e-12 absolute, NaN positions identical."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert list(ours) == list(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], where=f"{where}[{key!r}]")
        return
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, where=f"{where}[{i}]")
        return
    if theirs is None or isinstance(theirs, str):
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"
        return
    a = np.asarray(ours)
    b = np.asarray(theirs)
    assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
    if b.dtype.kind in "iub":
        assert a.dtype.kind in "iub", f"{where}: dtype {a.dtype} vs {b.dtype}"
        assert np.array_equal(a, b), f"{where}: {a} != {b}"
        return
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{where}: NaN mismatch {a} vs {b}"
    assert np.array_equal(np.isinf(a), np.isinf(b)), f"{where}: inf mismatch {a} vs {b}"
    fin = np.isfinite(b)
    assert np.allclose(a[fin], b[fin], rtol=0, atol=TOL), f"{where}: {a} != {b}"


def _call(fn, args, kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(*args, **kwargs)
            error = None
        except ValueError as err:
            result, error = None, err
    kinds = {type(w.message).__name__ for w in caught} & set(_WARN_KINDS)
    return result, error, kinds


def run_both(ours, theirs, *args, check_warnings=True, **kwargs):
    """Call both; compare errors, results and warnings; return ours."""
    theirs_result, theirs_error, theirs_warn = _call(theirs, args, kwargs)
    ours_result, ours_error, ours_warn = _call(ours, args, kwargs)
    if theirs_error is not None:
        assert ours_error is not None, (
            f"scikit-learn raised {theirs_error!r} but skyclass returned {ours_result!r}"
        )
        return None
    assert ours_error is None, f"skyclass raised {ours_error!r}, scikit-learn did not"
    assert_same(ours_result, theirs_result, where=ours.__name__)
    if check_warnings:
        assert ours_warn == theirs_warn, f"warnings: ours {ours_warn} vs sklearn {theirs_warn}"
    return ours_result


def test_assert_same_detects_differences():
    assert_same(np.array([1.0, np.nan]), np.array([1.0 + 1e-13, np.nan]))
    with pytest.raises(AssertionError):
        assert_same(np.array([1.0]), np.array([1.0 + 1e-9]))
    with pytest.raises(AssertionError):
        assert_same(np.array([1, 2]), np.array([1, 3]))
    with pytest.raises(AssertionError):
        assert_same(np.array([np.nan]), np.array([0.0]))


def test_run_both_requires_matching_errors():
    def raises(*_):
        raise ValueError("bad")

    def returns(*_):
        return 1.0

    assert run_both(raises, raises) is None
    with pytest.raises(AssertionError):
        run_both(returns, raises)
    with pytest.raises(AssertionError):
        run_both(raises, returns)
