"""The metric functions' declared parameter constraints: generated invalid values are refused.

Every value scikit-learn's constraint vocabulary can generate outside a parameter's
constraints (plus a foreign object) must raise ``ParameterError`` naming the parameter
and the function, and the table must be scikit-learn 1.9's for the functions it shares.
"""

import numpy as np
import pytest
import sklearn.metrics
from sklearn.utils._param_validation import (
    InvalidParameterError,
    generate_invalid_param_val,
    make_constraint,
)

from skyclass import metrics as sc
from skyclass.errors import InputError
from skyclass.metrics._params import CONSTRAINTS

P = np.array([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6], [0.5, 0.3, 0.2]])
LABELS = {"y_true": [0, 1, 2, 0], "y_pred": [0, 1, 2, 1]}
VALID = {  # one valid call per function (keyword arguments)
    "accuracy_score": LABELS,
    "auc": {"x": [0.0, 0.5, 1.0], "y": [0.0, 0.7, 1.0]},
    "average_precision_score": {"y_true": [0, 1, 1, 0], "y_score": [0.1, 0.8, 0.6, 0.3]},
    "balanced_accuracy_score": LABELS,
    "brier_score_loss": {"y_true": [0, 1, 1, 0], "y_proba": [0.1, 0.8, 0.6, 0.3]},
    "classification_report": LABELS,
    "cohen_kappa_score": {"y1": [0, 1, 2, 0], "y2": [0, 1, 2, 1]},
    "confusion_matrix": LABELS,
    "f1_score": {**LABELS, "average": "macro"},
    "fbeta_score": {**LABELS, "average": "macro", "beta": 0.5},
    "log_loss": {"y_true": [0, 1, 2, 0], "y_proba": P},
    "matthews_corrcoef": LABELS,
    "precision_recall_curve": {"y_true": [0, 1, 1, 0], "y_score": [0.1, 0.8, 0.6, 0.3]},
    "precision_recall_fscore_support": LABELS,
    "precision_score": {**LABELS, "average": "macro"},
    "recall_score": {**LABELS, "average": "macro"},
    "roc_auc_score": {"y_true": [0, 1, 1, 0], "y_score": [0.1, 0.8, 0.6, 0.3]},
    "roc_curve": {"y_true": [0, 1, 1, 0], "y_score": [0.1, 0.8, 0.6, 0.3]},
    "specificity_score": {**LABELS, "average": "macro"},
    "top_k_accuracy_score": {"y_true": [0, 1, 2, 0], "y_score": P},
}
CASES = [(f, p) for f in sorted(CONSTRAINTS) for p in sorted(CONSTRAINTS[f])]


def invalid_values(constraints):
    """Values outside every one of ``constraints``: a foreign object and generated ones."""
    values = [object()]
    for constraint in constraints:
        try:
            values.append(generate_invalid_param_val(constraint))
        except NotImplementedError:
            continue
    return [v for v in values if not any(c.is_satisfied_by(v) for c in constraints)]


def test_every_declared_function_has_a_valid_call():
    assert set(VALID) == set(CONSTRAINTS)
    for name, kwargs in VALID.items():
        getattr(sc, name)(**kwargs)


@pytest.mark.parametrize(("name", "param"), CASES, ids=[f"{f}-{p}" for f, p in CASES])
def test_generated_invalid_values_are_refused_with_one_message(name, param):
    constraints = [make_constraint(c) for c in CONSTRAINTS[name][param]]
    values = invalid_values(constraints)
    assert values, "at least the foreign object is invalid"
    for value in values:
        with pytest.raises(InputError, match=f"The '{param}' parameter of {name} must be") as err:
            getattr(sc, name)(**{**VALID[name], param: value})
        assert isinstance(err.value, InvalidParameterError)


@pytest.mark.parametrize("name", sorted(set(CONSTRAINTS) & set(dir(sklearn.metrics))))
def test_table_is_sklearns_table(name):
    theirs = getattr(sklearn.metrics, name)._skl_parameter_constraints
    assert set(CONSTRAINTS[name]) == set(theirs)
    for param, constraints in CONSTRAINTS[name].items():
        ours = {_canonical(c) for c in constraints}
        # skyclass refuses sparse (multi-label) targets by design: no "sparse matrix"
        want = {_canonical(c) for c in theirs[param] if c != "sparse matrix"}
        assert ours == want, (name, param)


def _canonical(constraint):
    """A comparable form: option sets compare as sets, the rest by description."""
    constraint = make_constraint(constraint)
    options = getattr(constraint, "options", None)
    return (type(constraint).__name__, frozenset(options)) if options else str(constraint)
