"""The page toolkit without a browser: one colour per class everywhere, small samples greyed
with a note, threshold figures titled by what they draw, well-formed self-contained pages."""

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from skyclass.metrics import calibration_curve
from skyclass.report import (
    MUTED,
    PALETTE,
    Palette,
    bar_chart,
    page,
    plot_calibration,
    plot_pr,
    plot_roc,
    plot_threshold_tradeoff,
    render_report,
    section,
)

# label order (the model's) differs from support order: "zebra" is the most frequent class
LABELS = ["ant", "bee", "cat", "zebra"]
SHARES = [0.2, 0.15, 0.02, 0.63]


def _test_rows(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(LABELS, n, p=SHARES)
    logits = rng.normal(size=(n, 4)) + 2.0 * (np.array(LABELS)[None, :] == y[:, None])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, proba, np.array(LABELS)[proba.argmax(axis=1)]


def _calibration(y, proba):
    out = {}
    for i, label in enumerate(LABELS):
        prob_true, prob_pred = calibration_curve((y == label).astype(int), proba[:, i], n_bins=10)
        out[label] = {"prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist()}
    return out


@pytest.fixture(scope="module")
def report():
    y, proba, pred = _test_rows()
    context = {
        "title": "toolkit",
        "data": {"labels": LABELS, "target": "kind", "source": "t.csv"},
        "profile": {"classes": {label: int((y == label).sum()) for label in LABELS}},
        "test": {"metrics": {}},
        "calibration": _calibration(y, proba),
    }
    return render_report(context, y_true=y, proba=proba, y_pred=pred, labels=LABELS), y


def _figures(html: str) -> list[str]:
    return re.findall(r'<figure class="plot" data-plot="([^"]+)"', html)


def _figure_html(html: str, name: str) -> str:
    return re.search(rf'<figure class="plot" data-plot="{name}".*?</figure>', html, re.S).group(0)


def _legend_colours(figure: str) -> dict[str, str]:
    """First word of each legend entry (the class, or 'F1 <class>') → its colour."""
    keys = re.findall(
        r'<i class="key [a-z]+" style="--key:(#[0-9a-f]{6})"></i>([^<]+)</li>', figure
    )
    return {text.removeprefix("F1 ").split(" ")[0].rstrip(","): colour for colour, text in keys}


def test_one_class_one_colour_in_every_figure(report):
    html, y = report
    rare = "cat"  # 2% of rows: greyed wherever it has too few rows
    expected = {label: PALETTE[i] for i, label in enumerate(LABELS)}
    bars = _figure_html(html, "class-distribution")
    bar_colours = dict(
        (title.split(":")[0], fill)
        for fill, title in re.findall(r'fill="(#[0-9a-f]{6})"><title>([^<]+)</title>', bars)
    )
    assert bar_colours == expected  # bars keep the class colour even for a small class
    for name in ("roc", "pr", "threshold", "calibration"):
        colours = _legend_colours(_figure_html(html, name))
        assert set(colours) == set(LABELS), name
        for label in LABELS:
            want = MUTED if label == rare else expected[label]
            assert colours[label] == want, (name, label)
    # the monitor's predicted-class chart uses the same Palette, so the same colours
    palette = Palette(LABELS)
    shares = bar_chart(
        "prediction-drift",
        "shares",
        LABELS,
        {"reference": SHARES, "current": SHARES},
        colours=[palette[label] for label in LABELS],
        faded=("reference",),
    )
    fills = re.findall(r'fill="(#[0-9a-f]{6})"', shares)
    assert fills == [expected[label] for label in LABELS for _ in (0, 1)]
    # labels that went through JSON or CSV ("1" vs 1) are one class
    assert Palette([0, 1])["1"] == Palette([0, 1])[1] == PALETTE[1]


def test_small_samples_are_greyed_and_say_why(report):
    html, y = report
    n_cat = int((y == "cat").sum())
    assert 0 < n_cat < 10
    for name in ("roc", "pr", "threshold", "calibration"):
        figure = _figure_html(html, name)
        assert 'data-small-sample="1"' in figure, name
        note = re.search(r'<p class="note">([^<]+)</p>', figure).group(1)
        assert "cat" in note and "zebra" not in note
        # every class's legend states the rows behind its curve
        assert (
            f"{n_cat} of {len(y)} rows" in figure or f"{n_cat} positive of {len(y)} rows" in figure
        )
    # ROC/PR of the rare class: a dashed grey line
    roc = _figure_html(html, "roc")
    cat_line = re.search(r'<polyline[^>]*stroke="([^"]+)"[^>]*><title>cat \(', roc)
    assert cat_line.group(1) == MUTED and 'stroke-dasharray="5 4"><title>cat (' in roc


def test_calibration_from_few_rows_is_greyed_for_every_class():
    y, proba, _ = _test_rows(n=36, seed=3)
    curves = {
        label: (c["prob_true"], c["prob_pred"]) for label, c in _calibration(y, proba).items()
    }
    counts = {label: (int((y == label).sum()), len(y)) for label in LABELS}
    figure = plot_calibration(curves, counts=counts, palette=Palette(LABELS))
    assert f'data-small-sample="{len(curves)}"' in figure
    assert "fewer than 100 rows" in figure and "36 rows" in figure
    assert set(_legend_colours(figure).values()) == {MUTED}


def test_threshold_figure_title_matches_what_it_draws():
    y, proba, _ = _test_rows()
    from skyclass.metrics import threshold_curve

    binary = (y == "zebra").astype(int)
    one = {"zebra": threshold_curve(binary, proba[:, 3], pos_label=1).to_dict()}
    figure = plot_threshold_tradeoff(one, 0.4, counts={"zebra": (int(binary.sum()), len(y))})
    assert "Precision, recall and F1 against the threshold (zebra" in figure
    assert re.findall(r"<polyline[^>]*><title>([^<]+)</title>", figure) == [
        "precision",
        "recall",
        "F1",
    ]
    assert "chosen threshold 0.400" in figure
    many = {
        label: threshold_curve((y == label).astype(int), proba[:, i], pos_label=1).to_dict()
        for i, label in enumerate(LABELS)
    }
    figure = plot_threshold_tradeoff(many, palette=Palette(LABELS))
    assert (
        "F1 against the threshold, per class" in figure
        and "recall" not in figure.split("</div>")[0]
    )
    assert len(re.findall(r"<polyline[^>]*><title>F1 ", figure)) == 4


def test_curves_match_the_metrics_they_plot():
    y, proba, _ = _test_rows()
    from sklearn.metrics import average_precision_score, roc_auc_score

    roc = plot_roc(y, proba, LABELS)
    pr = plot_pr(y, proba, LABELS)
    for i, label in enumerate(LABELS):
        truth = (y == label).astype(int)
        assert f"{label} (AUC {roc_auc_score(truth, proba[:, i]):.3f}," in roc
        assert f"{label} (AP {average_precision_score(truth, proba[:, i]):.3f}," in pr


class _Checker(HTMLParser):
    VOID = {"meta", "link", "br", "img", "input", "hr", "line", "circle", "rect", "polygon"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.svgs = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_pages_are_well_formed_self_contained_and_share_one_stylesheet(report):
    html, _ = report
    checker = _Checker()
    checker.feed(html)
    assert checker.errors == [] and checker.stack == []
    figures = _figures(html)
    assert len(figures) == len(set(figures)) == len(checker.svgs) == 7
    assert all(s["role"] == "img" and s["aria-label"] and "viewbox" in s for s in checker.svgs)
    assert all("width" not in s for s in checker.svgs)  # they scale with the page
    assert 'name="viewport" content="width=device-width' in html
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= {"http://www.w3.org/2000/svg"}
    other = page("monitor", [("a", "A", section("a", "A", "<p>x</p>"))], script=False)
    style = re.compile(r"<style>(.*?)</style>", re.S)
    assert style.search(html).group(1) == style.search(other).group(1)
    assert "<script" not in other and '<a href="#a">A</a>' in other
