"""The sink protocol and the row types every sink stores.

Example:
    >>> row = PredictionRow("r1", 0.0, "iris", "3", "eu", '{"x": 1}', "[0.2, 0.8]", '"b"')
    >>> row.model_version
    '3'
"""

from __future__ import annotations

from typing import NamedTuple, Protocol


class PredictionRow(NamedTuple):
    """One served row; ``inputs``, ``probabilities`` and ``label`` are JSON text."""

    id: str
    ts: float
    model_name: str
    model_version: str
    region: str
    inputs: str
    probabilities: str
    label: str


class FeedbackRow(NamedTuple):
    """Ground truth for a prediction id; ``label`` is JSON text."""

    id: str
    ts: float
    label: str


class Sink(Protocol):
    """Stores rows. ``open`` and ``write`` run on the log's writer thread only."""

    def open(self) -> None:
        """Create or open the store."""

    def write(self, predictions: list[PredictionRow], feedback: list[FeedbackRow]) -> int:
        """Store both lists durably (committed when it returns); the number of new predictions.

        Rows may be plain tuples in the fields' order (the log builds them that way).
        """

    def close(self) -> None:
        """Release the store."""
