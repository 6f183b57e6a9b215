"""The page layer of the toolkit: escaping, numbers, tables, cards, sections and the page itself.

Every skyclass page (training report, evaluate report, monitor page, dashboard) is
``page(...)`` around ``section(...)`` blocks, with one stylesheet
(``static/page.css``): a header, a sticky section bar, cards for headline numbers,
tables that scroll inside their box, and a grid of figures that becomes one column
on a phone (390 px).

Example:
    >>> html = page("t", [("a", "A", section("a", "A", cards([("0.91", "accuracy")])))])
    >>> html.startswith("<!DOCTYPE html>"), 'href="#a"' in html, "<script>" in html
    (True, True, True)
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from importlib import resources

__all__ = ["Markup", "cards", "esc", "fmt", "page", "section", "table"]


def esc(value: object) -> str:
    """HTML-escaped text of any value.

    Parameters
    ----------
    value : object
        Anything; its ``str()`` is escaped.

    Returns
    -------
    str
        The text with ``&``, ``<``, ``>`` and both quotes escaped (safe in elements and
        attribute values).

    Example:
        >>> esc("<b>")
        '&lt;b&gt;'
    """
    return html.escape(str(value), quote=True)


def fmt(value: object, digits: int = 4) -> str:
    """A number rounded for reading (``digits`` decimals, or significant digits when very
    large or small); ``None`` as a dash, NaN as ``n/a``, other values as text.

    Parameters
    ----------
    value : object
        A number, None or anything else (shown as its ``str()``); integers get
        thousands separators, booleans stay ``True``/``False``.
    digits : int, default=4
        Decimals of a float in [1e-3, 1e4); significant digits outside it.

    Returns
    -------
    str
        The text to show (not HTML-escaped).

    Example:
        >>> fmt(0.912345), fmt(12345), fmt(None)
        ('0.9123', '12,345', '—')
    """
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
    """A table that scrolls inside its box on a narrow screen.

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : iterable of sequences
        Cells; numbers go through :func:`fmt`, text is escaped, ``Markup`` is kept as HTML.
    numeric : set of int, optional
        Column positions aligned right (tabular figures).

    Returns
    -------
    str
        The HTML.
    """
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


def cards(items: Iterable[tuple[str, str] | tuple[str, str, str]]) -> str:
    """Headline numbers as cards.

    Parameters
    ----------
    items : iterable of (value, label) or (value, label, css class)
        The css class colours the value (``ok`` green, ``bad`` red).

    Returns
    -------
    str
        The HTML.
    """
    inner = "".join(
        f'<div class="card"><b class="{esc(item[2]) if len(item) > 2 else ""}">{esc(item[0])}</b>'
        f"<span>{esc(item[1])}</span></div>"
        for item in items
    )
    return f'<div class="cards">{inner}</div>'


def section(anchor: str, title: str, body: str) -> str:
    """A titled section with an anchor for the navigation bar.

    Parameters
    ----------
    anchor : str
        The ``id`` the page's navigation links to.
    title : str
        The section heading.
    body : str
        Its HTML.

    Returns
    -------
    str
        The ``<section>`` HTML.
    """
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def _static(name: str) -> str:
    return resources.files("skyclass.report").joinpath("static", name).read_text("utf-8")


def page(
    title: str,
    sections: Sequence[tuple[str, str, str]],
    *,
    subtitle: str = "",
    refresh_s: int | None = None,
    script: bool = True,
) -> str:
    """One self-contained page (inline CSS, SVG and, with ``script``, the figure check).

    Parameters
    ----------
    title : str
        The header and the browser tab title.
    sections : sequence of (anchor, nav label, html)
        The page body in order; empty ``html`` is left out (and out of the nav bar).
    subtitle : str
        A line under the title (what produced the page, when).
    refresh_s : int, optional
        Make the browser reload the page every ``refresh_s`` seconds (the dashboard).
    script : bool
        Include ``static/page.js``, which marks ``<body data-report-ready="ok">`` once
        every figure has a non-zero size (used by the Chromium tests).

    Returns
    -------
    str
        The HTML document.
    """
    shown = [(anchor, label, body) for anchor, label, body in sections if body]
    nav = "".join(f'<a href="#{esc(anchor)}">{esc(label)}</a>' for anchor, label, _ in shown)
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_s)}">' if refresh_s else ""
    js = f"<script>{_static('page.js')}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,">{refresh}<title>{esc(title)}</title>'
        f"<style>{_static('page.css')}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{''.join(body for _, _, body in shown)}</main>{js}</body></html>\n"
    )
