"""Compare tuned candidates: a ranking and a corrected paired t-test for the top two.

The candidates share the same CV folds, so their fold scores are paired. The
plain paired t-test is over-confident because CV training sets overlap; the
Nadeau–Bengio correction widens the variance by ``n_val / n_train``.

Example:
    >>> from skyclass.pipeline import corrected_ttest
    >>> round(corrected_ttest([0.9, 0.92, 0.91], [0.8, 0.82, 0.79], test_train_ratio=0.5)["p_value"], 4)
    0.0048
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["corrected_ttest", "rank_results"]


def corrected_ttest(
    scores_a: list[float], scores_b: list[float], *, test_train_ratio: float, alpha: float = 0.05
) -> dict:
    """One-sided test that ``a`` beats ``b`` on paired fold scores (Nadeau & Bengio, 2003).

    Returns ``{"t", "p_value", "mean_difference", "significant", "alpha"}``.
    """
    diff = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    k = diff.size
    mean = float(diff.mean()) if k else 0.0
    var = float(diff.var(ddof=1)) if k > 1 else 0.0
    if k < 2:
        t, p = float("nan"), float("nan")
    elif var == 0.0:
        t = math.copysign(math.inf, mean) if mean else 0.0
        p = 0.0 if mean > 0 else 1.0 if mean < 0 else 0.5
    else:
        t = mean / math.sqrt((1.0 / k + test_train_ratio) * var)
        p = float(stats.t.sf(t, df=k - 1))
    return {
        "t": float(t),
        "p_value": float(p),
        "mean_difference": mean,
        "significant": bool(p < alpha) if not math.isnan(p) else False,
        "alpha": alpha,
    }


def rank_results(results: list, *, greater_is_better: bool = True) -> list:
    """Candidate results that produced scores, best first (failed ones dropped)."""
    usable = [r for r in results if r.fold_scores]
    return sorted(usable, key=lambda r: -r.mean if greater_is_better else r.mean)
