"""The drift-test contract: a column sample, a result, and the registry of tests by name.

A drift test compares one reference column with one current column and answers a
score and whether the column drifted under a threshold. Tests register by name, the
way Optuna registers samplers, so a monitor config can say ``stattest: psi``.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.numeric(np.arange(100.0))
    >>> cur = ColumnSample.numeric(np.arange(100.0) + 50)
    >>> get_stattest("ks")(ref, cur).drifted
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from skyclass.errors import InputError

__all__ = [
    "ColumnSample",
    "StatTest",
    "StatTestResult",
    "get_stattest",
    "register",
    "stattest_names",
]


@dataclass(frozen=True)
class ColumnSample:
    """One column's non-missing values: raw numbers (``kind="num"``) or category counts (``"cat"``).

    Categories are strings (the way reference.json keys them); counts may be fractional
    when they come from shares times a row count.
    """

    kind: str
    values: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    counts: np.ndarray | None = None

    @classmethod
    def numeric(cls, values) -> ColumnSample:
        """A numeric sample; NaN and infinities are dropped (Evidently does the same)."""
        arr = np.asarray(values, dtype=np.float64).ravel()
        return cls(kind="num", values=arr[np.isfinite(arr)])

    @classmethod
    def categorical(cls, counts: Mapping[str, float]) -> ColumnSample:
        """A categorical sample from ``{category: count}``; zero counts are kept out."""
        items = [(str(k), float(v)) for k, v in counts.items() if float(v) > 0]
        return cls(
            kind="cat",
            categories=tuple(k for k, _ in items),
            counts=np.array([v for _, v in items], dtype=np.float64),
        )

    @property
    def n(self) -> float:
        """Number of non-missing values."""
        return float(self.values.size) if self.kind == "num" else float(self.counts.sum())

    def value_counts(self) -> dict[str, float]:
        """``{category: count}``; numeric values become categories (low-cardinality columns)."""
        if self.kind == "cat":
            return dict(zip(self.categories, self.counts.tolist()))
        uniq, cnt = np.unique(self.values, return_counts=True)
        return {repr(float(u)): float(c) for u, c in zip(uniq, cnt)}

    def n_unique_with(self, other: ColumnSample) -> int:
        """Distinct values in both samples together (Evidently's ``n_values``)."""
        if self.kind == "num" and other.kind == "num":
            return int(np.unique(np.concatenate([self.values, other.values])).size)
        return len(set(self.value_counts()) | set(other.value_counts()))


@dataclass(frozen=True)
class StatTestResult:
    """A drift test's answer: ``score`` (a p-value or a distance), ``drifted`` and the threshold used."""

    name: str
    score: float
    drifted: bool
    threshold: float


@dataclass(frozen=True)
class StatTest:
    """A named drift test: ``func(reference, current, threshold) -> (score, drifted)``."""

    name: str
    func: Callable[[ColumnSample, ColumnSample, float], tuple[float, bool]]
    default_threshold: float
    kinds: tuple[str, ...]
    score_kind: str  # "p_value" or "distance"

    def __call__(
        self, reference: ColumnSample, current: ColumnSample, threshold: float | None = None
    ) -> StatTestResult:
        if reference.n == 0 or current.n == 0:
            raise InputError(
                f"drift test {self.name!r} needs values on both sides "
                f"(reference has {reference.n:g}, current has {current.n:g}); "
                "send more traffic or check that the column is logged"
            )
        used = self.default_threshold if threshold is None else float(threshold)
        score, drifted = self.func(reference, current, used)
        return StatTestResult(self.name, float(score), bool(drifted), used)


_REGISTRY: dict[str, StatTest] = {}


def register(test: StatTest) -> StatTest:
    """Add a drift test to the registry under ``test.name`` (replacing one of that name)."""
    _REGISTRY[test.name] = test
    return test


def get_stattest(name: str) -> StatTest:
    """The registered drift test called ``name``; unknown names raise ``InputError`` listing them."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown drift test {name!r}; choose one of {', '.join(sorted(_REGISTRY))}"
        ) from None


def stattest_names() -> list[str]:
    """Names of every registered drift test."""
    return sorted(_REGISTRY)
