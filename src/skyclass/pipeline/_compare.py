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

    Parameters
    ----------
    scores_a : list of float
        Candidate a's score on each CV fold (greater is better).
    scores_b : list of float
        Candidate b's scores on the same folds, in the same order.
    test_train_ratio : float
        ``n_val / n_train`` of one fold (``1 / (k - 1)`` for k-fold CV): the correction
        for overlapping training sets.
    alpha : float
        Significance level (default 0.05).

    Returns
    -------
    dict
        ``t``, ``p_value`` (one-sided; NaN with fewer than two folds), ``mean_difference``
        (a - b), ``significant`` (``p_value < alpha``) and ``alpha``.
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
    """Candidate results that produced scores, best first (failed ones dropped).

    Parameters
    ----------
    results : list of CandidateResult
        Results of ``tune``.
    greater_is_better : bool
        Direction of their scores (default ``True``).

    Returns
    -------
    list of CandidateResult
        The results with fold scores, best mean first.
    """
    usable = [r for r in results if r.fold_scores]
    return sorted(usable, key=lambda r: -r.mean if greater_is_better else r.mean)
