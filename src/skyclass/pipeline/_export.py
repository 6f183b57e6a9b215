"""Export a fitted ``Preprocessor`` + model to one ONNX graph, checked against the model.

The graph has one input per schema column, shape ``[N, 1]``:

* numeric and boolean (0/1) columns: ``tensor(double)``, NaN = missing;
* datetime columns: ``tensor(double)`` seconds since 1970-01-01 UTC, NaN = missing;
* categorical columns: ``tensor(string)``, ``""`` = missing;

and one output ``probabilities``: ``tensor(float)`` ``[N, n_classes]`` in the
order of the model's ``classes_`` (also stored as JSON in the ONNX metadata
property ``skyclass.labels``, for runtimes that only see the graph). Preprocessing runs in double precision with
the same operations as ``Preprocessor.transform``; the model part comes from
``skyclass.linear.LogisticRegression.to_onnx`` or from skl2onnx (``zipmap``
off) for scikit-learn ``LogisticRegression``, ``HistGradientBoostingClassifier``
and ``RandomForestClassifier``.

Example:
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skyclass.data import infer_schema
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "c": ["a", "b", "a", "b"]})
    >>> pre = Preprocessor(infer_schema(df), min_frequency=1).fit(df)
    >>> model = LogisticRegression().fit(pre.transform(df), [0, 0, 1, 1])
    >>> graph = export_onnx(pre, model)
    >>> [i.name for i in graph.graph.input], [o.name for o in graph.graph.output]
    (['x', 'c'], ['probabilities'])
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from skyclass.errors import InputError
from skyclass.pipeline._ensemble import Ensemble, ensemble_graph
from skyclass.pipeline._preprocess import DATETIME_PARTS, Preprocessor

__all__ = ["ONNX_OPSET", "export_onnx", "input_types"]

ONNX_OPSET = 17
ML_OPSET = 3
IR_VERSION = 8  # the IR of opset 17: loadable by older runtimes too
FEATURES = "features"
OUTPUT = "probabilities"


def input_types(preprocessor: Preprocessor) -> list[dict[str, Any]]:
    """The ONNX inputs of the exported graph, in schema order.

    Parameters
    ----------
    preprocessor : Preprocessor
        The (fitted or unfitted) preprocessor; only its schema is read.

    Returns
    -------
    list of dict
        ``{"name", "type" ("string" or "double"), "shape" ([-1, 1])}`` per input.
    """
    return [
        {
            "name": col.name,
            "type": "string" if col.kind == "categorical" else "double",
            "shape": [-1, 1],
        }
        for col in preprocessor.schema
    ]


def export_onnx(
    preprocessor: Preprocessor, model: Any, labels: list[Any] | None = None
) -> onnx.ModelProto:
    """One ONNX graph: canonical column inputs → ``probabilities`` float32 ``[N, k]``.

    Parameters
    ----------
    preprocessor : Preprocessor
        The fitted preprocessor.
    model : Any
        The classifier fitted on ``preprocessor.transform(...)``: skyclass's
        ``LogisticRegression``, scikit-learn's ``LogisticRegression``,
        ``HistGradientBoostingClassifier``, ``RandomForestClassifier``, or an ``Ensemble``
        of them (each member's graph, weighted and summed).
    labels : list or None
        Names of the output columns, recorded in the metadata (default: ``classes_``).

    Returns
    -------
    onnx.ModelProto
        The checked graph: one input per schema column, output ``probabilities``.

    Raises
    ------
    skyclass.errors.InputError
        For a model type that cannot be exported.
    """
    model_graph, model_input = _model_graph(model, preprocessor.n_features_out_)
    opsets = {o.domain or "": o.version for o in model_graph.opset_import}
    # LabelEncoder needs ai.onnx.ml >= 2; the ml operators a model graph uses are unchanged by it.
    opsets["ai.onnx.ml"] = max(opsets.get("ai.onnx.ml", 0), ML_OPSET)
    del model_graph.opset_import[:]
    model_graph.opset_import.extend(helper.make_opsetid(d, v) for d, v in sorted(opsets.items()))
    in_type = model_graph.graph.input[0].type.tensor_type.elem_type
    pre_graph = _preprocess_graph(preprocessor, in_type, opsets)
    pre_graph.ir_version = model_graph.ir_version
    model_graph = onnx.compose.add_prefix(model_graph, "model/")
    prob_name = "model/" + _probability_output(model_graph)
    merged = onnx.compose.merge_models(
        pre_graph, model_graph, io_map=[(FEATURES, "model/" + model_input)], outputs=[prob_name]
    )
    merged.graph.node.append(
        helper.make_node("Cast", [prob_name], [OUTPUT], to=TensorProto.FLOAT, name="to_float32")
    )
    del merged.graph.output[:]
    merged.graph.output.append(
        helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [None, len(model.classes_)])
    )
    labels = [
        v.item() if isinstance(v, np.generic) else v
        for v in (model.classes_ if labels is None else labels)
    ]
    helper.set_model_props(
        merged, {"skyclass.labels": json.dumps(labels), "skyclass.output": OUTPUT}
    )
    opsets = {o.domain: o.version for o in merged.opset_import}  # merge_models repeats them
    del merged.opset_import[:]
    merged.opset_import.extend(helper.make_opsetid(d, v) for d, v in sorted(opsets.items()))
    merged.graph.name = "skyclass"
    merged.graph.doc_string = "skyclass: preprocessing + model -> probabilities"
    merged.doc_string = ""
    onnx.checker.check_model(merged, full_check=True)
    return merged


# -- model part -------------------------------------------------------------------


def _model_graph(model: Any, n_features: int) -> tuple[onnx.ModelProto, str]:
    if isinstance(model, Ensemble):
        members = []
        for member in model.members:
            graph, name = _model_graph(member, n_features)
            members.append((graph, name, _probability_output(graph, prefix="")))
        return ensemble_graph(members, model.weights, n_features), FEATURES
    if hasattr(model, "to_onnx") and type(model).__module__.startswith("skyclass."):
        graph = model.to_onnx(input_name=FEATURES, output_name=OUTPUT, dtype=np.float32)
        return graph, graph.graph.input[0].name
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    name = type(model).__name__
    if name == "HistGradientBoostingClassifier":
        return _hgb_graph(model, n_features), FEATURES
    if name == "LogisticRegression":
        tensor_type = DoubleTensorType([None, n_features])
    elif name == "RandomForestClassifier":
        # skl2onnx's forest converter is float32, as are scikit-learn's own forest splits.
        tensor_type = FloatTensorType([None, n_features])
    else:
        raise InputError(
            f"cannot export a {name} to ONNX; use skyclass.linear.LogisticRegression or "
            "scikit-learn LogisticRegression, HistGradientBoostingClassifier, RandomForestClassifier"
        )
    graph = convert_sklearn(
        model,
        initial_types=[(FEATURES, tensor_type)],
        options={id(model): {"zipmap": False}},
        target_opset={"": ONNX_OPSET, "ai.onnx.ml": ML_OPSET},
    )
    return graph, FEATURES


def _hgb_graph(model: Any, n_features: int) -> onnx.ModelProto:
    """HistGradientBoostingClassifier → ONNX with float64 thresholds, exactly as scikit-learn splits.

    (skl2onnx's converter is float32 and fails on recent scikit-learn.) Trees sum
    raw scores per class (``TreeEnsembleRegressor``), then baseline + softmax
    (multiclass) or sigmoid (binary), as ``predict_proba`` does.
    """
    k = model.n_trees_per_iteration_
    if getattr(model, "is_categorical_", None) is not None and np.any(model.is_categorical_):
        raise InputError(
            "HistGradientBoostingClassifier with native categorical features cannot be exported; "
            "use skyclass's Preprocessor one-hot encoding (categorical_features=None)"
        )
    attrs: dict[str, list[Any]] = {
        key: []
        for key in (
            "nodes_treeids nodes_nodeids nodes_featureids nodes_modes nodes_values "
            "nodes_truenodeids nodes_falsenodeids nodes_missing_value_tracks_true "
            "target_treeids target_nodeids target_ids target_weights"
        ).split()
    }
    tree_id = 0
    for iteration in model._predictors:
        for target, predictor in enumerate(iteration):
            for node_id, node in enumerate(predictor.nodes):
                leaf = bool(node["is_leaf"])
                attrs["nodes_treeids"].append(tree_id)
                attrs["nodes_nodeids"].append(node_id)
                attrs["nodes_featureids"].append(0 if leaf else int(node["feature_idx"]))
                attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
                attrs["nodes_values"].append(0.0 if leaf else float(node["num_threshold"]))
                attrs["nodes_truenodeids"].append(0 if leaf else int(node["left"]))
                attrs["nodes_falsenodeids"].append(0 if leaf else int(node["right"]))
                attrs["nodes_missing_value_tracks_true"].append(
                    0 if leaf else int(bool(node["missing_go_to_left"]))
                )
                if leaf:
                    attrs["target_treeids"].append(tree_id)
                    attrs["target_nodeids"].append(node_id)
                    attrs["target_ids"].append(target)
                    attrs["target_weights"].append(float(node["value"]))
            tree_id += 1
    thresholds = numpy_helper.from_array(np.asarray(attrs.pop("nodes_values")), "thresholds")
    weights = numpy_helper.from_array(np.asarray(attrs.pop("target_weights")), "weights")
    nodes = [
        helper.make_node(
            "TreeEnsembleRegressor",
            [FEATURES],
            ["raw_trees"],
            domain="ai.onnx.ml",
            n_targets=k,
            aggregate_function="SUM",
            post_transform="NONE",
            nodes_values_as_tensor=thresholds,
            target_weights_as_tensor=weights,
            **attrs,
        ),
        helper.make_node("Cast", ["raw_trees"], ["raw_double"], to=TensorProto.DOUBLE),
        helper.make_node("Add", ["raw_double", "baseline"], ["raw"]),
    ]
    baseline = numpy_helper.from_array(
        np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1), "baseline"
    )
    constants = [baseline]
    if k > 1:
        nodes.append(helper.make_node("Softmax", ["raw"], [OUTPUT], axis=1))
    else:
        constants.append(numpy_helper.from_array(np.array(1.0), "one"))
        nodes += [
            helper.make_node("Sigmoid", ["raw"], ["positive"]),
            helper.make_node("Sub", ["one", "positive"], ["negative"]),
            helper.make_node("Concat", ["negative", "positive"], [OUTPUT], axis=1),
        ]
    graph = helper.make_graph(
        nodes,
        "hist_gradient_boosting",
        [helper.make_tensor_value_info(FEATURES, TensorProto.DOUBLE, [None, n_features])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.DOUBLE, [None, max(k, 2)])],
        constants,
    )
    return helper.make_model(
        graph,
        opset_imports=[
            helper.make_opsetid("", ONNX_OPSET),
            helper.make_opsetid("ai.onnx.ml", ML_OPSET),
        ],
        ir_version=IR_VERSION,
    )


def _probability_output(graph: onnx.ModelProto, prefix: str = "model/") -> str:
    """The name (without ``prefix``) of the graph's probabilities output."""
    names = [o.name for o in graph.graph.output]
    for candidate in (prefix + OUTPUT, prefix + "probability_tensor"):
        if candidate in names:
            return candidate.removeprefix(prefix)
    if len(names) == 1:
        return names[0].removeprefix(prefix)
    raise InputError(f"the model's ONNX graph has no probabilities output (outputs: {names})")


# -- preprocessing part -----------------------------------------------------------


class _Builder:
    """Collects nodes and constants with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"pre/{hint}_{self._count}"

    def const(self, hint: str, value: Any, dtype: Any = np.float64) -> str:
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, domain: str = "", **attrs: Any) -> str:
        out = self.name(hint)
        self.nodes.append(
            helper.make_node(op_type, inputs, [out], name=out, domain=domain, **attrs)
        )
        return out


def _preprocess_graph(pre: Preprocessor, out_type: int, opsets: dict[str, int]) -> onnx.ModelProto:
    b = _Builder()
    inputs = [
        helper.make_tensor_value_info(
            spec["name"],
            TensorProto.STRING if spec["type"] == "string" else TensorProto.DOUBLE,
            [None, 1],
        )
        for spec in input_types(pre)
    ]
    blocks: list[str] = []
    numeric: list[str] = []
    for col in pre.schema:
        if col.kind in ("numeric", "boolean"):
            numeric.append(col.name)
        elif col.kind == "datetime":
            parts = _datetime_parts(b, col.name)
            numeric += [parts[p] for p in DATETIME_PARTS]
    if numeric:
        stats = pre.numeric_
        matrix = b.op("Concat", numeric, "numeric", axis=1) if len(numeric) > 1 else numeric[0]
        median = b.const("median", [s["median"] for s in stats])
        imputed = b.op("Where", [b.op("IsNaN", [matrix], "isnan"), median, matrix], "imputed")
        centred = b.op("Sub", [imputed, b.const("mean", [s["mean"] for s in stats])], "centred")
        blocks.append(
            b.op("Div", [centred, b.const("scale", [s["scale"] for s in stats])], "scaled")
        )
    for cat in pre.categorical_:
        blocks.append(_one_hot(b, cat))
    if not blocks:
        raise InputError("the schema has no columns to build features from")
    features = b.op("Concat", blocks, "features", axis=1) if len(blocks) > 1 else blocks[0]
    if out_type == TensorProto.DOUBLE:
        b.nodes.append(helper.make_node("Identity", [features], [FEATURES], name="pre/out"))
    else:
        b.nodes.append(
            helper.make_node("Cast", [features], [FEATURES], to=out_type, name="pre/out")
        )
    output = helper.make_tensor_value_info(FEATURES, out_type, [None, pre.n_features_out_])
    graph = helper.make_graph(b.nodes, "preprocess", inputs, [output], b.initializers)
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())]
    )


def _one_hot(b: _Builder, cat: dict[str, Any]) -> str:
    categories, rare = cat["categories"], cat["rare"]
    width = len(categories) + (1 if rare else 0)
    keys = list(categories) + list(rare)
    values = list(range(len(categories))) + [len(categories)] * len(rare)
    if not keys:  # nothing seen: every value is unknown → zero columns
        keys, values = ["\x00never"], [-1]
    codes = b.op(
        "LabelEncoder",
        [cat["column"]],
        "codes",
        domain="ai.onnx.ml",
        keys_strings=keys,
        values_int64s=values,
        default_int64=-1,
    )
    hits = b.op("Equal", [codes, b.const("positions", np.arange(width), np.int64)], "hits")
    return b.op("Cast", [hits], "onehot", to=TensorProto.DOUBLE)


def _datetime_parts(b: _Builder, column: str) -> dict[str, str]:
    """ONNX twin of ``datetime_parts``: the same float operations in the same order."""

    def c(v: float) -> str:
        return b.const("k", v)

    def floor_div(x: str, d: float) -> str:
        return b.op("Floor", [b.op("Div", [x, c(d)], "div")], "floor")

    def add(x: str, y: str) -> str:
        return b.op("Add", [x, y], "add")

    def sub(x: str, y: str) -> str:
        return b.op("Sub", [x, y], "sub")

    def mul(x: str, y: str) -> str:
        return b.op("Mul", [x, y], "mul")

    t = column
    days = floor_div(t, 86400.0)
    hour = floor_div(sub(t, mul(days, c(86400.0))), 3600.0)
    shifted = add(days, c(3.0))
    dayofweek = sub(shifted, mul(floor_div(shifted, 7.0), c(7.0)))
    z = add(days, c(719468.0))
    era = floor_div(z, 146097.0)
    doe = sub(z, mul(era, c(146097.0)))
    inner = add(sub(doe, floor_div(doe, 1460.0)), floor_div(doe, 36524.0))
    yoe = floor_div(sub(inner, floor_div(doe, 146096.0)), 365.0)
    doy = sub(doe, sub(add(mul(c(365.0), yoe), floor_div(yoe, 4.0)), floor_div(yoe, 100.0)))
    mp = floor_div(add(mul(c(5.0), doy), c(2.0)), 153.0)
    late = b.op("Cast", [b.op("Greater", [mp, c(9.5)], "gt")], "late", to=TensorProto.DOUBLE)
    month = sub(add(mp, c(3.0)), mul(c(12.0), late))
    early = b.op("Cast", [b.op("Less", [month, c(2.5)], "lt")], "early", to=TensorProto.DOUBLE)
    year = add(add(yoe, mul(era, c(400.0))), early)
    return {"year": year, "month": month, "dayofweek": dayofweek, "hour": hour}
