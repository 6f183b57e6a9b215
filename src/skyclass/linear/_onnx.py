"""Export a fitted linear model's ``predict_proba`` as an ONNX graph (opset 17, ai.onnx only).

The graph maps ``features`` (``[N, n_features]``) to ``probabilities`` (``[N, n_classes]``):

- two classes: ``p = Sigmoid(X @ w + b)``, output ``[1 - p, p]`` (scikit-learn's binary model);
- multinomial: ``Softmax(X @ W + b)``;
- one-vs-rest: ``Sigmoid(X @ W + b)`` divided by its row sum.

Example:
    >>> import numpy as np
    >>> model = linear_graph(np.ones((3, 2)), np.zeros(3), scheme="multinomial")
    >>> [o.name for o in model.graph.output]
    ['probabilities']
"""

from __future__ import annotations

import numpy as np

OPSET = 17


def linear_graph(
    coef: np.ndarray,
    intercept: np.ndarray,
    *,
    scheme: str,
    input_name: str = "features",
    output_name: str = "probabilities",
    dtype=np.float32,
):
    """Build the ``onnx.ModelProto`` for coefficients ``[m, d]`` and intercepts ``[m]``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    dtype = np.dtype(dtype)
    if dtype == np.float32:
        elem = TensorProto.FLOAT
    elif dtype == np.float64:
        elem = TensorProto.DOUBLE
    else:
        from skyclass.errors import InputError

        raise InputError(f"to_onnx: dtype={dtype} is not supported; use numpy.float32 or float64")
    m, d = coef.shape
    n_classes = 2 if m == 1 else m
    inits = [
        numpy_helper.from_array(np.ascontiguousarray(coef.T, dtype=dtype), "coef"),
        numpy_helper.from_array(np.asarray(intercept, dtype=dtype), "intercept"),
    ]
    nodes = [
        helper.make_node("MatMul", [input_name, "coef"], ["product"]),
        helper.make_node("Add", ["product", "intercept"], ["scores"]),
    ]
    if m == 1:
        inits.append(numpy_helper.from_array(np.ones((1, 1), dtype=dtype), "one"))
        nodes += [
            helper.make_node("Sigmoid", ["scores"], ["positive"]),
            helper.make_node("Sub", ["one", "positive"], ["negative"]),
            helper.make_node("Concat", ["negative", "positive"], [output_name], axis=1),
        ]
    elif scheme == "multinomial":
        nodes.append(helper.make_node("Softmax", ["scores"], [output_name], axis=1))
    else:
        inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"))
        nodes += [
            helper.make_node("Sigmoid", ["scores"], ["per_class"]),
            helper.make_node("ReduceSum", ["per_class", "axis1"], ["row_sum"], keepdims=1),
            helper.make_node("Div", ["per_class", "row_sum"], [output_name]),
        ]
    graph = helper.make_graph(
        nodes,
        f"skyclass_logistic_{scheme}",
        [helper.make_tensor_value_info(input_name, elem, [None, d])],
        [helper.make_tensor_value_info(output_name, elem, [None, n_classes])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="skyclass",
        doc_string=f"skyclass.linear.LogisticRegression ({scheme}) predict_proba",
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
