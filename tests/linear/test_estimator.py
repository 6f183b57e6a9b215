"""The estimator in everyday scikit-learn use: Pipeline, GridSearchCV, clone, DataFrames,
warm starts, iteration counts and convergence warnings."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skyclass.linear import LogisticRegression


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return X, y


def test_pipeline_and_grid_search(wine):
    X, y = wine
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    grid = GridSearchCV(
        pipe, {"logisticregression__C": [0.01, 1.0], "logisticregression__multi_class": ["ovr"]}
    )
    grid.fit(X, y)
    assert grid.best_params_["logisticregression__C"] == 1.0
    assert grid.best_score_ > 0.9
    assert grid.predict(X).shape == (len(y),)


def test_clone_and_params_round_trip():
    model = LogisticRegression(multi_class="ovr", C=0.3, l1_ratio=0.2, device="cpu")
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    assert twin.set_params(C=2.0).C == 2.0 and model.C == 0.3
    assert set(model.get_params()) == {
        "penalty", "multi_class", "C", "l1_ratio", "dual", "tol", "fit_intercept",
        "intercept_scaling", "class_weight", "random_state", "solver", "max_iter", "verbose",
        "warm_start", "n_jobs", "device",
    }  # fmt: skip


def test_dataframe_keeps_feature_names(wine):
    X, y = wine
    frame = pd.DataFrame(StandardScaler().fit_transform(X), columns=[f"f{i}" for i in range(13)])
    labels = np.array(["barolo", "grignolino", "barbera"])[y]
    model = LogisticRegression().fit(frame, labels)
    assert list(model.feature_names_in_) == list(frame.columns)
    assert model.n_features_in_ == 13
    assert list(model.classes_) == ["barbera", "barolo", "grignolino"]
    assert set(model.predict(frame)) <= set(labels)
    assert model.score(frame, labels) > 0.95


def test_prediction_methods_agree(wine):
    X, y = wine
    X = StandardScaler().fit_transform(X)
    for scheme in ("multinomial", "ovr"):
        model = LogisticRegression(multi_class=scheme).fit(X, y)
        proba = model.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-12)
        scores = model.decision_function(X)
        assert scores.shape == (len(y), 3)
        np.testing.assert_array_equal(model.predict(X), model.classes_[scores.argmax(axis=1)])
        np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])


def test_float32_input_gives_the_float64_model(wine):
    X, y = wine
    X = StandardScaler().fit_transform(X)
    a = LogisticRegression(tol=1e-8, max_iter=1000).fit(X.astype(np.float32), y)
    b = LogisticRegression(tol=1e-8, max_iter=1000).fit(X.astype(np.float32).astype(np.float64), y)
    np.testing.assert_allclose(a.coef_, b.coef_)


def test_warm_start_continues_from_the_last_fit(wine):
    X, y = wine
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(warm_start=True, tol=1e-6).fit(X, y)
    first = model.n_iter_[0]
    assert model.n_iter_.dtype == np.int32 and model.n_iter_.shape == (1,)
    model.set_params(C=1.1).fit(X, y)
    assert model.n_iter_[0] < first


def test_max_iter_reached_warns_and_zero_iterations_is_allowed(wine):
    X, y = wine
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        model = LogisticRegression(max_iter=2).fit(X, y)
    assert model.n_iter_[0] == 2
    with pytest.warns(ConvergenceWarning):
        zero = LogisticRegression(max_iter=0).fit(X, y)
    assert zero.n_iter_[0] == 0 and np.all(zero.coef_ == 0)


def test_converged_fit_does_not_warn(wine):
    X, y = wine
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(multi_class="ovr").fit(X, y)
