"""The ``skyclass`` command line.

Example:
    $ skyclass --help
    $ skyclass metrics y_true.csv y_proba.csv
"""

import sys

from rich.console import Console

from skyclass.cli import deploy as _deploy  # noqa: F401
from skyclass.cli import metrics as _metrics  # noqa: F401
from skyclass.cli import monitor as _monitor  # noqa: F401
from skyclass.cli import registry as _registry  # noqa: F401
from skyclass.cli import serve as _serve  # noqa: F401
from skyclass.cli import train as _train  # noqa: F401

# Command modules register themselves on ``app`` when imported (one line each).
from skyclass.cli._app import app
from skyclass.errors import SkyclassError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app; a ``SkyclassError`` becomes one red line and exit code 2."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except SkyclassError as err:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {err}", highlight=False)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as err:  # click's usage errors and aborts
        import click

        if isinstance(err, click.exceptions.ClickException):
            err.show()
            sys.exit(2)
        if isinstance(err, click.exceptions.Abort):
            sys.exit(130)
        raise
