"""The one error path of the ``skyclass`` command: every failure a user can cause ends here.

Usage errors of the CLI framework (a missing option, an unknown option or command, a
value that is not a number) and every ``SkyclassError`` become one or two lines on
stderr and exit code 2; Ctrl-C is exit code 130. Nothing a user types prints a Python
traceback.

The framework's exception classes are matched by name along the class hierarchy, not
by identity: click raises ``click.ClickException`` while typer 0.29 raises its own
vendored copy (``typer._click``), and both must end here.

Example:
    >>> from skyclass.errors import InputError
    >>> lines, code = explain(InputError("column 'age' [0-9]+ is wrong"))
    >>> lines, code
    (["error: column 'age' [0-9]+ is wrong"], 2)
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

from skyclass.errors import SkyclassError

__all__ = ["USAGE_EXIT", "explain", "run"]

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130


def _is_a(err: BaseException, class_name: str) -> bool:
    """``err`` is an instance of a class called ``class_name`` (click's or typer's copy)."""
    return any(cls.__name__ == class_name for cls in type(err).__mro__)


def _help_hint(err: BaseException) -> str | None:
    ctx = getattr(err, "ctx", None)
    path = getattr(ctx, "command_path", None)
    return f"run '{path} --help' for the options and an example" if path else None


def explain(err: BaseException) -> tuple[list[str], int] | None:
    """The stderr lines and exit code for ``err``, or ``None`` when it is not a user error."""
    if isinstance(err, SkyclassError):
        return [f"error: {err}"], USAGE_EXIT
    if _is_a(err, "NoArgsIsHelpError"):  # bare ``skyclass`` / ``skyclass registry``: the help
        return [err.format_message().rstrip()], USAGE_EXIT
    if _is_a(err, "ClickException"):
        lines = [f"error: {err.format_message()}"]
        hint = _help_hint(err)
        if hint and _is_a(err, "UsageError"):
            lines.append(hint)
        return lines, USAGE_EXIT
    if _is_a(err, "Abort") or isinstance(err, KeyboardInterrupt):
        return ["aborted"], INTERRUPTED_EXIT
    if isinstance(err, OSError) and err.filename is not None:  # e.g. --out in a read-only folder
        return [f"error: {err.filename}: {err.strerror or err}; check the path"], USAGE_EXIT
    return None


def run(app) -> None:
    """Run a Typer ``app`` as the console script does; exits with the command's code."""
    try:
        code = app(standalone_mode=False)
    except SystemExit:
        raise
    except BaseException as err:  # noqa: BLE001 - sorted below; real bugs are re-raised
        explained = explain(err)
        if explained is None:
            raise
        lines, code = explained
        console = Console(stderr=True, soft_wrap=True, highlight=False)
        first, *rest = lines
        if first.startswith("error: "):
            console.print(f"[red]error:[/red] {escape(first[7:])}")
        else:
            console.print(escape(first))
        for line in rest:
            console.print(escape(line))
        sys.exit(code)
    sys.exit(code if isinstance(code, int) else 0)
