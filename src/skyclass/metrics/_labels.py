"""Matching class labels that travelled through JSON or CSV: ``1`` and ``"1"`` are one class.

A model's labels come from a bundle manifest, a log row, a feedback request or a CSV
holdout, each of which may have turned ``1`` into ``"1"`` (or ``np.int64(1)`` into
``1``). Every place that matches labels across those sources uses :func:`label_key`
(the text form) and :func:`label_positions`.

Example:
    >>> label_key(1) == label_key("1")
    True
    >>> positions, labels = label_positions(["1", 2, "cat"], [1, 2], extend=True)
    >>> positions.tolist(), labels
    ([0, 1, 2], [1, 2, 'cat'])
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["label_key", "label_positions"]


def label_key(label: Hashable) -> str:
    """The text a label is matched by (``1``, ``np.int64(1)`` and ``"1"`` all give ``"1"``).

    Parameters
    ----------
    label : hashable
        A class label as any source gave it (number, numpy scalar, string, bool).

    Returns
    -------
    str
        ``str(label)``: equal for labels that are one class after a JSON or CSV trip.
    """
    return str(label)


def label_positions(
    values: Sequence, labels: Sequence, *, extend: bool = False
) -> tuple[np.ndarray, list]:
    """Position of each of ``values`` in ``labels``, matched by :func:`label_key`.

    Parameters
    ----------
    values : sequence
        Labels to look up (one per row).
    labels : sequence
        The known labels, in order.
    extend : bool
        Append a value never seen before to the labels (its position is the new
        one); otherwise it gets position ``-1``.

    Returns
    -------
    (numpy.ndarray of int64, list)
        The positions, and the labels (extended when ``extend``).
    """
    labels = list(labels)
    position = {label_key(label): i for i, label in enumerate(labels)}
    out = np.empty(len(values), dtype=np.int64)
    for row, value in enumerate(values):
        key = label_key(value)
        if key not in position:
            if not extend:
                out[row] = -1
                continue
            position[key] = len(labels)
            labels.append(value)
        out[row] = position[key]
    return out, labels
