"""Small HTML building blocks for the report: escaping, tables, figures, sections."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

__all__ = ["Markup", "cards", "esc", "fig", "fmt", "section", "table"]


def esc(value) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value), quote=True)


def fmt(value, digits: int = 4) -> str:
    """A number rounded for reading; other values as text."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return (
            f"{value:.{digits}g}"
            if abs(value) >= 1e4 or 0 < abs(value) < 1e-3
            else f"{value:.{digits}f}"
        )
    return str(value)


def table(
    headers: Sequence[str], rows: Iterable[Sequence], *, numeric: set[int] | None = None
) -> str:
    """A scrollable table; cells already containing markup must be passed as ``Markup``."""
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell if isinstance(cell, Markup) else esc(fmt(cell))
            cls = ' class="num"' if i in numeric else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


class Markup(str):
    """A string that is already HTML (not escaped again)."""


def fig(svg: str, caption: str) -> str:
    """A figure with its caption."""
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def cards(items: Iterable[tuple[str, str]]) -> str:
    """Headline numbers: ``[(value, label), ...]``."""
    inner = "".join(
        f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in items
    )
    return f'<div class="cards">{inner}</div>'


def section(anchor: str, title: str, body: str) -> str:
    """A titled section with an anchor for the navigation bar."""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'
