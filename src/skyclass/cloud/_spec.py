"""Reading a deployment spec (``skyclass deploy SPEC.yaml``): YAML in, validated
:class:`~skyclass.cloud.DeploymentSpec` out, with errors that name the field path and the line.

The models live in :mod:`skyclass.cloud._spec_models`; this module turns YAML into them
and pydantic's errors into messages with lines.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spec.yaml"
    >>> _ = path.write_text("name: t\\nmodel: /m\\nregions:\\n  - name: a\\n    replicas: -1\\n")
    >>> try:
    ...     load_spec(path)
    ... except ConfigError as err:
    ...     print(str(err).split(": ", 1)[1])
    line 5: regions[0].replicas: Input should be greater than or equal to 0 (fix the spec and retry)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from skyclass.cloud._spec_models import DeploymentSpec
from skyclass.errors import ConfigError


def _line_map(node: yaml.Node, path: tuple = (), lines: dict | None = None) -> dict[tuple, int]:
    """Every key path of a composed YAML document → its 1-based line."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1
            _line_map(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)
    return lines


def _line_of(lines: dict[tuple, int], loc: tuple) -> int:
    """The line of ``loc``, or of its nearest enclosing key written in the file (else 1)."""
    return next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _resolve_uri(uri: str, base: Path) -> str:
    """``file://./x`` and relative paths become absolute, relative to the spec's folder."""
    if uri.startswith("file://") and not uri.startswith("file:///"):
        return "file://" + str((base / uri[len("file://") :]).resolve())
    if re.match(r"^[a-z][a-z0-9+.-]*://", uri):
        return uri
    return str((base / uri).resolve())


def parse_spec(text: str, source: str = "<spec>", base: Path | None = None) -> DeploymentSpec:
    """Validate the YAML text of a deployment spec.

    Parameters
    ----------
    text : str
        The spec as YAML (a mapping with at least ``name``, ``model`` and ``regions``).
    source : str
        What to call the text in error messages, usually its file path (default
        ``"<spec>"``).
    base : pathlib.Path or None
        Folder that relative ``model``, ``store``, rollout model and ``trust.keys`` paths are
        resolved against (default None: the current directory).

    Returns
    -------
    DeploymentSpec
        The validated spec, with every relative path made absolute and every trusted key
        already read.

    Raises
    ------
    ConfigError
        When the text is not YAML, breaks a rule of the models (every problem, each with its
        line and field path, e.g. ``line 5: regions[0].provider: ...``), names an unknown
        provider (listing the registered ones) or a trusted key that cannot be read.
    """
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise ConfigError(
            f"{source}: {where}: not valid YAML: {getattr(err, 'problem', err)}"
        ) from err
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: line 1: the spec must be a mapping with name, model, regions")
    lines = _line_map(node) if node is not None else {}
    try:
        spec = DeploymentSpec.model_validate(data)
    except ValidationError as err:
        problems = []
        for issue in err.errors():
            loc = tuple(issue["loc"])
            where = f"line {_line_of(lines, loc)}: {_dotted(loc) or '(top)'}"
            problems.append(f"{where}: {issue['msg']}")
        raise ConfigError(
            f"{source}: " + "; ".join(problems) + " (fix the spec and retry)"
        ) from None
    base = base or Path.cwd()
    spec.model = _resolve_uri(spec.model, base)
    for region in spec.regions:
        if region.store:
            region.store = _resolve_uri(region.store, base)
    for part in (spec.rollout.canary, spec.rollout.shadow):
        if part is not None:
            part.model = _resolve_uri(part.model, base)
    _check_trust(spec, lines, source, base)
    return spec


def _check_trust(spec: DeploymentSpec, lines: dict, source: str, base: Path) -> None:
    """Resolve every ``trust.keys`` path against ``base`` and read it now (not at deploy)."""
    from skyclass.bundle import TrustedKey

    places = [(("trust",), spec.trust)]
    places += [(("regions", i, "trust"), r.trust) for i, r in enumerate(spec.regions)]
    for loc, trust in places:
        if trust is None:
            continue
        for index, key in enumerate(trust.keys):
            trust.keys[index] = str((base / key).resolve())
            try:
                TrustedKey.load(trust.keys[index])
            except ConfigError as err:
                at = (*loc, "keys", index)
                where = f"line {_line_of(lines, at)}: {_dotted(at)}"
                raise ConfigError(f"{source}: {where}: {err}") from None


def load_spec(path: str | Path) -> DeploymentSpec:
    """Read and validate a deployment spec file (what ``skyclass deploy SPEC`` does first).

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML spec file; relative paths inside it are resolved against its folder.

    Returns
    -------
    DeploymentSpec
        The validated spec (see :func:`parse_spec`).

    Raises
    ------
    ConfigError
        When the file cannot be read, or for any problem :func:`parse_spec` reports; the
        message starts with the file's path.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"cannot read spec {path}: {err.strerror}; check the path") from err
    return parse_spec(text, str(path), path.resolve().parent)
