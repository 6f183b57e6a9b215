"""skyclass: a labelled table to a trusted, served, multi-cloud multiclass classifier.

Example:
    >>> import skyclass
    >>> skyclass.__version__
    '0.1.0'
"""

__version__ = "0.1.0"
