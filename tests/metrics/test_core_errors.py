"""Bad input raises a ValueError (skyclass InputError) whose message names the problem."""

import numpy as np
import pytest

from skyclass import metrics as sc
from skyclass.errors import InputError

P3 = [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2], [0.1, 0.8, 0.1]]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.f1_score([0, 1, 1], [0, 1]), "inconsistent numbers of samples: y_true has 3"),
        (lambda: sc.accuracy_score([[0, 1], [1, 0]], [0, 1]), "y_true must be 1-D"),
        (lambda: sc.accuracy_score([], []), "y_true is empty"),
        (lambda: sc.precision_score([0, 1], ["a", "b"]), "Mix of label input types"),
        (lambda: sc.recall_score([0.5, 1.0], [0, 1]), "continuous values"),
        (lambda: sc.f1_score([0, 1, 2], [0, 1, 2]), "average='binary'"),
        (lambda: sc.f1_score([0, 1], [0, 1], average="mean"), "The 'average' parameter of f1_score must be a str among"),
        (lambda: sc.f1_score([0, 1], [0, 1], zero_division=2), "zero_division"),
        (lambda: sc.f1_score(["a", "b"], ["a", "b"]), "pos_label=1 is not a valid label"),
        (lambda: sc.confusion_matrix([0, 1], [0, 1], labels=[]), "at least one label"),
        (lambda: sc.confusion_matrix([0, 1], [0, 1], labels=[5]), "must be in y_true"),
        (lambda: sc.confusion_matrix([0, 1], [0, 1], normalize="rows"), "normalize"),
        (lambda: sc.f1_score([0, 1], [0, 1], sample_weight=[1, 2, 3]), "sample_weight has 3"),
        (
            lambda: sc.f1_score([0, 1], [0, 1], sample_weight=[np.nan, 1]),
            "sample_weight contains NaN",
        ),
        (lambda: sc.f1_score([0, 1], [0, 1], sample_weight=[0, 0]), "at least one non-zero"),
        (lambda: sc.roc_auc_score([0, 1], [np.nan, 0.5]), "y_score contains NaN"),
        (lambda: sc.roc_auc_score([0, 1], [np.inf, 0.5]), "y_score contains NaN or infinity"),
        (lambda: sc.roc_auc_score([0, 1, 2], P3), "multi_class must be in"),
        (
            lambda: sc.roc_auc_score([0, 1, 2], [[0.2, 0.3, 0.6]] * 3, multi_class="ovr"),
            "sum up to 1",
        ),
        (
            lambda: sc.roc_auc_score([0, 1, 3], P3, multi_class="ovr", labels=[0, 1, 2]),
            "not in parameter 'labels'",
        ),
        (
            lambda: sc.roc_auc_score([0, 1, 2], P3, multi_class="ovr", labels=[2, 1, 0]),
            "must be ordered",
        ),
        (lambda: sc.roc_auc_score([0, 1], [0.1, 0.2], max_fpr=1.5), "max_fpr"),
        (lambda: sc.roc_auc_score([0, 1], [[0.9, 0.1], [0.2, 0.8]]), "y_score must be 1-D"),
        (lambda: sc.roc_curve(["a", "b"], [0.1, 0.9]), "pos_label is not specified"),
        (lambda: sc.roc_curve([0, 1, 2], [0.1, 0.9, 0.3]), "multiclass format is not supported"),
        (lambda: sc.average_precision_score([0, 1, 2], P3, pos_label=2), "pos_label is fixed to 1"),
        (lambda: sc.top_k_accuracy_score([0, 1, 2], P3, k=0), r"'k' parameter of top_k_accuracy_score must be an int in the range \[1, inf\)"),
        (lambda: sc.top_k_accuracy_score([0, 1, 2], [0.1, 0.2, 0.3]), "needs to be of shape"),
        (lambda: sc.log_loss([0, 0], [[0.5, 0.5], [0.4, 0.6]], labels=[0]), "at least two labels"),
        (lambda: sc.log_loss([0, 2], [[0.5, 0.5], [0.4, 0.6]], labels=[0, 1]), "not belonging"),
        (lambda: sc.log_loss([0, 1], [[1.2, -0.2], [0.4, 0.6]]), "greater than 1"),
        (lambda: sc.brier_score_loss([0, 1, 2], [0.2, 0.5, 0.7]), "should be binary"),
        (lambda: sc.cohen_kappa_score([0, 1], [0, 1], weights="cubic"), "The 'weights' parameter of cohen_kappa_score must be"),
        (lambda: sc.classification_report([0, 1], [0, 1], target_names=["a"]), "target_names"),
        (lambda: sc.auc([0], [1]), "At least 2 points"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(call, match):
    with pytest.raises(InputError, match=match) as info:
        call()
    assert isinstance(info.value, ValueError)


def test_errors_are_skyclass_errors_for_the_cli():
    from skyclass.errors import SkyclassError

    with pytest.raises(SkyclassError):
        sc.evaluate([0, 1], [[0.5, 0.4], [0.5, 0.5]])
