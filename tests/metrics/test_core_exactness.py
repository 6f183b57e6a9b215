"""Exact integer weights, object-dtype weights, threshold dtypes and warning classes.

Each case is checked against scikit-learn 1.9 on the same input.
"""

import warnings

import numpy as np
import pytest
import sklearn.exceptions
from sklearn import metrics as skm

from skyclass import metrics as sc
from skyclass.errors import InputError

BIG = 2**53 + 1  # the first integer a float64 cannot hold
INT64_MAX = np.iinfo(np.int64).max


@pytest.mark.parametrize(
    "weights",
    [[BIG, 1, 1], [INT64_MAX, 0, 0], np.array([3, 4, 5], dtype=np.uint8), [True, False, True]],
    ids=["2**53+1", "int64-max", "uint8", "bool"],
)
def test_confusion_matrix_sums_integer_weights_exactly_like_sklearn(weights):
    y_true, y_pred = [0, 1, 1], [0, 0, 1]
    ours = sc.confusion_matrix(y_true, y_pred, sample_weight=weights)
    theirs = skm.confusion_matrix(y_true, y_pred, sample_weight=weights)
    assert ours.dtype == theirs.dtype == np.int64
    assert ours.tolist() == theirs.tolist()


def test_count_based_metrics_accumulate_integer_weights_in_integers():
    from skyclass.metrics._counts import label_counts
    from skyclass.metrics._targets import check_targets

    counts = label_counts(check_targets([0, 0, 1], [0, 0, 1], [BIG, 1, 1]))
    assert counts.tp.tolist() == [BIG + 1, 1] and counts.total == BIG + 2
    assert counts.tp.dtype == np.int64
    # a float sum would round 2**53 + 2 -> exact here, and the ratio is still right
    assert sc.precision_score([0, 0, 1], [0, 0, 1], sample_weight=[BIG, 1, 1]) == 1.0


@pytest.mark.parametrize(
    "weights", [np.array([1, 2.5, 3], dtype=object), np.array([1, 2, 3], dtype=object)]
)
@pytest.mark.parametrize(  # (scikit-learn's f1_score refuses object weights; ours accepts them)
    "metric", ["confusion_matrix", "accuracy_score", "matthews_corrcoef"]
)
def test_object_dtype_weights_are_accepted_like_sklearn(metric, weights):
    y_true, y_pred = [0, 1, 1], [0, 0, 1]
    ours = getattr(sc, metric)(y_true, y_pred, sample_weight=weights)
    theirs = getattr(skm, metric)(y_true, y_pred, sample_weight=weights)
    np.testing.assert_array_equal(ours, theirs)
    assert np.asarray(ours).dtype == np.asarray(theirs).dtype


def test_object_weights_that_are_not_numbers_are_refused():
    with pytest.raises(InputError, match="sample_weight must hold numbers"):
        sc.confusion_matrix([0, 1], [0, 1], sample_weight=np.array(["a", None], dtype=object))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.float32, np.float64, bool])
def test_curve_thresholds_keep_the_score_dtype_like_sklearn(dtype):
    y = [0, 1, 1, 0, 0]
    scores = np.array([1, 3, 2, 0, 3]).astype(dtype)
    for name in ("precision_recall_curve", "roc_curve"):
        for ours, theirs in zip(getattr(sc, name)(y, scores), getattr(skm, name)(y, scores)):
            assert ours.dtype == theirs.dtype
            np.testing.assert_array_equal(ours, theirs)


def test_undefined_metric_warning_is_sklearns_class():
    assert issubclass(sc.UndefinedMetricWarning, sklearn.exceptions.UndefinedMetricWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", sklearn.exceptions.UndefinedMetricWarning)
        with pytest.raises(sklearn.exceptions.UndefinedMetricWarning):
            sc.precision_score([1, 1], [0, 0])


def test_bytes_labels_raise_sklearns_type_error():
    for metric in (sc.roc_curve, skm.roc_curve):
        with pytest.raises(TypeError, match="labels represented as bytes is not supported"):
            metric(np.array([b"a", b"b"]), [0.0, 1.0])


def test_ovo_average_none_raises_not_implemented_like_sklearn():
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]])
    for metric in (sc.roc_auc_score, skm.roc_auc_score):
        with pytest.raises(NotImplementedError, match="average=None is not implemented"):
            metric([0, 1, 2], proba, multi_class="ovo", average=None)
