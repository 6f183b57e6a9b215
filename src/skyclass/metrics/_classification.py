"""Label-based classification metrics with scikit-learn 1.9's names, signatures and results.

Example:
    >>> from skyclass.metrics import accuracy_score, f1_score
    >>> accuracy_score([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    >>> round(f1_score([0, 1, 2, 2], [0, 2, 2, 2], average="macro"), 4)
    0.6
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from skyclass.errors import InputError
from skyclass.metrics._counts import LabelCounts, label_counts, weighted_bincount
from skyclass.metrics._docstrings import shared_parameters
from skyclass.metrics._params import validate_params
from skyclass.metrics._targets import as_label_list, check_targets
from skyclass.metrics._validation import lookup
from skyclass.metrics._warnings import UndefinedMetricWarning


def _zero_division_value(zero_division: object) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if math.isnan(zero_division):
            return math.nan
    raise InputError(f"zero_division must be 'warn', 0.0, 1.0 or numpy.nan; got {zero_division!r}.")


def _warn_prf(average: object, modifier: str, msg_start: str, size: int) -> None:
    msg = (
        f"{msg_start} ill-defined and being set to 0.0 {{0}} no {modifier} samples. "
        "Use `zero_division` parameter to control this behavior."
    )
    msg = msg.format("due to" if size == 1 else "in labels with")
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=4)


def _divide(num, den, metric, modifier, average, warn_for, zero_division) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    mask = den == 0
    result = num / np.where(mask, 1.0, den)
    if not mask.any():
        return result
    result[mask] = _zero_division_value(zero_division)
    if isinstance(zero_division, str) and metric in warn_for:
        _warn_prf(average, modifier, f"{metric.capitalize()} is", result.shape[0])
    return result


def _nanaverage(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    if values.shape[0] == 0:
        return math.nan
    mask = np.isnan(values)
    if mask.all():
        return math.nan
    if weights is None:
        return float(np.mean(values[~mask]))
    kept, w = values[~mask], np.asarray(weights)[~mask]
    if w.sum() == 0:
        return float(np.mean(kept))
    return float(np.average(kept, weights=w))


def _set_wise_labels(targets, average, labels, pos_label):
    if average == "binary":
        if targets.kind == "binary":
            if pos_label not in targets.present and len(targets.present) >= 2:
                raise InputError(
                    f"pos_label={pos_label!r} is not a valid label. It should be one of "
                    f"{targets.present.tolist()}"
                )
            return np.asarray([pos_label])
        raise InputError(
            "Target is multiclass but average='binary'. Please choose another average "
            "setting, one of [None, 'micro', 'macro', 'weighted']."
        )
    if average == "samples":
        raise InputError(
            "average='samples': Samplewise metrics are not available outside of multilabel "
            "classification; use 'micro', 'macro' or 'weighted'."
        )
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive "
            "class.",
            UserWarning,
            stacklevel=3,
        )
    return None if labels is None else as_label_list(labels)


def _counts_for(y_true, y_pred, labels, pos_label, average, sample_weight) -> LabelCounts:
    targets = check_targets(y_true, y_pred, sample_weight)
    chosen = _set_wise_labels(targets, average, labels, pos_label)
    return label_counts(targets, chosen)


@validate_params
@shared_parameters
def precision_recall_fscore_support(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    beta: float = 1.0,
    labels: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = 1,
    average: str | None = None,
    warn_for: tuple[str, ...] | list[str] | set[str] = ("precision", "recall", "f-score"),
    sample_weight: ArrayLike | None = None,
    zero_division: str | float = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support, per label or averaged (as scikit-learn).

    Parameters
    ----------
    {y_true}
    {y_pred}
    beta : float >= 0, default=1.0
        Weight of recall in the F-score.
    {labels}
    {pos_label}
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default=None
        None: one value per label; otherwise as in ``precision_score``.
    warn_for : tuple of {'precision', 'recall', 'f-score'}
        Which undefined metrics warn.
    {sample_weight}
    {zero_division}

    Returns
    -------
    precision, recall, fbeta_score : float or numpy.ndarray
        One value per label (``average=None``) or their average.
    support : numpy.ndarray or None
        The (weighted) number of true rows per label; None when averaged.

    Example:
        >>> p, r, f, s = precision_recall_fscore_support([0, 1, 1], [0, 1, 0])
        >>> p.tolist(), s.tolist()
        ([0.5, 1.0], [1, 2])
    """
    _zero_division_value(zero_division)
    c = _counts_for(y_true, y_pred, labels, pos_label, average, sample_weight)
    tp, pred, true = c.tp, c.pred, c.true
    if average == "micro":
        tp, pred, true = (np.array([x.sum()]) for x in (tp, pred, true))
    precision = _divide(tp, pred, "precision", "predicted", average, warn_for, zero_division)
    recall = _divide(tp, true, "recall", "true", average, warn_for, zero_division)
    if math.isinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        denom = beta2 * true.astype(np.float64) + pred.astype(np.float64)
        f_score = _divide(
            (1 + beta2) * tp.astype(np.float64),
            denom,
            "f-score",
            "true nor predicted",
            average,
            warn_for,
            zero_division,
        )
    if average is None:
        return precision, recall, f_score, true
    weights = true if average == "weighted" else None
    return (
        _nanaverage(precision, weights),
        _nanaverage(recall, weights),
        _nanaverage(f_score, weights),
        None,
    )


@validate_params
@shared_parameters
def fbeta_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    beta: float,
    labels: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = 1,
    average: str | None = "binary",
    sample_weight: ArrayLike | None = None,
    zero_division: str | float = "warn",
) -> Any:
    """F-beta score (beta > 1 favours recall). Example: ``fbeta_score([0, 1], [1, 1], beta=2)``.

    Parameters
    ----------
    {y_true}
    {y_pred}
    beta : float >= 0
        Weight of recall in the F-score (beta > 1 favours recall).
    {labels}
    {pos_label}
    {average}
    {sample_weight}
    {zero_division}

    Returns
    -------
    fbeta : float or numpy.ndarray
        The F-beta score (one per label with ``average=None``).
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


@validate_params
@shared_parameters
def f1_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = 1,
    average: str | None = "binary",
    sample_weight: ArrayLike | None = None,
    zero_division: str | float = "warn",
) -> Any:
    """F1 score, the harmonic mean of precision and recall.

    Parameters
    ----------
    {y_true}
    {y_pred}
    {labels}
    {pos_label}
    {average}
    {sample_weight}
    {zero_division}

    Returns
    -------
    f1 : float or numpy.ndarray
        The F1 score (one per label with ``average=None``).

    Example:
        >>> f1_score([0, 1, 1, 1], [0, 1, 1, 0])
        0.8
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


@validate_params
@shared_parameters
def precision_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = 1,
    average: str | None = "binary",
    sample_weight: ArrayLike | None = None,
    zero_division: str | float = "warn",
) -> Any:
    """Precision tp / (tp + fp). Example: ``precision_score([0, 1, 1], [1, 1, 1])`` is 2/3.

    Parameters
    ----------
    {y_true}
    {y_pred}
    {labels}
    {pos_label}
    {average}
    {sample_weight}
    {zero_division}

    Returns
    -------
    precision : float or numpy.ndarray
        tp / (tp + fp) (one per label with ``average=None``).
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


@validate_params
@shared_parameters
def recall_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = 1,
    average: str | None = "binary",
    sample_weight: ArrayLike | None = None,
    zero_division: str | float = "warn",
) -> Any:
    """Recall tp / (tp + fn). Example: ``recall_score([0, 1, 1], [1, 1, 0])`` is 0.5.

    Parameters
    ----------
    {y_true}
    {y_pred}
    {labels}
    {pos_label}
    {average}
    {sample_weight}
    {zero_division}

    Returns
    -------
    recall : float or numpy.ndarray
        tp / (tp + fn) (one per label with ``average=None``).
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[1]


@validate_params
@shared_parameters
def specificity_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = 1,
    average: str | None = "binary",
    sample_weight: ArrayLike | None = None,
    zero_division: str | float = "warn",
) -> Any:
    """Specificity (true negative rate) tn / (tn + fp), per label one-vs-rest.

    Same ``labels``/``pos_label``/``average`` rules as :func:`recall_score`;
    ``average="weighted"`` weights each label by its support (true count).

    Parameters
    ----------
    {y_true}
    {y_pred}
    {labels}
    {pos_label}
    {average}
    {sample_weight}
    {zero_division}

    Returns
    -------
    specificity : float or numpy.ndarray
        tn / (tn + fp) (one per label with ``average=None``).

    Example:
        >>> specificity_score([0, 0, 1, 1], [0, 1, 1, 1])
        0.5
    """
    _zero_division_value(zero_division)
    c = _counts_for(y_true, y_pred, labels, pos_label, average, sample_weight)
    tn, fp = c.tn, c.fp
    if average == "micro":
        tn, fp = np.array([tn.sum()]), np.array([fp.sum()])
    spec = _divide(tn, tn + fp, "specificity", "negative", average, ("specificity",), zero_division)
    if average is None:
        return spec
    return _nanaverage(spec, c.true if average == "weighted" else None)


@validate_params
@shared_parameters
def accuracy_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
) -> float:
    """Share (or, with ``normalize=False``, weighted count) of exactly right predictions.

    Parameters
    ----------
    {y_true}
    {y_pred}
    normalize : bool, default=True
        True: the (weighted) share of right predictions; False: their (weighted) count.
    {sample_weight}

    Returns
    -------
    accuracy : float
        The share (or count) of right predictions.

    Example:
        >>> accuracy_score(["a", "b", "b"], ["a", "b", "a"], normalize=False)
        2.0
    """
    t = check_targets(y_true, y_pred, sample_weight)
    hits = t.y_true == t.y_pred
    w = t.sample_weight
    if normalize:
        return float(np.average(hits, weights=w))
    return float(hits.sum() if w is None else np.dot(hits, w))


@validate_params
@shared_parameters
def confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    normalize: str | None = None,
) -> np.ndarray:
    """Confusion matrix C, C[i, j] = (weighted) count of true label i predicted as j.

    Parameters
    ----------
    {y_true}
    {y_pred}
    {labels}
    {sample_weight}
    normalize : {'true', 'pred', 'all'} or None, default=None
        Divide by the row sums, the column sums or the total; None: raw counts.

    Returns
    -------
    C : numpy.ndarray of shape (n_labels, n_labels)
        Rows: true labels, columns: predicted; int64 for unweighted or integer
        weights, float64 otherwise or when normalised.

    Example:
        >>> confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()
        [[1, 0], [1, 1]]
    """
    t = check_targets(y_true, y_pred, sample_weight)
    if labels is None:
        chosen = t.present
    else:
        chosen = as_label_list(labels)
        if chosen.size == 0:
            raise InputError("'labels' should contain at least one label.")
        if not np.isin(t.y_true, chosen).any():
            raise InputError("At least one label specified must be in y_true")
    k = len(chosen)
    it = lookup(t.y_true, chosen)
    ip = lookup(t.y_pred, chosen)
    keep = (it >= 0) & (ip >= 0)
    w = t.sample_weight
    cm = weighted_bincount(it[keep] * k + ip[keep], None if w is None else w[keep], k * k)
    cm = cm.reshape(k, k)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        _warn_single_label()
    return cm


def _warn_single_label() -> None:
    warnings.warn(
        "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to "
        "have the correct shape, use the 'labels' parameter to pass all known labels.",
        UserWarning,
        stacklevel=3,
    )


@validate_params
@shared_parameters
def balanced_accuracy_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    adjusted: bool = False,
) -> float:
    """Mean recall over the classes present in y_true (optionally chance-adjusted).

    Parameters
    ----------
    {y_true}
    {y_pred}
    {sample_weight}
    adjusted : bool, default=False
        Rescale so that chance scores 0 and perfect scores 1.

    Returns
    -------
    balanced_accuracy : float
        The mean per-class recall (adjusted: 0 = chance).

    Example:
        >>> balanced_accuracy_score([0, 0, 0, 1], [0, 0, 0, 0])
        0.5
    """
    c = label_counts(check_targets(y_true, y_pred, sample_weight))
    if len(c.labels) == 1:
        _warn_single_label()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = c.tp / c.true
    if np.isnan(per_class).any():
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=2)
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:
        chance = 1 / per_class.shape[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (score - chance) / np.float64(1 - chance)
    return float(score)


@validate_params
@shared_parameters
def matthews_corrcoef(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
) -> float:
    """Matthews correlation coefficient (multiclass R_K statistic); 0.0 when undefined.

    Parameters
    ----------
    {y_true}
    {y_pred}
    {sample_weight}

    Returns
    -------
    mcc : float
        In [-1, 1]; 0.0 when undefined.

    Example:
        >>> matthews_corrcoef([0, 0, 1, 1], [0, 0, 1, 1])
        1.0
    """
    c = label_counts(check_targets(y_true, y_pred, sample_weight))
    if len(c.labels) == 1:
        _warn_single_label()
    return _mcc(c.tp, c.true, c.pred)


def _mcc(tp: np.ndarray, true: np.ndarray, pred: np.ndarray) -> float:
    t_sum = true.astype(np.float64)
    p_sum = pred.astype(np.float64)
    n_correct = float(tp.sum(dtype=np.float64))
    n = p_sum.sum()
    cov_ytyp = n_correct * n - np.dot(t_sum, p_sum)
    cov_ypyp = n**2 - np.dot(p_sum, p_sum)
    cov_ytyt = n**2 - np.dot(t_sum, t_sum)
    denom = cov_ypyp * cov_ytyt
    return 0.0 if denom == 0 else float(cov_ytyp / np.sqrt(denom))


@validate_params
@shared_parameters
def cohen_kappa_score(
    y1: ArrayLike,
    y2: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    weights: str | None = None,
    sample_weight: ArrayLike | None = None,
    replace_undefined_by: float = np.nan,
) -> float:
    """Cohen's kappa: agreement of two labelings beyond chance (optionally weighted).

    Parameters
    ----------
    y1 : array-like of shape (n_samples,)
        Labels assigned by the first annotator.
    y2 : array-like of shape (n_samples,)
        Labels assigned by the second annotator.
    labels : array-like, default=None
        The labels to use; None: every label in ``y1`` or ``y2``.
    weights : {'linear', 'quadratic'} or None, default=None
        Disagreement weights; None: every disagreement counts 1.
    {sample_weight}
    replace_undefined_by : float in [-1, 1] or numpy.nan, default=numpy.nan
        The value returned (with a warning) when kappa is undefined.

    Returns
    -------
    kappa : float
        In [-1, 1]; ``replace_undefined_by`` when undefined.

    Example:
        >>> cohen_kappa_score([0, 1, 1, 0], [0, 1, 1, 0])
        1.0
    """
    try:
        confusion = confusion_matrix(y1, y2, labels=labels, sample_weight=sample_weight)
    except InputError as err:
        if "At least one label specified must be in y_true" in str(err):
            raise InputError(
                "At least one label in `labels` must be present in `y1` (even though "
                "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and `y2`)."
            ) from err
        raise
    return _kappa(confusion.astype(np.float64), weights, replace_undefined_by)


def _kappa(confusion: np.ndarray, weights, replace_undefined_by) -> float:
    k = confusion.shape[0]
    sum0 = confusion.sum(axis=0)
    sum1 = confusion.sum(axis=1)
    total = sum0.sum()
    if total == 0:
        warnings.warn(
            "`y2` contains no labels that are present in both `y1` and `labels`."
            "`cohen_kappa_score` is undefined and set to the value defined by "
            f"the `replace_undefined_by` param, which is set to {replace_undefined_by}.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return replace_undefined_by
    expected = np.outer(sum0, sum1) / total
    if weights is None:
        w_mat = np.ones((k, k))
        np.fill_diagonal(w_mat, 0)
    else:
        grid = np.zeros((k, k)) + np.arange(k)
        w_mat = np.abs(grid - grid.T) if weights == "linear" else (grid - grid.T) ** 2
    denom = np.sum(w_mat * expected)
    if denom == 0:
        warnings.warn(
            "`y1`, `y2` and `labels` have only one label in common. "
            "`cohen_kappa_score` is undefined and set to the value defined by the "
            f"the `replace_undefined_by` param, which is set to {replace_undefined_by}.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return replace_undefined_by
    return float(1 - np.sum(w_mat * confusion) / denom)
