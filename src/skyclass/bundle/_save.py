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
    """Write a bundle directory (or ``.skyclass`` zip) whose ``manifest.json`` hashes every file.

    Most callers use ``skyclass.pipeline.package``, which computes every part. The
    manifest is written last, so a half-written directory never passes as a bundle.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Where to write; created if missing. A path ending in ``.skyclass`` writes the
        deterministic zip form instead of a directory.
    onnx_model : bytes
        The serialized ONNX graph (``model.onnx``); it must output ``probabilities``
        ``[n, len(labels)]`` float32.
    schema : skyclass.data.Schema
        The input columns, their kinds and categories, as predictions validate them.
    labels : list
        The class labels in the order of the probability columns (JSON scalars).
    target : str or None
        Name of the predicted column in the training table (None when unknown).
    name : str
        Model name: non-empty, without ``/`` or ``@`` (it becomes the registry name).
    inputs : list of dict
        The graph's inputs, one ``{"name", "type"}`` per column (``type`` ``"string"`` or
        ``"double"``), in the order the graph expects them.
    reference : mapping
        Training distributions for drift monitoring (``reference.json``).
    golden : list of dict
        Rows with the probabilities the model must reproduce on load (``golden.json``),
        each ``{"row": {...}, "probabilities": [...]}``.
    card : str
        The model card (Markdown, ``card.md``).
    decision_rule : mapping or None
        The decision rule as ``skyclass.metrics.rule_to_dict`` writes it; None (default)
        means argmax.
    metrics : mapping or None
        Held-out metrics recorded in the manifest (default: none).
    params : mapping or None
        Hyperparameters of the winning model (default: none).
    data_fingerprint : mapping or None
        What identifies the training data, e.g. ``{"sha256", "rows"}`` (default: none).
    model_info : mapping or None
        The manifest's ``model`` section: estimator class, ONNX opset, feature names,
        preprocessing (default: none).
    version : int or None
        Registry version written into the manifest; None (default) leaves the number to
        the registry at push time.

    Returns
    -------
    pathlib.Path
        The bundle directory, or the zip file for the ``.skyclass`` form.

    Raises
    ------
    InputError
        When ``name`` is empty or contains ``/`` or ``@``.

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
    """Write ``files`` as a deterministic zip: fixed timestamps, sorted names, same bytes each time.

    The zip is written beside ``path`` and renamed into place, so readers never see half
    of it.

    Parameters
    ----------
    path : str or os.PathLike
        The zip to write (its folder is created); an existing file is replaced.
    files : mapping of str to bytes
        File name → content; names are stored flat (no folders).

    Returns
    -------
    pathlib.Path
        ``path`` as a ``Path``.
    """
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
