"""Print a ``DataQuality`` summary on stderr: what scoring imputed or mapped to unknown.

Example:
    >>> from skyclass.data import DataQuality
    >>> q = DataQuality(rows=5, missing_columns={"income": 5})
    >>> say_quality(q)  # prints: warning: column 'income' is missing from the input: ...
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

STRICT_HELP = "Fail (exit 2) instead of imputing missing columns/values or scoring unseen categories."


def say_quality(quality) -> None:
    """One yellow ``warning:`` line per column and issue, then how to make it an error."""
    lines = quality.lines()
    if not lines:
        return
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    for line in lines:
        console.print(f"[yellow]warning:[/yellow] {escape(line)}")
    console.print("[yellow]warning:[/yellow] pass --strict to make this an error")
