"""The Typer application every ``skyclass`` command registers on.

Command modules (``skyclass/cli/<command>.py``) import ``app`` from here and
decorate their functions with ``@app.command()``; ``skyclass.cli`` imports
them. The CLI holds no logic of its own: it parses and calls the packages.
"""

import typer

from skyclass._version import __version__

app = typer.Typer(
    name="skyclass",
    help="From a labelled table to a trusted, served, multi-cloud classifier.\n\n"
    "Example: skyclass train data.csv --target label --out out/",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"skyclass {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """skyclass: train, evaluate, package, serve, deploy and monitor multiclass classifiers."""
