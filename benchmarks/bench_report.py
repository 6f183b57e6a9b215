"""Report figures: the skyclass page toolkit (inline SVG) vs matplotlib's SVG backend, same run.

Both sides draw the same seven figures of one test set (6 classes, 2000 rows): class
distribution, confusion matrix (counts and row-normalised), one-vs-rest ROC and PR curves,
F1 against the threshold and calibration curves, each as an inline SVG string. The curves
are computed once, outside the timing; only drawing is timed (best of 3). The peer runs in
its own venv (``.tools/matplotlib-venv``, created here on first use with ``pip install
matplotlib numpy``), since skyclass itself no longer depends on matplotlib.

Usage: python benchmarks/bench_report.py [--rows 2000] [--classes 6]
Last line: ``report_figures: ratio=X.XX (ours A s vs matplotlib B s)`` (> 1 = skyclass faster).
Timings on a shared machine are noisy; compare ratios from one run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PEER_VENV = ROOT / ".tools" / "matplotlib-venv"

PEER = r"""
import io, json, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

data = json.load(open(sys.argv[1]))

def svg(fig):
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()

def lines(curves, title):
    fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    for name, (x, y) in curves.items():
        ax.plot(x, y, label=name)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return svg(fig)

def draw():
    out = []
    fig, ax = plt.subplots(figsize=(6.4, 2.5), layout="constrained")
    ax.barh(list(data["counts"]), list(data["counts"].values()))
    out.append(svg(fig))
    for matrix in (data["confusion"], data["confusion_normalised"]):
        fig, ax = plt.subplots(figsize=(5, 4.25), layout="constrained")
        ax.imshow(matrix, cmap="Blues")
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
        out.append(svg(fig))
    for key in ("roc", "pr", "threshold", "calibration"):
        out.append(lines(data[key], key))
    return out

best = min(
    (lambda t: (draw(), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3)
)
print(json.dumps({"seconds": best}))
"""


def _data(rows: int, k: int, seed: int = 0) -> dict:
    from skyclass.metrics import (
        calibration_curve,
        confusion_matrix,
        precision_recall_curve,
        roc_curve,
        threshold_curve,
    )

    rng = np.random.default_rng(seed)
    labels = [f"class{i}" for i in range(k)]
    y = rng.choice(labels, rows)
    logits = rng.normal(size=(rows, k)) + 1.5 * (np.array(labels)[None, :] == y[:, None])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = np.array(labels)[proba.argmax(axis=1)]
    cm = confusion_matrix(y, pred, labels=labels).astype(float)
    curves: dict = {"roc": {}, "pr": {}, "threshold": {}, "calibration": {}, "raw": {}}
    for i, label in enumerate(labels):
        positive = (y == label).astype(int)
        fpr, tpr, _ = roc_curve(positive, proba[:, i])
        precision, recall, _ = precision_recall_curve(positive, proba[:, i])
        curve = threshold_curve(positive, proba[:, i], pos_label=1).to_dict()
        prob_true, prob_pred = calibration_curve(positive, proba[:, i], n_bins=10)
        curves["roc"][label] = (fpr.tolist(), tpr.tolist())
        curves["pr"][label] = (recall.tolist(), precision.tolist())
        t = np.asarray(curve["thresholds"])[1:]
        keep = t <= 1
        curves["threshold"][label] = (t[keep].tolist(), np.asarray(curve["f1"])[1:][keep].tolist())
        curves["calibration"][label] = (prob_pred.tolist(), prob_true.tolist())
    return {
        "labels": labels,
        "counts": {label: int((y == label).sum()) for label in labels},
        "confusion": cm.tolist(),
        "confusion_normalised": (cm / cm.sum(axis=1, keepdims=True)).tolist(),
        **{key: curves[key] for key in ("roc", "pr", "threshold", "calibration")},
    }


def _ours(data: dict) -> float:
    from skyclass.report import Line, Palette, bar_chart, heatmap, line_chart

    palette = Palette(data["labels"])
    names = data["labels"]

    def draw() -> list[str]:
        out = [
            bar_chart("n", "Class distribution", names, {"": list(data["counts"].values())},
                      colours=[palette[n] for n in names], horizontal=True),
            heatmap("c", "Confusion", data["confusion"], names, names),
            heatmap("cn", "Confusion", data["confusion_normalised"], names, names, digits=2),
        ]  # fmt: skip
        for key in ("roc", "pr", "threshold", "calibration"):
            lines = [Line(n, x, y, palette[n]) for n, (x, y) in data[key].items()]
            out.append(line_chart(key, key, lines))
        return out

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        draw()
        best = min(best, time.perf_counter() - start)
    return best


def _peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "matplotlib>=3.8", "numpy"],
            check=True,
        )
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--classes", type=int, default=6)
    args = parser.parse_args()
    data = _data(args.rows, args.classes)
    ours = _ours(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.json"
        path.write_text(json.dumps(data))
        script = Path(tmp) / "peer.py"
        script.write_text(PEER)
        done = subprocess.run(
            [str(_peer_python()), str(script), str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    peer = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
    print(f"{args.classes} classes, {args.rows} rows, 7 figures, best of 3")
    print(f"  skyclass page toolkit : {ours * 1000:8.1f} ms")
    print(f"  matplotlib (Agg, SVG) : {peer * 1000:8.1f} ms")
    print(f"report_figures: ratio={peer / ours:.2f} (ours {ours:.3f} s vs matplotlib {peer:.3f} s)")


if __name__ == "__main__":
    main()
