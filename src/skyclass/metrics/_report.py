"""``classification_report``: the per-label precision/recall/F1/support table, as scikit-learn.

Example:
    >>> from skyclass.metrics import classification_report
    >>> print(classification_report([0, 1, 1], [0, 1, 0]).splitlines()[0].split())
    ['precision', 'recall', 'f1-score', 'support']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._classification import precision_recall_fscore_support
from skyclass.metrics._params import validate_params
from skyclass.metrics._targets import as_label_list, check_targets

_HEADERS = ["precision", "recall", "f1-score", "support"]


@validate_params
def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    target_names: Sequence[str] | None = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: str | float = "warn",
) -> str | dict[str, Any]:
    """Text (or, with ``output_dict=True``, a dict) summary of the main metrics per label.

    Identical to ``sklearn.metrics.classification_report`` for binary and multiclass targets.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        Truth and decisions.
    labels : sequence, optional
        Labels to report, in order (default: every label present, sorted).
    target_names : sequence of str, optional
        Display names of ``labels``.
    sample_weight : array-like of shape (n_rows,), optional
        Row weights.
    digits : int
        Decimals in the text form.
    output_dict : bool
        Return a dict instead of text.
    zero_division : {"warn", 0, 1, nan}
        The value of a 0/0 ratio (``"warn"``: 0 with a warning).

    Returns
    -------
    str or dict
        The report, as scikit-learn prints (or returns) it.

    Example:
        >>> report = classification_report(["a", "b", "b"], ["a", "b", "a"], output_dict=True)
        >>> report["accuracy"], report["b"]["recall"]
        (0.6666666666666666, 0.5)
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise InputError(f"digits must be an integer >= 0; got {digits!r}.")
    t = check_targets(y_true, y_pred, sample_weight)
    labels_given = labels is not None
    labels = t.present if labels is None else as_label_list(labels)
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(t.present.tolist())
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(
                f"labels size, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}",
                UserWarning,
                stacklevel=2,
            )
        else:
            raise InputError(
                f"Number of classes, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}. Try specifying the labels parameter"
            )
    if target_names is None:
        target_names = [str(label) for label in labels]
    common = {"labels": labels, "sample_weight": sample_weight, "zero_division": zero_division}
    p, r, f1, s = precision_recall_fscore_support(t.y_true, t.y_pred, average=None, **common)
    rows = list(zip(target_names, p, r, f1, s))
    if output_dict:
        report_dict = {row[0]: dict(zip(_HEADERS, [float(v) for v in row[1:]])) for row in rows}
    else:
        width = max(max(len(cn) for cn in target_names), len("weighted avg"), digits)
        report = ("{:>{width}s} " + " {:>9}" * len(_HEADERS)).format("", *_HEADERS, width=width)
        report += "\n\n"
        row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
        for row in rows:
            report += row_fmt.format(*row, width=width, digits=digits)
        report += "\n"
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else average + " avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            t.y_true, t.y_pred, average=average, **common
        )
        avg = [avg_p, avg_r, avg_f1, np.sum(s)]
        if output_dict:
            report_dict[heading] = dict(zip(_HEADERS, [float(v) for v in avg]))
        elif heading == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            report += fmt.format(heading, "", "", *avg[2:], width=width, digits=digits)
        else:
            report += row_fmt.format(heading, *avg, width=width, digits=digits)
    if output_dict:
        if "accuracy" in report_dict:
            report_dict["accuracy"] = report_dict["accuracy"]["precision"]
        return report_dict
    return report
