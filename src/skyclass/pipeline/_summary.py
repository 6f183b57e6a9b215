"""``TrainSummary``: the typed record of one ``skyclass train`` run.

The stages fill it in; ``train.json`` is ``summary.to_dict()``, the report is drawn
from that same dict, and the bundle card from the summary itself, so the three can
never disagree. Parts that come from another package as plain JSON-safe dicts
(the data profile, ``Evaluation.to_dict()``, fairness tables) are kept as dicts.

Example:
    >>> s = SplitInfo(train=80, test=20, cv=5, tune_rows=80, seed=0, test_size=0.2)
    >>> s.to_dict()["train"]
    80
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "BundleInfo",
    "DataInfo",
    "LeaderboardEntry",
    "MetricInfo",
    "RefitInfo",
    "RuleInfo",
    "SplitInfo",
    "TestInfo",
    "TrainSummary",
]

NO_MODEL_BEATS_PRIOR = "no model beats predicting the class frequencies"


def _json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_json(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


class _Part:
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of every field."""
        return _json(self)


@dataclass
class DataInfo(_Part):
    """The table after validation: where it came from, the classes, the features kept."""

    source: str
    target: str
    labels: list[Any]
    n_rows_in: int
    n_rows: int
    n_features: int
    features: list[str]


@dataclass
class MetricInfo(_Part):
    """The selection metric, why it was chosen, and what the candidates were tuned on."""

    name: str
    reasons: list[str]
    greater_is_better: bool
    tuned_on: str = "log_loss"


@dataclass
class SplitInfo(_Part):
    """Training/test row counts and the CV set-up."""

    train: int
    test: int
    cv: int
    tune_rows: int
    seed: int
    test_size: float


@dataclass
class LeaderboardEntry(_Part):
    """One row of the leaderboard: a tuned family, its untuned defaults, or the class prior.

    ``fold_scores``/``mean``/``std`` are the selection metric per CV fold with the entry's
    own decision rule applied to its out-of-fold probabilities; ``log_loss`` the same
    for the probabilities.
    """

    name: str
    kind: str  # "tuned", "defaults" or "baseline"
    family: str
    params: dict[str, Any]
    fold_scores: list[float]
    mean: float
    std: float
    log_loss: float
    log_loss_std: float
    n_trials: int = 0
    n_pruned: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RuleInfo(_Part):
    """The shipped decision rule (``None``: argmax), in words, and its out-of-fold effect."""

    rule: dict[str, Any] | None
    explanation: str
    oof: dict[str, Any] = field(default_factory=dict)


@dataclass
class TestInfo(_Part):
    """Test-set numbers of the model fitted on the training rows only.

    ``prior`` holds the class-prior baseline's selection metric and log loss on the same rows;
    ``baseline`` the full comparison with it (``skyclass.metrics.compare_to_baseline``:
    both values, the difference and a significance test per headline metric, ``headline``).
    """

    metrics: dict[str, Any]
    per_class: dict[str, Any]
    evaluation: dict[str, Any]
    prior: dict[str, float]
    baseline: dict[str, Any] = field(default_factory=dict)


@dataclass
class RefitInfo(_Part):
    """Which rows the shipped model saw, and which estimate belongs to it."""

    on: str  # "all" (training + test rows) or "train"
    rows: int
    note: str


@dataclass
class BundleInfo(_Part):
    """Where the bundle went."""

    path: str
    registry: str | None = None
    version: int | None = None


@dataclass
class TrainSummary(_Part):
    """Everything a run decided and measured (``train.json``; the report reads its dict)."""

    title: str
    created: str
    data: DataInfo
    decisions: list[dict[str, Any]]
    profile: dict[str, Any]
    metric: MetricInfo
    split: SplitInfo
    candidates: list[LeaderboardEntry]
    winner: str
    significance: dict[str, Any] | None
    decision_rule: RuleInfo
    test: TestInfo
    calibration: dict[str, Any]
    interpretation: dict[str, Any]
    fairness: dict[str, Any] | None
    refit: RefitInfo
    warnings: list[str]
    versions: dict[str, str]
    bundle: BundleInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def card_text(self) -> str:
        """The "How it was trained" part of the bundle's model card."""
        lines = [
            "## How it was trained",
            f"Selected {self.winner} by {self.metric.name} ({'; '.join(self.metric.reasons)}); "
            f"candidates tuned on {self.metric.tuned_on}.",
            "",
            f"Rows: {self.refit.note}",
            "",
            "Validation decisions:",
        ]
        lines += [
            f"- {d['column'] or '(rows)'}: {d['action']} - {d['reason']}" for d in self.decisions
        ] or ["- none"]
        lines += ["", f"Decision rule: {self.decision_rule.explanation}"]
        lines += ["", *[f"WARNING: {w}" for w in self.warnings]] if self.warnings else []
        return "\n".join(lines)
