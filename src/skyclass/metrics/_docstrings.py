"""Parameter descriptions shared by sibling metric functions, written once.

scikit-learn repeats the same numpydoc lines in every metric that takes ``y_true`` or
``sample_weight``. Here each shared description lives once in ``PARAMETERS``; a docstring
names it on a line of its own, ``{y_true}``, and ``@shared_parameters`` puts the text in its
place (indented like the placeholder) when the module is imported. So ``help()``,
``inspect.getdoc`` and numpydoc see the full docstring; only whole-line placeholders are
replaced, so braces elsewhere (``{'macro', 'weighted'}``) are left alone, and an unknown
name fails at import rather than leaving a hole in the documentation.

Example:
    >>> @shared_parameters
    ... def count(y_true, sample_weight=None):
    ...     '''Rows (weighted).
    ...
    ...     Parameters
    ...     ----------
    ...     {y_true}
    ...     {sample_weight}
    ...     '''
    >>> count.__doc__.splitlines()[4].strip()
    'y_true : array-like of shape (n_samples,)'
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

PARAMETERS: dict[str, str] = {
    "y_true": """
        y_true : array-like of shape (n_samples,)
            True class labels (numbers, booleans or strings; one label per row).
        """,
    "y_pred": """
        y_pred : array-like of shape (n_samples,)
            Predicted class labels, same kind as ``y_true``.
        """,
    "labels": """
        labels : array-like, default=None
            The labels to report on and their order; None: every label present, sorted.
        """,
    "pos_label": """
        pos_label : int, float, bool or str, default=1
            The positive class for ``average='binary'`` (ignored otherwise, with a warning).
        """,
    "average": """
        average : {'binary', 'micro', 'macro', 'weighted'} or None, default='binary'
            None: one value per label; 'binary': ``pos_label`` only; 'micro': from the
            pooled counts; 'macro': unweighted mean over labels; 'weighted': mean weighted
            by support.
        """,
    "sample_weight": """
        sample_weight : array-like of shape (n_samples,), default=None
            Weight per row (integers are summed exactly); None: all 1.
        """,
    "zero_division": """
        zero_division : {'warn', 0.0, 1.0, numpy.nan}, default='warn'
            Value of an undefined ratio (0/0); 'warn' gives 0.0 and an
            ``UndefinedMetricWarning``.
        """,
    "curve_y_score": """
        y_score : array-like of shape (n_samples,)
            Scores of the positive class (probabilities or decision values).
        """,
    "curve_pos_label": """
        pos_label : int, float, bool or str, default=None
            The positive class; None: 1 for {0, 1} or {-1, 1} labels.
        """,
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>\w+)\}[ \t]*$", re.MULTILINE)


def fill(doc: str) -> str:
    """``doc`` with each whole-line ``{name}`` replaced by ``PARAMETERS[name]``.

    Parameters
    ----------
    doc : str
        A docstring whose placeholders stand on lines of their own.

    Returns
    -------
    str
        The docstring with every placeholder's text indented like the placeholder.

    Raises
    ------
    KeyError
        A placeholder names no entry of ``PARAMETERS``.

    Example:
        >>> print(fill("    {y_pred}"))
            y_pred : array-like of shape (n_samples,)
                Predicted class labels, same kind as ``y_true``.
    """

    def block(match: re.Match) -> str:
        name = match["name"]
        if name not in PARAMETERS:
            raise KeyError(f"docstring placeholder {{{name}}} is not in PARAMETERS")
        text = textwrap.dedent(PARAMETERS[name]).strip("\n")
        return textwrap.indent(text, match["indent"])

    return _PLACEHOLDER.sub(block, doc)


def shared_parameters(function: F) -> F:
    """Fill ``function``'s docstring placeholders (see :func:`fill`); returns ``function``.

    Apply it below ``@validate_params`` (or any ``functools.wraps`` decorator), so the
    wrapper copies the filled docstring.

    Parameters
    ----------
    function : callable
        A function or method whose docstring holds ``{name}`` placeholder lines.

    Returns
    -------
    callable
        The same object, its ``__doc__`` filled in.
    """
    if function.__doc__:
        function.__doc__ = fill(function.__doc__)
    return function
