"""Too good to be true: warnings when a test score is implausibly high for the data.

Three signs, each reported with its evidence:

1. near-perfect accuracy: on at least 100 test rows, at most 2% of the errors
   that always predicting the majority class makes (and that baseline itself
   below 95%): rare on real data, common when a column encodes the answer;
2. the test score well above what cross-validation found (its 95% interval's
   lower end above the CV mean plus two fold standard deviations): a fresh
   test set should land near the CV estimate;
3. test rows whose features duplicate a training row exactly: the model is
   then partly scored on rows it has seen.

Example:
    >>> from skyclass.metrics import plausibility_warnings
    >>> plausibility_warnings(test_accuracy=1.0, n_test=400, majority_share=0.5)[0][:44]
    'accuracy 1.000 on 400 evaluated rows (0 wron'
    >>> plausibility_warnings(test_accuracy=0.8, n_test=400, majority_share=0.5)
    []
"""

from __future__ import annotations

__all__ = ["plausibility_warnings"]

_NEAR_PERFECT_SHARE = 0.02  # of the majority-class baseline's errors
_MIN_ROWS = 100
_TRIVIAL_MAJORITY = 0.95


def plausibility_warnings(
    *,
    test_accuracy: float,
    n_test: int,
    majority_share: float,
    metric: str | None = None,
    test_low: float | None = None,
    cv_mean: float | None = None,
    cv_std: float | None = None,
    greater_is_better: bool = True,
    shared_rows: int = 0,
) -> list[str]:
    """The warnings that apply (see the module doc); an empty list when the score looks plausible.

    ``metric``/``test_low``/``cv_mean``/``cv_std`` describe the selection metric on the
    test set (lower end of its 95% interval) and in cross-validation (mean and
    standard deviation over folds); ``shared_rows`` counts test rows whose features
    equal a training row's.

    Parameters
    ----------
    test_accuracy : float
        Accuracy on the test rows, in [0, 1].
    n_test : int
        Test rows evaluated.
    majority_share : float
        Accuracy of always predicting the most frequent class on those rows.
    metric : str or None, default=None
        The selection metric's name (for the cross-validation check).
    test_low : float or None, default=None
        Lower end of the selection metric's 95% interval on the test rows.
    cv_mean, cv_std : float or None, default=None
        Mean and standard deviation over folds of the selection metric in
        cross-validation.
    greater_is_better : bool, default=True
        The selection metric's direction; the cross-validation check runs only for
        metrics where higher is better.
    shared_rows : int, default=0
        Test rows whose features equal a training row's exactly.

    Returns
    -------
    list of str
        One sentence per sign found, citing its numbers; empty when none.
    """
    out = []
    wrong = round((1 - test_accuracy) * n_test)
    left = (1 - test_accuracy) / (1 - majority_share) if majority_share < 1 else 1.0
    if n_test >= _MIN_ROWS and left <= _NEAR_PERFECT_SHARE and majority_share < _TRIVIAL_MAJORITY:
        out.append(
            f"accuracy {test_accuracy:.3f} on {n_test} evaluated rows ({wrong} wrong) is "
            f"near-perfect: {left:.1%} of the errors of always predicting the majority class (accuracy "
            f"{majority_share:.3f}); check for a column computed from the target, rows shared "
            "between training and test, or a target that is a fixed function of the features"
        )
    if (
        metric is not None
        and greater_is_better
        and test_low is not None
        and cv_mean is not None
        and cv_std is not None
        and test_low == test_low
        and test_low > cv_mean + 2 * cv_std
    ):
        out.append(
            f"test {metric} is above cross-validation: its 95% interval starts at {test_low:.3f}, "
            f"above the CV mean {cv_mean:.3f} + 2 x {cv_std:.3f}; a fresh test set should land "
            "near the CV estimate (overlapping rows, or a split that is not random?)"
        )
    if shared_rows:
        out.append(
            f"{shared_rows} of {n_test} test rows have exactly the features of a training row; "
            "the test score partly measures memory, so deduplicate before splitting"
        )
    return out
