"""The prediction log: exact SQLite schema, durability under kill -9, feedback, bounded queue."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import numpy as np
import orjson
import pytest

from skyclass.serving import v2_request
from skyclass.serving._metrics import ServingMetrics
from skyclass.serving._predlog import PredictionLogWriter
from skyclass.serving._sinks import JsonLinesSink, open_sink
from tests.helpers import free_port, wait_http
from tests.serving.conftest import serve_until_exit

ROW = {
    "sepal_length": 5.1,
    "sepal_width": 3.5,
    "petal_length": 1.4,
    "petal_width": None,
    "site": "north",
    "checked": True,
    "measured": "2024-03-01T00:00:00",
}


def _schema(fitted):
    from skyclass.bundle import load

    return load(fitted.path).schema


def test_acknowledged_durable_predictions_survive_kill_9(start_server, fitted, tmp_path):
    db = tmp_path / "log.db"
    server = start_server(fitted.path, "--log", str(db), "--region", "eu-west").wait_ready()
    schema = _schema(fitted)
    acknowledged = []
    for i in range(20):
        body = v2_request(schema, [ROW] * (1 + i % 3), id=f"req-{i}")
        reply = server.client.post(
            "/v2/models/iris/infer", json=body, headers={"X-Skyclass-Durable": "true"}
        )
        assert reply.status_code == 200 and reply.headers["x-skyclass-logged"] == "committed"
        acknowledged += [f"req-{i}"] if i % 3 == 0 else [f"req-{i}:{j}" for j in range(1 + i % 3)]
    body = v2_request(schema, [ROW], id="param-durable")
    body["parameters"] = {"durable": True}
    reply = server.client.post("/v2/models/iris/infer", json=body)
    assert reply.headers["x-skyclass-logged"] == "committed"
    acknowledged.append("param-durable")
    server.kill()

    with sqlite3.connect(db) as conn:
        rows = dict(
            conn.execute(
                "SELECT id, model_name || ':' || model_version || ':' || region FROM predictions"
            ).fetchall()
        )
        assert set(acknowledged) <= set(rows)
        assert set(rows.values()) == {"iris:0:eu-west"}
        inputs, proba, label = conn.execute(
            "SELECT inputs, probabilities, label FROM predictions WHERE id = 'req-0'"
        ).fetchone()
    assert orjson.loads(inputs) == ROW
    expected = fitted.proba([ROW])[0]
    np.testing.assert_allclose(orjson.loads(proba), expected, atol=1e-5)
    assert orjson.loads(label) == fitted.model.classes_[expected.argmax()]


def test_sqlite_tables_are_exactly_the_contract(tmp_path):
    sink = open_sink(str(tmp_path / "p.db"))
    sink.open()
    sink.close()
    with sqlite3.connect(tmp_path / "p.db") as conn:
        columns = {
            table: [(c[1], c[2], c[5]) for c in conn.execute(f"PRAGMA table_info({table})")]
            for table in ("predictions", "feedback")
        }
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert columns["predictions"] == [
        ("id", "TEXT", 1),
        ("ts", "REAL", 0),
        ("model_name", "TEXT", 0),
        ("model_version", "TEXT", 0),
        ("region", "TEXT", 0),
        ("inputs", "TEXT", 0),
        ("probabilities", "TEXT", 0),
        ("label", "TEXT", 0),
        ("bundle_sha256", "TEXT", 0),
        ("quality", "TEXT", 0),
    ]
    assert columns["feedback"] == [("id", "TEXT", 0), ("ts", "REAL", 0), ("label", "TEXT", 0)]


def test_feedback_round_trip(start_server, fitted, tmp_path):
    db = tmp_path / "log.db"
    server = start_server(fitted.path, "--log", str(db)).wait_ready()
    body = v2_request(_schema(fitted), [ROW, ROW], id="fb")
    server.client.post("/v2/models/iris/infer", json=body, headers={"X-Skyclass-Durable": "1"})
    one = server.client.post("/v2/models/iris/feedback", json={"id": "fb:0", "label": "setosa"})
    assert one.status_code == 200 and one.json() == {"recorded": 1}
    many = [{"id": "fb:1", "label": "virginica"}, {"id": "fb:0", "label": "versicolor"}]
    assert server.client.post("/v2/models/iris/feedback", json=many).json() == {"recorded": 2}
    bad = server.client.post("/v2/models/iris/feedback", json={"id": "fb:0", "label": "rose"})
    assert bad.status_code == 400 and "rose" in bad.json()["error"]
    bad = server.client.post("/v2/models/iris/feedback", json=[{"label": "setosa"}])
    assert bad.status_code == 400 and "feedback[0]" in bad.json()["error"]
    assert server.client.post("/v2/models/other/feedback", json=many).status_code == 404
    with sqlite3.connect(db) as conn:
        joined = conn.execute(
            "SELECT p.id, f.label FROM predictions p JOIN feedback f ON f.id = p.id "
            "ORDER BY f.ts, f.rowid"
        ).fetchall()
    assert joined == [("fb:0", '"setosa"'), ("fb:1", '"virginica"'), ("fb:0", '"versicolor"')]
    queued = [f"q{i}" for i in range(10)]
    for request_id in queued:
        reply = server.client.post("/v2/models/iris/infer", json={**body, "id": request_id})
        assert reply.headers["x-skyclass-logged"] == "queued"
    server.stop()  # SIGTERM: a clean stop commits everything still queued
    # stopped by itself (uvicorn re-raises SIGTERM after its graceful shutdown), no SIGKILL
    assert server.process.returncode in (0, -signal.SIGTERM)
    with sqlite3.connect(db) as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM predictions")}
    assert {f"{request_id}:{j}" for request_id in queued for j in (0, 1)} <= ids


def test_feedback_without_a_log_is_409(restricted_server, fitted):
    server = restricted_server
    reply = server.client.post("/v2/models/iris/feedback", json={"id": "x", "label": "setosa"})
    assert reply.status_code == 409 and "--log" in reply.json()["error"]
    body = v2_request(_schema(fitted), [ROW])
    reply = server.client.post("/v2/models/iris/infer", json=body)
    assert reply.headers["x-skyclass-logged"] == "off"


class _GatedSink(JsonLinesSink):
    """A real JSON Lines sink whose writes wait for a gate: a slow disk on demand."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.gate = threading.Event()

    def write(self, predictions, feedback):
        self.gate.wait(30)
        return super().write(predictions, feedback)


def test_full_queue_drops_and_counts_without_blocking(tmp_path):
    sink = _GatedSink(tmp_path / "p.jsonl")
    metrics = ServingMetrics()
    log = PredictionLogWriter(
        sink, metrics, region="r", model_name="m", model_version="1", max_queue=5
    )
    log.start()
    columns = {"x": np.array([1.0, 2.0])}
    proba = np.array([[0.5, 0.5], [0.1, 0.9]], dtype=np.float32)
    results = []
    start = time.perf_counter()
    for i in range(6):  # 2 rows each; the bound of 5 rows takes two of them
        results.append(log.submit([f"a{i}", f"b{i}"], columns, proba, ['"p"', '"q"']))
    assert time.perf_counter() - start < 1.0
    assert [r is None for r in results] == [False, False, True, True, True, True]
    assert metrics.registry.get_sample_value("skyclass_prediction_log_dropped_total") == 8
    assert metrics.registry.get_sample_value("skyclass_prediction_log_queue_depth") == 4
    sink.gate.set()
    log.close()
    assert metrics.registry.get_sample_value("skyclass_prediction_log_queue_depth") == 0
    lines = [orjson.loads(line) for line in (tmp_path / "p.jsonl").read_bytes().splitlines()]
    assert [line["id"] for line in lines] == ["a0", "b0", "a1", "b1"]
    assert lines[0] == {
        "kind": "prediction",
        "id": "a0",
        "ts": lines[0]["ts"],
        "model_name": "m",
        "model_version": "1",
        "region": "r",
        "inputs": {"x": 1.0},
        "probabilities": [0.5, 0.5],
        "label": "p",
    }


def test_one_request_larger_than_the_bound_is_still_logged(tmp_path):
    log = PredictionLogWriter(
        JsonLinesSink(tmp_path / "p.jsonl"), ServingMetrics(), region="r", max_queue=1
    )
    log.start()
    done = log.submit(
        ["a", "b", "c"], {"x": np.zeros(3)}, np.ones((3, 1)), ['"p"'] * 3, durable=True
    )
    assert done.result(timeout=30) == 3
    log.close()
    assert len((tmp_path / "p.jsonl").read_bytes().splitlines()) == 3


def test_sink_specs(tmp_path):
    assert open_sink("none") is None
    assert type(open_sink(f"jsonl://{tmp_path}/a.log")).__name__ == "JsonLinesSink"
    assert type(open_sink(f"sqlite://{tmp_path}/a.log")).__name__ == "SqliteSink"
    from skyclass.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown sink"):
        open_sink("kafka://x")


_CSV_PLUGIN = '''
import csv

from skyclass.serving import SINKS, Sink


@SINKS.register("csv")
class CsvSink(Sink):
    """The test's own sink: one ``id,label`` line per prediction."""

    def open(self):
        self.file = open(self.path, "a", newline="")

    def write(self, predictions, feedback):
        csv.writer(self.file).writerows((row[0], row[7]) for row in predictions)
        self.file.flush()
        return len(predictions)

    def close(self):
        self.file.close()
'''


def test_a_sink_registered_in_one_place_is_what_serve_log_picks(fitted, tmp_path):
    (tmp_path / "csv_sink.py").write_text(_CSV_PLUGIN)
    command = [sys.executable, "-c", "import csv_sink; from skyclass.cli import main; main()"]
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    refused = subprocess.run(
        [*command, "serve", str(fitted.path), "--log", "kafka:///x"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "unknown sink 'kafka'" in refused.stderr and "csv:///path" in refused.stderr
    port, log = free_port(), tmp_path / "log.csv"
    serve = [*command, "serve", str(fitted.path), "--port", str(port), "--log", f"csv://{log}"]
    process = subprocess.Popen(serve, cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/v2/health/ready", timeout=60)
        reply = httpx.post(
            f"http://127.0.0.1:{port}/v2/models/iris/infer",
            json={**v2_request(_schema(fitted), [ROW]), "id": "csv-1"},
            headers={"X-Skyclass-Durable": "1"},
            timeout=30,
        )
        assert reply.status_code == 200 and reply.headers["x-skyclass-logged"] == "committed"
        label = reply.json()["outputs"][1]["data"][0]
        assert log.read_text().splitlines() == [f'csv-1,"""{label}"""']  # the label's JSON text
    finally:
        process.terminate()
        process.wait(15)


class _FailingSink(JsonLinesSink):
    """A real sink on a disk that fills up on the first write."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.failures = 1

    def write(self, predictions, feedback):
        if self.failures:
            self.failures -= 1
            raise OSError(28, "No space left on device")
        return super().write(predictions, feedback)


def test_a_failed_write_is_reported_counted_and_the_log_goes_on(tmp_path):
    metrics = ServingMetrics()
    log = PredictionLogWriter(_FailingSink(tmp_path / "p.jsonl"), metrics, region="r")
    log.start()
    args = ({"x": np.zeros(1)}, np.ones((1, 1)), ['"p"'])
    first = log.submit(["a"], *args, durable=True)
    with pytest.raises(OSError, match="No space"):
        first.result(timeout=30)
    assert log.submit(["b"], *args, durable=True).result(timeout=30) == 1
    log.close()
    assert metrics.registry.get_sample_value("skyclass_prediction_log_errors_total") == 1
    assert [
        orjson.loads(line)["id"] for line in (tmp_path / "p.jsonl").read_bytes().splitlines()
    ] == ["b"]


def test_unwritable_log_is_a_one_line_cli_error(fitted, tmp_path):
    done = serve_until_exit(str(fitted.path), "--log", "/proc/nope/log.db", cwd=tmp_path)
    assert done.returncode == 2 and "--log" in done.stderr and "Traceback" not in done.stderr
