"""The drift-test contract: a column sample, a result, the ``StatTest`` base and its registry.

A drift test compares one reference column with one current column and answers a
score and whether the column drifted under a threshold. Each test is one module
with one ``StatTest`` subclass decorated ``@register``; a monitor config names it
(``drift.stattest: psi``) and :func:`get_stattest` looks it up in :data:`REGISTRY`
(the one plug-in pattern of :mod:`skyclass.plugins`), whose error lists the names.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.numeric(np.arange(100.0))
    >>> cur = ColumnSample.numeric(np.arange(100.0) + 50)
    >>> get_stattest("ks")(ref, cur).drifted
    True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from skyclass.errors import ConfigError, InputError
from skyclass.plugins import Registry

__all__ = [
    "REGISTRY",
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
    when they come from shares times a row count. Build one with :meth:`numeric` or
    :meth:`categorical` rather than by hand.

    Parameters
    ----------
    kind : str
        ``"num"`` (``values`` holds the numbers) or ``"cat"`` (``categories`` and
        ``counts`` hold the counted categories).
    values : numpy.ndarray or None
        The finite numbers of a numeric sample, float64; ``None`` for a categorical one.
    categories : tuple of str
        The categories of a categorical sample, in the order of ``counts``; empty for a
        numeric one.
    counts : numpy.ndarray or None
        How often each category occurs (float64, every count > 0); ``None`` for a
        numeric sample.

    Example:
        >>> ColumnSample.categorical({"a": 3, "b": 0}).value_counts()
        {'a': 3.0}
    """

    kind: str
    values: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    counts: np.ndarray | None = None

    @classmethod
    def numeric(cls, values: ArrayLike) -> ColumnSample:
        """A numeric sample; NaN and infinities are dropped (Evidently does the same).

        Parameters
        ----------
        values : array-like of numbers
            The column's values, any shape (flattened).

        Returns
        -------
        ColumnSample
            ``kind="num"`` with the finite values as float64.
        """
        arr = np.asarray(values, dtype=np.float64).ravel()
        return cls(kind="num", values=arr[np.isfinite(arr)])

    @classmethod
    def categorical(cls, counts: Mapping[str, float]) -> ColumnSample:
        """A categorical sample from ``{category: count}``; zero counts are kept out.

        Parameters
        ----------
        counts : mapping of category to count
            Keys are turned into strings; counts may be fractional.

        Returns
        -------
        ColumnSample
            ``kind="cat"`` with the categories whose count is above 0.
        """
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
        """``{category: count}``; numeric values become categories (low-cardinality columns).

        Returns
        -------
        dict of str to float
            Each category (a numeric value as ``repr(float(value))``) and its count.
        """
        if self.kind == "cat":
            return dict(zip(self.categories, self.counts.tolist()))
        uniq, cnt = np.unique(self.values, return_counts=True)
        return {repr(float(u)): float(c) for u, c in zip(uniq, cnt)}

    def n_unique_with(self, other: ColumnSample) -> int:
        """Distinct values in both samples together (Evidently's ``n_values``).

        Parameters
        ----------
        other : ColumnSample
            The sample to pool with this one.

        Returns
        -------
        int
            How many distinct values (or categories) the two samples have together.
        """
        if self.kind == "num" and other.kind == "num":
            return int(np.unique(np.concatenate([self.values, other.values])).size)
        return len(set(self.value_counts()) | set(other.value_counts()))


@dataclass(frozen=True)
class StatTestResult:
    """A drift test's answer: ``score`` (a p-value or a distance), ``drifted`` and the threshold used.

    Parameters
    ----------
    name : str
        The registered name of the test that answered (``"ks"``, ``"psi"``, ...).
    score : float
        Its score: a p-value or a distance, as the test's ``score_kind`` says.
    drifted : bool
        Whether the column drifted under ``threshold``.
    threshold : float
        The threshold the verdict used (the config's, else the test's default).
    """

    name: str
    score: float
    drifted: bool
    threshold: float


class StatTest(ABC):
    """Base of every drift test: what an implementation declares and computes.

    An implementation sets the class attributes ``name`` (what configs type),
    ``default_threshold``, ``kinds`` (the sample kinds it accepts, ``"num"`` and/or
    ``"cat"``) and ``score_kind`` (``"p_value"``: drift when small, or
    ``"distance"``: drift when large), and implements :meth:`statistic`. The verdict
    follows from ``score_kind`` (:meth:`drifted`); a test with another rule at the
    threshold overrides :meth:`drifted`.

    Lifecycle: :func:`get_stattest` returns a new instance per lookup; an instance
    holds no state between calls, so it is safe to share between threads.
    Calling it (``test(reference, current, threshold)``) checks that both samples
    have values, applies the default threshold, computes the statistic, judges it and
    wraps the answer in a :class:`StatTestResult`.

    Example:
        >>> from skyclass.monitor.stattests import get_stattest
        >>> ks = get_stattest("ks")
        >>> ks.drifted(0.01, 0.05), ks.drifted(0.5, 0.05)
        (True, False)
    """

    name: ClassVar[str]
    default_threshold: ClassVar[float]
    kinds: ClassVar[tuple[str, ...]]
    score_kind: ClassVar[str]

    @abstractmethod
    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        """The test's score of two non-empty samples.

        Parameters
        ----------
        reference : ColumnSample
            The column as training saw it (from the bundle's reference.json).
        current : ColumnSample
            The same column in the monitored window.

        Returns
        -------
        float
            A p-value (``score_kind = "p_value"``) or a distance (``"distance"``).
        """

    def drifted(self, score: float, threshold: float) -> bool:
        """Evidently's verdict for a score: a p-value below ``threshold``, a distance at or above it.

        Parameters
        ----------
        score : float
            What :meth:`statistic` returned.
        threshold : float
            The threshold in use (the config's, else ``default_threshold``).

        Returns
        -------
        bool
            Whether the column drifted.
        """
        if self.score_kind == "p_value":
            return score < threshold
        return score >= threshold

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
        score = float(self.statistic(reference, current))
        return StatTestResult(self.name, score, bool(self.drifted(score, used)), used)

#: Every drift test by name (registration order); the valid names are read off it.
REGISTRY: Registry[StatTest] = Registry("drift test", StatTest)


def register(cls: type[StatTest]) -> type[StatTest]:
    """Class decorator: register a :class:`StatTest` subclass under its ``name``.

    Parameters
    ----------
    cls : type of StatTest
        The subclass; its ``name`` class attribute is the name configs use.

    Returns
    -------
    type of StatTest
        ``cls`` itself, so the decorator leaves the class unchanged.
    """
    return REGISTRY.register(cls.name)(cls)


def get_stattest(name: str) -> StatTest:
    """The drift test called ``name``; an unknown name raises ``InputError`` listing the names.

    Parameters
    ----------
    name : str
        A registered name (``stattest_names()``).

    Returns
    -------
    StatTest
        A new instance.
    """
    try:
        return REGISTRY.create(name)
    except ConfigError as err:
        raise InputError(str(err)) from None


def stattest_names() -> list[str]:
    """Names of every registered drift test, sorted.

    Returns
    -------
    list of str
        What ``drift.stattest`` and the per-column settings accept.
    """
    return sorted(REGISTRY.names())
