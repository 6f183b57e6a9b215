"""One colour per class, the same in every figure of a report, the evaluate page and the monitor.

A class's colour is decided by its position in the model's label list (the order
the bundle, ``train.json`` and the monitor all share), never by the order a figure
happens to draw it in (support order, legend order). Figures that are not about
classes (latency percentiles, reference vs current) use :data:`SERIES`, a second set
that never repeats a class colour within one page.

Example:
    >>> palette = Palette(["cat", "dog", "fox"])
    >>> palette["dog"]
    '#f28e2b'
    >>> Palette(["fox", "dog", "cat"])["dog"] == palette["dog"]  # position, not name, decides
    True
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from skyclass.metrics import label_key

__all__ = ["ALERT", "MUTED", "PALETTE", "SERIES", "Palette"]

#: Tableau 10 without its grey (grey means "too few rows to read" here), plus teal.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
)
#: Colours for series that are not classes (dark enough to tell from the class colours).
SERIES = ("#1f2937", "#7c3aed", "#0f766e", "#b45309")
#: Greyed-out curves and bars: drawn from too few rows to be read as evidence.
MUTED = "#9ca3af"
#: Bars and points flagged as a problem (drifted feature, unhealthy region).
ALERT = "#dc2626"


class Palette:
    """Colours keyed by class label, assigned by the label's position in ``labels``.

    Labels are matched as text too (``1`` and ``"1"`` are one class), since labels
    pass through JSON and CSV files on their way to a page.

    Parameters
    ----------
    labels : sequence of hashable
        The model's classes in its own order; class ``i`` gets ``PALETTE[i % 10]``.
        Indexing with a label not in it raises ``KeyError`` naming the labels.
    """

    def __init__(self, labels: Sequence[Hashable]) -> None:
        self.labels = list(labels)
        self._by_text = {
            label_key(label): PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)
        }

    def __getitem__(self, label: Hashable) -> str:
        try:
            return self._by_text[label_key(label)]
        except KeyError:
            raise KeyError(f"class {label!r} is not one of the labels {self.labels}") from None

    def __len__(self) -> int:
        return len(self.labels)
