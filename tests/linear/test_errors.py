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
        ({"C": 0.0}, r"The 'C' parameter of LogisticRegression must be a float in the range "
                     r"\(0.0, inf\]. Got 0.0 instead."),
        ({"C": -1.0}, r"'C' parameter of LogisticRegression .* Got -1.0 instead"),
        ({"l1_ratio": 1.5}, r"'l1_ratio' parameter .* in the range \[0.0, 1.0\] or None. Got 1.5"),
        ({"l1_ratio": -0.1}, r"'l1_ratio' parameter .* Got -0.1 instead"),
        ({"solver": "liblinear"}, r"'solver' parameter .* Got 'liblinear' instead"),
        ({"multi_class": "auto"}, r"'multi_class' parameter .* among \{.*'ovr'.*\}. Got 'auto'"),
        ({"max_iter": -1}, r"'max_iter' parameter .* int in the range \[0, inf\). Got -1"),
        ({"tol": -1e-3}, r"'tol' parameter .* Got -0.001 instead"),
        ({"class_weight": "even"}, r"'class_weight' parameter .* Got 'even' instead"),
        ({"dual": True}, r"Solver auto supports only dual=False, got dual=True"),
        ({"solver": "lbfgs", "l1_ratio": 1.0}, r"Solver lbfgs supports only 'l2' or None"),
    ],
)  # fmt: skip
def test_bad_parameters(params, message):
    with pytest.raises(InputError, match=message):
        LogisticRegression(**params).fit(X, Y)


def test_predict_with_the_wrong_number_of_features():
    model = LogisticRegression(max_iter=500).fit(X, Y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])
