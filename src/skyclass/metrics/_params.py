"""The public metric functions' parameters: one declared table, checked once per call.

``CONSTRAINTS[name]`` holds, per parameter, the values it accepts, in scikit-learn's own
vocabulary (``sklearn.utils._param_validation``: ``"array-like"``, ``"boolean"``,
``Interval``, ``StrOptions``, ...) and with scikit-learn 1.9's table for that function,
so a value scikit-learn refuses up front is refused here with scikit-learn's message,
word for word. The function's own checks then handle what depends on the data (e.g.
``average="binary"`` with a multiclass target). ``@validate_params`` applies the table;
a bad value raises ``ParameterError`` (skyclass's ``InputError`` and scikit-learn's
``InvalidParameterError``). Tests generate invalid values from the table.

Example:
    >>> from skyclass.metrics import f1_score
    >>> try:
    ...     f1_score([0, 1], [0, 1], average="mean")
    ... except ParameterError as err:
    ...     print(str(err)[:62])
    The 'average' parameter of f1_score must be a str among {'...
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any, TypeVar

from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

from skyclass.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

ARRAY = ["array-like"]
OPTIONAL_ARRAY = ["array-like", None]
POS_LABEL = [Real, str, "boolean", None]
SET_AVERAGE = [StrOptions({"micro", "macro", "samples", "weighted", "binary"}), None]
SCORE_AVERAGE = [StrOptions({"micro", "macro", "samples", "weighted"}), None]
ZERO_DIVISION = [Options(Real, {0.0, 1.0}), "nan", StrOptions({"warn"})]
BETA = [Interval(Real, 0.0, None, closed="both")]

_SET_WISE = {
    "y_true": ARRAY,
    "y_pred": ARRAY,
    "labels": OPTIONAL_ARRAY,
    "pos_label": POS_LABEL,
    "average": SET_AVERAGE,
    "sample_weight": OPTIONAL_ARRAY,
    "zero_division": ZERO_DIVISION,
}
_CURVE = {
    "y_true": ARRAY,
    "y_score": ARRAY,
    "pos_label": POS_LABEL,
    "sample_weight": OPTIONAL_ARRAY,
    "drop_intermediate": ["boolean"],
}

CONSTRAINTS: dict[str, dict[str, list]] = {
    "accuracy_score": {
        "y_true": ARRAY, "y_pred": ARRAY, "normalize": ["boolean"],
        "sample_weight": OPTIONAL_ARRAY,
    },
    "auc": {"x": ARRAY, "y": ARRAY},
    "average_precision_score": {
        "y_true": ARRAY, "y_score": ARRAY, "average": SCORE_AVERAGE,
        "pos_label": [Real, str, "boolean"], "sample_weight": OPTIONAL_ARRAY,
    },
    "balanced_accuracy_score": {
        "y_true": ARRAY, "y_pred": ARRAY, "sample_weight": OPTIONAL_ARRAY,
        "adjusted": ["boolean"],
    },
    "brier_score_loss": {
        "y_true": ARRAY, "y_proba": ARRAY, "sample_weight": OPTIONAL_ARRAY,
        "pos_label": POS_LABEL, "labels": OPTIONAL_ARRAY,
        "scale_by_half": ["boolean", StrOptions({"auto"})],
    },
    "classification_report": {
        "y_true": ARRAY, "y_pred": ARRAY, "labels": OPTIONAL_ARRAY,
        "target_names": OPTIONAL_ARRAY, "sample_weight": OPTIONAL_ARRAY,
        "digits": [Interval(Integral, 0, None, closed="left")], "output_dict": ["boolean"],
        "zero_division": ZERO_DIVISION,
    },
    "cohen_kappa_score": {
        "y1": ARRAY, "y2": ARRAY, "labels": OPTIONAL_ARRAY,
        "weights": [StrOptions({"linear", "quadratic"}), None],
        "sample_weight": OPTIONAL_ARRAY,
        "replace_undefined_by": [Interval(Real, -1.0, 1.0, closed="both"), "nan"],
    },
    "confusion_matrix": {
        "y_true": ARRAY, "y_pred": ARRAY, "labels": OPTIONAL_ARRAY,
        "sample_weight": OPTIONAL_ARRAY, "normalize": [StrOptions({"true", "pred", "all"}), None],
    },
    "f1_score": _SET_WISE,
    "fbeta_score": {**_SET_WISE, "beta": BETA},
    "log_loss": {
        "y_true": ARRAY, "y_proba": ["array-like", Hidden(None)], "normalize": ["boolean"],
        "sample_weight": OPTIONAL_ARRAY, "labels": OPTIONAL_ARRAY, "y_pred": ["array-like", str],
    },
    "matthews_corrcoef": {"y_true": ARRAY, "y_pred": ARRAY, "sample_weight": OPTIONAL_ARRAY},
    "precision_recall_curve": _CURVE,
    "precision_recall_fscore_support": {
        **_SET_WISE, "beta": BETA, "warn_for": [list, tuple, set],
    },
    "precision_score": _SET_WISE,
    "recall_score": _SET_WISE,
    "roc_auc_score": {
        "y_true": ARRAY, "y_score": ARRAY, "average": SCORE_AVERAGE,
        "sample_weight": OPTIONAL_ARRAY, "max_fpr": [Interval(Real, 0.0, 1, closed="right"), None],
        "multi_class": [StrOptions({"raise", "ovr", "ovo"})], "labels": OPTIONAL_ARRAY,
    },
    "roc_curve": _CURVE,
    "specificity_score": _SET_WISE,
    "top_k_accuracy_score": {
        "y_true": ARRAY, "y_score": ARRAY, "k": [Interval(Integral, 1, None, closed="left")],
        "normalize": ["boolean"], "sample_weight": OPTIONAL_ARRAY, "labels": OPTIONAL_ARRAY,
    },
}  # fmt: skip


class ParameterError(InputError, InvalidParameterError):
    """A metric argument outside its declared constraints (a ``ValueError``)."""


def validate_params(func: F) -> F:
    """Check ``func``'s arguments against ``CONSTRAINTS[func.__name__]`` before each call."""
    constraints = CONSTRAINTS[func.__name__]
    signature = inspect.signature(func)
    unknown = set(constraints) - set(signature.parameters)
    if unknown:
        raise TypeError(f"constraints for {func.__name__} name unknown parameters {unknown}")

    @functools.wraps(func)
    def checked(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        try:
            validate_parameter_constraints(constraints, bound.arguments, caller_name=func.__name__)
        except InvalidParameterError as err:
            raise ParameterError(str(err)) from None
        return func(*args, **kwargs)

    checked.parameter_constraints = constraints
    return checked  # type: ignore[return-value]
