"""Write a result directory atomically: build it beside ``out``, then rename into place.

An error halfway leaves ``out`` as it was (absent, or the previous complete run).

Example:
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with staged_dir(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (out / "a.txt").read_text()
    'done'
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skyclass.errors import InputError

__all__ = ["staged_dir"]


@contextmanager
def staged_dir(out: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary directory next to ``out``; on success it replaces ``out``."""
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a directory; choose another path")
    out.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    tmp = out.parent / f".{out.name}.tmp-{tag}"
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{tag}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
