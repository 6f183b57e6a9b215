"""The reader accepts what the server's own sinks write (SQLite WAL and JSON Lines)."""

import json

import pytest

from skyclass.monitor import read_prediction_log
from skyclass.serving._sinks import FeedbackRow, PredictionRow, open_sink


@pytest.mark.parametrize("name", ["log.db", "log.jsonl"])
def test_reads_the_serving_sinks(tmp_path, name):
    sink = open_sink(str(tmp_path / name))
    sink.open()
    rows = [
        PredictionRow(f"r{i}", 100.0 + i, "wine", "3", "eu", json.dumps({"x": i, "ok": i % 2 == 0}),
                      json.dumps([0.25, 0.75]), json.dumps("b" if i else "a"))
        for i in range(5)
    ]  # fmt: skip
    sink.write(
        rows, [FeedbackRow("r1", 200.0, json.dumps("a")), FeedbackRow("r1", 300.0, json.dumps("b"))]
    )
    sink.close()
    log = read_prediction_log(str(tmp_path / name))
    assert log.frame["id"].tolist() == [f"r{i}" for i in range(5)]
    assert log.frame["model_version"].tolist() == ["3"] * 5
    assert log.frame.loc[1, "feedback"] == "b" and log.frame.loc[1, "feedback_ts"] == 300.0
    assert log.features()["ok"].tolist() == [True, False, True, False, True]
    assert log.probabilities().tolist() == [[0.25, 0.75]] * 5


OLD_SQLITE = (  # the predictions table before bundle_sha256 and quality
    "CREATE TABLE predictions(id TEXT PRIMARY KEY, ts REAL, model_name TEXT, "
    "model_version TEXT, region TEXT, inputs TEXT, probabilities TEXT, label TEXT)"
)


def test_logs_written_before_the_optional_columns_stay_readable(tmp_path):
    import sqlite3

    old_row = ("r0", 1.0, "wine", "3", "eu", '{"x": 1}', "[0.25, 0.75]", '"a"')
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute(OLD_SQLITE)
        db.execute("CREATE TABLE feedback(id TEXT, ts REAL, label TEXT)")
        db.execute("INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", old_row)
    old = {"kind": "prediction", **dict(zip(("id", "ts", "model_name", "model_version",
           "region", "inputs", "probabilities", "label"), old_row))}  # fmt: skip
    old |= {k: json.loads(old[k]) for k in ("inputs", "probabilities", "label")}
    (tmp_path / "old.jsonl").write_text(json.dumps(old) + "\n")
    for name in ("old.db", "old.jsonl"):
        frame = read_prediction_log(str(tmp_path / name)).frame
        assert frame[["bundle_sha256", "quality"]].values.tolist() == [[None, None]], name
    # the server opening an old SQLite log adds the columns and writes both kinds of row
    sink = open_sink(str(tmp_path / "old.db"))
    sink.open()
    quality = '{"rows":1,"unseen":{"plan":1}}'
    sink.write([PredictionRow("r1", 2.0, "wine", "3", "eu", "{}", "[0.5, 0.5]", '"b"',
                              "ab" * 32, quality)], [])  # fmt: skip
    sink.close()
    frame = read_prediction_log(str(tmp_path / "old.db")).frame
    assert frame["bundle_sha256"].tolist() == [None, "ab" * 32]
    assert frame["quality"].tolist() == [None, {"rows": 1, "unseen": {"plan": 1}}]
