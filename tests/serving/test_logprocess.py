"""The prediction log's writer process: columnar messages, commits outside the server's GIL,
and the fallback to a writer thread when that process dies."""

from __future__ import annotations

import os
import signal
import sqlite3

import numpy as np
import orjson
import pytest

from skyclass.serving._ids import RowIds
from skyclass.serving._logchild import NICENESS
from skyclass.serving._logwire import Item, join, pack, unpack
from skyclass.serving._metrics import ServingMetrics
from skyclass.serving._predlog import PredictionLogWriter
from skyclass.serving._sinks import JsonLinesSink, SqliteSink


def _columns(n: int, start: float = 0.0) -> dict[str, np.ndarray]:
    values = np.arange(start, start + n, dtype=np.float64)
    values[::3] = np.nan  # missing, logged as null
    return {
        "x": values,
        "flag": np.where(np.arange(n) % 2 == 0, 1.0, 0.0),
        "plan": np.array(["pro", "", "free"] * n, dtype=object)[:n],
    }


def test_a_message_carries_every_value_of_its_runs():
    first = Item(RowIds("a", 3), _columns(3), np.eye(3, dtype=np.float32), ['"p"'] * 3, 1.5)
    second = Item(["b"], _columns(1, 9.0), np.ones((1, 3), np.float32), ['"q"'], 2.5,
                  quality='{"rows":1}')  # fmt: skip
    feedback = Item(["a:0", "b"], None, None, ['"p"', '"q"'], 3.5)
    runs, stamp = unpack(pack(join([first, second, feedback]), {"region": "eu"}))
    assert stamp == {"region": "eu"} and [run.feedback for run in runs] == [False, True]
    predictions, answers = runs
    assert list(predictions.row_ids()) == ["a:0", "a:1", "a:2", "b"]
    assert list(predictions.row_ts()) == [1.5, 1.5, 1.5, 2.5]
    assert list(predictions.row_quality()) == [None, None, None, '{"rows":1}']
    expected = {name: np.concatenate([first.columns[name], second.columns[name]])
                for name in first.columns}  # fmt: skip
    np.testing.assert_array_equal(predictions.columns["x"], expected["x"])  # NaN kept
    assert predictions.columns["plan"].tolist() == ["pro", "", "free", "pro"]
    np.testing.assert_array_equal(
        predictions.probabilities, np.vstack([np.eye(3), np.ones((1, 3))])
    )
    assert predictions.probabilities.dtype == np.float32
    assert list(answers.row_ids()) == ["a:0", "b"] and list(answers.row_ts()) == [3.5, 3.5]


def _writer(sink) -> PredictionLogWriter:
    log = PredictionLogWriter(
        sink, ServingMetrics(), region="eu", model_name="m", model_version="2", process=True
    )
    log.kinds = {"x": "numeric", "flag": "boolean", "plan": "categorical"}
    log.start()
    return log


def test_the_writer_process_commits_what_the_thread_would(tmp_path):
    rows = {}
    for process in (False, True):
        path = tmp_path / f"{process}.jsonl"
        log = PredictionLogWriter(
            JsonLinesSink(path), ServingMetrics(), region="eu", model_name="m",
            model_version="2", process=process,
        )  # fmt: skip
        log.kinds = {"x": "numeric", "flag": "boolean", "plan": "categorical"}
        log.start()
        done = log.submit(RowIds("r", 4), _columns(4), np.full((4, 2), 0.5), ['"p"'] * 4,
                          durable=True, quality='{"rows":4}')  # fmt: skip
        assert done.result(timeout=30) == 4
        assert log.feedback(["r:1"], ['"p"']).result(timeout=30) == 1
        log.close()
        rows[process] = [
            {k: v for k, v in orjson.loads(line).items() if k != "ts"}
            for line in path.read_bytes().splitlines()
        ]
    assert rows[True] == rows[False]
    assert rows[True][0] == {
        "kind": "prediction", "id": "r:0", "model_name": "m", "model_version": "2",
        "region": "eu", "inputs": {"x": None, "flag": True, "plan": "pro"},
        "probabilities": [0.5, 0.5], "label": "p", "quality": {"rows": 4},
    }  # fmt: skip
    assert rows[True][-1] == {"kind": "feedback", "id": "r:1", "label": "p"}


def test_a_durable_commit_is_in_sqlite_when_acknowledged(tmp_path):
    log = _writer(SqliteSink(tmp_path / "p.db"))
    child = log._child.pid
    assert child != os.getpid()
    own = os.getpriority(os.PRIO_PROCESS, 0)  # the log's work yields the CPU to requests
    assert os.getpriority(os.PRIO_PROCESS, child) == min(own + NICENESS, 19)
    done = log.submit(RowIds("d", 2), _columns(2), np.full((2, 2), 0.5), ['"p"'] * 2, durable=True)
    assert done.result(timeout=30) == 2
    with sqlite3.connect(tmp_path / "p.db") as db:  # committed by the child, seen from here
        assert [r[0] for r in db.execute("SELECT id FROM predictions ORDER BY id")] == [
            "d:0",
            "d:1",
        ]
    log.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # the child exited and was reaped


def test_when_the_writer_process_dies_the_server_writes_the_log_itself(tmp_path):
    log = _writer(SqliteSink(tmp_path / "p.db"))
    os.kill(log._child.pid, signal.SIGKILL)
    os.waitpid(log._child.pid, 0)
    done = log.submit(["after"], _columns(1), np.full((1, 2), 0.5), ['"p"'], durable=True)
    assert done.result(timeout=30) == 1
    assert log._child is None
    log.close()
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert [r[0] for r in db.execute("SELECT id FROM predictions")] == ["after"]
    assert log.metrics.registry.get_sample_value("skyclass_prediction_log_errors_total") == 0


def test_a_sink_that_cannot_open_in_the_writer_process_fails_start(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    log = PredictionLogWriter(
        SqliteSink(blocker / "p.db"), ServingMetrics(), region="eu", process=True
    )
    with pytest.raises(OSError, match="cannot open the prediction log"):
        log.start()
