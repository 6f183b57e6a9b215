"""The training report in a real headless Chromium: no console errors, every figure drawn."""

import json
import re

import numpy as np
import pytest
from rich.console import Console
from sklearn.datasets import load_breast_cancer

import skyclass
from tests.chromium import Browser, requires_chromium

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns={"target": "diagnosis"})
    frame["diagnosis"] = data.target_names[frame["diagnosis"]]
    frame["site"] = ["a", "b", "c"] * 189 + ["a", "b"]
    out = tmp_path_factory.mktemp("report") / "run"
    result = skyclass.train(
        frame,
        "diagnosis",
        out=out,
        models="logreg,rf",
        time_budget=15,
        max_trials=1,
        sensitive="site",
        console=Console(quiet=True),
    )
    return result.report_path


def _figures_ok(browser: Browser) -> tuple[int, int, str]:
    body = "document.body.getAttribute"
    return (
        browser.evaluate(f"Number({body}('data-figures'))"),
        browser.evaluate(f"Number({body}('data-figures-rendered'))"),
        browser.evaluate(f"{body}('data-report-ready')"),
    )


def test_report_renders_without_errors_on_laptop_and_phone(report, tmp_path):
    html = report.read_text()
    assert "<metadata>" not in html and not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    with Browser() as browser:
        browser.open(report.as_uri(), width=1280, height=900)
        total, rendered, ready = _figures_ok(browser)
        assert ready == "ok" and total == rendered
        # class balance, mutual information, candidates, confusion x2, ROC, PR, threshold
        # trade-off, calibration, and permutation importance unless the time budget ran out
        summary = json.loads((report.parent / "train.json").read_text())
        permutation = bool(summary["interpretation"]["permutation"])
        assert total == 9 + permutation
        names = set(browser.evaluate(
            "Array.from(document.querySelectorAll('figure.plot')).map(f => f.dataset.plot)"
        ))  # fmt: skip
        assert {"class-distribution", "candidates", "confusion", "confusion-normalised", "roc",
                "pr", "threshold", "calibration"} <= names  # fmt: skip
        assert ("importance-permutation-importance" in names) == permutation
        # the class-prior baseline and its significance lead the overview
        headline = browser.evaluate("document.getElementById('baseline-headline').innerText")
        assert headline == summary["test"]["baseline"]["headline"]
        assert "for the class-prior baseline" in headline
        assert ": significantly better (p" in headline
        sizes = browser.evaluate(
            "Array.from(document.querySelectorAll('figure svg')).map(s => s.getBoundingClientRect().width)"
        )
        assert len(sizes) == total and min(sizes) > 100
        assert browser.evaluate("document.querySelectorAll('#fairness table').length") >= 1
        browser.screenshot(tmp_path / "report-laptop.png")
        browser.open(report.as_uri(), width=390, height=844, mobile=True)
        assert _figures_ok(browser)[2] == "ok"
        # nothing wider than the phone screen except inside the scrollable table wrappers
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        browser.screenshot(tmp_path / "report-phone.png")
        assert browser.errors == []
        # self-contained: only the page itself is fetched (CSS, JS, SVG and images are inline)
        fetched = {u.split("#")[0] for u in browser.requests if not u.startswith("data:")}
        assert fetched == {report.as_uri()}
    for name in ("report-laptop.png", "report-phone.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / name).stat().st_size > 20_000


def test_the_check_catches_errors_and_broken_figures(report, tmp_path):
    broken = tmp_path / "broken.html"
    html = report.read_text().replace(
        "</main>", '<figure><img src="missing.png" alt="x"></figure></main>'
    )
    broken.write_text(
        html.replace("</body>", "<script>console.error('boom'); nope();</script></body>")
    )
    with Browser() as browser:
        browser.open(broken.as_uri())
        total, rendered, ready = _figures_ok(browser)
        assert rendered == total - 1 and ready.startswith("missing")
        assert any("boom" in e for e in browser.errors)
        assert any("nope is not defined" in e for e in browser.errors)


def test_small_sample_notes_are_rendered_on_a_phone(tmp_path):
    """A class with 4 test rows: its curves are greyed and the notes are visible at 390 px."""
    from skyclass.report import render_report

    rng = np.random.default_rng(0)
    labels = ["ant", "bee", "cat"]
    y = np.array(["ant"] * 90 + ["bee"] * 56 + ["cat"] * 4)
    logits = rng.normal(size=(150, 3)) + 2.0 * (np.array(labels)[None, :] == y[:, None])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    html = render_report(
        {"title": "small", "data": {"labels": labels}, "test": {"metrics": {}}},
        y_true=y,
        proba=proba,
        y_pred=np.array(labels)[proba.argmax(axis=1)],
        labels=labels,
    )
    page = tmp_path / "small.html"
    page.write_text(html)
    with Browser() as browser:
        browser.open(page.as_uri(), width=390, height=844, mobile=True)
        assert browser.evaluate("document.body.getAttribute('data-report-ready')") == "ok"
        notes = browser.evaluate(
            "Array.from(document.querySelectorAll('figure[data-small-sample] .note'))"
            ".map(n => [n.textContent, n.getBoundingClientRect().height,"
            " getComputedStyle(n).color])"
        )
        assert len(notes) == 3  # ROC, PR, threshold
        assert all("cat" in text and height > 0 for text, height, _ in notes)
        assert {colour for _, _, colour in notes} == {"rgb(146, 64, 14)"}  # the warning colour
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1 and browser.errors == []
