"""The examples in docs/metrics.md and in the docstrings of the metrics engine run as shown."""

import doctest
import importlib
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
MODULES = [
    "__init__",
    "_binary_curve",
    "_classification",
    "_counts",
    "_curve",
    "_engine",
    "_evaluate",
    "_evaluation",
    "_probabilistic",
    "_ranking",
    "_report",
    "_targets",
    "_validation",
    "_warnings",
]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_docs_metrics_md_examples_run():
    result = doctest.testfile(str(DOCS), module_relative=False, optionflags=FLAGS)
    assert result.attempted > 10
    assert result.failed == 0


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    name = "skyclass.metrics" if module == "__init__" else f"skyclass.metrics.{module}"
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.failed == 0
