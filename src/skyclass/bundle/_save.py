"""``save``: write a bundle directory (or ``.skyclass`` zip) with a hashed manifest."""

from __future__ import annotations

import datetime as _dt
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skyclass._version import __version__
from skyclass.bundle._format import (
    CARD,
    FORMAT_VERSION,
    GOLDEN,
    MANIFEST,
    MODEL,
    REFERENCE,
    dumps,
    file_entry,
)
from skyclass.data import Schema
from skyclass.errors import InputError

__all__ = ["save", "write_zip"]

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def save(
    out_dir: str | os.PathLike[str],
    *,
    onnx_model: bytes,
    schema: Schema,
    labels: list[Any],
    target: str | None,
    name: str,
    inputs: list[dict[str, Any]],
    reference: Mapping[str, Any],
    golden: list[dict[str, Any]],
    card: str,
    decision_rule: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    data_fingerprint: Mapping[str, Any] | None = None,
    model_info: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> Path:
    """Write a bundle directory and return its path; ``manifest.json`` is written last.

    Most callers use ``skyclass.pipeline.package``, which computes every part.
    A path ending in ``.skyclass`` writes the zip form instead.

    Example:
        >>> save("out/churn", onnx_model=graph.SerializeToString(), ...)  # doctest: +SKIP
    """
    if not name or "/" in name or "@" in name:
        raise InputError(f"bundle name {name!r} must be non-empty without '/' or '@'")
    files = {
        MODEL: onnx_model,
        REFERENCE: dumps(reference, compact=True),
        GOLDEN: dumps(golden),
        CARD: card.encode(),
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": version,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "skyclass_version": __version__,
        "labels": list(labels),
        "target": target,
        "schema": schema.to_dict(),
        "inputs": list(inputs),
        "outputs": [{"name": "probabilities", "type": "float", "shape": [-1, len(labels)]}],
        "decision_rule": None if decision_rule is None else dict(decision_rule),
        "metrics": dict(metrics or {}),
        "params": dict(params or {}),
        "data_fingerprint": dict(data_fingerprint or {}),
        "model": dict(model_info or {}),
        "files": {fname: file_entry(data) for fname, data in files.items()},
    }
    files[MANIFEST] = dumps(manifest)
    out = Path(out_dir)
    if out.suffix == ".skyclass":
        return write_zip(out, files)
    out.mkdir(parents=True, exist_ok=True)
    for fname, data in files.items():  # MANIFEST is the last key: written last
        (out / fname).write_bytes(data)
    return out


def write_zip(path: str | os.PathLike[str], files: Mapping[str, bytes]) -> Path:
    """Write ``files`` as a deterministic zip (fixed timestamps, sorted names)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for fname in sorted(files):
            info = zipfile.ZipInfo(fname, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[fname])
    tmp.replace(path)
    return path
