"""Shared binning for the distance tests (Jensen-Shannon, PSI), as Evidently bins.

Numeric columns with more than 20 distinct reference values are cut into Sturges bins
over reference and current together; everything else is compared category by category.
"""

from __future__ import annotations

import numpy as np

from skyclass.monitor.stattests._base import ColumnSample


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
        ref_counts, cur_counts = reference.value_counts(), current.value_counts()
        keys = sorted(set(ref_counts) | set(cur_counts))
        ref = np.array([ref_counts.get(k, 0.0) for k in keys]) / reference.n
        cur = np.array([cur_counts.get(k, 0.0) for k in keys]) / current.n
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
