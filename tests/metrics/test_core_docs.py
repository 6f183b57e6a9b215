"""The examples in docs/metrics.md and in the docstrings of the metrics engine run as shown."""

import doctest
import importlib
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
MODULES = [
    "__init__",
    "_binary_curve",
    "_classification",
    "_counts",
    "_curve",
    "_docstrings",
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


def test_shared_parameter_text_fills_whole_line_placeholders_only():
    from skyclass.metrics import f1_score
    from skyclass.metrics._docstrings import fill

    doc = fill("    x : {'a', 'b'}\n    {sample_weight}\n")
    assert doc.splitlines()[0] == "    x : {'a', 'b'}"
    assert doc.splitlines()[1] == "    sample_weight : array-like of shape (n_samples,), default=None"
    assert not re.search(r"^\s*\{\w+\}\s*$", f1_score.__doc__, re.MULTILINE)
    assert "    y_pred : array-like of shape (n_samples,)\n" in f1_score.__doc__
    with pytest.raises(KeyError, match="y_ture"):
        fill("    {y_ture}\n")
