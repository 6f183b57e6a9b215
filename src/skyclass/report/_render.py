"""Assemble ``report.html``: one self-contained page (inline CSS, JS and SVG; no network).

``context`` is the JSON-safe summary ``skyclass train`` writes to ``train.json``;
the arrays are the test rows' truth, probabilities and decisions, which the
figures are drawn from.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from skyclass.metrics import threshold_curve
from skyclass.report._html import Markup, cards, esc, fmt, page, section, table
from skyclass.report._palette import Palette
from skyclass.report._plots import (
    plot_calibration,
    plot_candidates,
    plot_class_distribution,
    plot_confusion,
    plot_importance,
    plot_pr,
    plot_roc,
    plot_threshold_tradeoff,
)

__all__ = ["render_report", "write_report"]


def _tag(action: str) -> Markup:
    cls = "drop" if action in ("drop", "drop_rows") else "expand" if action == "expand" else ""
    return Markup(f'<span class="tag {cls}">{esc(action)}</span>')


def _baseline(ctx: dict) -> dict:
    """The class-prior comparison: ``baseline`` (evaluate) or ``test.baseline`` (train)."""
    return ctx.get("baseline") or ctx.get("test", {}).get("baseline") or {}


def _overview(ctx: dict) -> str:
    test = ctx.get("test", {}).get("metrics", {})
    metric = ctx.get("metric", {})
    items = [(ctx.get("winner", "—"), "selected model")]
    chosen = test.get(metric.get("name"))
    if chosen:
        items.append((fmt(chosen["value"], 3), f"test {metric.get('name')}"))
    if "accuracy" in test and metric.get("name") != "accuracy":
        items.append((fmt(test["accuracy"]["value"], 3), "test accuracy"))
    data = ctx.get("data", {})
    items += [
        (fmt(data.get("n_rows", 0)), "rows used"),
        (fmt(len(data.get("labels", []))), "classes"),
        (fmt(data.get("n_features", 0)), "features kept"),
    ]
    bundle = ctx.get("bundle") or {}
    body = "".join(
        f'<p class="banner" role="alert" style="border:2px solid #b00020;background:#fdecee;padding:.6em .9em"><b>Warning:</b> {esc(w)}</p>'
        for w in ctx.get("warnings", [])
    )
    headline = _baseline(ctx).get("headline")
    if headline:  # the class-prior comparison of the headline metric (skyclass.metrics)
        body += f'<p class="baseline" id="baseline-headline">{esc(headline)}</p>'
    body += cards(items)
    lines = [
        f"Target <b>{esc(data.get('target'))}</b> from <code>{esc(data.get('source'))}</code>."
    ]
    if bundle.get("path"):
        lines.append(f"Bundle: <code>{esc(bundle['path'])}</code>.")
    refit = ctx.get("refit")
    if refit:
        lines.append(f"Rows: {esc(refit['note'][0].upper() + refit['note'][1:])}.")
    if bundle.get("version") is not None:
        lines.append(
            f"Pushed to <code>{esc(bundle.get('registry'))}</code> as version {esc(bundle['version'])}."
        )
    return section("overview", "Overview", body + "<p>" + " ".join(lines) + "</p>")


def _decisions(ctx: dict) -> str:
    rows = [
        (Markup(esc(d["column"] or "(rows)")), _tag(d["action"]), d["reason"])
        for d in ctx.get("decisions", [])
    ]
    body = (
        table(["column", "decision", "reason"], rows)
        if rows
        else "<p>Every column was kept; no rows were dropped.</p>"
    )
    return section("decisions", "Validation decisions", body)


def _explore(ctx: dict) -> str:
    prof = ctx.get("profile", {})
    parts = [
        plot_class_distribution(
            prof.get("classes", {}),
            palette=_class_palette(ctx, prof.get("classes", {})),
            caption="Imbalance ratio (largest / smallest class): "
            f"{fmt(prof.get('imbalance_ratio', 1.0), 3)}",
        )
    ]
    mi = list(prof.get("mutual_information", {}).items())
    if mi:
        parts.append(
            plot_importance(
                [(k, v, None) for k, v in mi],
                "Adjusted mutual information with the target",
                "0 = no more than chance, 1 = determines it",
                caption="Estimated on the cleaned table before the split "
                "(higher = more informative alone).",
            )
        )
    body = f'<div class="grid">{"".join(parts)}</div>'
    missing = [(k, v) for k, v in prof.get("missing", {}).items() if v > 0]
    if missing:
        body += "<h3>Missing values</h3>" + table(
            ["column", "share missing"], [(k, f"{v:.1%}") for k, v in missing], numeric={1}
        )
    numeric = prof.get("numeric", {})
    if numeric:
        body += "<h3>Numeric columns</h3>" + table(
            ["column", "mean", "std", "min", "median", "max"],
            [
                (k, s.get("mean"), s.get("std"), s.get("min"), s.get("median"), s.get("max"))
                for k, s in numeric.items()
            ],
            numeric={1, 2, 3, 4, 5},
        )
    categorical = prof.get("categorical", {})
    if categorical:
        body += "<h3>Categorical columns</h3>" + table(
            ["column", "distinct", "top values (count)"],
            [
                (k, s["n_unique"], ", ".join(f"{v} ({c})" for v, c in s["top"]))
                for k, s in categorical.items()
            ],
            numeric={1},
        )
    dates = prof.get("datetime", {})
    if dates:
        body += "<h3>Date and time columns</h3>" + table(
            ["column", "first", "last"], [(k, v["min"], v["max"]) for k, v in dates.items()]
        )
    return section("explore", "Explore", body)


def _selection(ctx: dict) -> str:
    metric = ctx.get("metric", {})
    reasons = "".join(f"<li>{esc(r)}</li>" for r in metric.get("reasons", []))
    body = f"<p>Selection metric: <b>{esc(metric.get('name'))}</b></p>"
    if reasons:
        body += f'<ul class="reasons">{reasons}</ul>'
    split = ctx.get("split", {})
    body += (
        f"<p>Stratified split: {fmt(split.get('train', 0))} training rows, "
        f"{fmt(split.get('test', 0))} test rows (touched once, at the end); "
        f"{esc(split.get('cv'))}-fold stratified CV on {fmt(split.get('tune_rows', 0))} training rows; "
        f"seed {esc(split.get('seed'))}.</p>"
    )
    body += (
        f"<p>Every family is tuned on {esc(metric.get('tuned_on', 'log loss'))} (good probabilities "
        f"first); each row's {esc(metric.get('name'))} is on out-of-fold predictions with that "
        "row's own decision rule. The class prior and each family's untuned defaults are "
        "listed as yardsticks.</p>"
    )
    rows = []
    for r in ctx.get("candidates", []):
        score = f"{fmt(r['mean'])} ± {fmt(r['std'])}" if r["fold_scores"] else "failed"
        loss = f"{fmt(r['log_loss'])} ± {fmt(r['log_loss_std'])}" if r["fold_scores"] else ""
        name = Markup(f"<b>{esc(r['name'])}</b>") if r["name"] == ctx.get("winner") else r["name"]
        rows.append(
            (
                name,
                r.get("kind", ""),
                score,
                loss,
                r["n_trials"],
                r["n_pruned"],
                f"{r['seconds']:.1f}",
                r.get("error") or "",
            )
        )
    body += table(
        [
            "candidate",
            "kind",
            f"{metric.get('name')} (CV mean ± std)",
            "log loss (CV mean ± std)",
            "trials",
            "pruned",
            "seconds",
            "note",
        ],
        rows,
        numeric={4, 5, 6},
    )
    sig = ctx.get("significance")
    if sig:
        verdict = "significantly" if sig["significant"] else "not significantly"
        body += (
            f"<p>{esc(ctx.get('winner'))} is {verdict} better than {esc(sig['runner_up'])} "
            f"(corrected paired t-test over the CV folds, one-sided p = {fmt(sig['p_value'], 3)}, "
            f"α = {sig['alpha']}).</p>"
        )
    if any(r["fold_scores"] for r in ctx.get("candidates", [])):
        body += plot_candidates(
            ctx["candidates"],
            metric.get("name", "score"),
            caption="Bars: mean of the best trial's fold scores; whiskers: one standard deviation.",
        )
    winner = next((r for r in ctx.get("candidates", []) if r["name"] == ctx.get("winner")), None)
    if winner:
        body += "<h3>Winning parameters</h3>" + table(
            ["parameter", "value"], sorted(winner["params"].items())
        )
    rule = ctx.get("decision_rule", {})
    if rule:
        body += f"<h3>Decision rule</h3><p>{esc(rule.get('explanation', ''))}</p>"
    return section("selection", "Model selection", body)


def _test(ctx: dict, y_true, proba, y_pred, labels) -> str:
    test = ctx.get("test", {})
    prior = test.get("prior") or {}
    rows = [
        (
            name,
            m["value"],
            f"[{fmt(m['low'])}, {fmt(m['high'])}]"
            if m.get("low") is not None
            else m.get("undefined") or m.get("note") or "—",
            m.get("method", ""),
            fmt(prior[name]) if name in prior else "",
        )
        for name, m in test.get("metrics", {}).items()
    ]
    headers = ["metric", "value", "95% interval", "interval method"]
    body = table(
        [*headers, "class prior"] if prior else headers,
        [r if prior else r[:4] for r in rows],
        numeric={1},
    )
    comparisons = _baseline(ctx).get("metrics", {})
    if comparisons:
        body += '<h3>Against the class-prior baseline</h3><ul class="baseline">'
        body += "".join(f"<li>{esc(c['statement'])}</li>" for c in comparisons.values())
        body += "</ul>"
    refit = ctx.get("refit")
    if refit:
        body = f"<p>{esc(refit['note'][0].upper() + refit['note'][1:])}.</p>" + body
    per_class = test.get("per_class", {})
    if per_class:
        body += "<h3>Per class</h3>" + table(
            ["class", "precision", "recall", "F1", "support"],
            [
                (k, v["precision"], v["recall"], v["f1-score"], int(v["support"]))
                for k, v in per_class.items()
                if isinstance(v, dict) and k not in ("macro avg", "weighted avg", "micro avg")
            ],
            numeric={1, 2, 3, 4},
        )
    palette = Palette(labels)
    counts = {
        str(label): (int(np.sum(y_true == label)), len(y_true)) for label in labels
    }  # positive and all test rows behind each one-vs-rest figure
    one_vs_rest = "One class against the rest, on the test set."
    figures = [
        plot_confusion(y_true, y_pred, labels, caption="Rows: true class; columns: decided class."),
        plot_confusion(
            y_true, y_pred, labels, normalize=True,
            caption="Each row sums to 1 (recall on the diagonal).",
        ),
        plot_roc(y_true, proba, labels, palette=palette, caption=one_vs_rest),
        plot_pr(y_true, proba, labels, palette=palette, caption=one_vs_rest),
    ]  # fmt: skip
    curves = _threshold_curves(y_true, proba, labels)
    if curves:
        chosen = ctx.get("decision_rule", {}).get("rule") or {}
        figures.append(
            plot_threshold_tradeoff(
                curves,
                chosen.get("threshold"),
                counts=counts,
                palette=palette,
                caption="How the decision threshold trades precision against recall (test set).",
            )
        )
    calibration = ctx.get("calibration", {})
    if calibration:
        figures.append(
            plot_calibration(
                {k: (v["prob_true"], v["prob_pred"]) for k, v in calibration.items()},
                counts=counts,
                palette=palette,
                caption="Points on the diagonal mean the probabilities can be read as frequencies.",
            )
        )
    body += f'<div class="grid">{"".join(figures)}</div>'
    return section("test", "Test-set evaluation", body)


def _threshold_curves(y_true, proba, labels) -> dict:
    y_true = np.asarray(y_true)
    chosen = [1] if len(labels) == 2 else list(range(min(len(labels), 10)))
    curves = {}
    for i in chosen:
        positive = (y_true == labels[i]).astype(int)
        if 0 < positive.sum() < len(positive):
            curves[str(labels[i])] = threshold_curve(positive, proba[:, i], pos_label=1).to_dict()
    return curves


def _interpret(ctx: dict) -> str:
    interp = ctx.get("interpretation", {})
    body = ""
    perm = interp.get("permutation", [])
    if perm:
        body += plot_importance(
            [(r["feature"], r["mean"], r["std"]) for r in perm],
            "Permutation importance",
            f"drop in {ctx.get('metric', {}).get('name')} when the column is shuffled",
            caption=interp.get("permutation_note", "Measured on held-out test rows."),
        )
    coefs = interp.get("coefficients")
    if coefs:
        body += "<h3>Coefficients per class (standardised features)</h3>"
        body += table(
            ["class", "pushes toward the class", "pushes away from the class"],
            [
                (
                    label,
                    ", ".join(f"{f} ({w:+.2f})" for f, w in c["toward"]),
                    ", ".join(f"{f} ({w:+.2f})" for f, w in c["away"]),
                )
                for label, c in coefs.items()
            ],
        )
    if not body:
        body = "<p>No interpretation was computed.</p>"
    return section("interpret", "Interpretation", body)


def _fairness(ctx: dict) -> str:
    fair = ctx.get("fairness")
    if not fair:
        return ""
    groups = fair.get("groups", [])
    metrics = [k for k in (groups[0] if groups else {}) if k not in ("group", "n")]
    body = f"<p>Sensitive column: <b>{esc(fair['column'])}</b> (test set).</p>"
    body += table(
        ["group", "rows", *metrics],
        [(g["group"], g["n"], *[g[m] for m in metrics]) for g in groups],
    )
    gaps = fair.get("gaps", {})
    if gaps:
        body += "<h3>Gaps between groups</h3>" + table(
            ["measure", "value"], list(gaps.items()), numeric={1}
        )
    return section("fairness", "Fairness", body)


def _timings(ctx: dict) -> str:
    timings = ctx.get("timings", {})
    if not timings:
        return ""
    rows = [(k, f"{v:.2f}") for k, v in timings.items()]
    return section("timings", "Timings (seconds)", table(["step", "seconds"], rows, numeric={1}))


def render_report(
    context: dict,
    *,
    y_true: ArrayLike,
    proba: ArrayLike,
    y_pred: ArrayLike,
    labels: Sequence,
) -> str:
    """The report page as one HTML string.

    Sections whose context keys are absent are left out (``skyclass evaluate``
    has no selection, for instance).

    Parameters
    ----------
    context : dict
        The JSON-safe run summary (what ``skyclass train`` writes to ``train.json``):
        ``title``, ``created``, ``data``, ``test`` and, when present, ``decisions``,
        ``profile``, ``candidates``, ``interpretation``, ``fairness``, ``timings``.
    y_true : array-like of shape (n_rows,)
        The test rows' true classes.
    proba : array-like of shape (n_rows, n_classes)
        Their predicted probabilities, columns in ``labels`` order.
    y_pred : array-like of shape (n_rows,)
        The decided classes (after the decision rule), for the confusion matrices.
    labels : sequence
        The classes in the model's order (which also fixes their colours).

    Returns
    -------
    str
        A self-contained HTML document (inline CSS, JS and SVG; nothing fetched).

    Example:
        >>> html = render_report({"title": "t", "test": {"metrics": {}}}, y_true=["a", "b"],
        ...                      proba=[[0.9, 0.1], [0.2, 0.8]], y_pred=["a", "b"], labels=["a", "b"])
        >>> html.count('<figure class="plot"')
        5
    """
    labels = list(labels)
    proba = np.asarray(proba, dtype=float)
    parts = [
        ("overview", "Overview", _overview(context)),
        ("decisions", "Decisions", _decisions(context) if "decisions" in context else ""),
        ("explore", "Explore", _explore(context) if "profile" in context else ""),
        ("selection", "Selection", _selection(context) if "candidates" in context else ""),
        ("test", "Test", _test(context, np.asarray(y_true), proba, np.asarray(y_pred), labels)),
        ("interpret", "Interpretation", _interpret(context) if "interpretation" in context else ""),
        ("fairness", "Fairness", _fairness(context)),
        ("timings", "Timings", _timings(context)),
    ]
    title = context.get("title", "skyclass report")
    stamp = context.get("created") or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return page(title, parts, subtitle=f"skyclass train · {stamp}")


def _class_palette(ctx: dict, classes: dict) -> Palette:
    """Class colours by the model's label order (``data.labels``), else the profile's order."""
    return Palette(ctx.get("data", {}).get("labels") or list(classes))


def write_report(path: str | os.PathLike, html: str) -> Path:
    """Write ``html`` to ``path`` (UTF-8), replacing the file if it exists.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (its folder must exist).
    html : str
        The page, e.g. from :func:`render_report`.

    Returns
    -------
    pathlib.Path
        ``path`` as a ``Path``.
    """
    path = Path(path)
    path.write_text(html, encoding="utf-8")
    return path
