"""Garbage-collector settings of a serving process: pauses short and rare, so the tail stays low.

CPython's cyclic collector stops the whole process while it runs. A full pass walks every
container object alive, and after importing onnxruntime, FastAPI and pandas and loading a
bundle that is about 170,000 objects: 100+ ms per pass here, paid by whichever requests are
in flight. That was the p99 of ``skyclass serve`` under concurrency (45 ms at 16 connections,
8 ms with the collector off). ``settle()`` runs once the bundle is loaded and verified:

* ``gc.freeze()`` moves every object alive then (modules, the model, the route table) into
  the permanent generation, which no later pass walks, so a full pass only sees objects made
  while serving;
* the youngest generation's threshold goes from 700 to ``YOUNG_THRESHOLD`` allocations, so
  the (cheap) young passes run a tenth as often; requests' objects are freed by reference
  counting long before that, so the young generation stays small.

Reference counting still frees everything as before; only cycles wait longer.

Example:
    >>> import gc
    >>> before = gc.get_threshold()
    >>> settle()
    >>> gc.get_threshold()[0] == YOUNG_THRESHOLD and gc.get_freeze_count() > 0
    True
    >>> gc.unfreeze(); gc.set_threshold(*before)
"""

from __future__ import annotations

import gc

#: allocations (net of frees) of container objects between two young-generation passes
YOUNG_THRESHOLD = 7_000


def settle() -> None:
    """Collect once, freeze what survives, and space the young passes out."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
