"""One progress line per training step (rich), with its time recorded for the report.

Example:
    >>> from rich.console import Console
    >>> steps = Steps(Console(quiet=True))
    >>> with steps.step("load") as step:
    ...     step.note = "10 rows"
    >>> list(steps.timings)
    ['load']
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape

__all__ = ["Steps"]


@dataclass
class _Step:
    name: str
    note: str = ""


class Steps:
    """Prints ``✓ name  note  (seconds)`` after each step and keeps ``timings``."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[_Step]:
        """Time the block; print its line when it ends without an error."""
        record = _Step(name)
        start = time.perf_counter()
        yield record
        seconds = time.perf_counter() - start
        self.timings[name] = self.timings.get(name, 0.0) + seconds
        self.console.print(
            f"[green]✓[/green] [bold]{name:<10}[/bold] {escape(record.note)} [dim]({seconds:.1f} s)[/dim]",
            highlight=False,
        )

    def info(self, text: str) -> None:
        """An indented detail line under the current step."""
        self.console.print(f"    [dim]{escape(text)}[/dim]", highlight=False)
