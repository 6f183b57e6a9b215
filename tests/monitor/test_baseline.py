"""The class-prior baseline beside the monitor's live scores: values against scikit-learn and
scipy, the not-better verdict first in the headline, small windows flagged; and the same
through the installed ``skyclass monitor`` console script (stderr, --json, --html)."""

import html as htmllib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression

from skyclass.data import infer_schema
from skyclass.monitor import (
    MonitorConfig,
    live_performance,
    monitor,
    read_prediction_log,
    render_html,
)
from skyclass.pipeline import Preprocessor, package
from tests.monitor._helpers import reference_from_frame, write_sqlite_log

SKYCLASS = str(Path(sys.executable).parent / "skyclass")
ROOT = Path(__file__).resolve().parents[2]
HOUR0 = 1_699_999_200.0  # a whole hour, so window buckets align


def _mcnemar_p(y_true, y_pred, majority):
    right, base = np.asarray(y_pred) == np.asarray(y_true), np.asarray(y_true) == majority
    only_model, discordant = int(np.sum(right & ~base)), int(np.sum(right != base))
    return stats.binomtest(only_model, discordant, 0.5, alternative="greater").pvalue


def _rows(hour, truth, served):
    start = HOUR0 + hour * 3600
    preds = [
        {"id": f"h{hour}-{i}", "ts": start + i, "model_name": "ab", "model_version": "1",
         "region": "eu", "inputs": {"x": 0.0}, "probabilities": [0.5, 0.5], "label": label}
        for i, label in enumerate(served)
    ]  # fmt: skip
    feedback = [{"id": p["id"], "ts": p["ts"] + 1, "label": t} for p, t in zip(preds, truth)]
    return preds, feedback


def test_live_windows_against_the_class_prior(tmp_path):
    truth = ["a"] * 140 + ["b"] * 60
    # hour 0: 40 of the "a" rows called "b", 20 "b" right: accuracy 0.6 < the prior's 0.7
    worse = ["b"] * 40 + ["a"] * 100 + ["b"] * 20 + ["a"] * 40
    # hour 1: 10 mistakes in 200 rows
    better = ["b"] * 5 + ["a"] * 135 + ["a"] * 5 + ["b"] * 55
    # hour 2: ten rows, all right, but too few to be sure
    parts = [_rows(0, truth, worse), _rows(1, truth, better), _rows(2, ["a"] * 6 + ["b"] * 4,
                                                                    ["a"] * 6 + ["b"] * 4)]  # fmt: skip
    log = write_sqlite_log(
        tmp_path / "log.db",
        [p for preds, _ in parts for p in preds],
        [f for _, fb in parts for f in fb],
    )
    table = live_performance(
        read_prediction_log(str(log)), labels=["a", "b"], by=("window",), window="1h",
        n_resamples=400,
    )  # fmt: skip
    no_better, clearly_better, small = table.rows
    for row, served in ((no_better, worse), (clearly_better, better)):
        scores = row.baseline["metrics"]
        assert row.n == 200 and row.baseline["n_rows"] == 200
        assert scores["accuracy"]["model"] == pytest.approx(skm.accuracy_score(truth, served))
        # the prior predicts "a" (70 %): sklearn's scores of that constant model
        majority = ["a"] * 200
        assert scores["accuracy"]["baseline"] == pytest.approx(0.7)
        assert scores["balanced_accuracy"]["baseline"] == pytest.approx(
            skm.balanced_accuracy_score(truth, majority)
        )
        # macro F1: classes at random at the prior rates (F1 of class c = its share, mean 1/2)
        # beats the majority class's 0.41
        assert skm.f1_score(truth, majority, average="macro") == pytest.approx(0.7 / 0.85 / 2)
        assert scores["f1_macro"]["baseline"] == pytest.approx(0.5)
        assert scores["f1_macro"]["strategy"] == "random at the prior rates"
        assert scores["f1_macro"]["model"] == pytest.approx(
            skm.f1_score(truth, served, average="macro")
        )
        assert scores["accuracy"]["p_value"] == pytest.approx(_mcnemar_p(truth, served, "a"))
        assert row.baseline["prior"] == {"a": 0.7, "b": 0.3}
        assert "training class prior" in row.baseline["prior_source"]
        assert not row.small_sample
    assert no_better.metrics["accuracy"] == pytest.approx(0.6)
    assert no_better.baseline["not_better"] == ["accuracy", "balanced_accuracy", "f1_macro"]
    assert not no_better.beats_baseline
    assert no_better.baseline["headline"].startswith(
        "NOT significantly better than predicting the class prior on accuracy, "
        "balanced_accuracy, f1_macro (200 labelled rows): accuracy 0.600 vs 0.700"
    )
    assert clearly_better.metrics["accuracy"] == pytest.approx(0.95)
    assert clearly_better.baseline["not_better"] == [] and clearly_better.beats_baseline
    assert clearly_better.baseline["metrics"]["accuracy"]["p_value"] < 1e-10
    assert clearly_better.baseline["headline"] == (
        "accuracy 0.950 vs 0.700 for the class-prior baseline: significantly better "
        "(p < 0.001, McNemar exact test)"
    )
    assert small.n == 10 and small.small_sample
    assert small.baseline["headline"].startswith(
        "Only 10 labelled rows (fewer than 30): not conclusive. "
    )
    # 10 right of 10, 4 of them rows the prior gets wrong: p = 1/2**4, not significant
    assert small.baseline["metrics"]["accuracy"]["p_value"] == pytest.approx(0.5**4)
    assert not small.beats_baseline
    assert table.to_dict()["rows"][0]["baseline"]["headline"] == no_better.baseline["headline"]
    # a whole pass whose current window is the small one: flagged first, noted on the chart
    reference = reference_from_frame(
        pd.DataFrame({"x": np.zeros(50)}), {"x": "numeric"}, predictions=["a"] * 50
    )
    model = SimpleNamespace(reference=reference, labels=["a", "b"], name="ab")
    config = MonitorConfig(window="1h", trend_window="1h", n_resamples=200)
    result = monitor(model, [str(log)], config=config, now=HOUR0 + 3 * 3600)
    assert result.baseline["n_rows"] == 10 and result.baseline["small_sample"]
    assert result.baseline["headline"].startswith("Only 10 labelled rows")
    page = render_html(result)
    assert "1 of 3 buckets have fewer than 30 labelled rows" in page
    assert "(only 10 rows: not conclusive)" in page


@pytest.fixture(scope="module")
def wine_bundle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wine-baseline")
    wine = pd.read_csv(ROOT / "examples" / "wine.csv")
    schema = infer_schema(wine, target="cultivar")
    X = wine.drop(columns=["cultivar"])
    pre = Preprocessor(schema).fit(X)
    model = LogisticRegression(max_iter=2000).fit(pre.transform(X), wine["cultivar"])
    bundle = package(tmp / "bundle", preprocessor=pre, model=model, schema=schema,
                     labels=list(model.classes_), target="cultivar", name="wine", X_reference=X)  # fmt: skip
    from skyclass.bundle import load

    served = load(bundle)
    proba = np.asarray(served.predict_proba(X), dtype=np.float64)
    proba /= proba.sum(axis=1, keepdims=True)  # float32 rows, summing to one in float64
    return tmp, bundle, wine, proba, list(served.labels)


def _monitor_cli(tmp, bundle, wine, proba, labels, feedback_labels, name):
    now = HOUR0 + 3600
    preds = [
        {"id": f"w{i}", "ts": HOUR0 + i * 10, "model_name": "wine", "model_version": "1",
         "region": "eu", "inputs": row, "probabilities": p.tolist(),
         "label": labels[int(p.argmax())]}
        for i, (row, p) in enumerate(zip(wine.drop(columns=["cultivar"]).to_dict("records"), proba))
    ]  # fmt: skip
    feedback = [
        {"id": p["id"], "ts": p["ts"] + 1, "label": t} for p, t in zip(preds, feedback_labels)
    ]
    log = write_sqlite_log(tmp / f"{name}.db", preds, feedback)
    out, page = tmp / f"{name}.json", tmp / f"{name}.html"
    run = subprocess.run(
        [SKYCLASS, "monitor", str(bundle), "--log", str(log), "--now", str(now), "--window", "1h",
         "--json", str(out), "--html", str(page)],
        capture_output=True, text=True, timeout=180, env={"PATH": str(Path(SKYCLASS).parent),
                                                           "COLUMNS": "250"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run.stderr, json.loads(out.read_text()), page.read_text(encoding="utf-8")


def test_monitor_cli_leads_with_the_not_better_verdict(wine_bundle):
    tmp, bundle, wine, proba, labels = wine_bundle
    truth = wine["cultivar"].to_numpy()
    shuffled = np.random.default_rng(0).permutation(truth)  # labels unrelated to the inputs
    stderr, result, page = _monitor_cli(tmp, bundle, wine, proba, labels, shuffled, "shuffled")
    served = [labels[i] for i in proba.argmax(axis=1)]
    shares = {v: float(np.mean(shuffled == v)) for v in labels}
    majority = max(labels, key=shares.get)
    base = result["baseline"]
    assert stderr.lstrip().startswith("NOT significantly better than predicting the class prior")
    assert base["n_rows"] == len(wine) and base["prior"] == pytest.approx(shares)
    acc = base["metrics"]["accuracy"]
    assert acc["model"] == pytest.approx(skm.accuracy_score(shuffled, served))
    assert acc["baseline"] == pytest.approx(max(shares.values()))
    assert acc["p_value"] == pytest.approx(_mcnemar_p(shuffled, served, majority))
    assert not acc["significant"] and "accuracy" in base["not_better"]
    # log loss of the logged probabilities and of the prior, as scikit-learn computes them
    loss = base["metrics"]["log_loss"]
    assert loss["model"] == pytest.approx(skm.log_loss(shuffled, proba, labels=labels), rel=1e-6)
    prior = np.tile([shares[v] for v in labels], (len(wine), 1))
    assert loss["baseline"] == pytest.approx(skm.log_loss(shuffled, prior, labels=labels))
    assert base["headline"] in stderr.replace("\n", " ") or base["headline"][:60] in stderr
    assert "vs class prior" in stderr and "Against the class-prior baseline" in stderr
    shown = re.search(r'id="baseline-headline"[^>]*>([^<]*)</p>', page).group(1)
    assert htmllib.unescape(shown) == base["headline"]
    assert page.index("baseline-headline") < page.index('class="cards"')
    assert "model NOT significantly better on" in page

    stderr, result, page = _monitor_cli(tmp, bundle, wine, proba, labels, truth, "true")
    base = result["baseline"]
    assert base["not_better"] == [] and base["metrics"]["accuracy"]["significant"]
    assert base["metrics"]["accuracy"]["model"] == pytest.approx(skm.accuracy_score(truth, served))
    assert base["metrics"]["roc_auc"]["model"] == pytest.approx(
        skm.roc_auc_score(truth, proba, multi_class="ovr", labels=labels)
    )
    assert stderr.lstrip().startswith(f"accuracy {base['metrics']['accuracy']['model']:.3f} vs")
    assert "significantly better (p < 0.001, McNemar exact test)" in stderr
    window_rows = result["live"]["window"]["rows"]
    assert sum(r["n"] for r in window_rows) == len(wine)
    assert all("headline" in r["baseline"] for r in window_rows)
