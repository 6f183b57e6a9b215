"""The package contracts in ``.importlinter`` catch the edges DESIGN.md forbids.

``make lint`` runs ``lint-imports`` on the real tree; these tests show each kind of
contract can fail: a copy of the source gets one forbidden import and the named
contract must then be reported broken with the offending edge (an edge the
unchanged copy does not report).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path, contract: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("contracts")
    shutil.copytree(ROOT / "src" / "skyclass", root / "src" / "skyclass")
    shutil.copy(ROOT / ".importlinter", root / ".importlinter")
    return root


@pytest.mark.parametrize(
    ("module", "line", "contract", "evidence"),
    [
        # a leaf library reaching up the stack
        (
            "metrics/_counts.py",
            "from skyclass.data import Schema",
            "layers",
            "skyclass.metrics is not allowed to import skyclass.data",
        ),
        # serving reaching training code
        (
            "serving/_settings.py",
            "from skyclass.pipeline import train",
            "serving",
            "skyclass.serving is not allowed to import skyclass.pipeline",
        ),
        # one package reading another's private module
        (
            "pipeline/_costs.py",
            "from skyclass.bundle._format import MANIFEST",
            "private",
            "skyclass.pipeline._costs -> skyclass.bundle._format",
        ),
        # a cycle hidden in a function-local import
        (
            "metrics/_validation.py",
            "def _f():\n    from skyclass.metrics._decision import decide",
            "acyclic",
            "No cycles are allowed in skyclass.metrics.",
        ),
        # monitor reaching pipeline outside its retrain module
        (
            "monitor/_drift.py",
            "from skyclass.pipeline import train",
            "retrain",
            "- skyclass.monitor._drift -> skyclass.pipeline",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree, module, line, contract, evidence):
    path = tree / "src" / "skyclass" / module
    original = path.read_text()
    kept = _lint(tree, contract)
    try:
        path.write_text(original + "\n" + line + "  # noqa\n")
        broken = _lint(tree, contract)
    finally:
        path.write_text(original)
    assert evidence not in kept.stdout, kept.stdout[-2000:]
    assert broken.returncode == 1, broken.stdout[-2000:]
    assert evidence in broken.stdout, broken.stdout[-2000:]
