"""Every public function and class of every package documents its parameters (numpydoc).

Public means listed in the ``__all__`` of a package or public subpackage (what ``from skyclass.<package> import *``
gives a user), plus the public methods such a class defines itself. For each callable:

- a docstring;
- a numpydoc ``Parameters`` section naming every parameter (for a class: its constructor's,
  in the class docstring; ``Attributes`` is accepted for dataclass fields; a pydantic field
  may instead carry ``Field(description=...)``);
- a ``Returns`` (or ``Yields``) section when it returns something;
- type hints on every parameter and on the return value.

The docstrings are parsed with numpydoc's own parser, so a section that numpydoc would not
render (a misspelt header, a parameter line without ``name : type``) does not count.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import warnings

import pytest
from numpydoc.docscrape import NumpyDocString

import skyclass

PACKAGES = ["skyclass"] + sorted(
    info.name
    for info in pkgutil.walk_packages(skyclass.__path__, prefix="skyclass.")
    if info.ispkg and not any(part.startswith("_") for part in info.name.split("."))
)


def _parsed(doc: str) -> NumpyDocString:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpydoc warns on unknown sections; we report them
        return NumpyDocString(doc)


def _documented_names(doc: NumpyDocString, *sections: str) -> set[str]:
    names: set[str] = set()
    for section in sections:
        for entry in doc[section]:
            for name in entry.name.split(","):  # numpydoc allows "x, y : float"
                names.add(name.strip().lstrip("*"))
    return names


def _own_parameters(signature: inspect.Signature) -> list[inspect.Parameter]:
    return [p for p in signature.parameters.values() if p.name not in ("self", "cls")]


def _returns_something(signature: inspect.Signature) -> bool:
    return signature.return_annotation not in (None, "None", inspect.Signature.empty)


def _function_problems(where: str, function) -> list[str]:
    problems = []
    signature = inspect.signature(function)
    parameters = _own_parameters(signature)
    doc_text = inspect.getdoc(function) or ""
    if not doc_text.strip():
        return [f"{where}: no docstring"]
    doc = _parsed(doc_text)
    missing = [p.name for p in parameters if p.name not in _documented_names(doc, "Parameters")]
    if missing:
        problems.append(f"{where}: Parameters section lacks {missing}")
    if _returns_something(signature) and not (doc["Returns"] or doc["Yields"]):
        problems.append(f"{where}: no Returns section")
    unhinted = [p.name for p in parameters if p.annotation is inspect.Parameter.empty]
    if unhinted:
        problems.append(f"{where}: no type hint on {unhinted}")
    if signature.return_annotation is inspect.Signature.empty:
        problems.append(f"{where}: no return type hint")
    return problems


def _pydantic_described(cls, name: str) -> bool:
    fields = getattr(cls, "model_fields", {})
    return name in fields and bool(fields[name].description)


def _class_problems(where: str, cls) -> list[str]:
    problems = []
    doc_text = inspect.getdoc(cls) or ""
    if not doc_text.strip() or doc_text == inspect.getdoc(cls.__mro__[1]):
        problems.append(f"{where}: no class docstring")
    constructor = cls.__dict__.get("__init__")
    own_constructor = dataclasses.is_dataclass(cls) or hasattr(cls, "model_fields") or (
        constructor is not None and inspect.isfunction(constructor)
    )
    if own_constructor:
        try:
            parameters = _own_parameters(inspect.signature(cls))
        except (TypeError, ValueError):
            parameters = []
        doc = _parsed(doc_text + "\n\n" + (inspect.getdoc(constructor) or "" if constructor else ""))
        documented = _documented_names(doc, "Parameters", "Attributes", "Other Parameters")
        missing = [
            p.name
            for p in parameters
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            and p.name not in documented
            and not _pydantic_described(cls, p.name)
        ]
        if missing:
            problems.append(f"{where}: constructor parameters not documented: {missing}")
        if constructor is not None and inspect.isfunction(constructor):
            signature = inspect.signature(constructor)
            unhinted = [p.name for p in _own_parameters(signature) if p.annotation is inspect.Parameter.empty]
            if unhinted:
                problems.append(f"{where}.__init__: no type hint on {unhinted}")
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if inspect.isfunction(member):
            problems += _function_problems(f"{where}.{name}", member)
    return problems


def _public_objects(package: str):
    module = importlib.import_module(package)
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if not getattr(obj, "__module__", "").startswith("skyclass"):
            continue  # a re-exported third-party name (documented by its own library)
        yield f"{package}.{name}", obj


def public_api_problems(package: str) -> list[str]:
    """Every documentation problem of one package's public names, one line each."""
    problems: list[str] = []
    seen: set[int] = set()
    for where, obj in _public_objects(package):
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if inspect.isclass(obj):
            problems += _class_problems(where, obj)
        elif inspect.isfunction(obj):
            problems += _function_problems(where, obj)
    return problems


@pytest.mark.parametrize("package", PACKAGES)
def test_public_callables_document_their_parameters(package):
    problems = public_api_problems(package)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_checker_finds_an_undocumented_parameter():
    def documented(x: int) -> int:
        """Double.

        Parameters
        ----------
        x : int
            The number.

        Returns
        -------
        int
            Twice ``x``.
        """
        return 2 * x

    def undocumented(x: int, y) -> int:
        """Add.

        Parameters
        ----------
        x : int
            The first.
        """
        return x + y

    assert _function_problems("documented", documented) == []
    assert _function_problems("undocumented", undocumented) == [
        "undocumented: Parameters section lacks ['y']",
        "undocumented: no Returns section",
        "undocumented: no type hint on ['y']",
    ]
