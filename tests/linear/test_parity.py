"""Same objective and results as scikit-learn: LogisticRegression (multinomial) and
OneVsRestClassifier(LogisticRegression()) (ovr), on dense and sparse data."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from skyclass.linear import LogisticRegression


def sklearn_model(scheme, **params):
    model = SkLogisticRegression(**params)
    return OneVsRestClassifier(model) if scheme == "ovr" else model


def sklearn_coefficients(scheme, model):
    if scheme == "ovr" and len(model.classes_) > 2:
        coef = np.vstack([e.coef_ for e in model.estimators_])
        return coef, np.concatenate([e.intercept_ for e in model.estimators_])
    inner = model.estimators_[0] if scheme == "ovr" else model
    return inner.coef_, inner.intercept_


def objective_of(ours, coef, intercept, X, y, sample_weight=None):
    """Our objective evaluated at someone else's coefficients."""
    probe = LogisticRegression(**ours.get_params()).fit(X, y, sample_weight=sample_weight)
    probe.coef_, probe.intercept_ = coef, intercept
    return probe.objective(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
def test_tight_tolerance_matches_sklearn(dataset, scheme):
    name, X, y = dataset
    params = {"C": 0.5, "tol": 1e-10, "max_iter": 5000}
    ours = LogisticRegression(multi_class=scheme, **params).fit(X, y)
    theirs = sklearn_model(scheme, **params).fit(X, y)
    coef, intercept = sklearn_coefficients(scheme, theirs)
    f_ours = ours.objective(X, y)
    f_theirs = objective_of(ours, coef, intercept, X, y)
    assert f_ours == pytest.approx(f_theirs, rel=1e-8), name
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.coef_.shape == coef.shape


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
def test_default_tolerance_is_never_worse(dataset, scheme):
    name, X, y = dataset
    ours = LogisticRegression(multi_class=scheme, max_iter=1000).fit(X, y)
    theirs = sklearn_model(scheme, max_iter=1000).fit(X, y)
    coef, intercept = sklearn_coefficients(scheme, theirs)
    f_ours = ours.objective(X, y)
    f_theirs = objective_of(ours, coef, intercept, X, y)
    assert f_ours <= f_theirs * (1 + 1e-6), name
    differ = ours.predict(X) != theirs.predict(X)
    # rows where scikit-learn's own top two classes are within 1e-3 are ties that either
    # fit may break differently at tol=1e-4; every other row must agree (>= 99.9 % overall)
    top2 = np.sort(theirs.predict_proba(X), axis=1)[:, -2:]
    ties = top2[:, 1] - top2[:, 0] < 1e-3
    assert not np.any(differ & ~ties), (name, np.flatnonzero(differ & ~ties))
    assert np.mean(differ) <= max(0.001, np.mean(ties)), name


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
def test_binary_is_sklearns_binary_model(scheme):
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.where(y == 1, "yes", "no")
    ours = LogisticRegression(multi_class=scheme, tol=1e-10, max_iter=1000).fit(X, labels)
    theirs = SkLogisticRegression(tol=1e-10, max_iter=1000).fit(X, labels)
    assert ours.coef_.shape == (1, X.shape[1]) and ours.intercept_.shape == (1,)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
@pytest.mark.parametrize(
    "options",
    [
        {"class_weight": "balanced"},
        {"class_weight": {0: 3.0, 1: 1.0, 2: 0.5}},
        {"fit_intercept": False},
        {"C": 1e4},
        {"sample_weight": True},
    ],
    ids=["balanced", "dict", "no-intercept", "weak-penalty", "sample-weight"],
)
def test_options_match_sklearn(scheme, options):
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    options = dict(options)
    sw = None
    if options.pop("sample_weight", False):
        sw = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    if scheme == "ovr" and isinstance(options.get("class_weight"), dict):
        pytest.skip("a class_weight dict means different things to OneVsRestClassifier")
    params = {"tol": 1e-10, "max_iter": 5000, **options}
    ours = LogisticRegression(multi_class=scheme, **params).fit(X, y, sample_weight=sw)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = SkLogisticRegression(**params).set_fit_request(sample_weight=True)
        theirs = OneVsRestClassifier(inner) if scheme == "ovr" else inner
        theirs.fit(X, y, sample_weight=sw)
    coef, intercept = sklearn_coefficients(scheme, theirs)
    f_ours = ours.objective(X, y, sample_weight=sw)
    f_theirs = objective_of(ours, coef, intercept, X, y, sample_weight=sw)
    assert f_ours == pytest.approx(f_theirs, rel=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)


def test_class_weight_dict_in_ovr_weighs_rows_by_their_class():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    weights = {0: 2.0, 1: 1.0, 2: 0.5}
    params = {"multi_class": "ovr", "tol": 1e-10, "max_iter": 5000}
    by_dict = LogisticRegression(class_weight=weights, **params).fit(X, y)
    by_rows = LogisticRegression(**params).fit(
        X, y, sample_weight=np.array([weights[c] for c in y])
    )
    np.testing.assert_allclose(by_dict.coef_, by_rows.coef_, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_and_elastic_net_match_saga(scheme, l1_ratio):
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = {"C": 0.3, "l1_ratio": l1_ratio}
    ours = LogisticRegression(multi_class=scheme, tol=1e-9, max_iter=5000, **params).fit(X, y)
    theirs = sklearn_model(
        scheme, solver="saga", tol=1e-10, max_iter=50_000, random_state=0, **params
    ).fit(X, y)
    coef, intercept = sklearn_coefficients(scheme, theirs)
    f_ours = ours.objective(X, y)
    f_theirs = objective_of(ours, coef, intercept, X, y)
    assert f_ours <= f_theirs * (1 + 1e-8)
    assert f_ours == pytest.approx(f_theirs, rel=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)
    # the L1 part gives exact zeros where saga has them
    assert np.count_nonzero(ours.coef_ == 0) > 0
    assert np.array_equal(ours.coef_ == 0, np.abs(coef) < 1e-8)


def test_sparse_and_dense_give_the_same_model():
    import scipy.sparse as sp
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16.0, y[:400]
    dense = LogisticRegression(tol=1e-8, max_iter=2000).fit(X, y)
    sparse = LogisticRegression(tol=1e-8, max_iter=2000).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(
        dense.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X)), atol=1e-6
    )


def test_no_penalty_when_C_is_infinite():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    X, y = X[y > 0], y[y > 0]  # not separable: the unpenalised optimum is finite
    ours = LogisticRegression(C=np.inf, tol=1e-10, max_iter=5000).fit(X, y)
    theirs = SkLogisticRegression(C=np.inf, tol=1e-10, max_iter=5000).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
