"""Small data sets shared by the linear tests (standardised so every solver converges tightly)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, load_iris, load_wine, make_classification
from sklearn.preprocessing import StandardScaler


def _sparse_problem():
    rng = np.random.default_rng(0)
    X = sp.random(600, 300, density=0.03, format="csr", random_state=1, dtype=np.float64)
    X.data = rng.exponential(size=X.nnz)
    W = rng.normal(size=(300, 4)) * 2
    y = (X @ W + rng.gumbel(size=(600, 4))).argmax(axis=1)
    return X, y


def _dataset(name):
    if name == "sparse":
        return _sparse_problem()
    if name == "make_classification":
        X, y = make_classification(
            n_samples=600, n_features=12, n_informative=6, n_classes=4, random_state=0
        )
    else:
        loader = {"iris": load_iris, "wine": load_wine, "digits": load_digits}[name]
        X, y = loader(return_X_y=True)
        if name == "digits":
            X, y = X[:500], y[:500]
    return StandardScaler().fit_transform(X), y


DATASETS = ["make_classification", "iris", "wine", "digits", "sparse"]


@pytest.fixture(params=DATASETS)
def dataset(request):
    return request.param, *_dataset(request.param)
