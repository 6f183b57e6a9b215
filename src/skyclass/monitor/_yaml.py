"""Read a YAML (or JSON) file whose top level must be a mapping: monitor configs, deployment specs.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "monitor.yaml"
    >>> _ = p.write_text("window: 1h\\n")
    >>> read_mapping(p, "monitor config")
    {'window': '1h'}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from skyclass.errors import ConfigError, NotFoundError


def read_mapping(path: Path, what: str) -> dict[str, Any]:
    """The file's top-level mapping (``{}`` for an empty file).

    Parameters
    ----------
    path : Path
        The file to read.
    what : str
        What the file is, for the not-found message (``"monitor config"``).

    Returns
    -------
    dict
        The parsed mapping.

    Raises
    ------
    NotFoundError
        When ``path`` is not a file.
    ConfigError
        When it is not YAML/JSON, or its top level is not a mapping.
    """
    if not path.is_file():
        raise NotFoundError(f"{what} {path} not found")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML/JSON: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data
