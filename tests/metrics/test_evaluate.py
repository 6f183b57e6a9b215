"""``evaluate`` equals the scikit-learn calls field by field; JSON, summary, thinning, errors."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from skyclass import metrics as sc
from tests.metrics.test_core_oracle import assert_same


def _ece_oracle(y, proba, labels, w, n_bins=10):
    """Top-label ECE by a plain loop over right-closed bins (calibration_curve's binning)."""
    labels = np.asarray(labels)
    conf = proba.max(axis=1).astype(np.float64)
    correct = labels[proba.argmax(axis=1)] == y
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        inside = (conf > lo) & (conf <= hi) if b else (conf <= hi)
        total += abs(np.sum(w[inside] * (correct[inside] - conf[inside])))
    return total / w.sum()


def sklearn_evaluation(y, proba, labels, w):
    """Every Evaluation field computed with scikit-learn (labels sorted = column order)."""
    labels = np.asarray(labels)
    pred = labels[proba.argmax(axis=1)]
    k = len(labels)
    kw = {"labels": labels, "sample_weight": w, "zero_division": 0.0}
    p, r, f, s = skm.precision_recall_fscore_support(y, pred, **kw)
    mcm = skm.multilabel_confusion_matrix(y, pred, labels=labels, sample_weight=w)
    tn, fp = mcm[:, 0, 0].astype(float), mcm[:, 0, 1].astype(float)
    spec = np.where(tn + fp > 0, tn / np.where(tn + fp > 0, tn + fp, 1), 0.0)
    out = {
        "confusion_matrix": skm.confusion_matrix(y, pred, labels=labels, sample_weight=w),
        "precision": p,
        "recall": r,
        "f1": f,
        "specificity": spec,
        "support": s,
        "accuracy": skm.accuracy_score(y, pred, sample_weight=w),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "matthews_corrcoef": skm.matthews_corrcoef(y, pred, sample_weight=w),
        "cohen_kappa": skm.cohen_kappa_score(y, pred, labels=labels, sample_weight=w),
        "log_loss": skm.log_loss(y, proba, labels=labels, sample_weight=w),
        "brier_score": skm.brier_score_loss(y, proba, labels=labels, sample_weight=w),
        "expected_calibration_error": _ece_oracle(y, proba, labels, w),
        "roc_auc_per_class": np.array(
            [skm.roc_auc_score(y == c, proba[:, i], sample_weight=w) for i, c in enumerate(labels)]
        ),
        "average_precision": np.array(
            [
                skm.average_precision_score(y == c, proba[:, i], sample_weight=w)
                for i, c in enumerate(labels)
            ]
        ),
    }
    averages = {}
    for avg in ("micro", "macro", "weighted"):
        ap, ar, af, _ = skm.precision_recall_fscore_support(y, pred, average=avg, **kw)
        averages[avg] = {"precision": ap, "recall": ar, "f1": af}
    out["averages"] = averages
    out["average_precision_macro"] = float(np.mean(out["average_precision"]))
    if k == 2:
        out["roc_auc"] = skm.roc_auc_score(y == labels[1], proba[:, 1], sample_weight=w)
    else:
        ovr = {"multi_class": "ovr", "labels": labels, "sample_weight": w}
        out["roc_auc"] = skm.roc_auc_score(y, proba, **ovr)
        out["roc_auc_ovr_weighted"] = skm.roc_auc_score(y, proba, average="weighted", **ovr)
        if w is None:
            ovo = {"multi_class": "ovo", "labels": labels}
            out["roc_auc_ovo_macro"] = skm.roc_auc_score(y, proba, **ovo)
            out["roc_auc_ovo_weighted"] = skm.roc_auc_score(y, proba, average="weighted", **ovo)
        out["top_k_accuracy"] = {
            kk: skm.top_k_accuracy_score(y, proba, k=kk, labels=labels, sample_weight=w)
            for kk in range(2, min(k, 6))
        }
    return out


def assert_matches_sklearn(y, proba, labels=None, w=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = sc.evaluate(y, proba, labels=labels, sample_weight=w, max_curve_points=None)
        ref = sklearn_evaluation(y, proba, ev.labels if labels is None else labels, w)
    for name, expected in ref.items():
        got = getattr(ev, name)
        if name == "averages":
            got = {avg: {m: got[avg][m] for m in expected[avg]} for avg in expected}
        assert_same(got, expected, where=name)
    classes = ev.labels
    for i, c in enumerate(classes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fpr, tpr, thr = skm.roc_curve(y == c, proba[:, i], sample_weight=w)
            prec, rec, pthr = skm.precision_recall_curve(y == c, proba[:, i], sample_weight=w)
        roc, pr = ev.roc_curves[i], ev.pr_curves[i]
        assert_same((roc.x, roc.y, roc.thresholds), (fpr, tpr, thr), where=f"roc[{c}]")
        assert_same((pr.x, pr.y, pr.thresholds), (rec, prec, pthr), where=f"pr[{c}]")
    if len(classes) == 2:
        assert ev.averages["binary"]["f1"] == pytest.approx(
            skm.f1_score(
                y,
                np.asarray(classes)[proba.argmax(1)],
                pos_label=classes[1],
                sample_weight=w,
                zero_division=0.0,
            ),
            abs=1e-12,
        )
    return ev


@st.composite
def evaluation_cases(draw):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(k, 40))
    y = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    y[:k] = list(range(k))
    ties = draw(st.booleans())
    if ties:
        raw = np.array(draw(st.lists(st.integers(0, 3), min_size=n * k, max_size=n * k)), float)
    else:
        raw = np.array(draw(st.lists(st.floats(0.001, 1), min_size=n * k, max_size=n * k)))
    raw = raw.reshape(n, k)
    raw[raw.sum(axis=1) == 0] = 1.0
    proba = raw / raw.sum(axis=1, keepdims=True)
    proba = proba.astype(draw(st.sampled_from([np.float64, np.float32])))
    if proba.dtype == np.float32:
        proba = proba / proba.sum(axis=1, keepdims=True, dtype=np.float32)
    names = draw(st.booleans())
    y = np.array([f"c{v}" for v in y]) if names else np.array(y)
    weights = draw(
        st.one_of(
            st.none(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5]), min_size=n, max_size=n)
        )
    )
    if weights is not None and not any(weights):
        weights[0] = 1.0
    return y, proba, None if weights is None else np.array(weights)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(evaluation_cases())
def test_every_field_matches_sklearn(case):
    y, proba, w = case
    assert_matches_sklearn(y, proba, w=w)


def test_binary_one_column_and_two_columns_agree():
    rng = np.random.default_rng(0)
    p1 = rng.random(300)
    y = (rng.random(300) < p1).astype(int)
    ev1 = sc.evaluate(y, p1, max_curve_points=None)
    ev2 = assert_matches_sklearn(y, np.c_[1 - p1, p1])
    assert ev1.roc_auc == pytest.approx(skm.roc_auc_score(y, p1), abs=1e-12)
    assert ev1.to_dict(curves=False) == ev2.to_dict(curves=False)
    assert ev1.roc_auc_ovo_macro is None and ev1.top_k_accuracy == {}


def test_named_edge_cases():
    rng = np.random.default_rng(1)
    # a class absent from y_true (labels given): its AUC is NaN as in scikit-learn
    proba = rng.dirichlet(np.ones(3), size=60)
    y = rng.choice([0, 2], size=60)
    ev = assert_matches_sklearn(y, proba, labels=[0, 1, 2])
    assert np.isnan(ev.roc_auc_per_class[1]) and ev.to_dict()["per_class"]["roc_auc"][1] is None
    # a class never predicted
    proba = np.tile([0.5, 0.3, 0.2], (30, 1))
    assert_matches_sklearn(rng.integers(0, 3, 30), proba)
    # 1:1000 imbalance
    y = np.r_[np.zeros(2000, int), np.ones(2, int)]
    p = rng.random(2002)
    assert_matches_sklearn(y, np.c_[1 - p, p])
    # 50 classes, ties from rounding, zero weights
    proba = np.round(rng.dirichlet(np.ones(50), size=500), 2) + 1e-3
    proba /= proba.sum(axis=1, keepdims=True)
    y = np.r_[np.arange(50), rng.integers(0, 50, 450)]
    assert_matches_sklearn(y, proba, w=rng.random(500) * (rng.random(500) > 0.2))
    # string labels given in column order, pandas input
    ev = sc.evaluate(
        pd.Series(["b", "a", "b"]),
        pd.DataFrame([[0.3, 0.7], [0.6, 0.4], [0.2, 0.8]]),
        labels=["a", "b"],
    )
    assert ev.accuracy == 1.0 and ev.labels == ["a", "b"]


def test_unsorted_labels_follow_column_order():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.3, 0.2]])
    y = np.array(["z", "a", "m", "a"])
    ev = sc.evaluate(y, proba, labels=["z", "a", "m"])
    order = [2, 0, 1]  # columns of sorted labels a, m, z
    ref = sc.evaluate(y, proba[:, [1, 2, 0]])
    assert ev.labels == ["z", "a", "m"] and ref.labels == ["a", "m", "z"]
    assert_same(ev.recall, ref.recall[order])
    assert_same(ev.roc_auc_per_class, ref.roc_auc_per_class[order])
    assert ev.log_loss == pytest.approx(ref.log_loss, abs=1e-12)
    assert ev.roc_auc_ovo_macro == pytest.approx(ref.roc_auc_ovo_macro, abs=1e-12)


def test_to_dict_is_json_safe_and_complete():
    rng = np.random.default_rng(2)
    proba = rng.dirichlet(np.ones(4), size=200)
    y = np.array(["w", "x", "y", "z"])[rng.integers(0, 4, 200)]
    ev = sc.evaluate(y, proba, max_curve_points=50)
    d = json.loads(json.dumps(ev.to_dict(), allow_nan=False))
    assert d["labels"] == ["w", "x", "y", "z"]
    assert d["confusion_matrix"] == ev.confusion_matrix.tolist()
    assert d["roc_auc_ovo_macro"] == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovo"), abs=1e-12
    )
    assert set(d["top_k_accuracy"]) == {"2", "3"}
    assert len(d["curves"]["roc"]) == 4 and d["curves"]["roc"][0]["thresholds"][0] is None
    assert "curves" not in ev.to_dict(curves=False)


def test_summary_is_a_readable_table():
    ev = sc.evaluate(["cat", "dog", "dog", "cat"], [0.2, 0.9, 0.4, 0.6])
    text = ev.summary()
    lines = text.splitlines()
    assert lines[0] == "Evaluation of 4 samples, 2 classes"
    assert lines[1].split()[:3] == ["class", "precision", "recall"]
    assert lines[2].split()[0] == "cat" and lines[3].split()[0] == "dog"
    assert any(line.split()[:2] == ["roc", "auc"] and line.split()[2] == "0.750" for line in lines)


def test_thinned_curves_keep_ends_and_auc_values():
    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.ones(3), size=5000)
    y = (np.cumsum(proba, axis=1) < rng.random(5000)[:, None]).sum(axis=1)
    full = sc.evaluate(y, proba, max_curve_points=None)
    thin = sc.evaluate(y, proba, max_curve_points=40)
    assert_same(thin.roc_auc_per_class, full.roc_auc_per_class)
    assert_same(thin.average_precision, full.average_precision)
    for a, b in zip(thin.roc_curves + thin.pr_curves, full.roc_curves + full.pr_curves):
        assert 2 <= len(a) <= 40 < len(b)
        assert (a.x[0], a.y[0], a.x[-1], a.y[-1]) == (b.x[0], b.y[0], b.x[-1], b.y[-1])
    for c in range(3):  # every kept point is a point of scikit-learn's undropped curve
        fpr, tpr, thr = skm.roc_curve(y == c, proba[:, c], drop_intermediate=False)
        kept = thin.roc_curves[c]
        full_points = set(zip(fpr.tolist(), tpr.tolist(), thr.tolist()))
        assert set(zip(kept.x.tolist(), kept.y.tolist(), kept.thresholds.tolist())) <= full_points
        prec, rec, pthr = skm.precision_recall_curve(y == c, proba[:, c])
        kept = thin.pr_curves[c]
        assert set(zip(kept.x.tolist(), kept.y.tolist())) <= set(zip(rec.tolist(), prec.tolist()))
        assert set(kept.thresholds.tolist()) <= set(pthr.tolist())
    roc, pr = full.curves(25)
    assert all(len(c) <= 25 for c in roc + pr)
    # thinned ROC still close to the full area (plotting only)
    assert (
        abs(sc.auc(thin.roc_curves[0].x, thin.roc_curves[0].y) - full.roc_auc_per_class[0]) < 0.01
    )


def test_threads_give_identical_results():
    rng = np.random.default_rng(4)
    proba = rng.dirichlet(np.ones(5), size=3000)
    y = rng.integers(0, 5, 3000)
    a = sc.evaluate(y, proba, n_jobs=1).to_dict()
    b = sc.evaluate(y, proba, n_jobs=2).to_dict()
    assert a == b


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_true": [0, 1, 1], "y_proba": [[0.5, 0.5], [0.4, 0.6]]}, "inconsistent numbers"),
        ({"y_true": [0, 1], "y_proba": [[np.nan, 1], [0.4, 0.6]]}, "y_proba contains NaN"),
        (
            {"y_true": [0, 1], "y_proba": [[np.inf, 0], [0.4, 0.6]]},
            "y_proba contains NaN or infinity",
        ),
        ({"y_true": [0, 1], "y_proba": [[0.5, 0.6], [0.4, 0.6]]}, "row 0 sums to"),
        ({"y_true": [0, 1], "y_proba": [[1.5, -0.5], [0.4, 0.6]]}, "outside \\[0, 1\\]"),
        (
            {"y_true": [0, 3], "y_proba": [[0.5, 0.5], [0.4, 0.6]], "labels": [0, 1]},
            "not in labels",
        ),
        ({"y_true": [[0, 1], [1, 0]], "y_proba": [[0.5, 0.5], [0.4, 0.6]]}, "y_true must be 1-D"),
        ({"y_true": [], "y_proba": []}, "empty"),
        ({"y_true": [0, 1, 2], "y_proba": [[0.5, 0.5]] * 3}, "3 distinct labels"),
        ({"y_true": [0, 1], "y_proba": [0.2, 0.8], "sample_weight": [1, 2, 3]}, "inconsistent"),
        ({"y_true": [0, 1], "y_proba": [0.2, 0.8], "sample_weight": [-1, 2]}, "negative"),
        ({"y_true": [0, 1], "y_proba": [0.2, 0.8], "labels": [0, 0]}, "unique"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sc.evaluate(**kwargs)


def test_curve_thin_rules():
    x = np.linspace(0, 1, 500)
    curve = sc.Curve("roc", x, np.sqrt(x), np.r_[np.inf, x[::-1][1:]])
    small = curve.thin(7)
    assert len(small) <= 7 and small.x[0] == 0 and small.x[-1] == 1
    assert curve.thin(1000) is curve
    with pytest.raises(ValueError, match="max_points"):
        curve.thin(1)
    assert small.to_dict()["thresholds"][0] is None
