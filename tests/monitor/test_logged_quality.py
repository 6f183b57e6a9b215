"""Data quality and bundle identity in the prediction log, through the real console scripts.

``skyclass serve`` (a subprocess on a free 127.0.0.1 port) gets requests with a column left
out and with an unseen category; ``skyclass monitor`` then reports what was imputed and
scored as unknown from the log (console, JSON, page), and refuses the log once its rows
carry another bundle's hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess

import httpx
import pytest

from tests.cli.test_bad_input import SCRIPT, skew_table, skyclass
from tests.helpers import free_port, wait_http

SCRIPT_ENV = {**os.environ, "COLUMNS": "400"}  # rich tables unwrapped


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A bundle, the SQLite log its server wrote for three requests, and the bundle's hash."""
    tmp = tmp_path_factory.mktemp("logged_quality")
    table = skew_table()
    table.to_csv(tmp / "data.csv", index=False)
    done = skyclass(
        "train", tmp / "data.csv", "--target", "label", "--out", tmp / "run", "--models",
        "logreg", "--time-budget", "10", "--cv", "2", "--max-trials", "1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    bundle = tmp / "run" / "bundle"
    clean = table[(table["x"] != "?") & table["income"].notna()].drop(columns="label")
    clean = clean.astype({"x": float})
    records = json.loads(clean.head(12).to_json(orient="records"))
    left_out = [{k: v for k, v in r.items() if k != "income"} for r in records[:5]]
    unseen = [{**r, "plan": "platinum"} if i % 2 else r for i, r in enumerate(records[5:9])]
    port, log = free_port(), tmp / "log.db"
    server = subprocess.Popen(
        [str(SCRIPT), "serve", str(bundle), "--port", str(port),
         "--log", str(log), "--no-access-log"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/v2/health/ready", timeout=60)
        url = f"http://127.0.0.1:{port}/v2/models/data/predict"
        said = []
        for name, rows in (("left-out", left_out), ("unseen", unseen), ("clean", records[9:])):
            reply = httpx.post(
                url,
                json={"id": name, "instances": rows},
                headers={"x-skyclass-durable": "true"},
                timeout=30,
            )
            assert reply.status_code == 200 and reply.headers["x-skyclass-logged"] == "committed"
            said.append(reply.headers.get("x-skyclass-data-quality"))
        assert said == ["missing_columns=5 (income); missing_values=5 (income)",
                        "unseen=2 (plan)", None]  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    sha = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    return tmp, bundle, log, sha


def test_the_log_carries_the_bundle_hash_and_each_requests_quality(served):
    _, _, log, sha = served
    with sqlite3.connect(log) as db:
        rows = db.execute(
            "SELECT id, bundle_sha256, quality FROM predictions ORDER BY id"
        ).fetchall()
    assert len(rows) == 12 and {r[1] for r in rows} == {sha}
    quality = {row_id: json.loads(q) for row_id, _, q in rows if q is not None}
    assert quality == {  # on the first row of each request that needed imputation
        "left-out:0": {"rows": 5, "missing_columns": {"income": 5},
                       "missing_values": {"income": 5}},
        "unseen:0": {"rows": 4, "unseen": {"plan": 2}, "examples": {"plan": ["platinum"]}},
    }  # fmt: skip


def test_monitor_reports_what_was_imputed_and_unseen(served):
    tmp, bundle, log, _ = served
    done = subprocess.run(
        [str(SCRIPT), "monitor", str(bundle), "--log", str(log),
         "--json", str(tmp / "m.json"), "--html", str(tmp / "m.html")],
        capture_output=True, text=True, timeout=120, env=SCRIPT_ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [
        "column 'income': left out of 5 of 12 rows (imputed)",
        "column 'plan': 2 unseen categories of 12 rows, scored as unknown (e.g. 'platinum')",
    ]
    assert "; ".join(lines) in done.stderr
    result = json.loads((tmp / "m.json").read_text())["data_quality"]
    assert result["rows"] == 12 and result["lines"] == lines
    assert result["totals"] == {
        "missing_columns": 5, "missing_values": 5, "unseen": 2, "coerced": 0
    }  # fmt: skip
    page = (tmp / "m.html").read_text()
    assert "data quality (last 1h): column &#x27;income&#x27;: left out of 5 of 12 rows" in page


def test_monitor_refuses_a_log_of_another_bundle_of_the_same_model(served):
    tmp, bundle, log, sha = served
    other = tmp / "other.db"
    shutil.copy(log, other)
    with sqlite3.connect(other) as db:
        db.execute("UPDATE predictions SET bundle_sha256 = ?", ("f" * 64,))
    monitor = [str(SCRIPT), "monitor", str(bundle), "--log", str(other)]
    refused = subprocess.run(monitor, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    for fragment in ("f" * 12, sha[:12], "model 'data'", "--allow-other-model"):
        assert fragment in refused.stderr, refused.stderr
    allowed = subprocess.run([*monitor, "--allow-other-model"], capture_output=True, text=True,
                             timeout=120, env=SCRIPT_ENV)  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert "12 logged predictions were served by another bundle" in allowed.stderr
    with sqlite3.connect(other) as db:  # a log written before the hash: name and columns only
        db.execute("UPDATE predictions SET bundle_sha256 = NULL")
    hashless = subprocess.run(monitor, capture_output=True, text=True, timeout=120)
    assert hashless.returncode == 0, hashless.stderr
