"""to_onnx(): the graph's probabilities equal predict_proba in onnxruntime, both schemes."""

import numpy as np
import onnxruntime as ort
import pytest
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler

from skyclass.linear import LogisticRegression


def run_onnx(model_proto, X, input_name="features"):
    session = ort.InferenceSession(
        model_proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {input_name: X})[0]


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("scheme", ["multinomial", "ovr"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_onnx_probabilities_equal_predict_proba(wine, scheme, n_classes):
    X, y = wine
    keep = y < n_classes
    X, y = X[keep], y[keep]
    model = LogisticRegression(multi_class=scheme, C=10.0).fit(X, y)
    expected = model.predict_proba(X)
    got32 = run_onnx(model.to_onnx(), X.astype(np.float32))
    assert got32.dtype == np.float32 and got32.shape == (len(X), n_classes)
    np.testing.assert_allclose(got32, expected, atol=1e-6)
    got64 = run_onnx(model.to_onnx(dtype=np.float64), X)
    np.testing.assert_allclose(got64, expected, atol=1e-12)


def test_onnx_graph_is_plain_opset_17_with_the_requested_names(wine):
    X, y = wine
    model = LogisticRegression(multi_class="ovr").fit(X, y)
    proto = model.to_onnx(input_name="x", output_name="p")
    assert [o.domain for o in proto.opset_import] == [""]
    assert max(o.version for o in proto.opset_import) <= 17
    assert all(node.domain == "" for node in proto.graph.node)
    assert [i.name for i in proto.graph.input] == ["x"]
    assert [o.name for o in proto.graph.output] == ["p"]
    np.testing.assert_allclose(
        run_onnx(proto, X.astype(np.float32), "x"), model.predict_proba(X), atol=1e-6
    )


def test_onnx_rejects_other_dtypes(wine):
    X, y = wine
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="dtype"):
        model.to_onnx(dtype=np.int64)
