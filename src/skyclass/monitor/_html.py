"""The monitoring page: one self-contained HTML document (inline CSS and SVG, no script, no
network) used both as the ``skyclass monitor --html`` report and by ``skyclass dashboard``.

Example:
    >>> from skyclass.monitor import monitor, render_html
    >>> html = render_html(monitor("bundle/", ["log.db"]))  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from html import escape

from skyclass.monitor._baseline import MIN_ROWS
from skyclass.monitor._run import MonitorResult
from skyclass.report import (
    SERIES,
    Line,
    Palette,
    bar_chart,
    cards,
    line_chart,
    page,
    section,
    table,
)

__all__ = ["render_html"]


def _num(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _table(headers: list[str], rows: list[list]) -> str:
    return table(headers, [[_num(c) for c in row] for row in rows])


def _score_chart(name: str, title: str, x: list[float], series: dict, notes: list[str]) -> str:
    """A 0-1 score over time: ``{label: (values, low, high)}`` as lines in the series colours."""
    lines = [
        Line(label, x, values, SERIES[j % len(SERIES)], low=low, high=high, markers=True)
        for j, (label, (values, low, high)) in enumerate(series.items())
    ]
    return line_chart(
        name, title, lines, y_range=(0, 1), y_label="score", time_axis=True, notes=notes
    )


def _clock(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def _cards(result: MonitorResult) -> str:
    drift = result.drift
    values = result.current.values
    firing = result.firing
    return cards(
        [
            (f"{result.n_predictions:,}", "predictions"),
            (f"{result.current.n_predictions:,}", f"in the last {result.config.window}"),
            (f"{result.n_labelled:,}", "with feedback"),
            (
                "yes" if drift and drift.dataset_drift else ("no" if drift else "–"),
                "dataset drift",
                "bad" if drift and drift.dataset_drift else "ok",
            ),
            (_num(values.get("accuracy")), "live accuracy"),
            (_num(values.get("estimated_accuracy")), "estimated accuracy"),
            (str(len(firing)), "alerts firing", "bad" if firing else "ok"),
        ]
    )


def _regions_section(result: MonitorResult, regions: list[dict] | None) -> str:
    logged = result.regions
    plots = []
    parts = []
    if regions:
        names = [r["region"] for r in regions]
        unhealthy = [r.get("healthy") is False for r in regions]
        parts.append(
            _table(
                [
                    "region",
                    "cloud",
                    "zone",
                    "healthy",
                    "ready",
                    "requests",
                    "req/s",
                    "p50 ms",
                    "p99 ms",
                    "error rate",
                    "$/hour",
                    "$ so far",
                ],
                [
                    [
                        r["region"],
                        r["cloud"],
                        r["zone"],
                        r["healthy"],
                        r["ready"],
                        r["requests"],
                        r["rps"],
                        r["p50_ms"],
                        r["p99_ms"],
                        r["error_rate"],
                        r["cost_per_hour"],
                        r["dollars"],
                    ]
                    for r in regions
                ],
            )
        )
        charts = (  # name, title, {series: row key}, axis title, unhealthy in red, missing as 0
            ("region-traffic", "Traffic per region (requests)", {"": "requests"}, "requests",
             True, True),
            ("region-latency", "Latency per region", {"p50 ms": "p50_ms", "p99 ms": "p99_ms"},
             "ms", False, False),
            ("region-errors", "Error rate per region", {"": "error_rate"}, "share of requests",
             True, True),
            ("region-cost", "Cost so far per region", {"": "dollars"}, "$", False, True),
        )  # fmt: skip
        for name, title, keys, axis, flag, zero in charts:
            series = {
                label: [(r[key] or 0) if zero else r[key] for r in regions]
                for label, key in keys.items()
            }
            plots.append(
                bar_chart(
                    name,
                    title,
                    names,
                    series,
                    value_label=axis,
                    flagged=unhealthy if flag else None,
                )  # fmt: skip
            )
    if logged:
        plots.append(
            bar_chart(
                "region-logged",
                "Logged predictions per region",
                [r["region"] for r in logged],
                {"": [r["n"] for r in logged]},
                value_label="predictions",
            )
        )
    if not plots:
        return ""
    hint = (
        ""
        if regions
        else '<p class="muted">Pass --gateway URL or --status FILE for health, latency and cost.</p>'
    )
    return section(
        "regions", "Regions", f'{hint}{"".join(parts)}<div class="grid">{"".join(plots)}</div>'
    )


def _models_section(result: MonitorResult) -> str:
    if not result.models:
        return ""
    rows = [
        [
            m["model_name"],
            m["model_version"],
            m["n"],
            m["n_labelled"],
            _clock(m["first_ts"]),
            _clock(m["last_ts"]),
        ]
        for m in result.models
    ]
    versions = _table(["model", "version", "predictions", "with feedback", "first", "last"], rows)
    plot = bar_chart(
        "model-versions",
        "Predictions per model version",
        [f"{m['model_name']}:{m['model_version']}" for m in result.models],
        {"": [m["n"] for m in result.models]},
        value_label="predictions",
    )
    perf = ""
    if "model_version" in result.live:
        perf = _perf_table(result.live["model_version"], "model_version")
    return section("models", "Model versions", f'{versions}{perf}<div class="grid">{plot}</div>')


def _strength(col) -> float:
    """Score relative to its threshold: ≥ 1 means drift (p-values on a log scale)."""
    if col.stattest in ("ks", "chisquare", "z"):
        p = max(col.score, 1e-300)
        return math.log10(p) / math.log10(col.threshold)
    return col.score / col.threshold if col.threshold else float("nan")


def _drift_section(result: MonitorResult) -> str:
    drift = result.drift
    if drift is None:
        return section(
            "drift",
            "Drift",
            f'<p class="muted">No predictions in the last {escape(result.config.window)}.</p>',
        )
    rows = [
        [
            c.column,
            c.kind,
            c.stattest,
            c.score,
            c.threshold,
            c.drifted,
            c.psi,
            c.n_reference,
            c.n_current,
        ]
        for c in drift.columns
    ]
    verdict = (
        f'<p>Dataset drift: <b class="{"bad" if drift.dataset_drift else "ok"}">'
        f"{'yes' if drift.dataset_drift else 'no'}</b> — {drift.n_drifted} of {len(drift.columns)} columns "
        f"drifted (share {drift.share:.2f}, threshold {drift.drift_share:.2f}).</p>"
    )
    plots = [
        bar_chart(
            "feature-drift",
            "Drift per feature (score / threshold; ≥ 1 is drift)",
            [c.column for c in drift.columns],
            {"": [_strength(c) for c in drift.columns]},
            reference_line=1.0,
            flagged=[c.drifted for c in drift.columns],
            value_label="relative score",
        ),
        bar_chart(
            "feature-psi",
            "PSI per feature",
            [c.column for c in drift.columns],
            {"": [c.psi for c in drift.columns]},
            reference_line=0.1,
            flagged=[c.psi >= 0.1 for c in drift.columns],
            value_label="PSI",
        ),
    ]
    pred = result.prediction_drift
    if pred is not None:
        shares_ref, shares_cur = result.reference_predictions, result.current.prediction_shares
        labels = [str(v) for v in result.labels]
        palette = Palette(result.labels)
        plots.append(
            bar_chart(
                "prediction-drift",
                f"Predicted classes: reference vs last {result.config.window}",
                labels,
                {
                    "reference": [shares_ref.get(label, 0.0) for label in labels],
                    "current": [shares_cur.get(label, 0.0) for label in labels],
                },
                colours=[palette[label] for label in labels],
                faded=("reference",),
                value_label="share",
            )
        )
        rows.append(
            [
                "(predictions)",
                "categorical",
                pred.stattest,
                pred.score,
                pred.threshold,
                pred.drifted,
                pred.psi,
                pred.n_reference,
                pred.n_current,
            ]
        )
    skipped = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in drift.skipped.items())
    skipped = f'<p class="muted">Not tested:</p><ul class="muted">{skipped}</ul>' if skipped else ""
    columns = _table(
        ["column", "kind", "test", "score", "threshold", "drifted", "PSI", "n ref", "n current"],
        rows,
    )
    return section(
        "drift",
        f"Drift (last {result.config.window})",
        f'{verdict}{columns}{skipped}<div class="grid">{"".join(plots)}</div>',
    )


def _perf_table(table, key: str) -> str:
    rows = []
    for row in table.rows:
        name = row.keys[key]
        rows.append(
            [_clock(name) if key == "window" else name, row.n]
            + [
                f"{row.metrics[m]:.3f} [{row.intervals[m][0]:.3f}, {row.intervals[m][1]:.3f}]"
                for m in ("accuracy", "f1_macro", "balanced_accuracy")
            ]
            + [_versus_prior(row.baseline)]
        )
    return _table(
        [key.replace("_", " "), "labelled", "accuracy", "macro F1", "balanced accuracy"]
        + ["class prior (accuracy / macro F1)"],
        rows,
    )


def _versus_prior(baseline: dict) -> str:
    """The class prior's accuracy and macro F1 and the verdict; small samples flagged."""
    scores = baseline["metrics"]
    text = f"{scores['accuracy']['baseline']:.3f} / {scores['f1_macro']['baseline']:.3f}: "
    if baseline["not_better"]:
        text += "model NOT significantly better on " + ", ".join(baseline["not_better"])
    else:
        text += "model significantly better"
    if baseline["small_sample"]:
        text += f" (only {baseline['n_rows']} rows: not conclusive)"
    return text


def _baseline_headline(result: MonitorResult) -> str:
    """The current window's verdict against the class prior, first on the page."""
    baseline = result.baseline
    if baseline is None:
        return ""
    warn = baseline["not_better"] or baseline["small_sample"]
    style = "border:2px solid #b00020;background:#fdecee" if warn else "border:1px solid #2e7d32"
    statements = "".join(
        f"<li>{escape(comp['statement'])}</li>" for comp in baseline["metrics"].values()
    )
    return (
        f'<p class="baseline" id="baseline-headline" role="{"alert" if warn else "status"}" '
        f'style="{style};padding:.6em .9em">{escape(baseline["headline"])}</p>'
        f'<ul class="baseline muted">{statements}<li>Prior: {escape(baseline["prior_source"])}; '
        f"labelled rows of the last {escape(result.config.window)}.</li></ul>"
    )


def _performance_section(result: MonitorResult) -> str:
    plots, parts = [], []
    live = result.live.get("window")
    level = int(round(result.config.confidence * 100))
    if live is not None and live.rows:
        x = [r.keys["window"] for r in live.rows]
        series = {
            name: (
                [r.metrics[m] for r in live.rows],
                [r.intervals[m][0] for r in live.rows],
                [r.intervals[m][1] for r in live.rows],
            )
            for name, m in (("accuracy", "accuracy"), ("macro F1", "f1_macro"))
        }
        series["class-prior accuracy"] = ([r.baseline_accuracy for r in live.rows], None, None)
        few = sum(r.small_sample for r in live.rows)
        notes = [
            f"{few} of {len(live.rows)} buckets have fewer than {MIN_ROWS} labelled "
            "rows: their points are not conclusive (see the table)"
        ]
        plots.append(
            _score_chart(
                "live-performance",
                f"Live performance from feedback ({level}% bootstrap band)",
                x,
                series,
                notes if few else [],
            )
        )
        parts.append(_perf_table(live, "window"))
        if "region" in result.live:
            parts.append(_perf_table(result.live["region"], "region"))
    values = result.current.values
    quality = [(name, values[key]) for name, key in (
        ("log loss", "log_loss"), ("Brier score", "brier_score"), ("ECE", "expected_calibration_error"),
        ("ROC AUC OvR macro", "roc_auc_ovr_macro"), ("ROC AUC OvO macro", "roc_auc_ovo_macro"),
        ("average precision macro", "average_precision_macro"),
    ) if key in values]  # fmt: skip
    if quality:
        parts.append(
            f"<p class='muted'>Probability quality on the labelled rows of the last "
            f"{escape(result.config.window)}:</p>"
            + _table(["metric", "value"], [list(q) for q in quality])
        )
    if result.estimated:
        x = [r["window"] for r in result.estimated]
        series = {
            "estimated accuracy": (
                [r["accuracy"] for r in result.estimated],
                [r["intervals"]["accuracy"][0] for r in result.estimated],
                [r["intervals"]["accuracy"][1] for r in result.estimated],
            ),
            "estimated macro F1": ([r["f1_macro"] for r in result.estimated], None, None),
        }
        if live is not None:
            by_start = {r.keys["window"]: r.metrics["accuracy"] for r in live.rows}
            series["live accuracy"] = ([by_start.get(t) for t in x], None, None)
        plots.append(
            _score_chart(
                "estimated-performance",
                f"Estimated performance without labels ({level}% interval)",
                x,
                series,
                [],
            )
        )
        parts.append(
            f'<p class="muted">Estimates calibrated on {escape(result.estimator_reference or "")}.</p>'
        )
    if not plots:
        return ""
    return section(
        "performance",
        "Performance over time",
        f'<div class="grid">{"".join(plots)}</div>{"".join(parts)}',
    )


def _alerts_section(result: MonitorResult) -> str:
    items = [
        f"<li><b>{escape(a.status)}</b> {escape(a.rule.name)} (value {_num(a.value)})</li>"
        for a in result.alerts
    ]
    rules = [f"<li>{escape(r.name)}</li>" for r in result.config.rules]
    notes = "".join(
        f"<li>data quality (last {escape(result.config.window)}): {escape(line)}</li>"
        for line in result.data_quality_lines
    ) + "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    body = ""
    if items:
        body += f"<p>Changes in this pass:</p><ul>{''.join(items)}</ul>"
    if rules:
        body += f"<p class='muted'>Rules:</p><ul class='muted'>{''.join(rules)}</ul>"
    if notes:
        body += f'<ul class="notes">{notes}</ul>'
    return section(
        "alerts", "Alerts and notes", body or '<p class="muted">No rules configured.</p>'
    )


def render_html(
    result: MonitorResult, *, regions: list[dict] | None = None, refresh_s: int | None = None
) -> str:
    """The monitoring page for ``result``; ``regions`` from a gateway or status file;
    ``refresh_s`` makes the browser reload the page (the dashboard).

    Parameters
    ----------
    result : MonitorResult
        One monitoring pass (``monitor(...)``).
    regions : list of dict, optional
        Region health, latency and cost rows (``regions_from_gateway`` or a status file).
    refresh_s : int, optional
        Make the browser reload the page every ``refresh_s`` seconds (the dashboard).

    Returns
    -------
    str
        A self-contained HTML page (the page toolkit of ``skyclass.report``; no script).
    """
    subtitle = (
        f"{_clock(result.generated_at)} · current window {result.config.window} · "
        f"trend buckets {result.config.trend_window}"
    )
    body = [
        (
            "summary",
            "Summary",
            section("summary", "Summary", _baseline_headline(result) + _cards(result)),
        ),
        ("alerts", "Alerts", _alerts_section(result)),
        ("regions", "Regions", _regions_section(result, regions)),
        ("models", "Models", _models_section(result)),
        ("drift", "Drift", _drift_section(result)),
        ("performance", "Performance", _performance_section(result)),
    ]
    return page(
        f"skyclass monitor — {result.model}",
        body,
        subtitle=subtitle,
        refresh_s=refresh_s,
        script=False,
    )
