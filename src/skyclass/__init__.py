"""skyclass: a labelled table to a trusted, served, multi-cloud multiclass classifier.

``skyclass.train`` is imported on first use, so ``import skyclass`` stays light.

Example:
    >>> import skyclass
    >>> skyclass.__version__
    '0.1.0'
    >>> callable(skyclass.train)
    True
"""

from skyclass._version import __version__

__all__ = ["TrainResult", "__version__", "train"]


def __getattr__(name: str):
    if name in ("train", "TrainResult"):
        from skyclass import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'skyclass' has no attribute {name!r}")
