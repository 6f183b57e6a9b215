"""Bad input gives a ValueError (skyclass InputError) that says what is wrong."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skyclass.errors import InputError
from skyclass.linear import LogisticRegression

X, Y = load_iris(return_X_y=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X(bad):
    X_bad = X.copy()
    X_bad[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        LogisticRegression().fit(X_bad, Y)


def test_single_class():
    with pytest.raises(InputError, match="only one class"):
        LogisticRegression().fit(X[:20], np.zeros(20))


def test_sample_weight_of_the_wrong_shape():
    with pytest.raises(InputError, match=r"sample_weight has shape \(3,\), expected \(150,\)"):
        LogisticRegression().fit(X, Y, sample_weight=[1.0, 2.0, 3.0])


def test_negative_sample_weight():
    sw = np.ones(len(Y))
    sw[0] = -1
    with pytest.raises(InputError, match="sample_weight"):
        LogisticRegression().fit(X, Y, sample_weight=sw)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0.0}, "C=0.0 must be a positive number"),
        ({"C": -1.0}, "C=-1.0 must be a positive number"),
        ({"l1_ratio": 1.5}, "l1_ratio=1.5 must be between 0 and 1"),
        ({"l1_ratio": -0.1}, "l1_ratio=-0.1 must be between 0 and 1"),
        ({"solver": "sag"}, "solver='sag' is not supported"),
        ({"multi_class": "auto"}, "multi_class='auto' is not supported"),
        ({"max_iter": -1}, "max_iter=-1 must be an integer"),
        ({"tol": -1e-3}, "tol=-0.001 must be a number"),
        ({"class_weight": "even"}, "class_weight='even'"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(InputError, match=message):
        LogisticRegression(**params).fit(X, Y)


def test_predict_with_the_wrong_number_of_features():
    model = LogisticRegression(max_iter=500).fit(X, Y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])
