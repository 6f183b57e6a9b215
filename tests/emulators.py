"""Real object-store emulators on loopback for tests: S3 (moto), GCS, Azure Blob (Azurite).

Each runs as a subprocess on a free 127.0.0.1 port and is stopped afterwards.
Use the session-scoped fixtures (import them into a test module or a
``conftest.py``)::

    from tests.emulators import azure_store, gcs_store, s3_store  # noqa: F401

    def test_something(s3_store):
        url = s3_store.url("my-prefix")          # "s3://skyclass-test/my-prefix"
        fs = s3_store.filesystem()               # an fsspec filesystem for it
        env = s3_store.env                       # env vars for a subprocess / CLI

or the plain context manager ``running("s3" | "gcs" | "azure")``. A fixture
skips its tests when the emulator's executable is not installed (``make deps``
installs Azurite; moto and gcp-storage-emulator come with ``pip install -e .[dev]``).
Every test should use its own prefix (``store.url(unique_name)``): the
emulator is shared by the whole session.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import free_port, wait_http

# gcsfs's experimental bucket-type probe speaks gRPC to real GCS only; against the emulator it
# waits 60 s per bucket. Off for this test process (set before gcsfs is imported) and subprocesses.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")

BUCKET = "skyclass-test"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class StoreEmulator:
    """A running emulator: its kind, endpoint, bucket/container and how to reach it."""

    kind: str
    scheme: str
    endpoint: str
    bucket: str
    storage_options: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)

    def url(self, *parts: str) -> str:
        """``scheme://bucket/part/...``, e.g. ``s3://skyclass-test/reg-1``."""
        return "/".join([f"{self.scheme}://{self.bucket}", *[p.strip("/") for p in parts if p]])

    def unique_url(self, hint: str = "t") -> str:
        """A fresh prefix URL nobody else uses."""
        return self.url(f"{hint}-{uuid.uuid4().hex[:10]}")

    def filesystem(self):
        """An fsspec filesystem talking to this emulator (fresh, not cached)."""
        import fsspec

        if self.scheme == "gs":
            from gcsfs.core import GCSFileSystem  # the plain JSON-API client (see above)

            return GCSFileSystem(skip_instance_cache=True, **self.storage_options)
        return fsspec.filesystem(self.scheme, skip_instance_cache=True, **self.storage_options)


def _executable(name: str) -> str | None:
    local = ROOT / ".tools" / "node_modules" / ".bin" / name
    if local.exists():
        return str(local)
    venv = Path(sys.executable).parent / name
    if venv.exists():
        return str(venv)
    return shutil.which(name)


@contextlib.contextmanager
def _process(cmd: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None):
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
        try:
            wait_http(ready_url, timeout=60.0, expect=None)
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited early: {log.read_text()[-2000:]}")
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def running(kind: str) -> Iterator[StoreEmulator]:
    """Start the ``kind`` emulator ("s3", "gcs" or "azure"), create the bucket, yield it, stop it."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix=f"skyclass-{kind}-") as tmp:
        log = Path(tmp) / "emulator.log"
        if kind == "s3":
            exe = _executable("moto_server")
            if exe is None:
                raise FileNotFoundError("moto_server")
            env = {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": endpoint,
            }
            with _process([exe, "-H", "127.0.0.1", "-p", str(port)], endpoint, log):
                store = StoreEmulator(
                    "s3",
                    "s3",
                    endpoint,
                    BUCKET,
                    {"endpoint_url": endpoint, "key": "testing", "secret": "testing"},
                    env,
                )
                store.filesystem().mkdir(BUCKET)
                yield store
        elif kind == "gcs":
            exe = _executable("gcp-storage-emulator")
            if exe is None:
                raise FileNotFoundError("gcp-storage-emulator")
            cmd = [
                exe,
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--in-memory",
                "--default-bucket",
                BUCKET,
                "-q",
            ]
            with _process(cmd, endpoint, log):
                yield StoreEmulator(
                    "gcs",
                    "gs",
                    endpoint,
                    BUCKET,
                    {"endpoint_url": endpoint, "token": "anon", "project": "skyclass-test"},
                    {
                        "STORAGE_EMULATOR_HOST": endpoint,
                        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
                    },
                )
        elif kind == "azure":
            exe = _executable("azurite-blob")
            if exe is None:
                raise FileNotFoundError("azurite-blob")
            conn = (
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                f"AccountKey={AZURITE_KEY};BlobEndpoint={endpoint}/devstoreaccount1;"
            )
            cmd = [
                exe,
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(port),
                "--location",
                tmp,
                "--silent",
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry",
            ]
            with _process(cmd, f"{endpoint}/devstoreaccount1?comp=list", log):
                store = StoreEmulator(
                    "azure",
                    "az",
                    endpoint,
                    BUCKET,
                    {"connection_string": conn},
                    {"AZURE_STORAGE_CONNECTION_STRING": conn},
                )
                store.filesystem().mkdir(BUCKET)
                yield store
        else:
            raise ValueError(f"unknown emulator kind {kind!r}; use s3, gcs or azure")


def _fixture(kind: str):
    @pytest.fixture(scope="session")
    def store() -> Iterator[StoreEmulator]:
        try:
            with running(kind) as emulator:
                yield emulator
        except FileNotFoundError as missing:
            pytest.skip(f"{missing} is not installed (run `make deps`)")

    store.__name__ = f"{kind}_store"
    return store


s3_store = _fixture("s3")
gcs_store = _fixture("gcs")
azure_store = _fixture("azure")
