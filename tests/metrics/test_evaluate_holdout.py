"""``skyclass evaluate`` on a realistic holdout: a class missing, unknown labels, a baseline.

The installed console script runs in a subprocess on a small real bundle.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss

from skyclass.bundle import load
from tests.bundle.factory import make_bundle, make_table
from tests.chromium import Browser, requires_chromium

SKYCLASS = str(Path(sys.executable).with_name("skyclass"))


@pytest.fixture(scope="module")
def holdout(tmp_path_factory):
    """A 34-row holdout without class 'c' and with two rows of a label the model never saw."""
    root = tmp_path_factory.mktemp("holdout")
    bundle = make_bundle(root / "bundle")
    table = make_table(80, seed=5)
    table = table[table["y"] != "c"].head(34).copy()
    table.loc[table.index[:2], "y"] = "zzz"
    table.to_csv(root / "hold.csv", index=False)
    return bundle, root / "hold.csv", table


def _evaluate(*args):
    return subprocess.run(
        [SKYCLASS, "evaluate", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_missing_class_and_unknown_labels_still_give_every_defined_metric(holdout, tmp_path):
    bundle, path, table = holdout
    done = _evaluate(bundle, path, "--report", tmp_path / "eval.html")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    known = table[table["y"] != "zzz"]
    model = load(bundle)
    pred = model.predict(known)
    y = known["y"].to_numpy()
    assert result["n_rows"] == 32 and result["unknown_labels"] == {"zzz": 2}
    m = result["metrics"]
    assert m["accuracy"]["value"] == pytest.approx(accuracy_score(y, pred))
    assert m["balanced_accuracy"]["value"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert m["f1_macro"]["value"] == pytest.approx(f1_score(y, pred, average="macro"))
    proba = model.predict_proba(known)
    assert m["log_loss"]["value"] == pytest.approx(log_loss(y, proba, labels=model.labels))
    assert m["accuracy_unknown_as_errors"]["value"] == pytest.approx(
        accuracy_score(y, pred) * 32 / 34
    )
    assert m["roc_auc"]["value"] is None and "['c'] (no rows here)" in m["roc_auc"]["undefined"]
    assert m["accuracy"]["low"] < m["accuracy"]["value"] <= m["accuracy"]["high"]
    assert "warning: class 'c' has no rows here" in done.stderr
    assert "warning: 2 rows have labels the bundle does not know" in done.stderr
    assert "warning: roc_auc not reported" in done.stderr
    assert (tmp_path / "eval.html").stat().st_size > 0
    refused = _evaluate(bundle, path, "--unknown-labels", "error")
    assert refused.returncode == 2 and "['zzz'] are not among the bundle's labels" in refused.stderr


def test_baseline_is_the_class_prior_and_equals_sklearns_dummy(holdout):
    bundle, path, table = holdout
    done = _evaluate(bundle, path)
    result = json.loads(done.stdout)
    known = table[table["y"] != "zzz"]
    y = known["y"].to_numpy()
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(y), 1)), y)
    base_pred = dummy.predict(np.zeros((len(y), 1)))
    base = result["baseline"]["metrics"]
    assert base["accuracy"]["baseline"] == pytest.approx(accuracy_score(y, base_pred))
    assert base["f1_macro"]["baseline"] >= f1_score(y, base_pred, average="macro")
    assert base["balanced_accuracy"]["baseline"] == pytest.approx(
        balanced_accuracy_score(y, base_pred)
    )
    # the holdout's prior over all three labels (c has share 0)
    prior = np.array([np.mean(y == v) for v in ["a", "b", "c"]])
    assert base["log_loss"]["baseline"] == pytest.approx(
        log_loss(y, np.tile(prior, (len(y), 1)), labels=["a", "b", "c"])
    )
    assert result["baseline"]["majority"] == "a"
    headline = result["headline"]
    assert headline.startswith("accuracy ") and "class-prior baseline" in headline
    assert done.stderr.splitlines()[0] == headline


@requires_chromium
def test_report_shows_the_baseline_and_the_holdout_warnings_in_a_browser(holdout, tmp_path):
    bundle, path, _ = holdout
    page = tmp_path / "eval.html"
    assert _evaluate(bundle, path, "--report", page).returncode == 0
    with Browser() as browser:
        browser.open(page.as_uri())
        banners = browser.evaluate(
            "Array.from(document.querySelectorAll('.banner')).map(b => b.innerText)"
        )
        headline = browser.evaluate("document.getElementById('baseline-headline').innerText")
        rows = browser.evaluate(
            "Array.from(document.querySelectorAll('#test tr')).map(r => r.innerText)"
        )
        statements = browser.evaluate(
            "Array.from(document.querySelectorAll('#test ul.baseline li')).map(li => li.innerText)"
        )
        assert browser.errors == []
    assert any("class 'c' has no rows here" in b for b in banners)
    assert any("2 rows have labels the bundle does not know" in b for b in banners)
    assert headline.startswith("accuracy ") and "for the class-prior baseline" in headline
    auc_row = next(r for r in rows if r.startswith("roc_auc"))
    assert "undefined for ['c'] (no rows here)" in auc_row
    assert len(statements) == 5 and statements[0].startswith("accuracy ")
