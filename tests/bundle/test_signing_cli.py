"""Signing from the installed ``skyclass`` console script: keygen, push --sign, verify --key,
serve --trusted-key (a refused bundle keeps the server not ready, with the reason), sign."""

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from skyclass.bundle import generate_key
from tests.helpers import free_port, wait_http

SKYCLASS = str(Path(sys.executable).parent / "skyclass")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([SKYCLASS, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def serve(tmp_path):
    """``serve(bundle, *args)`` → base URL of a live ``skyclass serve`` (stopped after)."""
    procs = []

    def start(bundle, *args: str) -> str:
        port = free_port()
        procs.append(
            subprocess.Popen(
                [SKYCLASS, "serve", str(bundle), "--port", str(port), "--log", "none", *args],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=tmp_path,
            )
        )
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/v2/health/live")
        return url

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(15)


def test_keygen_push_sign_and_verify_key(tmp_path, demo_bundle):
    done = cli("registry", "keygen", "keys/team", cwd=tmp_path)
    assert done.returncode == 0 and "keys/team.pub" in done.stdout
    assert (tmp_path / "keys" / "team.key").stat().st_mode & 0o077 == 0
    generate_key(tmp_path / "keys" / "other")
    reg = f"file://{tmp_path}/reg"
    done = cli(
        "registry", "push", str(demo_bundle), "--to", reg, "--sign", "keys/team.key", cwd=tmp_path
    )
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr
    done = cli(
        "registry",
        "verify",
        f"{reg}/demo@1",
        "--key",
        "keys/other.pub",
        "--key",
        "keys/team.pub",
        cwd=tmp_path,
    )
    assert done.returncode == 0 and "signed by keys/team.pub" in done.stdout, done.stderr
    done = cli("registry", "verify", f"{reg}/demo@1", "--key", "keys/other.pub", cwd=tmp_path)
    assert done.returncode == 2 and "which is not trusted here" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1  # one line, no traceback
    done = cli(
        "registry", "push", str(demo_bundle), "--to", reg, "--sign-cert", "x.crt", cwd=tmp_path
    )
    assert done.returncode == 2 and "need --sign KEY" in done.stderr


def test_serve_trusted_key_refuses_unsigned_and_serves_signed(tmp_path, demo_bundle, serve):
    generate_key(tmp_path / "team")
    url = serve(demo_bundle, "--trusted-key", "team.pub")
    deadline_body = wait_http(url + "/v2/health/ready", expect=503).json()
    while deadline_body["state"] == "loading":
        deadline_body = httpx.get(url + "/v2/health/ready").json()
    assert (
        deadline_body["state"] == "failed" and "not signed (no model.sig)" in deadline_body["error"]
    )
    signed = shutil.copytree(demo_bundle, tmp_path / "signed")
    done = cli("registry", "sign", str(signed), "--key", "team.key", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("signed: "), done.stderr
    url = serve(signed, "--trusted-key", "team.pub")
    assert wait_http(url + "/v2/health/ready").json()["ready"] is True
    done = cli("serve", str(signed), "--trusted-key", "missing.pub", cwd=tmp_path)
    assert done.returncode == 2 and "trusted key missing.pub: cannot read it" in done.stderr
