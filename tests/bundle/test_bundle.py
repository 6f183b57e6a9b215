"""Loading, predicting, validating input and refusing tampered bundles."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from skyclass.bundle import load
from skyclass.bundle._format import dumps, sha256
from skyclass.errors import InputError, IntegrityError, NotFoundError
from tests.bundle.factory import fit, make_bundle, make_table


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_bundle(tmp_path_factory.mktemp("b") / "demo", model="hgb")


@pytest.fixture
def copy(built, tmp_path):
    return shutil.copytree(built, tmp_path / "copy")


def test_load_predicts_like_the_model(built):
    bundle = load(built)
    assert bundle.name == "demo" and bundle.version is None and bundle.target == "y"
    assert bundle.labels == ["a", "b", "c"] and bundle.decision_rule is None
    assert bundle.schema.names == ["x", "k", "flag", "color", "when"]
    train = make_table(300)
    _, pre, model = fit(train, "hgb")
    test = make_table(120, seed=5)
    proba = bundle.predict_proba(test)
    np.testing.assert_allclose(proba, model.predict_proba(pre.transform(test)), atol=1e-5)
    assert bundle.predict(test).tolist() == model.predict(pre.transform(test)).tolist()
    records = test.drop(columns="y").to_dict("records")
    np.testing.assert_array_equal(bundle.predict_proba(records), proba)


def test_fast_path_equals_validated_path(built):
    bundle = load(built)
    test = make_table(40, seed=9)
    arrays = bundle.schema.to_arrays(test)
    np.testing.assert_array_equal(bundle.predict_proba_arrays(arrays), bundle.predict_proba(test))
    arrays["when"] = test["when"].to_numpy()  # datetime64 and bool arrays are converted
    arrays["flag"] = test["flag"].to_numpy()
    np.testing.assert_array_equal(bundle.predict_proba_arrays(arrays), bundle.predict_proba(test))
    assert bundle.predict_proba_arrays({k: v[:0] for k, v in arrays.items()}).shape == (0, 3)


def test_input_validation(built):
    bundle = load(built)
    row = make_table(5).drop(columns="y").iloc[[0]].to_dict("records")[0]
    with pytest.raises(InputError, match="missing required column 'k'"):
        bundle.predict([{k: v for k, v in row.items() if k != "k"}])
    with pytest.raises(InputError, match="column 'k': row 0"):
        bundle.predict([{**row, "k": "seven"}])
    extra = bundle.predict_proba([{**row, "unused": 1}])
    np.testing.assert_array_equal(extra, bundle.predict_proba([row]))


def test_unseen_category_encodes_as_all_zeros(built):
    train = make_table(300)
    _, pre, model = fit(train, "hgb")
    row = make_table(5).drop(columns="y").iloc[[1]].reset_index(drop=True)
    row["color"] = "violet"
    features = pre.transform(row)
    onehot = [i for i, n in enumerate(pre.get_feature_names_out()) if n.startswith("color=")]
    assert features[0, onehot].tolist() == [0.0] * len(onehot)
    np.testing.assert_allclose(
        load(built).predict_proba(row), model.predict_proba(features), atol=1e-5
    )


@pytest.mark.parametrize("name", ["model.onnx", "reference.json", "golden.json", "card.md"])
def test_flipped_byte_is_refused_naming_the_file(copy, name):
    path = copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=name):
        load(copy)
    load(copy, verify=False) if name == "card.md" else None


def test_missing_file_is_refused(copy):
    (copy / "golden.json").unlink()
    with pytest.raises(IntegrityError, match="'golden.json' listed in manifest.json is missing"):
        load(copy)


def test_golden_rows_are_checked_even_with_consistent_hashes(copy):
    golden = json.loads((copy / "golden.json").read_text())
    golden[3]["probabilities"][0] += 0.01
    data = dumps(golden)
    (copy / "golden.json").write_bytes(data)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["golden.json"] = {"sha256": sha256(data), "size": len(data)}
    (copy / "manifest.json").write_bytes(dumps(manifest))
    with pytest.raises(IntegrityError, match="golden.json row 3"):
        load(copy)


def test_verify_rechecks_the_files_on_disk(copy):
    bundle = load(copy)
    bundle.verify()
    with open(copy / "model.onnx", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(IntegrityError, match="'model.onnx' has"):
        bundle.verify()


def test_not_a_bundle(tmp_path):
    with pytest.raises(NotFoundError):
        load(tmp_path / "nothing")
    (tmp_path / "junk.skyclass").write_bytes(b"not a zip")
    with pytest.raises(IntegrityError, match="not a bundle directory"):
        load(tmp_path / "junk.skyclass")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IntegrityError, match="no manifest.json"):
        load(tmp_path / "empty")
    (tmp_path / "empty" / "manifest.json").write_text(
        json.dumps({"files": {}, "format_version": 99})
    )
    with pytest.raises(IntegrityError, match="format_version 99"):
        load(tmp_path / "empty")


def test_boolean_and_datetime_inputs_accept_json_forms(built):
    bundle = load(built)
    row = {"x": 0.5, "k": 3, "flag": 1, "color": "red", "when": "2021-05-06T07:08:09Z"}
    frame = pd.DataFrame(
        {
            "x": [0.5],
            "k": [3],
            "flag": [True],
            "color": ["red"],
            "when": [pd.Timestamp("2021-05-06 07:08:09")],
        }
    )
    np.testing.assert_array_equal(bundle.predict_proba([row]), bundle.predict_proba(frame))


def test_decision_rule_is_applied_by_predict(tmp_path):
    from skyclass.metrics import CostMatrix, decide

    # predicting "a" or "b" when the truth is "c" costs 20: the rule leans to "c"
    rule = CostMatrix([[0, 1, 1], [1, 0, 1], [20, 20, 0]])
    bundle = load(make_bundle(tmp_path / "ruled", decision_rule=rule))
    assert bundle.decision_rule == {
        "kind": "cost_matrix",
        "matrix": [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [20.0, 20.0, 0.0]],
    }
    table = make_table(200, seed=6)
    proba = bundle.predict_proba(table)
    labels = bundle.predict(table)
    assert labels.tolist() == decide(proba, rule, labels=["a", "b", "c"]).tolist()
    argmax = np.asarray(["a", "b", "c"])[proba.argmax(axis=1)]
    assert (labels != argmax).any() and (labels == "c").sum() > (argmax == "c").sum()


def test_manifest_with_path_traversal_is_refused(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["../../outside.txt"] = {"sha256": "0" * 64, "size": 1}
    (copy / "manifest.json").write_bytes(dumps(manifest))
    with pytest.raises(IntegrityError, match="unsafe file names"):
        load(copy)
