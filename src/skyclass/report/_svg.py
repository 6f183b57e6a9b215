"""Render a matplotlib figure as an inline ``<svg>`` string (Agg backend, no files, no network)."""

from __future__ import annotations

import io
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["figure", "to_svg"]

_counter = itertools.count()
_PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"]


def figure(width: float = 6.4, height: float = 4.0):
    """A new figure and axes with the report's style."""
    with plt.rc_context({"axes.prop_cycle": matplotlib.cycler(color=_PALETTE)}):
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.grid(alpha=0.3)
    return fig, ax


def to_svg(fig, title: str) -> str:
    """The figure as an ``<svg role="img">`` element with a ``<title>``; the figure is closed.

    IDs inside are salted per figure so several inline SVGs never clash.
    """
    buffer = io.StringIO()
    salt = f"f{next(_counter)}"
    with plt.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    text = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", text, count=1)
    text = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", text, count=1)
    safe = title.replace("&", "&amp;").replace("<", "&lt;")
    return text.replace("<svg", f'<svg role="img" aria-label="{safe}"', 1)
