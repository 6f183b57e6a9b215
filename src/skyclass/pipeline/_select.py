"""The leaderboard: tuned families, their untuned defaults and the class prior, side by side.

Every entry is scored the way it would be shipped, honestly: its decision rule
(``choose_rule``) is cross-fitted (tuned on the out-of-fold rows of the other folds,
applied to each fold's rows), and kept only when that beats argmax; the rule shipped
is then tuned on all out-of-fold rows. Log loss is computed on the probabilities.
Entries are ranked on the selection metric; entries within half a standard error of
the best count as tied and the one with the lower log loss goes first (better
probabilities at no cost in the metric). The prior is a yardstick, never shipped.

Example:
    >>> import numpy as np
    >>> from skyclass.pipeline._select import prior_oof
    >>> prior_oof(np.array([0, 0, 1, 1]), [np.array([0, 2]), np.array([1, 3])], 2).tolist()
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyclass import metrics as M
from skyclass.pipeline._costs import Costs
from skyclass.pipeline._decision_rule import choose_rule
from skyclass.pipeline._ensemble import cross_fitted_average, select_weights
from skyclass.pipeline._scoring import Scorer
from skyclass.pipeline._summary import LeaderboardEntry, RuleInfo
from skyclass.pipeline._testset import score_decided
from skyclass.pipeline._tune import CandidateResult

__all__ = ["ENSEMBLE", "Scored", "leaderboard", "prior_oof", "rank"]

PRIOR = "prior"
ENSEMBLE = "ensemble"


@dataclass
class Scored:
    """A leaderboard entry with what selecting it needs: its rule and out-of-fold probabilities."""

    entry: LeaderboardEntry
    rule: RuleInfo
    oof: np.ndarray
    members: list[tuple[LeaderboardEntry, float]] = field(default_factory=list)


def prior_oof(codes: np.ndarray, val_indices: list[np.ndarray], k: int) -> np.ndarray:
    """Out-of-fold class-prior probabilities: each fold gets its training rows' class shares."""
    oof = np.zeros((len(codes), k))
    for val in val_indices:
        train = np.setdiff1d(np.arange(len(codes)), val)
        oof[val] = np.bincount(codes[train], minlength=k) / len(train)
    return oof


def _cross_fitted(y, codes, oof, val_indices, labels, scorer, costs, positive) -> list[float]:
    """Per fold, the score of the decision rule tuned on the other folds' out-of-fold rows."""
    index = {v: i for i, v in enumerate(labels)}
    rows = np.arange(len(codes))
    scores = []
    for val in val_indices:
        rest = np.setdiff1d(rows, val)
        rule = choose_rule(
            y[rest], oof[rest], labels, metric=scorer.name, costs=costs, positive=positive
        )["rule"]
        decided = np.array([index[v] for v in M.decide(oof[val], rule, labels)])
        scores.append(score_decided(scorer, codes[val], oof[val], decided))
    return scores


def _score(
    name: str,
    kind: str,
    family: str,
    result: CandidateResult | None,
    oof: np.ndarray,
    codes: np.ndarray,
    val_indices: list[np.ndarray],
    labels: list,
    scorer: Scorer,
    costs: Costs | None,
    positive: Any,
) -> Scored:
    y = np.asarray(labels, dtype=object)[codes]
    info = choose_rule(y, oof, labels, metric=scorer.name, costs=costs, positive=positive)
    k = len(labels)
    argmax = oof.argmax(axis=1)
    plain = [score_decided(scorer, codes[v], oof[v], argmax[v]) for v in val_indices]
    folds = plain
    if info["rule"] is not None and not scorer.uses_proba:
        crossed = _cross_fitted(y, codes, oof, val_indices, labels, scorer, costs, positive)
        if costs is not None or np.mean(crossed) > np.mean(plain):
            folds = crossed
        else:
            info = {
                "rule": None,
                "explanation": "Predict the most probable class (argmax): a rule tuned on "
                f"some folds did not beat argmax on {scorer.name} on the others "
                f"({np.mean(crossed):.4f} against {np.mean(plain):.4f}).",
                "oof": {
                    f"{scorer.name}_argmax": float(np.mean(plain)),
                    f"{scorer.name}_rule_cross_fitted": float(np.mean(crossed)),
                },
            }
    losses = [float(M.log_loss(codes[v], oof[v], labels=list(range(k)))) for v in val_indices]
    entry = LeaderboardEntry(
        name=name,
        kind=kind,
        family=family,
        params=dict(result.params) if result is not None else {},
        fold_scores=folds,
        mean=float(np.mean(folds)),
        std=float(np.std(folds, ddof=1)) if len(folds) > 1 else 0.0,
        log_loss=float(np.mean(losses)),
        log_loss_std=float(np.std(losses, ddof=1)) if len(losses) > 1 else 0.0,
        n_trials=result.n_trials if result is not None else 0,
        n_pruned=result.n_pruned if result is not None else 0,
        seconds=result.seconds if result is not None else 0.0,
    )
    return Scored(entry, RuleInfo(info["rule"], info["explanation"], info.get("oof", {})), oof)


def _ensemble(scored: list[Scored], common: tuple) -> Scored | None:
    """The ensemble of the scored models (tuned and defaults), or ``None`` if it is one model.

    Its weights (``select_weights`` on all out-of-fold rows) are what ships; its
    leaderboard scores come from cross-fitted weights (each fold averaged with weights
    chosen on the other folds), and its decision rule is tuned on those, so the entry
    is scored as honestly as the single models.
    """
    codes, val_indices = common[0], common[1]
    models = [s for s in scored if s.entry.kind != "baseline"]
    if len(models) < 2:
        return None
    weights = select_weights([s.oof for s in models], codes)
    members = [(s.entry, float(w)) for s, w in zip(models, weights) if w > 0]
    if len(members) < 2:
        return None
    oof = cross_fitted_average([s.oof for s in models], codes, val_indices)
    result = CandidateResult(
        name=ENSEMBLE,
        params={"members": {e.name: round(w, 4) for e, w in members}},
        fold_scores=[],
        n_trials=0,
        n_pruned=0,
        seconds=0.0,
    )
    ensemble = _score(ENSEMBLE, ENSEMBLE, ENSEMBLE, result, oof, *common)
    ensemble.members = members
    return ensemble


def leaderboard(
    results: list[CandidateResult],
    codes: np.ndarray,
    val_indices: list[np.ndarray],
    labels: list,
    scorer: Scorer,
    costs: Costs | None = None,
    positive: Any = None,
) -> tuple[list[Scored], list[LeaderboardEntry]]:
    """Scored entries (prior, tuned, defaults, ensemble) and the failed families' rows.

    The ensemble (``kind="ensemble"``, last) is there when its weights mix two or more
    models; the failed families' rows carry their error.
    """
    common = (codes, val_indices, labels, scorer, costs, positive)
    scored = [
        _score(PRIOR, "baseline", PRIOR, None, prior_oof(codes, val_indices, len(labels)), *common)
    ]
    failed = []
    for r in results:
        if r.oof_proba is None:
            failed.append(
                LeaderboardEntry(
                    r.name,
                    "tuned",
                    r.name,
                    r.params,
                    [],
                    float("nan"),
                    0.0,
                    float("nan"),
                    0.0,
                    r.n_trials,
                    r.n_pruned,
                    r.seconds,
                    r.error,
                )
            )
            continue
        scored.append(_score(r.name, "tuned", r.name, r, r.oof_proba, *common))
        if r.default is not None and r.default.oof_proba is not None:
            name = f"{r.name} (defaults)"
            scored.append(_score(name, "defaults", r.name, r.default, r.default.oof_proba, *common))
    ensemble = _ensemble(scored, common)
    return scored + ([ensemble] if ensemble is not None else []), failed


def rank(scored: list[Scored], greater_is_better: bool) -> list[Scored]:
    """Best first: by the selection metric, near-ties (half a standard error) by log loss."""
    sign = 1.0 if greater_is_better else -1.0
    ordered = sorted(scored, key=lambda s: (-sign * s.entry.mean, s.entry.log_loss))
    best = ordered[0].entry
    tolerance = 0.5 * best.std / np.sqrt(max(len(best.fold_scores), 1))
    tied = [s for s in ordered if sign * (best.mean - s.entry.mean) <= tolerance]
    tied.sort(key=lambda s: s.entry.log_loss)
    return tied + [s for s in ordered if s not in tied]
