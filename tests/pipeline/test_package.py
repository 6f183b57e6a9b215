"""``package``: files, manifest, reference.json, golden rows, determinism, refusing a bad export."""

import json
import pickletools

import numpy as np
import pytest

from skyclass.bundle import load
from skyclass.bundle._format import sha256
from skyclass.errors import IntegrityError
from skyclass.pipeline import package
from tests.bundle.factory import fit, make_bundle, make_table


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory):
    return make_bundle(
        tmp_path_factory.mktemp("pkg") / "demo",
        metrics={
            "accuracy": 0.9,
            "f1_macro": np.float64(0.8),
            "auc": {"value": 0.95, "ci": [0.9, 0.97]},
        },
        params={"C": 1.0},
    )


def test_files_and_manifest(bundle_dir):
    names = sorted(p.name for p in bundle_dir.iterdir())
    assert names == ["card.md", "golden.json", "manifest.json", "model.onnx", "reference.json"]
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["name"] == "demo" and manifest["version"] is None
    assert manifest["labels"] == ["a", "b", "c"] and manifest["target"] == "y"
    assert [c["name"] for c in manifest["schema"]["columns"]] == ["x", "k", "flag", "color", "when"]
    assert manifest["inputs"][3] == {"name": "color", "type": "string", "shape": [-1, 1]}
    assert manifest["inputs"][4] == {"name": "when", "type": "double", "shape": [-1, 1]}
    assert manifest["metrics"] == {
        "accuracy": 0.9,
        "f1_macro": 0.8,
        "auc": {"value": 0.95, "ci": [0.9, 0.97]},
    }
    card = (bundle_dir / "card.md").read_text()
    assert "- auc: 0.95 (95% CI 0.9 to 0.97)" in card and "- accuracy: 0.9" in card
    assert manifest["params"] == {"C": 1.0}
    assert manifest["data_fingerprint"]["rows"] == 300
    assert manifest["model"]["type"].endswith("LogisticRegression")
    assert set(manifest["files"]) == {"card.md", "golden.json", "model.onnx", "reference.json"}
    for name, entry in manifest["files"].items():
        data = (bundle_dir / name).read_bytes()
        assert entry == {"sha256": sha256(data), "size": len(data)}


def test_reference_json_follows_the_contract(bundle_dir):
    reference = json.loads((bundle_dir / "reference.json").read_text())
    table = make_table(300)
    assert reference["n_rows"] == 300
    x = reference["columns"]["x"]
    present = table["x"].dropna().to_numpy()
    assert x["kind"] == "numeric" and x["missing"] == int(table["x"].isna().sum())
    assert x["n"] == len(present)
    assert x["mean"] == pytest.approx(present.mean()) and x["std"] == pytest.approx(present.std())
    assert x["quantiles"] == pytest.approx(np.quantile(present, np.linspace(0, 1, 11)).tolist())
    assert sorted(x["sample"]) == pytest.approx(sorted(present.tolist()))
    color = reference["columns"]["color"]
    assert color["kind"] == "categorical"
    assert color["frequencies"] == table["color"].value_counts().to_dict()
    flag = reference["columns"]["flag"]
    assert flag["frequencies"] == {
        "false": int((~table["flag"]).sum()),
        "true": int(table["flag"].sum()),
    }
    shares = reference["predictions"]
    assert set(shares) == {"a", "b", "c"} and sum(shares.values()) == pytest.approx(1.0)


def test_golden_rows_reproduce_the_model(bundle_dir):
    golden = json.loads((bundle_dir / "golden.json").read_text())
    assert len(golden) >= 20
    table = make_table(300)
    schema, pre, model = fit(table, "logreg")
    rows = [g["row"] for g in golden]
    assert rows[-1] == {c: None for c in schema.names}  # the all-missing row
    expected = model.predict_proba(pre.transform(rows))
    np.testing.assert_allclose([g["probabilities"] for g in golden], expected, atol=1e-12)


def contains_pickle(data: bytes) -> bool:
    """True when a protocol 2-5 pickle stream (PROTO opcode ... STOP) starts anywhere in ``data``."""
    start = data.find(b"\x80")
    while start != -1:
        if start + 1 < len(data) and 2 <= data[start + 1] <= 5:
            try:
                ops = list(pickletools.genops(data[start:]))
            except Exception:  # noqa: BLE001 - not a pickle at this offset
                ops = []
            if ops and ops[-1][0].name == "STOP":
                return True
        start = data.find(b"\x80", start + 1)
    return False


def test_pickle_detector_finds_a_real_pickle():
    import pickle

    stream = pickle.dumps({"a": [1, 2]}, protocol=4)  # test data only; never loaded
    assert contains_pickle(b"header" + stream + b"trailer")
    assert not contains_pickle(b"\x80\x04 not a pickle")


def test_no_file_contains_a_pickle_stream(bundle_dir, tmp_path):
    zipped = make_bundle(tmp_path / "demo.skyclass")
    files = [*bundle_dir.iterdir(), zipped]
    for path in files:
        assert not contains_pickle(path.read_bytes()), path.name


def test_same_seed_same_bytes_apart_from_timestamp(tmp_path):
    first = make_bundle(tmp_path / "one")
    second = make_bundle(tmp_path / "two")
    for name in ("model.onnx", "reference.json", "golden.json", "card.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    one = json.loads((first / "manifest.json").read_text())
    two = json.loads((second / "manifest.json").read_text())
    one.pop("created"), two.pop("created")
    assert one == two


def test_an_export_that_differs_is_not_shipped(tmp_path):
    table = make_table(200)
    schema, pre, model = fit(table, "logreg")
    honest = model.predict_proba
    model.predict_proba = lambda X: (
        honest(X) * 0.999 + 0.001 / 3
    )  # in-memory model drifts from export
    with pytest.raises(IntegrityError, match="refusing to ship"):
        package(
            tmp_path / "bad",
            preprocessor=pre,
            model=model,
            schema=schema,
            labels=list(model.classes_),
            target="y",
            name="bad",
            X_reference=table,
        )
    assert not (tmp_path / "bad").exists()


def test_zip_form_loads_the_same(tmp_path, bundle_dir):
    path = make_bundle(tmp_path / "demo.skyclass")
    assert path.is_file()
    table = make_table(50, seed=3)
    np.testing.assert_array_equal(
        load(path).predict_proba(table), load(bundle_dir).predict_proba(table)
    )
