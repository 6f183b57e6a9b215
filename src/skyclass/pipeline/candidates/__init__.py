"""Candidate models for ``skyclass train``, registered by name.

Each candidate is a search space plus a builder of an unfitted scikit-learn
classifier (see :class:`Candidate`). Add one by writing a module with an
object that follows the protocol and registering it in ``CANDIDATES``.

Example:
    >>> from skyclass.pipeline.candidates import get_candidates
    >>> [c.name for c in get_candidates("logreg,hgb")]
    ['logreg', 'hgb']
"""

from __future__ import annotations

from skyclass.errors import InputError
from skyclass.pipeline.candidates._base import Candidate
from skyclass.pipeline.candidates._hgb import HGB
from skyclass.pipeline.candidates._logreg import LOGREG, LOGREG_OVR
from skyclass.pipeline.candidates._rf import RF

__all__ = ["CANDIDATES", "Candidate", "get_candidates"]

CANDIDATES: dict[str, Candidate] = {c.name: c for c in (LOGREG, LOGREG_OVR, HGB, RF)}


def get_candidates(names: str | list[str] | None = None) -> list[Candidate]:
    """Candidates for a comma-separated string or list of names (``None``: all four).

    An unknown name raises ``InputError`` listing the known ones.
    """
    if names is None:
        return list(CANDIDATES.values())
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown or not names:
        raise InputError(
            f"--models: unknown candidate(s) {unknown or names}; choose from {', '.join(CANDIDATES)}"
        )
    return [CANDIDATES[n] for n in dict.fromkeys(names)]
