"""monitor reaches training code only when ``retrain`` runs.

``.importlinter``'s ``retrain`` contract allows ``skyclass.monitor._retrain`` (alone in
monitor) to import ``skyclass.pipeline``; this shows the import is lazy: a process that
imports the monitor package, as ``skyclass monitor`` and ``skyclass dashboard`` do, loads
no module of ``skyclass.pipeline``.
"""

import subprocess
import sys

PROBE = (
    "import sys, skyclass.monitor, skyclass.monitor.stattests\n"
    "print(sorted(m for m in sys.modules if m.split('.')[:2] == ['skyclass', 'pipeline']))"
)


def test_importing_monitor_loads_no_training_code():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
