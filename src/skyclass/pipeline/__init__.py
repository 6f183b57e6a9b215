"""skyclass.pipeline: preprocessing, candidate models, tuning, ``train()``, packaging.

Example:
    >>> from skyclass.pipeline import Preprocessor, package  # doctest: +SKIP
"""

from skyclass.pipeline._assess import evaluate_bundle
from skyclass.pipeline._batch import predict_file
from skyclass.pipeline._compare import corrected_ttest, rank_results
from skyclass.pipeline._costs import Costs, read_costs
from skyclass.pipeline._decision_rule import choose_rule
from skyclass.pipeline._export import export_onnx, input_types
from skyclass.pipeline._interpret import permutation_ranking, top_coefficients
from skyclass.pipeline._package import build_reference, package
from skyclass.pipeline._preprocess import Preprocessor, datetime_parts
from skyclass.pipeline._scoring import SCORERS, Scorer, get_scorer
from skyclass.pipeline._train import TrainResult, train
from skyclass.pipeline._tune import CandidateResult, Fold, tune

__all__ = [
    "CandidateResult",
    "Costs",
    "Fold",
    "Preprocessor",
    "SCORERS",
    "Scorer",
    "TrainResult",
    "build_reference",
    "choose_rule",
    "corrected_ttest",
    "datetime_parts",
    "evaluate_bundle",
    "export_onnx",
    "get_scorer",
    "input_types",
    "package",
    "permutation_ranking",
    "predict_file",
    "rank_results",
    "read_costs",
    "top_coefficients",
    "train",
    "tune",
]
