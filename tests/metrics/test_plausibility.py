"""Too-good-to-be-true warnings name the evidence; plausible scores give none."""

import pandas as pd

from skyclass.data import shared_rows
from skyclass.metrics import plausibility_warnings


def test_near_perfect_accuracy_warns_unless_the_majority_class_is_nearly_perfect_too():
    (warning,) = plausibility_warnings(test_accuracy=0.99, n_test=500, majority_share=0.4)
    assert warning.startswith("accuracy 0.990 on 500 evaluated rows (5 wrong) is near-perfect")
    assert "1.7% of the errors of always predicting the majority class (accuracy 0.400)" in warning
    assert plausibility_warnings(test_accuracy=0.998, n_test=500, majority_share=0.97) == []
    assert plausibility_warnings(test_accuracy=1.0, n_test=36, majority_share=0.4) == []
    # breast-cancer-like: 97% right where the majority class gets 63%
    assert plausibility_warnings(test_accuracy=0.97, n_test=114, majority_share=0.63) == []


def test_test_score_above_cross_validation_and_shared_rows():
    common = dict(test_accuracy=0.9, n_test=300, majority_share=0.5, metric="f1_macro")
    (warning,) = plausibility_warnings(**common, test_low=0.86, cv_mean=0.75, cv_std=0.02)
    assert "interval starts at 0.860, above the CV mean 0.750 + 2 x 0.020" in warning
    assert plausibility_warnings(**common, test_low=0.78, cv_mean=0.75, cv_std=0.02) == []
    assert plausibility_warnings(**common, shared_rows=12)[0].startswith("12 of 300 test rows")


def test_shared_rows_counts_exact_duplicates_across_tables():
    train = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["p", "q", None]})
    test = pd.DataFrame({"x": [2.0, 3.0, 3.0, 4.0], "c": ["q", None, "p", "q"]})
    assert shared_rows(train, test) == 2
