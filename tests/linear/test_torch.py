"""The torch backend evaluates the same objective: checked on CPU tensors (no GPU here)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits

from skyclass.errors import InputError
from skyclass.linear import LogisticRegression

torch = pytest.importorskip("torch", reason="torch (extra 'gpu') is not installed")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_torch_backend_matches_numpy_backend(digits, scheme, sparse):
    X, y = digits
    if sparse:
        X = sp.csr_matrix(X)
    params = {"multi_class": scheme, "tol": 1e-8, "max_iter": 2000}
    cpu = LogisticRegression(**params).fit(X, y)
    on_torch = LogisticRegression(device="torch:cpu", **params).fit(X, y)
    np.testing.assert_allclose(on_torch.predict_proba(X), cpu.predict_proba(X), atol=1e-6)
    assert on_torch.objective(X, y) == pytest.approx(cpu.objective(X, y), rel=1e-9)


def test_torch_problem_gradient_equals_numpy_problem_gradient(digits):
    from skyclass.linear._objective import DenseProblem
    from skyclass.linear._torch import TorchProblem

    X, y = digits
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(X.shape[1], 10)), rng.normal(size=10)
    w = np.full((len(y), 1), 1.0 / len(y))
    for link, target in [("softmax", y), ("sigmoid", np.eye(10)[y])]:
        ref = DenseProblem(X, target, w, link=link, n_outputs=10).value_grad(W, b)
        got = TorchProblem(X, target, w, link=link, n_outputs=10, device="cpu").value_grad(W, b)
        assert got[0] == pytest.approx(ref[0], rel=1e-12)
        np.testing.assert_allclose(got[1], ref[1], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(got[2], ref[2], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_torch_curvature_equals_numpy_curvature(digits, sparse):
    from skyclass.linear._objective import DenseProblem
    from skyclass.linear._torch import TorchProblem

    X, y = digits
    X = sp.csr_matrix(X) if sparse else X
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(X.shape[1], 10)), rng.normal(size=10)
    V, c = rng.normal(size=W.shape), rng.normal(size=10)
    w = np.full((len(y), 1), 1.0 / len(y))
    for link, target in [("softmax", y), ("sigmoid", np.eye(10)[y])]:
        ref = DenseProblem(X, target, w, link=link, n_outputs=10).curvature(W, b)
        got = TorchProblem(X, target, w, link=link, n_outputs=10, device="cpu").curvature(W, b)
        np.testing.assert_allclose(got.diag_W, ref.diag_W, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(got.diag_b, ref.diag_b, rtol=1e-10)
        for g, r in zip(got.dot(V, c), ref.dot(V, c)):
            np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-13)


def test_l1_fit_on_torch_matches_numpy(digits):
    X, y = digits
    params = {"C": 0.5, "l1_ratio": 0.7, "tol": 1e-8, "max_iter": 500}
    cpu = LogisticRegression(**params).fit(X, y)
    on_torch = LogisticRegression(device="torch:cpu", **params).fit(X, y)
    assert np.array_equal(on_torch.coef_ == 0, cpu.coef_ == 0)
    np.testing.assert_allclose(on_torch.coef_, cpu.coef_, atol=1e-6)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error(digits):
    X, y = digits
    with pytest.raises(InputError, match="no CUDA GPU"):
        LogisticRegression(device="cuda").fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_auto_falls_back_to_cpu(digits):
    X, y = digits
    auto = LogisticRegression(device="auto", max_iter=300).fit(X, y)
    cpu = LogisticRegression(device="cpu", max_iter=300).fit(X, y)
    np.testing.assert_array_equal(auto.coef_, cpu.coef_)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_cuda_matches_cpu(digits):
    X, y = digits
    params = {"tol": 1e-8, "max_iter": 2000}
    gpu = LogisticRegression(device="cuda", **params).fit(X, y)
    cpu = LogisticRegression(**params).fit(X, y)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), atol=1e-6)


def test_unknown_device_is_rejected(digits):
    X, y = digits
    with pytest.raises(InputError, match="device='tpu'"):
        LogisticRegression(device="tpu").fit(X, y)
