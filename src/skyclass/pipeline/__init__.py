"""skyclass.pipeline: preprocessing, candidate models, tuning, ``train()``, packaging.

Example:
    >>> from skyclass.pipeline import Preprocessor, package  # doctest: +SKIP
"""

from skyclass.pipeline._export import export_onnx, input_types
from skyclass.pipeline._package import build_reference, package
from skyclass.pipeline._preprocess import Preprocessor, datetime_parts

__all__ = [
    "Preprocessor",
    "build_reference",
    "datetime_parts",
    "export_onnx",
    "input_types",
    "package",
]
