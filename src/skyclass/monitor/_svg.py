"""Small inline-SVG charts (bars, grouped bars, lines with interval bands) for the monitoring
page: no JavaScript, no network, readable on a phone (they scale with the page width).

Example:
    >>> from skyclass.monitor._svg import bar_chart
    >>> bar_chart("traffic", ["eu", "us"], [3, 5]).startswith('<figure class="plot"')
    True
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from html import escape

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 52
PALETTE = ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04")
ALERT = "#dc2626"


def _ok(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if _ok(v)]


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.floor(lo / step) * step
    return [
        start + i * step
        for i in range(int((hi - start) / step) + 2)
        if start + i * step <= hi + 1e-12
    ]


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3g}"


def _frame(title: str, body: list[str], y_lo: float, y_hi: float, y_label: str, name: str) -> str:
    if not any(mark in part for part in body for mark in ("<rect class", "<polyline", "<circle")):
        body = [
            *body,
            f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" class="empty">no data yet</text>',
        ]
    y = _scale(y_lo, y_hi, H - BOTTOM, TOP)
    grid = []
    for t in _ticks(y_lo, y_hi):
        grid.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>'
        )
    return (
        f'<figure class="plot" data-plot="{escape(name)}">'
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{W / 2}" y="16" text-anchor="middle" class="title">{escape(title)}</text>'
        f'<text x="12" y="{(TOP + H - BOTTOM) / 2}" transform="rotate(-90 12 {(TOP + H - BOTTOM) / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>'
        + "".join(grid)
        + f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{H - BOTTOM}" y2="{H - BOTTOM}" class="axis"/>'
        + "".join(body)
        + "</svg></figure>"
    )


def _scale(lo: float, hi: float, out_lo: float, out_hi: float):
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def _legend(names: Sequence[str]) -> list[str]:
    out = []
    for i, name in enumerate(names):
        x = LEFT + i * 150
        out.append(
            f'<rect x="{x}" y="{H - 16}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{H - 7}">{escape(name)}</text>'
        )
    return out


def bar_chart(
    title: str,
    categories: Sequence[str],
    values: Sequence[float],
    *,
    y_label: str = "",
    reference_line: float | None = None,
    flagged: Sequence[bool] | None = None,
    name: str | None = None,
) -> str:
    """One bar per category; ``flagged`` bars are red; ``reference_line`` draws a dashed line."""
    return grouped_bar_chart(
        title,
        categories,
        {"": values},
        y_label=y_label,
        reference_line=reference_line,
        flagged=flagged,
        name=name,
    )


def grouped_bar_chart(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    y_label: str = "",
    reference_line: float | None = None,
    flagged: Sequence[bool] | None = None,
    name: str | None = None,
) -> str:
    """Bars grouped by category, one colour per series (legend when there are several)."""
    all_values = _finite([v for vs in series.values() for v in vs])
    top = max(all_values + [reference_line or 0.0, 0.0])
    y_hi = top * 1.1 if top > 0 else 1.0
    y = _scale(0.0, y_hi, H - BOTTOM, TOP)
    n, k = max(len(categories), 1), max(len(series), 1)
    slot = (W - LEFT - RIGHT) / n
    bar = slot * 0.7 / k
    body = []
    for i, category in enumerate(categories):
        x0 = LEFT + i * slot + slot * 0.15
        for j, (label, values) in enumerate(series.items()):
            v = values[i] if i < len(values) else None
            if v is None or not math.isfinite(v):
                continue
            colour = ALERT if flagged is not None and flagged[i] else PALETTE[j % len(PALETTE)]
            top = y(max(v, 0.0))
            body.append(
                f'<rect class="bar" x="{x0 + j * bar:.1f}" y="{top:.1f}" width="{max(bar - 2, 1):.1f}" '
                f'height="{H - BOTTOM - top:.1f}" fill="{colour}"><title>{escape(str(category))} '
                f"{escape(label)}: {_fmt(v)}</title></rect>"
            )
        text = str(category)
        text = text if len(text) <= 14 else text[:13] + "…"
        cx, cy = LEFT + (i + 0.5) * slot, H - BOTTOM + 14
        turn = (
            f' transform="rotate(-30 {cx:.1f} {cy})" text-anchor="end"'
            if n > 5
            else ' text-anchor="middle"'
        )
        body.append(f'<text x="{cx:.1f}" y="{cy}"{turn}>{escape(text)}</text>')
    if reference_line is not None:
        body.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(reference_line):.1f}" y2="{y(reference_line):.1f}" class="ref"/>'
        )
    if len(series) > 1:
        body += _legend(list(series))
    return _frame(title, body, 0.0, y_hi, y_label, name or title)


def line_chart(
    title: str,
    x: Sequence[float],
    series: dict[str, tuple[Sequence[float], Sequence[float] | None, Sequence[float] | None]],
    *,
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    name: str | None = None,
) -> str:
    """Lines over time (``x`` in epoch seconds); each series is ``(values, low, high)`` with an
    optional shaded interval band."""
    points = _finite(
        [v for vs, lo, hi in series.values() for arr in (vs, lo or [], hi or []) for v in arr]
    )
    y_lo, y_hi = y_range or ((min(points), max(points)) if points else (0.0, 1.0))
    if y_hi <= y_lo:
        y_lo, y_hi = y_lo - 0.05, y_hi + 0.05
    x_lo, x_hi = (min(x), max(x)) if len(x) else (0.0, 1.0)
    if x_hi <= x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    sx = _scale(x_lo, x_hi, LEFT + 8, W - RIGHT - 8)
    sy = _scale(y_lo, y_hi, H - BOTTOM, TOP)
    body = []
    for j, (label, (values, lo, hi)) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        if lo is not None and hi is not None:
            keep = [i for i in range(len(x)) if _ok(lo[i]) and _ok(hi[i])]
            if keep:
                upper = " ".join(f"{sx(x[i]):.1f},{sy(hi[i]):.1f}" for i in keep)
                lower = " ".join(f"{sx(x[i]):.1f},{sy(lo[i]):.1f}" for i in reversed(keep))
                body.append(f'<polygon class="band" points="{upper} {lower}" fill="{colour}"/>')
        pts = [(x[i], values[i]) for i in range(len(x)) if _ok(values[i])]
        if pts:
            path = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in pts)
            body.append(f'<polyline class="line" points="{path}" stroke="{colour}"/>')
            body += [
                f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3" fill="{colour}"><title>{escape(label)} '
                f"{_clock(a)}: {_fmt(b)}</title></circle>"
                for a, b in pts
            ]
    ticks = ((x_lo, "start"), ((x_lo + x_hi) / 2, "middle"), (x_hi, "end")) if len(x) else ()
    for t, anchor in ticks:  # the outer labels grow inwards, so none is cut at the edge
        body.append(
            f'<text x="{sx(t):.1f}" y="{H - BOTTOM + 14}" text-anchor="{anchor}">{_clock(t)}</text>'
        )
    body += _legend(list(series))
    return _frame(title, body, y_lo, y_hi, y_label, name or title)


def _clock(ts: float) -> str:
    return time.strftime("%m-%d %H:%M", time.gmtime(ts))
