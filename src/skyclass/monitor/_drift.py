"""Data drift per feature and prediction drift against a bundle's reference distributions.

Defaults are Evidently's (see ``skyclass.monitor.stattests``); every threshold is a field
of ``DriftConfig``. A dataset drifts when the share of drifted columns ≥ ``drift_share``.

Example:
    >>> import numpy as np, pandas as pd
    >>> from skyclass.monitor import data_drift
    >>> rng = np.random.default_rng(0)
    >>> ref = {"n_rows": 500, "columns": {"x": {"kind": "numeric", "n": 500, "missing": 0,
    ...        "sample": rng.normal(size=500).tolist()}}}
    >>> report = data_drift(ref, pd.DataFrame({"x": rng.normal(3, 1, 200)}))
    >>> report.dataset_drift, report.columns[0].stattest
    (True, 'ks')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from skyclass.errors import ConfigError, InputError
from skyclass.monitor._reference import current_sample, reference_sample
from skyclass.monitor.stattests import (
    ColumnSample,
    StatTest,
    default_stattest,
    get_stattest,
    stattest_names,
)

__all__ = ["ColumnDrift", "DriftConfig", "DriftReport", "data_drift", "prediction_drift"]


@dataclass
class DriftConfig:
    """Every knob of drift detection; ``DriftConfig.from_dict`` reads the ``drift:`` config section.

    Parameters
    ----------
    drift_share : float
        The dataset drifts when at least this share of the tested columns drifted, in (0, 1].
    small_reference_rows : int
        Up to this many reference rows, Evidently's small-sample tests are chosen
        (``ks``, ``chisquare``, ``z``); above it ``wasserstein`` and ``jensenshannon``.
    numeric_min_unique : int
        A numeric column with more distinct values than this counts as continuous.
    stattest : str, optional
        Force one test (a registered name) for every column.
    thresholds : dict of str to float
        Threshold per test name, e.g. ``{"ks": 0.01, "wasserstein": 0.2, "psi": 0.25}``.
    column_stattests : dict of str to str
        Force a test per column (overrides ``stattest``).
    column_thresholds : dict of str to float
        Threshold per column (overrides the test's threshold).
    columns : list of str, optional
        Test only these columns (the others are listed as skipped); default: every column.
    """

    drift_share: float = 0.5
    small_reference_rows: int = 1000
    numeric_min_unique: int = 5
    stattest: str | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    column_stattests: dict[str, str] = field(default_factory=dict)
    column_thresholds: dict[str, float] = field(default_factory=dict)
    columns: list[str] | None = None

    @classmethod
    def from_dict(cls, data: Mapping | None, *, where: str = "drift") -> DriftConfig:
        """Build from a mapping, naming the unknown or invalid field.

        Parameters
        ----------
        data : mapping or None
            The ``drift:`` section, keyed by the field names; ``None`` gives the defaults.
        where : str
            Where the section is, the start of every error message.

        Returns
        -------
        DriftConfig
            Validated as :meth:`validate` does.

        Raises
        ------
        ConfigError
            On an unknown field or an invalid value.
        """
        data = dict(data or {})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {unknown}; known: {sorted(known)}")
        config = cls(**data)
        config.validate(where)
        return config

    def validate(self, where: str = "drift") -> None:
        """Raise ``ConfigError`` naming the field when a value is out of range or unknown.

        Parameters
        ----------
        where : str
            Where the config came from, the start of the message.

        Raises
        ------
        ConfigError
            When ``drift_share`` is outside (0, 1] or a test name is not registered (the
            message lists the registered names).
        """
        if not 0 < self.drift_share <= 1:
            raise ConfigError(f"{where}.drift_share must be in (0, 1], got {self.drift_share}")
        names = set(stattest_names())
        for key, test in [("stattest", self.stattest), *self.column_stattests.items()]:
            if test is not None and test not in names:
                raise ConfigError(
                    f"{where}: {key}: unknown drift test {test!r}; use one of {sorted(names)}"
                )
        for test in self.thresholds:
            if test not in names:
                raise ConfigError(
                    f"{where}.thresholds: unknown drift test {test!r}; use one of {sorted(names)}"
                )


@dataclass(frozen=True)
class ColumnDrift:
    """Drift of one column: the test used, its score and threshold, whether it drifted, and PSI.

    Parameters
    ----------
    column : str
        The input column (or ``"prediction"`` for prediction drift).
    kind : str
        Its schema kind (``numeric``, ``categorical``, ``boolean``).
    stattest : str
        The drift test's registered name.
    score : float
        The test's p-value or distance.
    threshold : float
        The threshold it was judged against.
    drifted : bool
        The test's verdict.
    psi : float
        Population Stability Index of the same column, reported for every column.
    n_reference, n_current : int
        Non-missing values compared on each side (reference rows are the bundle's sample).
    """

    column: str
    kind: str
    stattest: str
    score: float
    threshold: float
    drifted: bool
    psi: float
    n_reference: int
    n_current: int


@dataclass(frozen=True)
class DriftReport:
    """Per-column drift plus the dataset verdict (``share`` of drifted columns ≥ ``drift_share``).

    Parameters
    ----------
    columns : list of ColumnDrift
        Every tested column, in schema order.
    drift_share : float
        The share of drifted columns at which the dataset drifts.
    skipped : dict of str to str
        Column → why it was not tested (no test for its kind, absent, no values).
    """

    columns: list[ColumnDrift]
    drift_share: float
    skipped: dict[str, str]

    @property
    def n_drifted(self) -> int:
        return sum(c.drifted for c in self.columns)

    @property
    def share(self) -> float:
        return self.n_drifted / len(self.columns) if self.columns else 0.0

    @property
    def dataset_drift(self) -> bool:
        return bool(self.columns) and self.share >= self.drift_share

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    def to_dict(self) -> dict:
        """JSON-safe dict.

        Returns
        -------
        dict
            ``dataset_drift``, ``share``, ``n_drifted``, ``drift_share``, ``columns`` (one
            dict per :class:`ColumnDrift`) and ``skipped``.
        """
        return {
            "dataset_drift": self.dataset_drift,
            "share": self.share,
            "n_drifted": self.n_drifted,
            "drift_share": self.drift_share,
            "columns": [asdict(c) for c in self.columns],
            "skipped": dict(self.skipped),
        }


def _choose(ref: ColumnSample, cur: ColumnSample, column: str, config: DriftConfig) -> StatTest:
    name = config.column_stattests.get(column) or config.stattest
    if name:
        return get_stattest(name)
    return default_stattest(
        ref,
        cur,
        small_reference_rows=config.small_reference_rows,
        numeric_min_unique=config.numeric_min_unique,
    )


def _compare(
    column: str, kind: str, ref: ColumnSample, cur: ColumnSample, config: DriftConfig
) -> ColumnDrift:
    test = _choose(ref, cur, column, config)
    threshold = config.column_thresholds.get(column, config.thresholds.get(test.name))
    verdict = test(ref, cur, threshold)
    return ColumnDrift(
        column, kind, verdict.name, verdict.score, verdict.threshold, verdict.drifted,
        psi=get_stattest("psi")(ref, cur, config.thresholds.get("psi")).score,
        n_reference=int(round(ref.n)),
        n_current=int(round(cur.n)),
    )  # fmt: skip


def _reference_dict(reference) -> Mapping:
    ref = getattr(reference, "reference", reference)
    if not isinstance(ref, Mapping) or "columns" not in ref:
        raise InputError("reference must be a bundle or a reference.json dict with a 'columns' key")
    return ref


def data_drift(reference: Any, current: Any, *, config: DriftConfig | None = None) -> DriftReport:
    """Drift of every reference column present in ``current`` (a DataFrame or list of records).

    ``reference`` is a ``Bundle`` or its reference.json dict. Columns of a kind without a
    drift test (datetime, text), or absent or empty in ``current``, are listed in ``skipped``.

    Parameters
    ----------
    reference : Bundle or dict
        The bundle, or its ``reference.json`` content.
    current : DataFrame or list of dict
        The production rows (the logged inputs).
    config : DriftConfig, optional
        Tests, thresholds and the dataset-drift share.

    Returns
    -------
    DriftReport
        One ``ColumnDrift`` per tested column, the skipped ones and the verdict.
    """
    config = config or DriftConfig()
    ref = _reference_dict(reference)
    frame = current if isinstance(current, pd.DataFrame) else pd.DataFrame(current)
    results: list[ColumnDrift] = []
    skipped: dict[str, str] = {}
    for name, column in ref["columns"].items():
        if config.columns is not None and name not in config.columns:
            continue
        kind = column.get("kind")
        if kind not in ("numeric", "categorical", "boolean"):
            skipped[name] = f"kind {kind!r} has no drift test"
            continue
        if name not in frame.columns:
            skipped[name] = "not in the current data"
            continue
        ref_sample = reference_sample(column)
        cur_sample = current_sample(frame[name], kind)
        if ref_sample.n == 0 or cur_sample.n == 0:
            side = "reference" if ref_sample.n == 0 else "current data"
            skipped[name] = f"no non-missing values in the {side}"
            continue
        results.append(_compare(name, kind, ref_sample, cur_sample, config))
    return DriftReport(columns=results, drift_share=config.drift_share, skipped=skipped)


def prediction_drift(
    reference: Any, predicted_labels: Sequence, *, config: DriftConfig | None = None
) -> ColumnDrift:
    """Drift of the predicted class distribution vs the reference ``predictions`` shares.

    Reference counts are the shares times ``n_rows``; the test is chosen like a categorical
    column's.

    Parameters
    ----------
    reference : Bundle or dict
        The bundle, or its ``reference.json`` content (with ``predictions`` shares).
    predicted_labels : sequence
        The labels served in the current window.
    config : DriftConfig, optional
        Test and threshold overrides.

    Returns
    -------
    ColumnDrift
        The test used, its score, threshold and verdict, and PSI.

    Example:
        >>> from skyclass.monitor import prediction_drift
        >>> ref = {"n_rows": 5000, "columns": {}, "predictions": {"a": 0.5, "b": 0.5}}
        >>> prediction_drift(ref, ["a"] * 90 + ["b"] * 10).drifted
        True
    """
    config = config or DriftConfig()
    ref = _reference_dict(reference)
    shares = ref.get("predictions") or {}
    if not shares:
        raise InputError(
            "reference.json has no 'predictions' shares; rebuild the bundle with predictions"
        )
    n_rows = float(ref.get("n_rows") or 0)
    if n_rows <= 0:
        raise InputError("reference.json: 'n_rows' must be a positive count")
    ref_sample = ColumnSample.categorical({str(k): float(v) * n_rows for k, v in shares.items()})
    labels = pd.Series(np.asarray(predicted_labels, dtype=object).ravel())
    cur_sample = current_sample(labels, "categorical")
    if cur_sample.n == 0:
        raise InputError("no predicted labels in the current window; send traffic first")
    return _compare("prediction", "categorical", ref_sample, cur_sample, config)
