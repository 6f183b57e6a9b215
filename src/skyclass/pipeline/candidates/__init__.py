"""Candidate models for ``skyclass train``, looked up by name in ``CANDIDATES``.

Each candidate is a :class:`Candidate` subclass in its own module, registered with
``@CANDIDATES.register("name")``. Adding one is a new module and one import line here.

Example:
    >>> from skyclass.pipeline.candidates import CANDIDATES, get_candidates
    >>> CANDIDATES.names()
    ('hgb', 'logreg', 'logreg-ovr', 'rf')
    >>> [c.name for c in get_candidates("logreg,hgb")]
    ['logreg', 'hgb']
"""

from __future__ import annotations

from skyclass.errors import InputError
from skyclass.pipeline.candidates import _hgb as _hgb
from skyclass.pipeline.candidates import _logreg as _logreg
from skyclass.pipeline.candidates import _rf as _rf
from skyclass.pipeline.candidates._base import CANDIDATES, Candidate

__all__ = ["CANDIDATES", "Candidate", "get_candidates"]


def get_candidates(names: str | list[str] | None = None) -> list[Candidate]:
    """New instances of the candidates named.

    Parameters
    ----------
    names : str, list of str or None
        Registered names, comma-separated or as a list (repeats are dropped); ``None``
        (default): every registered candidate.

    Returns
    -------
    list of Candidate
        One new instance per name, in the order given.

    Raises
    ------
    skyclass.errors.InputError
        For an unknown name (the message lists the registered ones) or an empty list.
    """
    if names is None:
        names = list(CANDIDATES.names())
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown or not names:
        raise InputError(
            f"--models: unknown candidate(s) {unknown or names}; "
            f"choose from {', '.join(CANDIDATES.names())}"
        )
    return [CANDIDATES.create(n) for n in dict.fromkeys(names)]
