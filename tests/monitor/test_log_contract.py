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
