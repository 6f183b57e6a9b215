"""The one contract every routing policy implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from skyclass.gateway._state import EndpointState


class Policy(Protocol):
    """Chooses one endpoint among the available candidates (never an empty sequence)."""

    def choose(self, candidates: Sequence[EndpointState]) -> EndpointState: ...
