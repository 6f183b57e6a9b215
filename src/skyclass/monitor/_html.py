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

from skyclass.monitor._run import MonitorResult
from skyclass.monitor._svg import bar_chart, grouped_bar_chart, line_chart

__all__ = ["render_html"]

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#f9fafb;padding:16px 24px}
header h1{margin:0;font-size:1.4rem}header p{margin:4px 0 0;color:#d1d5db}
main{max-width:1100px;margin:auto;padding:12px 16px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;margin:14px 0;padding:12px 16px}
h2{font-size:1.1rem;margin:4px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:1 1 150px;border:1px solid #e5e7eb;border-radius:8px;padding:10px;background:#fff}
.card b{display:block;font-size:1.3rem}.ok{color:#15803d}.bad{color:#b91c1c}.muted{color:#6b7280}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:10px}
figure.plot{margin:0;max-width:640px}figure.plot svg{width:100%;height:auto;display:block}
svg text{font-size:11px;fill:#374151}svg .title{font-size:13px;font-weight:600;fill:#111827}
svg .grid{stroke:#e5e7eb}svg .axis{stroke:#9ca3af}svg .ref{stroke:#dc2626;stroke-dasharray:5 4}
svg .line{fill:none;stroke-width:2}svg .empty{font-size:14px;fill:#9ca3af}svg .band{opacity:.18}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:6px 0;display:block;overflow-x:auto}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
ul.notes li{color:#92400e}
"""


def _num(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return escape(str(value))


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_num(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _clock(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def _cards(result: MonitorResult) -> str:
    drift = result.drift
    values = result.current.values
    firing = result.firing
    cards = [
        ("predictions", f"{result.n_predictions:,}", ""),
        (f"in the last {result.config.window}", f"{result.current.n_predictions:,}", ""),
        ("with feedback", f"{result.n_labelled:,}", ""),
        (
            "dataset drift",
            "yes" if drift and drift.dataset_drift else ("no" if drift else "–"),
            "bad" if drift and drift.dataset_drift else "ok",
        ),
        ("live accuracy", _num(values.get("accuracy")), ""),
        ("estimated accuracy", _num(values.get("estimated_accuracy")), ""),
        ("alerts firing", str(len(firing)), "bad" if firing else "ok"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><span class="muted">{escape(label)}</span><b class="{cls}">{escape(text)}</b></div>'
            for label, text, cls in cards
        )
        + "</div>"
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
        plots.append(
            bar_chart(
                "Traffic per region (requests)",
                names,
                [r["requests"] or 0 for r in regions],
                flagged=unhealthy,
                y_label="requests",
                name="region-traffic",
            )
        )
        plots.append(
            grouped_bar_chart(
                "Latency per region",
                names,
                {
                    "p50 ms": [r["p50_ms"] for r in regions],
                    "p99 ms": [r["p99_ms"] for r in regions],
                },
                y_label="ms",
                name="region-latency",
            )
        )
        plots.append(
            bar_chart(
                "Error rate per region",
                names,
                [r["error_rate"] or 0 for r in regions],
                flagged=unhealthy,
                y_label="share of requests",
                name="region-errors",
            )
        )
        plots.append(
            bar_chart(
                "Cost so far per region",
                names,
                [r["dollars"] or 0 for r in regions],
                y_label="$",
                name="region-cost",
            )
        )
    if logged:
        plots.append(
            bar_chart(
                "Logged predictions per region",
                [r["region"] for r in logged],
                [r["n"] for r in logged],
                y_label="predictions",
                name="region-logged",
            )
        )
    if not plots:
        return ""
    hint = (
        ""
        if regions
        else '<p class="muted">Pass --gateway URL or --status FILE for health, latency and cost.</p>'
    )
    return f'<section id="regions"><h2>Regions</h2>{hint}{"".join(parts)}<div class="plots">{"".join(plots)}</div></section>'


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
    table = _table(["model", "version", "predictions", "with feedback", "first", "last"], rows)
    plot = bar_chart(
        "Predictions per model version",
        [f"{m['model_name']}:{m['model_version']}" for m in result.models],
        [m["n"] for m in result.models],
        y_label="predictions",
        name="model-versions",
    )
    perf = ""
    if "model_version" in result.live:
        perf = _perf_table(result.live["model_version"], "model_version")
    return f'<section id="models"><h2>Model versions</h2>{table}{perf}<div class="plots">{plot}</div></section>'


def _strength(col) -> float:
    """Score relative to its threshold: ≥ 1 means drift (p-values on a log scale)."""
    if col.stattest in ("ks", "chisquare", "z"):
        p = max(col.score, 1e-300)
        return math.log10(p) / math.log10(col.threshold)
    return col.score / col.threshold if col.threshold else float("nan")


def _drift_section(result: MonitorResult) -> str:
    drift = result.drift
    if drift is None:
        return f'<section id="drift"><h2>Drift</h2><p class="muted">No predictions in the last {escape(result.config.window)}.</p></section>'
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
            "Drift per feature (score / threshold; ≥ 1 is drift)",
            [c.column for c in drift.columns],
            [_strength(c) for c in drift.columns],
            reference_line=1.0,
            flagged=[c.drifted for c in drift.columns],
            y_label="relative score",
            name="feature-drift",
        ),
        bar_chart(
            "PSI per feature",
            [c.column for c in drift.columns],
            [c.psi for c in drift.columns],
            reference_line=0.1,
            flagged=[c.psi >= 0.1 for c in drift.columns],
            y_label="PSI",
            name="feature-psi",
        ),
    ]
    pred = result.prediction_drift
    if pred is not None:
        shares_ref, shares_cur = result.reference_predictions, result.current.prediction_shares
        labels = [str(v) for v in result.labels]
        plots.append(
            grouped_bar_chart(
                f"Predicted classes: reference vs last {result.config.window}",
                labels,
                {
                    "reference": [shares_ref.get(label, 0.0) for label in labels],
                    "current": [shares_cur.get(label, 0.0) for label in labels],
                },
                y_label="share",
                name="prediction-drift",
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
    table = _table(
        ["column", "kind", "test", "score", "threshold", "drifted", "PSI", "n ref", "n current"],
        rows,
    )
    return f'<section id="drift"><h2>Drift (last {escape(result.config.window)})</h2>{verdict}{table}{skipped}<div class="plots">{"".join(plots)}</div></section>'


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
        )
    return _table(
        [key.replace("_", " "), "labelled", "accuracy", "macro F1", "balanced accuracy"], rows
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
        plots.append(
            line_chart(
                f"Live performance from feedback ({level}% bootstrap band)",
                x,
                series,
                y_range=(0, 1),
                y_label="score",
                name="live-performance",
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
            line_chart(
                f"Estimated performance without labels ({level}% interval)",
                x,
                series,
                y_range=(0, 1),
                y_label="score",
                name="estimated-performance",
            )
        )
        parts.append(
            f'<p class="muted">Estimates calibrated on {escape(result.estimator_reference or "")}.</p>'
        )
    if not plots:
        return ""
    return f'<section id="performance"><h2>Performance over time</h2><div class="plots">{"".join(plots)}</div>{"".join(parts)}</section>'


def _alerts_section(result: MonitorResult) -> str:
    items = [
        f"<li><b>{escape(a.status)}</b> {escape(a.rule.name)} (value {_num(a.value)})</li>"
        for a in result.alerts
    ]
    rules = [f"<li>{escape(r.name)}</li>" for r in result.config.rules]
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    body = ""
    if items:
        body += f"<p>Changes in this pass:</p><ul>{''.join(items)}</ul>"
    if rules:
        body += f"<p class='muted'>Rules:</p><ul class='muted'>{''.join(rules)}</ul>"
    if notes:
        body += f'<ul class="notes">{notes}</ul>'
    return f'<section id="alerts"><h2>Alerts and notes</h2>{body or "<p class=muted>No rules configured.</p>"}</section>'


def render_html(
    result: MonitorResult, *, regions: list[dict] | None = None, refresh_s: int | None = None
) -> str:
    """The monitoring page for ``result``; ``regions`` from a gateway or status file;
    ``refresh_s`` makes the browser reload the page (the dashboard)."""
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_s)}">' if refresh_s else ""
    title = f"skyclass monitor — {result.model}"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'><link rel='icon' href='data:,'>"
        f"{refresh}<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{_clock(result.generated_at)} · current window "
        f"{escape(result.config.window)} · trend buckets {escape(result.config.trend_window)}</p></header><main>"
        + _cards(result)
        + _alerts_section(result)
        + _regions_section(result, regions)
        + _models_section(result)
        + _drift_section(result)
        + _performance_section(result)
        + "</main></body></html>"
    )
