"""The log sink contract: the abstract base every sink implements, its registry, the row types.

A sink is where the prediction log's writer stores rows. Adding one is one module with a
class decorated ``@SINKS.register("name")`` and one import line in ``_sinks/__init__.py``;
``skyclass serve --log name:///path`` then finds it (``SINKS.names()`` lists them all).

Example:
    >>> row = PredictionRow("r1", 0.0, "iris", "3", "eu", '{"x": 1}', "[0.2, 0.8]", '"b"')
    >>> row.model_version
    '3'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import NamedTuple

from skyclass.plugins import Registry


class PredictionRow(NamedTuple):
    """One served row; ``inputs``, ``probabilities``, ``label`` and ``quality`` are JSON text.

    ``bundle_sha256`` (the bundle's identity) and ``quality`` (what the request needed
    imputed, on its first row) are optional: ``None`` when unknown or clean.
    """

    id: str
    ts: float
    model_name: str
    model_version: str
    region: str
    inputs: str
    probabilities: str
    label: str
    bundle_sha256: str | None = None
    quality: str | None = None


class FeedbackRow(NamedTuple):
    """Ground truth for a prediction id; ``label`` is JSON text."""

    id: str
    ts: float
    label: str


class Sink(ABC):
    """Stores prediction and feedback rows at ``path``.

    Lifecycle: constructed with the path of a ``--log`` spec (cheap, touches nothing), then
    ``open()`` once, ``write()`` any number of times, ``close()`` once.

    Thread-safety: all three run on the log's single writer thread, so an instance needs no
    locks. Several worker processes (``--workers``) each open their own instance on the same
    path, so a store shared between them must take concurrent writers (SQLite's locking,
    ``O_APPEND`` writes).

    Durability: when ``write`` returns, its rows must survive ``kill -9`` of the server; the
    ``X-Skyclass-Durable`` reply waits for exactly that.

    Parameters
    ----------
    path : str or pathlib.Path
        Where the store lives: the path part of the ``--log`` spec (``/srv/log.db`` for
        ``--log sqlite:///srv/log.db``). Kept as ``self.path``; nothing is opened yet.
    """

    #: set to True before ``open()`` when the sink runs in the log's own writer process
    #: (the default for ``skyclass serve``): there a statement that releases the GIL once
    #: per row costs the server nothing, so a sink may pick its cheapest one
    own_process: bool = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @abstractmethod
    def open(self) -> None:
        """Create or open the store (an ``OSError`` here fails ``skyclass serve`` at start)."""

    @abstractmethod
    def write(self, predictions: list[PredictionRow], feedback: list[FeedbackRow]) -> int:
        """Store both lists durably: committed when it returns.

        Parameters
        ----------
        predictions : list of PredictionRow
            Served rows, oldest first. They may be plain tuples in ``PredictionRow``'s field
            order (the log builds them that way); an id seen before keeps its first row.
        feedback : list of FeedbackRow
            Ground-truth labels for earlier prediction ids, oldest first (may be empty).

        Returns
        -------
        int
            How many of ``predictions`` were new (not already stored under their id).
        """

    @abstractmethod
    def close(self) -> None:
        """Release the store; safe to call when ``open`` failed."""


#: every sink, by the scheme of its ``--log`` spec
SINKS: Registry[Sink] = Registry("sink", Sink, field="--log")
