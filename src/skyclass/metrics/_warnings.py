"""The warning skyclass.metrics emits when a metric is undefined for the given data.

It subclasses scikit-learn's own ``sklearn.exceptions.UndefinedMetricWarning``, so code
(and tests) written for scikit-learn that filter or expect that warning see ours too.

Example:
    >>> import warnings
    >>> import sklearn.exceptions
    >>> from skyclass.metrics import UndefinedMetricWarning, precision_score
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     precision_score([1, 1], [0, 0])
    0.0
    >>> caught[0].category is UndefinedMetricWarning
    True
    >>> issubclass(UndefinedMetricWarning, sklearn.exceptions.UndefinedMetricWarning)
    True
"""

from sklearn.exceptions import UndefinedMetricWarning as _SklearnUndefinedMetricWarning


class UndefinedMetricWarning(_SklearnUndefinedMetricWarning):
    """A metric is ill-defined (e.g. a division by zero) and was set to a fallback value.

    Same meaning as, and a subclass of, ``sklearn.exceptions.UndefinedMetricWarning``.
    """
