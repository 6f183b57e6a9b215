"""The chart kinds of the page toolkit: lines, bars and heatmaps, each a ``<figure>`` of inline SVG.

Every chart the training report, the evaluate report, the monitor page and the
dashboard show is built here, so they share one look, one palette (pass class
colours from :class:`~skyclass.report.Palette`) and one way of warning about
small samples: a series drawn from too few rows is greyed (``muted=True``) and a
note under the figure says why; the figure carries ``data-small-sample`` with the
number of such series. Titles, legends and notes are HTML (they wrap on a phone);
only the plot area is SVG.

Example:
    >>> html = line_chart("roc", "ROC curve", [Line("spam (n=40)", [0, 0.2, 1], [0, 0.8, 1], "#4e79a7")],
    ...                   x_label="false positive rate", y_label="true positive rate")
    >>> html.startswith('<figure class="plot" data-plot="roc"'), "<svg" in html
    (True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from skyclass.report._palette import ALERT, MUTED, SERIES
from skyclass.report._svg import Frame, clock, finite, number

__all__ = ["Line", "bar_chart", "figure", "heatmap", "line_chart"]


@dataclass
class Line:
    """One series of a line chart: points, colour, and how to draw them.

    ``low``/``high`` shade an interval band; ``step`` draws a step function (PR
    curves); ``muted`` greys the series out (too few rows behind it).

    Attributes
    ----------
    name : str
        The series' legend entry.
    x, y : sequence of float
        The points, same length (x numeric, or epoch seconds on a time axis).
    colour : str
        CSS colour of the line (e.g. a :class:`Palette` entry).
    low, high : sequence of float or None, default=None
        Lower and upper edge of a shaded band around the line, one per point.
    step : bool, default=False
        Draw a step function (horizontal then vertical), as precision-recall curves.
    dashed : bool, default=False
        Draw the line dashed.
    markers : bool, default=False
        Mark each point with a dot that shows its values on hover.
    muted : bool, default=False
        Grey (and dash) the series: too few rows behind it to be read as evidence.
    """

    name: str
    x: Sequence[float]
    y: Sequence[float]
    colour: str
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None
    step: bool = False
    dashed: bool = False
    markers: bool = False
    muted: bool = False


def figure(
    name: str,
    title: str,
    svg: str,
    *,
    legend: Sequence[tuple[str, str, str]] = (),
    caption: str = "",
    notes: Sequence[str] = (),
    small_sample: int = 0,
) -> str:
    """A chart as ``<figure class="plot">``: title, SVG, legend, caption and notes.

    Parameters
    ----------
    name : str
        ``data-plot`` of the figure (tests and stylesheets find a chart by it).
    title : str
        Shown above the chart.
    svg : str
        The plot area (``Frame.svg()``).
    legend : sequence of (text, colour, style)
        ``style`` is ``"line"``, ``"dashed"`` or ``"box"``.
    caption : str
        What the figure shows, under it.
    notes : sequence of str
        Warnings shown under the caption (small samples).
    small_sample : int
        How many series are greyed for too few rows (``data-small-sample``).

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    keys = "".join(
        f'<li><i class="key {style}" style="--key:{colour}"></i>{escape(text)}</li>'
        for text, colour, style in legend
    )
    warn = "".join(f'<p class="note">{escape(note)}</p>' for note in notes)
    small = f' data-small-sample="{small_sample}"' if small_sample else ""
    return (
        f'<figure class="plot" data-plot="{escape(name)}"{small}>'
        f'<div class="plot-title">{escape(title)}</div>{svg}'
        + (f'<ul class="legend">{keys}</ul>' if keys else "")
        + (f"<figcaption>{escape(caption)}{warn}</figcaption>" if caption or warn else "")
        + "</figure>"
    )


def line_chart(
    name: str,
    title: str,
    lines: Sequence[Line],
    *,
    x_label: str = "",
    y_label: str = "",
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    diagonal: bool = False,
    marker: tuple[float, str] | None = None,
    time_axis: bool = False,
    caption: str = "",
    notes: Sequence[str] = (),
) -> str:
    """Lines (with optional bands) over a numeric or time (epoch seconds) x axis.

    Parameters
    ----------
    name, title : str
        See :func:`figure`.
    lines : sequence of Line
        The series, drawn in order; each named line gets a legend entry.
    x_label, y_label : str
        Axis titles.
    x_range, y_range : (float, float), optional
        Axis spans; default the span of the data.
    diagonal : bool
        Draw the dotted y = x line (ROC chance, perfect calibration).
    marker : (float, str), optional
        A labelled vertical line at x (the chosen threshold).
    time_axis : bool
        x values are epoch seconds, labelled as ``MM-DD HH:MM`` (UTC).
    caption, notes : see :func:`figure`.

    Returns
    -------
    str
        The ``<figure>`` HTML; ``data-small-sample`` counts the muted lines.
    """
    xs = [v for line in lines for v in line.x if finite(v)]
    ys = [
        v
        for line in lines
        for values in (line.y, line.low or (), line.high or ())
        for v in values
        if finite(v)
    ]
    x_range = x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
    y_range = y_range or ((min(ys), max(ys)) if ys else (0.0, 1.0))
    x_ticks = None
    if time_axis:
        lo, hi = x_range
        mid = (lo + hi) / 2
        x_ticks = [(lo, clock(lo), "start"), (mid, clock(mid)), (hi, clock(hi), "end")]
        x_ticks = x_ticks if hi > lo else [(lo, clock(lo))]
    frame = Frame(x=x_range, y=y_range, x_label=x_label, y_label=y_label, x_ticks=x_ticks)
    if diagonal:
        lo, hi = max(x_range[0], y_range[0]), min(x_range[1], y_range[1])
        frame.add(frame.polyline([lo, hi], [lo, hi], MUTED, dashed=True, width=1))
    legend = []
    for line in lines:
        colour = MUTED if line.muted else line.colour
        if line.low is not None and line.high is not None:
            frame.add(frame.band(line.x, line.low, line.high, colour))
        frame.add(
            frame.polyline(
                line.x,
                line.y,
                colour,
                step=line.step,
                dashed=line.dashed or line.muted,
                label=line.name,
            )
        )
        if line.markers:
            tips = [
                f"{line.name} {clock(a) if time_axis else number(a)}: {number(b)}"
                for a, b in zip(line.x, line.y)
                if finite(a) and finite(b)
            ]
            frame.add(*frame.points(line.x, line.y, colour, tips))
        legend.append((line.name, colour, "dashed" if line.dashed or line.muted else "line"))
    if marker is not None:
        frame.add(frame.vline(marker[0]))
        legend.append((marker[1], ALERT, "dashed"))
    return figure(
        name,
        title,
        frame.svg(title, empty="no data yet"),
        legend=[key for key in legend if key[0]],
        caption=caption,
        notes=notes,
        small_sample=sum(line.muted for line in lines),
    )


def bar_chart(
    name: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    colours: Sequence[str] | None = None,
    series_colours: Sequence[str] | None = None,
    faded: Sequence[str] = (),
    errors: Mapping[str, Sequence[float | None]] | None = None,
    flagged: Sequence[bool] | None = None,
    muted: Sequence[bool] | None = None,
    reference_line: float | None = None,
    horizontal: bool = False,
    value_label: str = "",
    caption: str = "",
    notes: Sequence[str] = (),
) -> str:
    """Bars per category, grouped by series (``{"": values}`` for one series).

    Parameters
    ----------
    name, title : str
        See :func:`figure`.
    categories : sequence of str
        One group of bars each (left to right, or top to bottom when ``horizontal``).
    series : mapping of str to values
        One bar per category per series; ``None`` or NaN leaves a gap.
    colours : sequence of str, optional
        A colour per category (class colours from a :class:`Palette`).
    series_colours : sequence of str, optional
        A colour per series when ``colours`` is not given (default :data:`SERIES`).
    faded : sequence of str
        Series drawn lighter (the reference beside the current window).
    errors : mapping of str to values, optional
        Whiskers of ± value per series.
    flagged, muted : sequence of bool, optional
        Categories drawn red (a problem) or grey (too few rows).
    reference_line : float, optional
        A dashed line at this value (a threshold).
    horizontal : bool
        Categories on the y axis.
    value_label : str
        The value axis title.
    caption, notes : see :func:`figure`.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    names = list(series)
    ends = [0.0] if reference_line is None else [0.0, reference_line]
    for key in names:
        spread = (errors or {}).get(key) or [None] * len(series[key])
        for v, e in zip(series[key], spread):
            if finite(v):
                ends += [v - e, v + e] if finite(e) else [v]
    top, low = max(ends), min(ends)
    span = (low, top * 1.08 if top > 0 else 1.0)
    n, k = max(len(categories), 1), max(len(names), 1)
    short = [c if len(c) <= 22 else c[:21] + "…" for c in map(str, categories)]
    if horizontal:
        height = 40 + 24 * n * (1 if k == 1 else 0.8 * k)
        width_left = min(14 + 7.2 * max((len(c) for c in short), default=4), 180)
        ticks = [(n - 1 - i + 0.5, c) for i, c in enumerate(short)]
        frame = Frame(x=span, y=(0, n), x_label=value_label, height=int(height), left=int(width_left),
                      bottom=36, y_ticks=ticks)  # fmt: skip
    else:
        ticks = [(i + 0.5, c) for i, c in enumerate(short)]
        frame = Frame(x=(0, n), y=span, y_label=value_label, x_ticks=ticks,
                      rotate_x=n > 4, bottom=80 if n > 4 else 44)  # fmt: skip
    slot = 0.8 / k
    for i, category in enumerate(categories):
        for j, key in enumerate(names):
            v = series[key][i] if i < len(series[key]) else None
            if not finite(v):
                continue
            colour = (
                ALERT if flagged is not None and flagged[i]
                else MUTED if muted is not None and muted[i]
                else colours[i % len(colours)] if colours
                else (series_colours or SERIES)[j % len(series_colours or SERIES)]
            )  # fmt: skip
            a = i + 0.1 + j * slot
            pos = n - 1 - i + 0.9 - (j + 1) * slot if horizontal else a
            tip = f"{category}{' ' + key if key else ''}: {number(v)}"
            attrs = {"fill_opacity": "0.45"} if key in faded else {}
            if horizontal:
                frame.add(frame.rect(0, v, pos, pos + slot * 0.92, colour, tip, **attrs))
            else:
                frame.add(frame.rect(pos, pos + slot * 0.92, 0, v, colour, tip, **attrs))
            err = (errors or {}).get(key)
            if err is not None and finite(err[i]) and err[i] > 0:
                mid = pos + slot * 0.46
                if horizontal:
                    frame.add(
                        frame.polyline([v - err[i], v + err[i]], [mid, mid], SERIES[0], width=1.2)
                    )
                else:
                    frame.add(
                        frame.polyline([mid, mid], [v - err[i], v + err[i]], SERIES[0], width=1.2)
                    )
    if reference_line is not None:
        frame.add(frame.vline(reference_line) if horizontal else frame.hline(reference_line))
    legend = []
    if len(names) > 1:
        for j, key in enumerate(names):
            colour = (
                MUTED if colours else (series_colours or SERIES)[j % len(series_colours or SERIES)]
            )
            legend.append((f"{key} (lighter)" if key in faded and colours else key, colour, "box"))
    return figure(
        name,
        title,
        frame.svg(title, empty="no data yet"),
        legend=legend,
        caption=caption,
        notes=notes,
        small_sample=sum(muted) if muted is not None else 0,
    )


def heatmap(
    name: str,
    title: str,
    matrix: Sequence[Sequence[float]],
    rows: Sequence[str],
    columns: Sequence[str],
    *,
    x_label: str = "",
    y_label: str = "",
    digits: int = 0,
    caption: str = "",
) -> str:
    """A matrix of cells shaded by value (0 white → largest dark blue), numbers written in.

    Parameters
    ----------
    name, title : str
        See :func:`figure`.
    matrix : k_rows × k_columns numbers
        The cell values (a confusion matrix: rows true, columns predicted).
    rows, columns : sequence of str
        Row and column names.
    x_label, y_label : str
        Axis titles.
    digits : int
        Decimals written in the cells (0: whole counts).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML (numbers written in up to 15 × 15 cells).
    """
    k_rows, k_cols = len(rows), len(columns)
    short = [str(c) if len(str(c)) <= 14 else str(c)[:13] + "…" for c in (*rows, *columns)]
    left = int(min(16 + 7.2 * max((len(c) for c in short[:k_rows]), default=3), 120))
    bottom = 80 if k_cols > 4 else 44
    cell = (440 - left - 14) / max(k_cols, 1)
    frame = Frame(
        x=(0, k_cols), y=(0, k_rows), x_label=x_label, y_label=y_label,
        height=int(12 + bottom + cell * k_rows), left=left, bottom=bottom, rotate_x=k_cols > 4,
        x_ticks=[(j + 0.5, c) for j, c in enumerate(short[k_rows:])],
        y_ticks=[(k_rows - i - 0.5, c) for i, c in enumerate(short[:k_rows])],
    )  # fmt: skip
    side = max(k_rows, k_cols, 1)
    top = max((v for row in matrix for v in row if finite(v)), default=0) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if not finite(value):
                continue
            share = value / top
            text = f"{value:.{digits}f}" if digits else f"{int(round(value))}"
            colour = _blue(0.06 + 0.94 * share)
            frame.add(
                frame.rect(j, j + 1, k_rows - i - 1, k_rows - i, colour,
                           f"true {rows[i]}, predicted {columns[j]}: {text}"),
            )  # fmt: skip
            if side <= 15:
                css = "cell dark" if share > 0.55 else "cell"
                frame.add(frame.text(j + 0.5, k_rows - i - 0.5, text, css=css))
    return figure(name, title, frame.svg(title), caption=caption)


def _blue(share: float) -> str:
    """White blended towards ``#2563eb`` by ``share`` (opaque, so grid lines stay hidden)."""
    r, g, b = (round(255 + (c - 255) * share) for c in (0x25, 0x63, 0xEB))
    return f"#{r:02x}{g:02x}{b:02x}"
