"""Shared counting and binning for the drift tests, as Evidently counts and bins.

:func:`aligned_counts` puts both sides' category counts over the categories of either
(chi-square, z-test). :func:`binned_shares` (Jensen-Shannon, PSI) cuts numeric columns
with more than 20 distinct reference values into Sturges bins over reference and
current together; everything else is compared category by category.
"""

from __future__ import annotations

import numpy as np

from skyclass.monitor.stattests._base import ColumnSample


def aligned_counts(reference: ColumnSample, current: ColumnSample) -> tuple[np.ndarray, np.ndarray]:
    """Counts of each side per category, over the sorted categories of both sides."""
    ref_counts, cur_counts = reference.value_counts(), current.value_counts()
    keys = sorted(set(ref_counts) | set(cur_counts))
    return (
        np.array([ref_counts.get(k, 0.0) for k in keys]),
        np.array([cur_counts.get(k, 0.0) for k in keys]),
    )


def binned_shares(
    reference: ColumnSample, current: ColumnSample, *, fill_zeroes: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Share of each side per bin (or per category), optionally with zero shares filled.

    Filling follows Evidently: a zero becomes min(non-zero share) / 1e6 when that minimum
    is ≤ 1e-4, else 1e-4 — so logarithms stay finite.
    """
    if reference.kind == "num" and current.kind == "num" and np.unique(reference.values).size > 20:
        edges = np.histogram_bin_edges(
            np.concatenate([reference.values, current.values]), bins="sturges"
        )
        ref = np.histogram(reference.values, edges)[0] / reference.values.size
        cur = np.histogram(current.values, edges)[0] / current.values.size
    else:
        ref, cur = aligned_counts(reference, current)
        ref, cur = ref / reference.n, cur / current.n
    if fill_zeroes:
        ref, cur = _fill(ref), _fill(cur)
    return ref, cur


def _fill(shares: np.ndarray) -> np.ndarray:
    shares = shares.astype(np.float64, copy=True)
    nonzero = shares[shares != 0]
    if nonzero.size:
        low = nonzero.min()
        shares[shares == 0] = low / 1e6 if low <= 1e-4 else 1e-4
    return shares
