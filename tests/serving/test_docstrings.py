"""Every docstring example in ``skyclass.serving`` runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import skyclass.serving

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(skyclass.serving.__path__, prefix="skyclass.serving.")
)


@pytest.mark.parametrize("name", ["skyclass.serving", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
