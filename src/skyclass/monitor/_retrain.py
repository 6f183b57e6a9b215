"""The retraining loop: original data + labelled feedback → challenger → compare → (promote).

1. Labelled feedback becomes rows of the training table (logged inputs + feedback label).
2. Held-out rows for the comparison: ``holdout`` if given; else a seeded share of the
   feedback (recent data neither model trained on); with too little feedback, a seeded
   share of the original data (the champion may have seen it: stated in ``notes``).
3. ``skyclass.train`` fits the challenger on everything else; it is pushed to the registry
   and aliased ``challenger``.
4. Champion and challenger predict the same held-out rows (decision rules included); a
   paired bootstrap decides better / worse / no significant difference.
5. With ``promote=True`` the challenger becomes ``champion`` unless it is worse (the
   interval of challenger − champion lies below ``-margin``). With ``canary_spec`` the
   deployment spec's ``rollout.canary.model`` points at ``name@challenger`` so that
   ``skyclass deploy SPEC`` rolls it out as a canary.

Example:
    >>> from skyclass.monitor import retrain
    >>> result = retrain("wine.csv", "cultivar", logs=["predictions.db"],
    ...                  registry="file:///srv/registry", name="wine")  # doctest: +SKIP
    >>> result.comparison.verdict  # doctest: +SKIP
    'no significant difference'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from skyclass._jsonsafe import json_safe
from skyclass.errors import InputError, NotFoundError
from skyclass.metrics import label_key
from skyclass.monitor._compare import Comparison, paired_comparison
from skyclass.monitor._log import PredictionLog, read_prediction_log
from skyclass.monitor._yaml import read_mapping

__all__ = ["RetrainResult", "feedback_table", "retrain"]

MIN_FEEDBACK_HOLDOUT = 30


@dataclass
class RetrainResult:
    """What ``retrain`` did: sizes, versions, the comparison and whether it promoted.

    Parameters
    ----------
    name : str
        The model's name in the registry.
    registry : str
        The registry the challenger was registered in.
    challenger_version : int
        The new version's number.
    champion_version : int or None
        The version it was compared with (``None``: there was no champion).
    comparison : Comparison or None
        Champion vs challenger on the holdout (``None`` without a champion).
    promoted : bool
        Whether the challenger now holds the champion alias.
    bundle_path : Path
        Where the challenger's bundle is.
    n_original, n_feedback : int
        Rows from the original training data and from labelled feedback.
    n_train, n_holdout : int
        Rows the challenger was trained on, and rows held out for the comparison.
    holdout_source : str
        Where the holdout came from, in words: the given holdout table, or a share of
        the labelled feedback or of the original data.
    canary_spec : Path, optional
        The deployment spec whose canary now points at the challenger.
    notes : list of str
        Decisions taken along the way, in words.
    """

    name: str
    registry: str
    challenger_version: int
    champion_version: int | None
    comparison: Comparison | None
    promoted: bool
    bundle_path: Path
    n_original: int
    n_feedback: int
    n_train: int
    n_holdout: int
    holdout_source: str
    canary_spec: Path | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-safe dict.

        Returns
        -------
        dict
            Every field by name; paths as text, the comparison as a dict.
        """
        return json_safe(asdict(self))


def feedback_table(
    log: PredictionLog, target: str, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Labelled feedback as training rows: the logged inputs plus ``target`` = the feedback label.

    Parameters
    ----------
    log : PredictionLog
        Predictions joined with their feedback.
    target : str
        The name of the target column to add.
    columns : sequence of str, optional
        The feature columns to keep, in order (default: every logged input).

    Returns
    -------
    DataFrame
        One row per labelled prediction.

    Example:
        >>> from skyclass.monitor import feedback_table, read_prediction_log
        >>> feedback_table(read_prediction_log("predictions.db"), "cultivar")  # doctest: +SKIP
    """
    labelled = log.labelled()
    table = labelled.features()
    if columns is not None:
        table = table.reindex(columns=[c for c in columns if c != target])
    table[target] = list(labelled.frame["feedback"])
    return table.reset_index(drop=True)


def _align_labels(frame: pd.DataFrame, target: str, original: pd.Series) -> pd.DataFrame:
    """Feedback labels arrive as JSON values; give them the original target's type."""
    by_text = {label_key(v): v for v in pd.unique(original.dropna())}
    frame[target] = [by_text.get(label_key(v), v) for v in frame[target]]
    return frame


def _write_canary(spec: Path, uri: str, weight: float | None) -> None:
    data = read_mapping(spec, "deployment spec")
    rollout = data.setdefault("rollout", {}) or {}
    data["rollout"] = rollout
    canary = rollout.get("canary") or {}
    canary["model"] = uri
    if weight is not None:
        canary["weight"] = weight
    canary.setdefault("weight", 10)
    rollout["canary"] = canary
    fd, tmp = tempfile.mkstemp(dir=spec.parent, prefix=".spec-")
    with os.fdopen(fd, "w") as fh:
        yaml.safe_dump(data, fh, sort_keys=False)
    os.replace(tmp, spec)


def retrain(
    data: Any,
    target: str,
    *,
    logs: Sequence[str],
    registry: str,
    name: str,
    champion: str = "champion",
    holdout: Any = None,
    holdout_fraction: float = 0.3,
    metric: str = "accuracy",
    promote: bool = False,
    margin: float = 0.0,
    canary_spec: str | os.PathLike | None = None,
    canary_weight: float | None = None,
    out: str | os.PathLike = "retrain-out",
    seed: int = 0,
    n_resamples: int = 2000,
    train_options: Mapping | None = None,
) -> RetrainResult:
    """Retrain ``name`` on ``data`` plus labelled feedback and compare it with ``champion``.

    ``data`` and ``holdout`` are paths/URLs or DataFrames; ``train_options`` go to
    ``skyclass.train`` (e.g. ``{"models": "logreg", "time_budget": 120}``).

    Parameters
    ----------
    data : str or DataFrame
        The original training table.
    target : str
        Its target column.
    logs : sequence of str
        Prediction logs holding the feedback.
    registry : str
        The registry URL the champion lives in and the challenger is pushed to.
    name : str
        The model name in the registry.
    champion : str
        The alias (or version) to compare against.
    holdout : str or DataFrame, optional
        Labelled rows for the comparison (default: a share of the feedback).
    holdout_fraction : float
        That share, in (0, 1).
    metric : str
        The comparison metric (see :func:`paired_comparison`).
    promote : bool
        Move the ``champion`` alias when the challenger is not worse.
    margin : float
        How much worse than the champion still counts as "not worse".
    canary_spec : path, optional
        A deployment spec whose canary is pointed at the challenger.
    canary_weight : float, optional
        The canary's traffic share.
    out : path
        Where the training run is written.
    seed, n_resamples
        Of the training and of the paired bootstrap.
    train_options : mapping, optional
        Passed to ``skyclass.train``.

    Returns
    -------
    RetrainResult
        The challenger's version, the comparison and what was promoted or deployed.
    """
    from skyclass.bundle import Registry
    from skyclass.data import load_table
    from skyclass.pipeline import train

    if not 0 < holdout_fraction < 1:
        raise InputError(f"holdout_fraction must be between 0 and 1, got {holdout_fraction}")
    original = load_table(data)
    if target not in original.columns:
        raise InputError(
            f"target column {target!r} is not in the data; columns: {list(original.columns)}"
        )
    log = read_prediction_log(*logs)
    if len(log) and name in set(log.frame["model_name"]):
        log = log.where(model_name=name)
    feedback = _align_labels(
        feedback_table(log, target, list(original.columns)), target, original[target]
    )
    notes: list[str] = []
    rng = np.random.default_rng(seed)
    if holdout is not None:
        held = load_table(holdout)
        if target not in held.columns:
            raise InputError(f"holdout has no target column {target!r}")
        training = pd.concat([original, feedback], ignore_index=True)
        source = "the given holdout table"
    elif len(feedback) >= MIN_FEEDBACK_HOLDOUT / holdout_fraction:
        mask = rng.random(len(feedback)) < holdout_fraction
        held = feedback[mask]
        training = pd.concat([original, feedback[~mask]], ignore_index=True)
        source = f"{holdout_fraction:.0%} of the labelled feedback"
    else:
        mask = rng.random(len(original)) < holdout_fraction
        held = original[mask]
        training = pd.concat([original[~mask], feedback], ignore_index=True)
        source = f"{holdout_fraction:.0%} of the original data"
        notes.append(
            f"only {len(feedback)} labelled feedback rows: held out original rows, which the champion "
            "may have been trained on (the comparison then favours the champion)"
        )
    reg = Registry(registry)
    result = train(training, target, out=out, name=name, seed=seed, **dict(train_options or {}))
    version = reg.push(result.bundle_path)
    reg.set_alias(name, "challenger", version)
    challenger = reg.load(name, version)
    try:
        champion_version = reg.resolve(name, champion)
    except NotFoundError:
        champion_version = None
    comparison = None
    X_held, y_held = held.drop(columns=[target]), held[target].tolist()
    if champion_version is None:
        notes.append(f"no {name}@{champion} yet: nothing to compare with")
    elif len(held) == 0:
        notes.append("the held-out set is empty: no comparison")
    else:
        current = reg.load(name, champion_version)
        comparison = paired_comparison(
            y_held,
            current.predict(X_held).tolist(),
            challenger.predict(X_held).tolist(),
            metric=metric,
            n_resamples=n_resamples,
            seed=seed,
        )
    worse = comparison is not None and comparison.interval[1] < -margin
    promoted = bool(promote and not worse)
    if promoted:
        reg.set_alias(name, champion, version)
    elif promote:
        notes.append(f"not promoted: the challenger is worse than {name}@{champion} on {metric}")
    spec = None
    if canary_spec is not None:
        spec = Path(canary_spec)
        _write_canary(spec, f"{reg.url}/{name}@challenger", canary_weight)
    return RetrainResult(
        name=name,
        registry=reg.url,
        challenger_version=version,
        champion_version=champion_version,
        comparison=comparison,
        promoted=promoted,
        bundle_path=Path(result.bundle_path),
        n_original=len(original),
        n_feedback=len(feedback),
        n_train=len(training),
        n_holdout=len(held),
        holdout_source=source,
        canary_spec=spec,
        notes=notes,
    )
