"""Classification metrics identical to scikit-learn's, a one-pass ``evaluate``, and decisions.

Leaf package: depends on numpy and scipy, on scikit-learn only for its warning classes
(``UndefinedMetricWarning`` subclasses scikit-learn's) and its parameter-constraint
vocabulary, and on ``skyclass.errors``. Every scikit-learn-named
function takes the same arguments and returns the same numbers as scikit-learn 1.9.

Example:
    >>> from skyclass.metrics import f1_score, roc_auc_score
    >>> f1_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.6666666666666666
    >>> roc_auc_score([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.5])
    0.75
"""

from skyclass.metrics._advisor import (
    Recommendation,
    recommend_metric,
)
from skyclass.metrics._baseline import (
    BASELINE_METRICS,
    BaselineComparison,
    BaselineReport,
    compare_to_baseline,
    prior_scores,
)
from skyclass.metrics._bootstrap import (
    bootstrap_ci,
)
from skyclass.metrics._bootstrap_interval import (
    ConfidenceInterval,
    UndefinedMetricError,
)
from skyclass.metrics._bootstrap_metrics import confusion_scores
from skyclass.metrics._calibration import (
    CalibrationBins,
    calibration_bins,
    calibration_curve,
    expected_calibration_error,
    max_calibration_error,
)
from skyclass.metrics._classification import (
    accuracy_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    fbeta_score,
    matthews_corrcoef,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    specificity_score,
)
from skyclass.metrics._curve import Curve
from skyclass.metrics._decision import (
    ClassThresholds,
    CostMatrix,
    PriorShift,
    ThresholdRule,
    decide,
    rule_from_dict,
    rule_to_dict,
)
from skyclass.metrics._delong import (
    DeLongTest,
    delong_ci,
    delong_test,
)
from skyclass.metrics._evaluate import evaluate
from skyclass.metrics._evaluation import Evaluation
from skyclass.metrics._fairness import (
    GroupMetrics,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    group_metrics,
)
from skyclass.metrics._labels import label_key, label_positions
from skyclass.metrics._plausibility import plausibility_warnings
from skyclass.metrics._probabilistic import (
    brier_score_loss,
    log_loss,
)
from skyclass.metrics._ranking import (
    auc,
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
    top_k_accuracy_score,
)
from skyclass.metrics._report import classification_report
from skyclass.metrics._threshold import (
    ThresholdChoice,
    ThresholdCurve,
    best_threshold,
    threshold_curve,
)
from skyclass.metrics._warnings import UndefinedMetricWarning

__all__ = [
    # metrics engine (issue 2)
    "Curve",
    "Evaluation",
    "evaluate",
    "UndefinedMetricWarning",
    "accuracy_score",
    "auc",
    "average_precision_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "classification_report",
    "cohen_kappa_score",
    "confusion_matrix",
    "confusion_scores",
    "f1_score",
    "fbeta_score",
    "label_key",
    "label_positions",
    "log_loss",
    "matthews_corrcoef",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "specificity_score",
    "top_k_accuracy_score",
    # decisions, thresholds, intervals, fairness, calibration (issue 3)
    "CalibrationBins",
    "UndefinedMetricError",
    "ClassThresholds",
    "ConfidenceInterval",
    "CostMatrix",
    "DeLongTest",
    "GroupMetrics",
    "PriorShift",
    "Recommendation",
    "ThresholdChoice",
    "ThresholdCurve",
    "ThresholdRule",
    "best_threshold",
    "bootstrap_ci",
    "calibration_bins",
    "calibration_curve",
    "decide",
    "delong_ci",
    "delong_test",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "expected_calibration_error",
    "group_metrics",
    "max_calibration_error",
    "recommend_metric",
    "rule_from_dict",
    "rule_to_dict",
    "threshold_curve",
    # baselines and plausibility (issue 13)
    "BASELINE_METRICS",
    "BaselineComparison",
    "BaselineReport",
    "compare_to_baseline",
    "plausibility_warnings",
    "prior_scores",
]
