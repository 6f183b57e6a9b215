"""End to end on real components: a bundle from the pipeline, a real `skyclass serve` process
logging to SQLite, normal then drifted traffic with feedback, `skyclass monitor` on the log,
and `skyclass dashboard` checked in headless Chromium (no console errors, every figure drawn,
screenshot saved)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from tests.chromium import Browser, requires_chromium
from tests.helpers import free_port, wait_http

ROOT = Path(__file__).resolve().parents[2]
SKYCLASS = [sys.executable, "-c", "from skyclass.cli import main; main()"]


def _start(args, log_path):
    out = open(log_path, "wb")
    return subprocess.Popen([*SKYCLASS, *args], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Bundle + server + two phases of traffic; yields paths and the time between the phases."""
    from skyclass.data import infer_schema
    from skyclass.pipeline import Preprocessor, package

    tmp = tmp_path_factory.mktemp("e2e")
    wine = pd.read_csv(ROOT / "examples" / "wine.csv")
    target = "cultivar"
    schema = infer_schema(wine, target=target)
    X = wine.drop(columns=[target])
    pre = Preprocessor(schema).fit(X)
    model = LogisticRegression(max_iter=2000).fit(pre.transform(X), wine[target])
    bundle = package(
        tmp / "bundle", preprocessor=pre, model=model, schema=schema, labels=list(model.classes_),
        target=target, name="wine", X_reference=X,
    )  # fmt: skip
    port = free_port()
    log = tmp / "predictions.db"
    server = _start(
        ["serve", str(bundle), "--port", str(port), "--log", str(log), "--region", "aws-us-east-1",
         "--no-access-log"],
        tmp / "serve.out",
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/v2/health/ready", timeout=60)
        rng = np.random.default_rng(0)
        url = f"http://127.0.0.1:{port}/v2/models/wine/predict"
        durable = {"x-skyclass-durable": "true"}

        def send(phase, frame, n_requests=6, rows=25):
            for r in range(n_requests):
                part = frame.sample(rows, replace=True, random_state=int(rng.integers(1 << 30)))
                records = json.loads(part.drop(columns=[target]).to_json(orient="records"))
                reply = httpx.post(
                    url,
                    json={"id": f"{phase}-{r}", "instances": records},
                    headers=durable,
                    timeout=30,
                )
                assert reply.status_code == 200, reply.text
                truth = [
                    {"id": p["id"], "label": y}
                    for p, y in zip(reply.json()["predictions"], part[target])
                ]
                fb = httpx.post(
                    f"http://127.0.0.1:{port}/v2/models/wine/feedback", json=truth[::2], timeout=30
                )
                assert fb.status_code == 200, fb.text

        send("normal", wine)
        between = time.time()
        shifted = wine.copy()
        numeric = [c for c in shifted.columns if c != target]
        shifted[numeric] = shifted[numeric] + 1.5 * shifted[numeric].std()
        send("drifted", shifted)
        yield {"bundle": bundle, "log": log, "between": between, "tmp": tmp}
    finally:
        _stop(server)


def _monitor(*args):
    return subprocess.run(
        [*SKYCLASS, "monitor", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_monitor_normal_window_has_no_drift(served):
    from skyclass.bundle import load
    from skyclass.monitor import monitor

    result = monitor(load(served["bundle"]), [str(served["log"])], now=served["between"])
    assert result.current.n_predictions == 150
    assert result.drift.dataset_drift is False
    assert result.prediction_drift.drifted is False
    assert result.current.values["accuracy"] > 0.9


def test_monitor_cli_drifted_traffic(served, tmp_path):
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "monitor:\n  window: 1h\n  rules:\n    - {metric: drift_share, at_least: 0.5}\n"
        "    - {metric: n_predictions, below: 1}\n"
    )
    html = tmp_path / "monitor.html"
    run = _monitor(str(served["bundle"]), "--log", str(served["log"]), "--config", str(config),
                   "--html", str(html), "--json", str(tmp_path / "r.json"), "--fail-on-alert")  # fmt: skip
    assert run.returncode == 1, run.stderr  # an alert is firing
    alerts = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(a["alert"], a["status"]) for a in alerts] == [("drift_share >= 0.5", "firing")]
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["n_predictions"] == 300 and result["n_labelled"] == 156
    assert result["current"]["drift"]["dataset_drift"] is True
    assert result["models"][0]["model_name"] == "wine"
    assert result["regions"][0]["region"] == "aws-us-east-1"
    assert "DRIFT" in run.stderr and "Drift per feature" in run.stderr
    page = html.read_text()
    assert page.count('<figure class="plot"') >= 5 and "<script" not in page


@requires_chromium
def test_dashboard_in_headless_chromium(served, tmp_path):
    status = tmp_path / "status.json"
    status.write_text(json.dumps({"regions": [
        {"region": "aws-us-east-1", "cloud": "aws", "zone": "us", "ready": 1, "replicas": 1, "requests": 300,
         "errors": 0, "rps": 4.2, "p50_ms": 2.5, "p99_ms": 8.0, "cost_per_hour": 0.4, "dollars": 0.02},
        {"region": "gcp-europe-west4", "cloud": "gcp", "zone": "eu", "ready": 0, "replicas": 1, "requests": 20,
         "errors": 5, "rps": 0.0, "p50_ms": 3.0, "p99_ms": 40.0, "cost_per_hour": 0.35, "dollars": 0.01},
    ]}))  # fmt: skip
    port = free_port()
    proc = _start(
        ["dashboard", str(served["bundle"]), "--log", str(served["log"]), "--status", str(status),
         "--port", str(port), "--trend-window", "1min"],
        tmp_path / "dashboard.out",
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        summary = httpx.get(f"http://127.0.0.1:{port}/api/summary", timeout=60).json()
        assert summary["current"]["drift"]["dataset_drift"] is True
        assert [r["region"] for r in summary["gateway_regions"]] == [
            "aws-us-east-1",
            "gcp-europe-west4",
        ]
        with Browser() as browser:
            browser.open(f"http://127.0.0.1:{port}/", height=2400)
            figures = browser.evaluate(
                "[...document.querySelectorAll('figure.plot')].map(f => {const s = f.querySelector('svg');"
                " const r = s.getBoundingClientRect(); return {name: f.dataset.plot, w: r.width, h: r.height,"
                " marks: s.querySelectorAll('rect.bar, polyline.line, circle').length}})"
            )
            shot_dir = Path(os.environ.get("SKYCLASS_ARTIFACTS", tmp_path))
            shot = browser.screenshot(shot_dir / "monitor-dashboard.png")
            errors = list(browser.errors)
        assert errors == []
        names = {f["name"] for f in figures}
        assert {"region-traffic", "region-latency", "region-errors", "region-cost", "model-versions",
                "feature-drift", "feature-psi", "prediction-drift", "live-performance",
                "estimated-performance"} <= names  # fmt: skip
        assert all(f["w"] > 200 and f["h"] > 80 and f["marks"] > 0 for f in figures), figures
        assert shot.stat().st_size > 20_000
    finally:
        _stop(proc)
