"""Starting detached processes and stopping only the ones skyclass started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

SKYCLASS_CLI = [sys.executable, "-c", "from skyclass.cli import main; main()"]


def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``argv`` in its own session (it outlives this command), output to ``log``.

    ``env`` adds variables to this process's environment for the child.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv,
            env={**os.environ, **env} if env else None,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _ours(pid: int | None) -> psutil.Process | None:
    """The process ``pid`` if it is alive and a skyclass process (guards against reused pids)."""
    if not pid:
        return None
    try:
        proc = psutil.Process(pid)
        cmdline = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    return proc if "skyclass" in cmdline and proc.status() != psutil.STATUS_ZOMBIE else None


def alive(pid: int | None) -> bool:
    """Whether ``pid`` runs (not a zombie); no cmdline check, so it is safe right after spawn."""
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(pid: int | None, *, graceful: bool = True, timeout: float = 15.0) -> None:
    """SIGTERM then wait (graceful) or SIGKILL at once; no-op when already gone."""
    proc = _ours(pid)
    if proc is None:
        return
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            proc.wait(timeout=timeout if graceful else 5.0)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5.0)
