"""The warning skyclass.metrics emits when a metric is undefined for the given data.

Example:
    >>> import warnings
    >>> from skyclass.metrics import UndefinedMetricWarning, precision_score
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     precision_score([1, 1], [0, 0])
    0.0
    >>> caught[0].category is UndefinedMetricWarning
    True
"""


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined (e.g. a division by zero) and was set to a fallback value.

    Same meaning as ``sklearn.exceptions.UndefinedMetricWarning``.
    """
