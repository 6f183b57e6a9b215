"""Drop-in details: dtypes, scikit-learn 1.9's constructor arguments and warnings, sparse coef_.

Each behaviour is compared with the installed scikit-learn doing the same thing.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skyclass.errors import InputError
from skyclass.linear import LogisticRegression
from skyclass.linear._params import PARAMETER_CONSTRAINTS
from tests.metrics.test_core_params import invalid_values

X, Y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)


def _warnings_of(make, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = make(**params).fit(X, Y)
    return model, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_float32_in_gives_float32_out_like_sklearn(l1_ratio, sparse):
    X32 = X.astype(np.float32)
    X32 = sp.csr_matrix(X32) if sparse else X32
    ours = LogisticRegression(l1_ratio=l1_ratio, C=0.5, tol=1e-8).fit(X32, Y)
    theirs = SkLogisticRegression(l1_ratio=l1_ratio, C=0.5, solver="saga", max_iter=5000,
                                  tol=1e-8).fit(X32, Y)
    for attr in ("coef_", "intercept_"):
        assert getattr(ours, attr).dtype == getattr(theirs, attr).dtype == np.float32
    for method in ("predict_proba", "decision_function", "predict_log_proba"):
        got, want = getattr(ours, method)(X32), getattr(theirs, method)(X32)
        assert got.dtype == want.dtype == np.float32
    assert LogisticRegression().fit(X, Y).predict_proba(X32).dtype == np.float64


@pytest.mark.parametrize(
    "params",
    [
        {"penalty": "l1", "l1_ratio": 1.0, "solver": "saga"},
        {"penalty": "l2", "l1_ratio": 0.5},
        {"penalty": "l1", "l1_ratio": 0.0, "solver": "saga"},
        {"penalty": "elasticnet", "l1_ratio": 0.5, "solver": "saga"},
        {"penalty": None, "C": 2.0},
        {"l1_ratio": None},
        {"n_jobs": 2},
        {"intercept_scaling": 3.0, "verbose": 0},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_sklearn_arguments_warn_and_mean_the_same(params):
    params = {"max_iter": 5000, "tol": 1e-8, **params}
    ours, ours_warned = _warnings_of(LogisticRegression, **params)
    theirs, theirs_warned = _warnings_of(SkLogisticRegression, **params)
    assert ours_warned == theirs_warned
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=2e-4)
    assert np.array_equal(ours.coef_ == 0, np.abs(theirs.coef_) < 1e-6)


def test_elasticnet_without_l1_ratio_is_refused_like_sklearn():
    for make in (LogisticRegression, SkLogisticRegression):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            with pytest.raises(ValueError, match="l1_ratio must be specified when penalty is"):
                make(penalty="elasticnet", l1_ratio=None, solver="saga").fit(X, Y)


def test_verbose_reports_the_fit_on_stderr(capsys):
    LogisticRegression(verbose=1).fit(X, Y)
    assert "converged=True" in capsys.readouterr().err
    LogisticRegression().fit(X, Y)
    assert capsys.readouterr().err == ""


def test_sparsify_and_densify_keep_predictions():
    model = LogisticRegression(l1_ratio=1.0, C=0.1).fit(X, Y)
    dense_proba = model.predict_proba(X)
    assert sp.issparse(model.sparsify().coef_)
    np.testing.assert_allclose(model.predict_proba(X), dense_proba, rtol=1e-13)
    np.testing.assert_allclose(model.predict_proba(sp.csr_matrix(X)), dense_proba, rtol=1e-13)
    assert model.objective(X, Y) == pytest.approx(model.densify().objective(X, Y), rel=1e-15)
    assert isinstance(model.coef_, np.ndarray)
    with pytest.raises(Exception, match="must be fitted before sparsifying"):
        LogisticRegression().sparsify()


@pytest.mark.parametrize("name", sorted(PARAMETER_CONSTRAINTS))
def test_each_declared_constraint_rejects_generated_invalid_values(name):
    from sklearn.utils._param_validation import make_constraint

    constraints = [make_constraint(c) for c in PARAMETER_CONSTRAINTS[name]]
    for value in invalid_values(constraints):
        message = f"The '{name}' parameter of LogisticRegression must be"
        with pytest.raises(InputError, match=message) as err:
            LogisticRegression(**{name: value}).fit(X, Y)
        assert isinstance(err.value, InvalidParameterError)  # what scikit-learn's tools expect


def test_constraints_cover_every_constructor_argument():
    assert set(PARAMETER_CONSTRAINTS) == set(LogisticRegression().get_params())
