"""The docstring examples of skyclass.gateway and skyclass.cloud run as tests."""

import doctest
import importlib
import pkgutil

import pytest

import skyclass.cloud
import skyclass.gateway

MODULES = sorted(
    info.name
    for package in (skyclass.gateway, skyclass.cloud)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if not info.name.endswith("_chaos_proxy")
) + ["skyclass.gateway", "skyclass.cloud"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
