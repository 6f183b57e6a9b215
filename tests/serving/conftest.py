"""Fixtures for the serving tests: a real bundle and real ``skyclass serve`` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from tests.helpers import free_port, wait_http

CLI = [sys.executable, "-c", "from skyclass.cli import main; main()"]


@dataclass
class Fitted:
    """The oracle: the in-memory preprocessor + scikit-learn model a bundle was made from."""

    path: Path
    preprocessor: object
    model: LogisticRegression
    frame: pd.DataFrame

    def proba(self, records: list[dict]) -> np.ndarray:
        return self.model.predict_proba(self.preprocessor.transform(records))


def iris_frame() -> pd.DataFrame:
    """Iris plus a categorical, a boolean and a datetime column, with some missing values."""
    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    rng = np.random.default_rng(0)
    frame["site"] = rng.choice(["north", "south", "east"], size=len(frame))
    frame["checked"] = rng.random(len(frame)) < 0.5
    frame["measured"] = pd.to_datetime("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 300, len(frame)), unit="D"
    )
    frame["species"] = iris.target_names[iris.target]
    frame = frame.drop(columns=["target"])
    frame.loc[::17, "petal_width"] = np.nan
    return frame


def build_bundle(out: Path, *, name: str = "iris") -> Fitted:
    """Fit a small model and package it with ``skyclass.pipeline.package``."""
    from skyclass.data import infer_schema
    from skyclass.pipeline import Preprocessor, package

    frame = iris_frame()
    schema = infer_schema(frame, target="species")
    features = frame.drop(columns=["species"])
    pre = Preprocessor(schema, min_frequency=1).fit(features)
    model = LogisticRegression(max_iter=1000).fit(pre.transform(features), frame["species"])
    path = package(
        out,
        preprocessor=pre,
        model=model,
        schema=schema,
        labels=list(model.classes_),
        target="species",
        name=name,
        X_reference=features,
    )
    return Fitted(Path(path), pre, model, features)


@pytest.fixture(scope="session")
def fitted(tmp_path_factory) -> Fitted:
    return build_bundle(tmp_path_factory.mktemp("bundle") / "iris")


class Server:
    """A ``skyclass serve`` subprocess on a free loopback port."""

    def __init__(
        self,
        bundle: str | Path,
        *args: str,
        env: dict | None = None,
        cwd=None,
        headers: dict | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr_path = Path(cwd or ".") / f"serve-{self.port}.log"
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*CLI, "serve", str(bundle), "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self.client = httpx.Client(base_url=self.url, timeout=30.0, headers=headers)

    def wait_live(self) -> Server:
        wait_http(self.url + "/v2/health/live")
        return self

    def wait_ready(self) -> Server:
        wait_http(self.url + "/v2/health/ready", timeout=60)
        return self

    def log_text(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._stderr.close()


def serve_until_exit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``skyclass serve ARGS`` expecting it to exit at startup; stdout/stderr captured as text."""
    return subprocess.run(
        [*CLI, "serve", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


@pytest.fixture
def start_server(tmp_path):
    """``start_server(bundle, *cli_args, env=...)`` → a live ``Server``; all stopped after."""
    servers: list[Server] = []

    def start(bundle, *args: str, env: dict | None = None) -> Server:
        server = Server(bundle, *args, env=env, cwd=tmp_path)
        servers.append(server)
        return server.wait_live()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(fitted, tmp_path_factory):
    """One ready server shared by the protocol tests (JSON Lines log)."""
    folder = tmp_path_factory.mktemp("server")
    srv = Server(fitted.path, "--log", str(folder / "log.jsonl"), cwd=folder)
    srv.log_path = folder / "log.jsonl"
    yield srv.wait_ready()
    srv.stop()


API_KEY = "k3y-s3cret-value"


@pytest.fixture(scope="session")
def restricted_server(fitted, tmp_path_factory):
    """A server with an API key, tight limits (2000-byte bodies, 3 rows) and no log.

    Its ``client`` sends the key; tests of missing keys use their own requests.
    """
    folder = tmp_path_factory.mktemp("restricted")
    srv = Server(
        fitted.path,
        "--log",
        "none",
        "--api-key-env",
        "SKYCLASS_TEST_KEY",
        "--max-body-bytes",
        "2000",
        "--max-rows",
        "3",
        env={"SKYCLASS_TEST_KEY": API_KEY},
        cwd=folder,
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    yield srv.wait_ready()
    srv.stop()
