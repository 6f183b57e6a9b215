"""The examples in skyclass.monitor's docstrings run and print what they claim."""

import doctest
import importlib
import pkgutil

import pytest

import skyclass.monitor

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(skyclass.monitor.__path__, prefix="skyclass.monitor.")
)


@pytest.mark.parametrize("name", ["skyclass.monitor", *MODULES])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
