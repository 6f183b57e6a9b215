"""The drawing layer of the page toolkit: a plot area with linear scales, ticks and axes, as SVG.

Charts (``_charts``) place their marks through :class:`Frame`; the result is one
``<svg viewBox=...>`` element that scales with the page (no fixed width), carries
``role="img"`` and an ``aria-label``, and needs no script, font or network.

Example:
    >>> frame = Frame(x=(0.0, 1.0), y=(0.0, 1.0), x_label="recall", y_label="precision")
    >>> frame.add(frame.polyline([0, 1], [1, 0], "#4e79a7"))
    >>> frame.svg("PR curve").startswith('<svg viewBox="0 0 440 300" role="img"')
    True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from html import escape

__all__ = ["Frame", "clock", "finite", "number", "ticks"]

W, H = 440, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 12, 44


def finite(value: float | None) -> bool:
    """``value`` is a real, finite number (``None`` and NaN mark gaps in a series)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def number(value: float) -> str:
    """A tick or tooltip number, short: ``0``, ``0.25``, ``12``, ``1,200``."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.3g}"


def clock(ts: float) -> str:
    """An epoch-seconds x value as ``MM-DD HH:MM`` (UTC)."""
    return time.strftime("%m-%d %H:%M", time.gmtime(ts))


def ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]`` (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step - 1e-9) * step
    count = int((hi - start) / step + 1e-9) + 1
    return [round(start + i * step, 12) for i in range(max(count, 1))]


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


class Frame:
    """A plot area of ``width`` × ``height`` viewBox units with x and y ranges.

    ``x_ticks`` / ``y_ticks`` replace the numeric ticks with ``(value, text)``
    pairs (category names, clock times; an x tick may add a third item, its
    ``text-anchor``); ``left`` widens the left margin for long category names.
    """

    def __init__(
        self,
        *,
        x: tuple[float, float],
        y: tuple[float, float],
        x_label: str = "",
        y_label: str = "",
        width: int = W,
        height: int = H,
        left: int = LEFT,
        bottom: int = BOTTOM,
        x_ticks: Sequence[tuple] | None = None,
        y_ticks: Sequence[tuple[float, str]] | None = None,
        rotate_x: bool = False,
    ) -> None:
        self.width, self.height, self.left, self.bottom = width, height, left, bottom
        self.x_range, self.y_range = _widen(x), _widen(y)
        self.sx = _scale(*self.x_range, left, width - RIGHT)
        self.sy = _scale(*self.y_range, height - bottom, TOP)
        self.x_label, self.y_label = x_label, y_label
        self.x_ticks = (
            x_ticks if x_ticks is not None else [(t, number(t)) for t in ticks(*self.x_range)]
        )
        self.y_ticks = (
            y_ticks if y_ticks is not None else [(t, number(t)) for t in ticks(*self.y_range)]
        )
        self.rotate_x = rotate_x
        self.marks: list[str] = []

    def add(self, *marks: str) -> None:
        """Append SVG elements (drawn in order, over the grid)."""
        self.marks.extend(marks)

    def polyline(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        colour: str,
        *,
        step: bool = False,
        dashed: bool = False,
        width: float = 2.0,
        label: str = "",
    ) -> str:
        """A line through the finite points (a gap where a value is missing is bridged)."""
        points = [(a, b) for a, b in zip(xs, ys) if finite(a) and finite(b)]
        if step and points:  # horizontal then vertical, as a step function after each point
            stepped = [points[0]]
            for a, b in points[1:]:
                stepped += [(a, stepped[-1][1]), (a, b)]
            points = stepped
        path = " ".join(f"{self.sx(a):.1f},{self.sy(b):.1f}" for a, b in points)
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        tip = f"<title>{escape(label)}</title>" if label else ""
        return (
            f'<polyline class="line" points="{path}" stroke="{colour}" '
            f'stroke-width="{width}"{dash}>{tip}</polyline>'
        )

    def points(
        self, xs: Sequence[float], ys: Sequence[float], colour: str, tips: Sequence[str]
    ) -> list[str]:
        """A dot per finite point, each with a tooltip."""
        return [
            f'<circle class="dot" cx="{self.sx(a):.1f}" cy="{self.sy(b):.1f}" r="3" '
            f'fill="{colour}"><title>{escape(tip)}</title></circle>'
            for a, b, tip in zip(xs, ys, tips)
            if finite(a) and finite(b)
        ]

    def band(
        self, xs: Sequence[float], low: Sequence[float], high: Sequence[float], colour: str
    ) -> str:
        """A shaded interval between ``low`` and ``high`` (where both are finite)."""
        keep = [i for i in range(len(xs)) if finite(low[i]) and finite(high[i])]
        if not keep:
            return ""
        upper = " ".join(f"{self.sx(xs[i]):.1f},{self.sy(high[i]):.1f}" for i in keep)
        lower = " ".join(f"{self.sx(xs[i]):.1f},{self.sy(low[i]):.1f}" for i in reversed(keep))
        return f'<polygon class="band" points="{upper} {lower}" fill="{colour}"/>'

    def rect(
        self, x0: float, x1: float, y0: float, y1: float, colour: str, tip: str, **attrs: str
    ) -> str:
        """A filled rectangle between data coordinates, with a tooltip."""
        xa, xb = sorted((self.sx(x0), self.sx(x1)))
        ya, yb = sorted((self.sy(y0), self.sy(y1)))
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        return (
            f'<rect class="bar" x="{xa:.1f}" y="{ya:.1f}" width="{max(xb - xa, 0.5):.1f}" '
            f'height="{max(yb - ya, 0.5):.1f}" fill="{colour}"{extra}><title>{escape(tip)}</title></rect>'
        )

    def hline(self, y: float, css: str = "ref") -> str:
        """A horizontal reference line across the plot area."""
        return (
            f'<line class="{css}" x1="{self.left}" x2="{self.width - RIGHT}" '
            f'y1="{self.sy(y):.1f}" y2="{self.sy(y):.1f}"/>'
        )

    def vline(self, x: float, css: str = "ref") -> str:
        """A vertical reference line across the plot area."""
        return (
            f'<line class="{css}" x1="{self.sx(x):.1f}" x2="{self.sx(x):.1f}" '
            f'y1="{TOP}" y2="{self.height - self.bottom}"/>'
        )

    def text(
        self, x: float, y: float, content: str, *, anchor: str = "middle", css: str = ""
    ) -> str:
        """Text at data coordinates."""
        cls = f' class="{css}"' if css else ""
        return (
            f'<text x="{self.sx(x):.1f}" y="{self.sy(y):.1f}" text-anchor="{anchor}"'
            f' dominant-baseline="middle"{cls}>{escape(content)}</text>'
        )

    def svg(self, title: str, *, empty: str = "no data") -> str:
        """The finished ``<svg>``: grid, ticks, axis labels, then the marks (or ``empty``)."""
        base = self.height - self.bottom
        parts = []
        for value, text in self.y_ticks:
            y = self.sy(value)
            parts.append(
                f'<line class="grid" x1="{self.left}" x2="{self.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                f'<text x="{self.left - 5}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle">'
                f"{escape(text)}</text>"
            )
        for value, text, *anchor in self.x_ticks:
            x = self.sx(value)
            turn = (
                f' transform="rotate(-35 {x:.1f} {base + 14})" text-anchor="end"'
                if self.rotate_x
                else f' text-anchor="{anchor[0] if anchor else "middle"}"'
            )
            parts.append(f'<text x="{x:.1f}" y="{base + 14}"{turn}>{escape(text)}</text>')
        parts.append(
            f'<line class="axis" x1="{self.left}" x2="{self.width - RIGHT}" y1="{base}" y2="{base}"/>'
        )
        if self.x_label:
            parts.append(
                f'<text class="label" x="{(self.left + self.width - RIGHT) / 2:.1f}" '
                f'y="{self.height - 4}" text-anchor="middle">{escape(self.x_label)}</text>'
            )
        if self.y_label:
            mid = (TOP + base) / 2
            parts.append(
                f'<text class="label" x="11" y="{mid:.1f}" transform="rotate(-90 11 {mid:.1f})" '
                f'text-anchor="middle">{escape(self.y_label)}</text>'
            )
        marks = self.marks or [
            f'<text class="empty" x="{self.width / 2}" y="{self.height / 2}" '
            f'text-anchor="middle">{escape(empty)}</text>'
        ]
        return (
            f'<svg viewBox="0 0 {self.width} {self.height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts + marks) + "</svg>"
        )


def _widen(span: tuple[float, float]) -> tuple[float, float]:
    lo, hi = float(span[0]), float(span[1])
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    if hi <= lo:
        return lo - 0.5, hi + 0.5
    return lo, hi
