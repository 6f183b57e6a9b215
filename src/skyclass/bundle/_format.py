"""The bundle format: file names, the manifest layout, hashing and verification.

A bundle is a directory (or the same files in a ``.skyclass`` zip):

* ``manifest.json`` — format version, name/version, labels, target, schema,
  ONNX inputs/outputs, decision rule, metrics, data fingerprint, parameters and
  ``files``: the SHA-256 and size of every other file;
* ``model.onnx`` — preprocessing + model → ``probabilities``;
* ``reference.json`` — training distributions for drift monitoring;
* ``golden.json`` — example rows with their expected probabilities;
* ``card.md`` — the model card.

Nothing in a bundle is ever unpickled: JSON, Markdown and ONNX (protobuf) only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from skyclass.errors import IntegrityError

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "REQUIRED_FILES",
    "check_files",
    "file_entry",
    "parse_manifest",
    "sha256",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MODEL = "model.onnx"
REFERENCE = "reference.json"
GOLDEN = "golden.json"
CARD = "card.md"
REQUIRED_FILES = (MODEL, REFERENCE, GOLDEN, CARD)
GOLDEN_TOLERANCE = 1e-5
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def file_entry(data: bytes) -> dict[str, Any]:
    """The manifest entry of one file: ``{"sha256": ..., "size": ...}``."""
    return {"sha256": sha256(data), "size": len(data)}


def parse_manifest(data: bytes, where: str) -> dict[str, Any]:
    """Parse and sanity-check ``manifest.json`` bytes; ``where`` names it in errors."""
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise IntegrityError(f"{where}: manifest.json is not valid JSON ({err})") from err
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise IntegrityError(f"{where}: manifest.json has no 'files' table; not a skyclass bundle")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IntegrityError(
            f"{where}: bundle format_version {version!r} is not supported "
            f"(this skyclass reads {FORMAT_VERSION}); upgrade skyclass or re-package"
        )
    unsafe = [f for f in manifest["files"] if not _FILE_NAME.match(str(f)) or f == MANIFEST]
    if unsafe:
        raise IntegrityError(
            f"{where}: manifest.json lists unsafe file names {unsafe}; a bundle holds plain "
            "top-level files only"
        )
    missing = [f for f in REQUIRED_FILES if f not in manifest["files"]]
    if missing:
        raise IntegrityError(
            f"{where}: manifest.json does not list {missing}; bundle is incomplete"
        )
    return manifest


def check_files(manifest: Mapping[str, Any], files: Mapping[str, bytes | None], where: str) -> None:
    """Raise ``IntegrityError`` naming the first listed file that is absent, resized or changed."""
    for name, entry in sorted(manifest["files"].items()):
        data = files.get(name)
        if data is None:
            raise IntegrityError(f"{where}: file {name!r} listed in manifest.json is missing")
        if len(data) != entry.get("size"):
            raise IntegrityError(
                f"{where}: file {name!r} has {len(data)} bytes, manifest.json says "
                f"{entry.get('size')}; the bundle was changed or truncated"
            )
        if sha256(data) != entry.get("sha256"):
            raise IntegrityError(
                f"{where}: file {name!r} does not match its SHA-256 in manifest.json; "
                "the bundle was tampered with or corrupted"
            )


def dumps(obj: Any, *, compact: bool = False) -> bytes:
    """Deterministic JSON bytes (sorted keys, no NaN); indented unless ``compact``."""
    if compact:
        text = json.dumps(obj, sort_keys=True, allow_nan=False, separators=(",", ":"))
    else:
        text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False)
    return (text + "\n").encode()
