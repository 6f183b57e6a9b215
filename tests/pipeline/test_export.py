"""Preprocessor matches scikit-learn's own transformers; ONNX export matches the in-memory model."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skyclass.data import ColumnSchema, Schema, infer_schema
from skyclass.errors import InputError
from skyclass.pipeline import Preprocessor, datetime_parts, export_onnx
from tests.bundle.factory import fit, make_table


def _run(graph: onnx.ModelProto, schema: Schema, data) -> np.ndarray:
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    arrays = schema.to_arrays(data)
    return session.run(["probabilities"], {k: v.reshape(-1, 1) for k, v in arrays.items()})[0]


def test_preprocessor_equals_sklearn_imputer_scaler_onehot():
    df = make_table(200).drop(columns=["when"])
    schema = infer_schema(df, target="y")
    ours = Preprocessor(schema, min_frequency=5).fit(df)
    numeric = ["x", "k", "flag"]
    oracle = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="", missing_values=None),
                    OneHotEncoder(min_frequency=5, handle_unknown="ignore", sparse_output=False),
                ),
                ["color"],
            ),
        ]
    )
    frame = df.drop(columns="y").astype({"flag": float, "color": object})
    frame["color"] = frame["color"].where(frame["color"].notna(), None)
    expected = oracle.fit(frame).transform(frame)
    np.testing.assert_allclose(ours.transform(df), expected, rtol=0, atol=1e-12)
    assert ours.get_feature_names_out().tolist() == [
        "x",
        "k",
        "flag",
        "color=",
        "color=blue",
        "color=green",
        "color=red",
        "color=__rare__",
    ]
    # unseen and rare categories: sklearn's "ignore" gives zeros, rare share the infrequent column
    probe = pd.DataFrame(
        {"x": [0.0, 0.0], "k": [1, 1], "flag": [True, True], "color": ["violet", "mauve"]}
    )
    probe_frame = probe.astype({"flag": float, "color": object})
    np.testing.assert_allclose(ours.transform(probe), oracle.transform(probe_frame), atol=1e-12)
    assert ours.transform(probe)[0, 3:].tolist() == [0.0] * 5


def test_datetime_parts_equal_pandas():
    stamps = pd.Series(pd.to_datetime(np.random.default_rng(1).integers(-4e9, 6e9, 5000), unit="s"))
    seconds = stamps.astype("datetime64[ns]").astype("int64").to_numpy() / 1e9
    parts = datetime_parts(seconds)
    assert (parts["year"] == stamps.dt.year).all()
    assert (parts["month"] == stamps.dt.month).all()
    assert (parts["dayofweek"] == stamps.dt.day_of_week).all()
    assert (parts["hour"] == stamps.dt.hour).all()


@pytest.mark.parametrize("model", ["logreg", "hgb", "rf"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_export_matches_model_on_unseen_rows(model, n_classes):
    train = make_table(300, seed=0, n_classes=n_classes)
    schema, pre, estimator = fit(train, model)
    graph = export_onnx(pre, estimator)
    assert [i.name for i in graph.graph.input] == ["x", "k", "flag", "color", "when"]
    assert [o.name for o in graph.graph.output] == ["probabilities"]
    props = {p.key: p.value for p in graph.metadata_props}
    assert json.loads(props["skyclass.labels"]) == [str(c) for c in estimator.classes_]
    domains = [o.domain or "ai.onnx" for o in graph.opset_import]
    assert sorted(domains) == ["ai.onnx", "ai.onnx.ml"]  # each once
    assert graph.ir_version <= 8
    test = make_table(200, seed=7, n_classes=n_classes)
    test.loc[::11, "color"] = "never-seen"
    test.loc[::9, "when"] = pd.NaT
    got = _run(graph, schema, test)
    assert got.dtype == np.float32 and got.shape == (200, n_classes)
    expected = estimator.predict_proba(pre.transform(test))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_export_skyclass_logistic_regression():
    linear = pytest.importorskip("skyclass.linear")
    if not hasattr(linear, "LogisticRegression"):
        pytest.skip("skyclass.linear.LogisticRegression is not available yet")
    train = make_table(300)
    for multi_class in ("multinomial", "ovr"):
        schema, pre, estimator = fit(train, linear.LogisticRegression(multi_class=multi_class))
        graph = export_onnx(pre, estimator)
        got = _run(graph, schema, train)
        np.testing.assert_allclose(got, estimator.predict_proba(pre.transform(train)), atol=1e-5)


def test_unsupported_model_and_text_columns_are_refused():
    from sklearn.neighbors import KNeighborsClassifier

    train = make_table(100)
    _, pre, _ = fit(train, "logreg")
    knn = KNeighborsClassifier().fit(pre.transform(train), train["y"])
    with pytest.raises(InputError, match="cannot export a KNeighborsClassifier"):
        export_onnx(pre, knn)
    schema = Schema([ColumnSchema("note", "text")])
    with pytest.raises(InputError, match="text columns"):
        Preprocessor(schema).fit(pd.DataFrame({"note": ["a b c"]}))


def test_native_categorical_hgb_is_refused():
    train = make_table(200)
    schema, pre, _ = fit(train, "logreg")
    features = pre.transform(train)
    hgb = HistGradientBoostingClassifier(max_iter=5, categorical_features=[8]).fit(
        features, train["y"]
    )
    with pytest.raises(InputError, match="native categorical"):
        export_onnx(pre, hgb)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(20, 80),
    missing=st.floats(0.0, 0.4),
    min_frequency=st.integers(1, 6),
)
def test_export_is_exact_on_random_tables(seed, n, missing, min_frequency):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "a": rng.normal(scale=rng.uniform(0.1, 1e3), size=n),
            "b": rng.integers(-5, 5, n).astype(float),
            "c": rng.choice(["p", "q", "r", "s", "t"], n),
            "d": pd.to_datetime(rng.integers(0, 2_000_000_000, n), unit="s"),
        }
    )
    for col in ("a", "c", "d"):
        df.loc[rng.random(n) < missing, col] = None
    df["y"] = rng.choice(["u", "v", "w"], n)
    schema = infer_schema(df, target="y")
    pre = Preprocessor(schema, min_frequency=min_frequency).fit(df)
    model = LogisticRegression(max_iter=200).fit(pre.transform(df), df["y"])
    probe = df.sample(frac=1.0, random_state=seed % 1000).reset_index(drop=True)
    probe.loc[::3, "c"] = "unseen"
    got = _run(export_onnx(pre, model), schema, probe)
    np.testing.assert_allclose(got, model.predict_proba(pre.transform(probe)), rtol=0, atol=1e-5)
