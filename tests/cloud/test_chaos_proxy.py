"""The chaos proxy in front of a real upstream: pass-through, delay, slow, errors, hang, heal."""

import subprocess
import sys
import time

import httpx
import pytest

from skyclass.cloud.providers.local import write_control
from tests.helpers import free_port, wait_http

INFER = "/v2/models/m/infer"


@pytest.fixture
def proxied(tmp_path, upstreams):
    (up,) = upstreams(("aws-1",))
    control = tmp_path / "chaos.json"
    write_control(control, {"mode": "normal", "delay_ms": 0})
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "skyclass.cloud._chaos_proxy", str(port), str(up.port), str(control)]
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/v2/health/ready")
    yield url, control, up
    proc.kill()
    proc.wait(timeout=10)


def _set(url, control, mode):
    """The proxy stats the control file on every request, so the next request sees ``mode``."""
    write_control(control, mode)


def _timed_post(client, url):
    start = time.perf_counter()
    response = client.post(url + INFER, content=b'{"inputs": []}')
    return response, (time.perf_counter() - start) * 1000


def test_modes(proxied):
    url, control, up = proxied
    with httpx.Client(timeout=2.0) as client:
        r, _ = _timed_post(client, url)
        assert r.status_code == 200 and r.json()["outputs"][0]["data"] == ["cat"]
        assert r.headers["x-skyclass-model-version"] == "m:aws-1"

        _set(url, control, {"mode": "slow", "slow_ms": 150, "delay_ms": 0})
        r, ms = _timed_post(client, url)
        assert r.status_code == 200 and ms >= 150

        _set(url, control, {"mode": "errors", "error_rate": 1.0})
        r, _ = _timed_post(client, url)
        assert r.status_code == 500 and "chaos" in r.json()["error"]
        before = up.count()
        r, _ = _timed_post(client, url)  # same kept-alive connection still framed correctly
        assert r.status_code == 500 and up.count() == before

        _set(url, control, {"mode": "hang"})
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url + INFER, content=b"{}", timeout=0.5)

        _set(url, control, {"mode": "normal", "delay_ms": 100})
        r, ms = _timed_post(client, url)
        assert r.status_code == 200 and ms >= 100
