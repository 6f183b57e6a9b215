"""Prediction log reading (SQLite and JSON Lines) and live performance against scikit-learn."""

import json

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from skyclass.errors import InputError, NotFoundError
from skyclass.monitor import live_performance, read_prediction_log
from tests.monitor._helpers import write_jsonl_log, write_sqlite_log

LABELS = ["cat", "dog", "eel"]


def _traffic(n=600, seed=0, t0=1_699_999_200.0):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet([2, 2, 2], size=n)
    truth = np.array([rng.choice(3, p=row) for row in proba])
    predictions, feedback = [], []
    for i in range(n):
        predictions.append(
            {
                "id": f"r{i}",
                "ts": t0 + i * 12.0,  # 600 rows over two hours
                "model_name": "pets",
                "model_version": "1" if i % 3 else "2",
                "region": "eu" if i % 2 else "us",
                "inputs": {"x": float(rng.normal()), "color": str(rng.choice(["red", "blue"]))},
                "probabilities": proba[i].tolist(),
                "label": LABELS[int(proba[i].argmax())],
            }
        )
        if i % 4:  # three quarters get a label
            feedback.append({"id": f"r{i}", "ts": t0 + i * 12.0 + 5, "label": LABELS[truth[i]]})
    return predictions, feedback


@pytest.mark.parametrize("fmt", ["sqlite", "jsonl"])
def test_log_reader_joins_feedback(tmp_path, fmt):
    predictions, feedback = _traffic(40)
    feedback.append({"id": "r1", "ts": 1e10, "label": "eel"})  # a later correction wins
    feedback.append({"id": "unknown", "ts": 1.0, "label": "cat"})
    writer = write_sqlite_log if fmt == "sqlite" else write_jsonl_log
    path = writer(tmp_path / ("log.db" if fmt == "sqlite" else "log.jsonl"), predictions, feedback)
    log = read_prediction_log(str(path))
    assert len(log) == 40
    assert log.frame["id"].tolist() == [f"r{i}" for i in range(40)]
    assert log.frame.loc[1, "feedback"] == "eel"
    assert log.frame.loc[0, "feedback"] is None
    assert len(log.labelled()) == 30
    assert log.features().columns.tolist() == ["x", "color"]
    assert log.probabilities().shape == (40, 3)
    assert len(log.where(region="eu")) == 20
    assert len(log.between(1_699_999_200.0 + 12 * 10, 1_699_999_200.0 + 12 * 20)) == 10


def test_several_logs_and_uri_forms(tmp_path):
    predictions, feedback = _traffic(20)
    write_sqlite_log(tmp_path / "a.db", predictions[:10], feedback)
    write_jsonl_log(tmp_path / "b.jsonl", predictions[10:], [])
    log = read_prediction_log(f"sqlite://{tmp_path / 'a.db'}", f"jsonl://{tmp_path / 'b.jsonl'}")
    assert len(log) == 20
    assert len(log.labelled()) == 15  # feedback stored in one log joins predictions of the other


def test_truncated_last_jsonl_line_is_tolerated_but_corruption_is_not(tmp_path):
    predictions, _ = _traffic(3)
    path = write_jsonl_log(tmp_path / "log.jsonl", predictions, [])
    with open(path, "a") as fh:
        fh.write('{"kind": "prediction", "id": "r9", "ts"')
    assert len(read_prediction_log(str(path))) == 3
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "not json", lines[1]]) + "\n")
    with pytest.raises(InputError, match="line 2"):
        read_prediction_log(str(path))


def test_missing_and_wrong_files_are_clear(tmp_path):
    with pytest.raises(NotFoundError, match="skyclass serve --log"):
        read_prediction_log(str(tmp_path / "nope.db"))
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    with pytest.raises(InputError, match="not a skyclass SQLite log"):
        read_prediction_log(str(bad))


def test_live_performance_equals_sklearn_per_group(tmp_path):
    predictions, feedback = _traffic()
    log = read_prediction_log(str(write_sqlite_log(tmp_path / "log.db", predictions, feedback)))
    table = live_performance(
        log, labels=LABELS, by=("window", "region"), window="1h", n_resamples=300
    )
    frame = log.labelled().frame
    assert len(table.rows) == 4  # 2 hours x 2 regions
    for row in table.rows:
        start, region = row.keys["window"], row.keys["region"]
        part = frame[
            (frame["ts"] >= start) & (frame["ts"] < start + 3600) & (frame["region"] == region)
        ]
        y_true, y_pred = part["feedback"].tolist(), part["label"].tolist()
        assert row.n == len(part)
        # the class-prior baseline: always the group's most frequent true class
        assert row.baseline_accuracy == pytest.approx(
            max(y_true.count(v) for v in set(y_true)) / len(y_true)
        )
        # beating it means McNemar's exact test against the majority class rejects "no better"
        majority = max(LABELS, key=y_true.count)  # first of the tied, in label order
        right, base = np.array(y_pred) == np.array(y_true), np.array(y_true) == majority
        p = stats.binomtest(int(np.sum(right & ~base)), int(np.sum(right != base)), 0.5,
                            alternative="greater").pvalue  # fmt: skip
        assert row.baseline["metrics"]["accuracy"]["p_value"] == pytest.approx(p)
        assert row.beats_baseline == (p < 0.05)
        assert row.metrics["accuracy"] == pytest.approx(
            skm.accuracy_score(y_true, y_pred), abs=1e-12
        )
        assert row.metrics["f1_macro"] == pytest.approx(
            skm.f1_score(y_true, y_pred, average="macro"), abs=1e-12
        )
        assert row.metrics["balanced_accuracy"] == pytest.approx(
            skm.balanced_accuracy_score(y_true, y_pred), abs=1e-12
        )
        assert row.metrics["precision_macro"] == pytest.approx(
            skm.precision_score(y_true, y_pred, average="macro", zero_division=0), abs=1e-12
        )
        assert row.confusion == skm.confusion_matrix(y_true, y_pred, labels=LABELS).tolist()
        lo, hi = row.intervals["accuracy"]
        assert lo < row.metrics["accuracy"] < hi
        assert 0.05 < hi - lo < 0.4
    versions = live_performance(log, labels=LABELS, by=("model_version",), n_resamples=100)
    assert [r.keys["model_version"] for r in versions.rows] == ["1", "2"]
    assert sum(r.n for r in versions.rows) == len(frame)
    json.dumps(versions.to_dict())
    assert set(versions.to_frame().columns) >= {"model_version", "n", "accuracy", "accuracy_low"}


def test_bootstrap_interval_covers_like_a_binomial_interval():
    # accuracy of 400 rows at p = 0.7: the bootstrap interval width matches 2 * 1.96 * sqrt(pq/n)
    from skyclass.monitor._confusion import bootstrap_intervals

    cm = np.array([[140.0, 30.0], [90.0, 140.0]])
    lo, hi = bootstrap_intervals(cm, n_resamples=4000)["accuracy"]
    assert hi - lo == pytest.approx(2 * 1.96 * np.sqrt(0.7 * 0.3 / 400), rel=0.08)


def test_unknown_group_key_is_an_input_error(tmp_path):
    predictions, feedback = _traffic(10)
    log = read_prediction_log(str(write_sqlite_log(tmp_path / "log.db", predictions, feedback)))
    with pytest.raises(InputError, match="cannot group"):
        live_performance(log, by=("zone",))
    with pytest.raises(InputError, match="not a duration"):
        live_performance(log, window="soon")
