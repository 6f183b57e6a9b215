"""The ``skyclass`` command line.

Example:
    $ skyclass --help
    $ skyclass metrics y_true.csv y_proba.csv
"""

from skyclass.cli import deploy as _deploy  # noqa: F401
from skyclass.cli import metrics as _metrics  # noqa: F401
from skyclass.cli import monitor as _monitor  # noqa: F401
from skyclass.cli import registry as _registry  # noqa: F401
from skyclass.cli import serve as _serve  # noqa: F401
from skyclass.cli import train as _train  # noqa: F401

# Command modules register themselves on ``app`` when imported (one line each).
from skyclass.cli._app import app
from skyclass.cli._errors import run

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app; every user error is one or two lines on stderr and exit code 2."""
    run(app)
