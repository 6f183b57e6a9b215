"""The monitoring page is self-contained and escapes what it shows; the dashboard app answers
its routes and reports a missing log as 503 with a message."""

import re
import threading
from contextlib import contextmanager

import httpx
import numpy as np
import pandas as pd
import uvicorn

from skyclass.monitor import MonitorConfig, dashboard_app, monitor, render_html
from tests.helpers import free_port, wait_http
from tests.monitor._helpers import reference_from_frame
from tests.monitor.test_alerts_and_run import NOW, _log, _model

HOSTILE = '<img src=x onerror="alert(1)">'


def test_page_is_self_contained_and_escapes_names(tmp_path):
    model = _model()
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({HOSTILE: rng.normal(size=300), "x": rng.normal(size=300)})
    model.reference = reference_from_frame(frame, {HOSTILE: "numeric", "x": "numeric"},
                                           predictions=["low"] * 300)  # fmt: skip
    log = _log(tmp_path, shift=0.0)
    config = MonitorConfig.from_dict(
        {"rules": [{"name": HOSTILE, "metric": "drift_share", "at_least": 0.0}]}
    )
    html = render_html(monitor(model, [str(log)], config=config, now=NOW))
    assert HOSTILE not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<script" not in html.lower()
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # only the SVG namespace, nothing fetched
    assert html.count("<svg") == html.count("</svg>") >= 7


@contextmanager
def _serving(app):
    """``app`` on a real uvicorn server on a free loopback port; stopped afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_dashboard_routes(tmp_path):
    log = _log(tmp_path, shift=1.5)
    window = MonitorConfig(window="100000d")  # the synthetic log is from 2023
    with _serving(dashboard_app(_model(), [str(log)], config=window, refresh_s=7)) as url:
        page = httpx.get(url + "/", timeout=60)
        assert page.status_code == 200 and 'http-equiv="refresh" content="7"' in page.text
        summary = httpx.get(url + "/api/summary", timeout=60).json()
        assert (
            summary["n_predictions"] == 600 and summary["current"]["drift"]["dataset_drift"] is True
        )
        assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    with _serving(dashboard_app(_model(), [str(tmp_path / "gone.db")])) as url:
        response = httpx.get(url + "/api/summary", timeout=60)
        assert response.status_code == 503 and "not found" in response.json()["error"]
        assert httpx.get(url + "/", timeout=60).status_code == 503
