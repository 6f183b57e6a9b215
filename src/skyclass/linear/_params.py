"""``LogisticRegression``'s parameters: declared constraints, checked once, and their meaning.

The constraints use scikit-learn's own declarative vocabulary (``Interval``,
``StrOptions``, ...: ``sklearn.utils._param_validation``, the module every scikit-learn
estimator validates with), so a bad value gets scikit-learn's message word for word,
raised as ``ParameterError`` (both skyclass's ``InputError`` and scikit-learn's
``InvalidParameterError``), and tests can generate invalid values from the table.

``resolve_penalty`` then gives the deprecated scikit-learn 1.9 arguments their meaning
(``penalty``, ``l1_ratio=None``, ``n_jobs``), with scikit-learn's warnings.

Example:
    >>> from skyclass.linear import LogisticRegression
    >>> try:
    ...     check_params(LogisticRegression(C=-1))
    ... except ParameterError as err:
    ...     print(err)
    The 'C' parameter of LogisticRegression must be a float in the range (0.0, inf]. Got -1 instead.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

from skyclass.errors import InputError

# "auto": L-BFGS for smooth penalties, orthant-wise Newton-CG for L1 / elastic-net. The
# scikit-learn names are accepted with scikit-learn's rules about which penalties each
# allows; skyclass runs its own algorithm for all of them (same objective, same optimum).
# liblinear is refused: it penalises the intercept, a different objective.
SMOOTH_ONLY_SOLVERS = ("lbfgs", "newton-cg", "newton-cholesky", "sag")
SOLVERS = ("auto", *SMOOTH_ONLY_SOLVERS, "saga")

PARAMETER_CONSTRAINTS: dict[str, list] = {
    "penalty": [StrOptions({"l1", "l2", "elasticnet"}), None, Hidden(StrOptions({"deprecated"}))],
    "multi_class": [StrOptions({"multinomial", "ovr"})],
    "C": [Interval(Real, 0, None, closed="right")],
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
    "dual": ["boolean"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "fit_intercept": ["boolean"],
    "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "random_state": ["random_state"],
    "solver": [StrOptions(set(SOLVERS))],
    "max_iter": [Interval(Integral, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "n_jobs": [None, Integral],
    "device": [str],
}


class ParameterError(InputError, InvalidParameterError):
    """A constructor argument outside its declared constraints (a ``ValueError``)."""


def check_params(estimator) -> None:
    """Validate every constructor argument against ``PARAMETER_CONSTRAINTS``."""
    try:
        validate_parameter_constraints(
            PARAMETER_CONSTRAINTS,
            estimator.get_params(deep=False),
            caller_name=type(estimator).__name__,
        )
    except InvalidParameterError as err:
        raise ParameterError(str(err)) from None
    if estimator.dual:
        raise ParameterError(f"Solver {estimator.solver} supports only dual=False, got dual=True")


def resolve_penalty(estimator, warn: bool = True) -> tuple[float, float]:
    """The effective ``(C, l1_ratio)`` of scikit-learn 1.9's ``penalty``/``l1_ratio``/``C``.

    ``penalty`` is deprecated (FutureWarning): ``"l2"`` means ``l1_ratio=0``, ``"l1"``
    ``l1_ratio=1``, ``"elasticnet"`` the given ``l1_ratio``, ``None`` ``C=inf``.
    ``l1_ratio=None`` means 0 (FutureWarning). The warnings are scikit-learn's.
    """
    penalty, C, l1_ratio = estimator.penalty, float(estimator.C), estimator.l1_ratio
    say = warnings.warn if warn else (lambda *args, **kwargs: None)
    if penalty == "deprecated":
        if l1_ratio is None:
            say(
                "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error "
                "in 1.10. Use 0<=l1_ratio<=1 instead.",
                FutureWarning,
                stacklevel=3,
            )
        penalty = "l2" if not l1_ratio else ("l1" if l1_ratio == 1 else "elasticnet")
    else:
        say(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
            "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or "
            "'C' instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
            "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
            "penalty='elasticnet', and C=np.inf instead of penalty=None.",
            FutureWarning,
            stacklevel=3,
        )
        _check_penalty_and_l1_ratio(penalty, l1_ratio, C, say)
    if estimator.solver in SMOOTH_ONLY_SOLVERS and penalty in ("l1", "elasticnet") and C < np.inf:
        raise ParameterError(
            f"Solver {estimator.solver} supports only 'l2' or None penalties, got {penalty} "
            "penalty. Use solver='auto' or 'saga' for L1 / elastic-net."
        )
    if estimator.n_jobs is not None:
        say(
            "'n_jobs' has no effect since 1.8 and will be removed in 1.10. "
            f"You provided 'n_jobs={estimator.n_jobs}', please leave it unspecified.",
            FutureWarning,
            stacklevel=3,
        )
    if penalty is None:
        return np.inf, 0.0
    return C, {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)


def _check_penalty_and_l1_ratio(penalty, l1_ratio, C: float, say) -> None:
    """scikit-learn's warnings and error for an explicit ``penalty`` with ``l1_ratio``."""
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        say(
            f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            UserWarning,
            stacklevel=4,
        )
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        say(
            f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}. penalty is "
            "deprecated. Please use l1_ratio only.",
            UserWarning,
            stacklevel=4,
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ParameterError("l1_ratio must be specified when penalty is elasticnet.")
    if penalty is None and C != 1.0:
        say("Setting penalty=None will ignore the C and l1_ratio parameters", UserWarning,
            stacklevel=4)
