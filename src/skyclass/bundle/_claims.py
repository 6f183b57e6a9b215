"""Claiming version numbers: never the same number twice, even for concurrent pushes.

A claim lives under ``<name>/claims/<version>/``. To claim version ``v`` a
writer puts one entry there and then lists the folder; it owns ``v`` only if
its entry is the only one. Entries are never removed, so of two writers that
race for ``v`` at most one can see only itself (each writes before it lists,
and listings are strongly consistent on S3, GCS, Azure Blob and local disks);
when both see each other, both move on to a higher number. Where the store
honours conditional writes (``Store.exclusive_create``), the entry is created
with one (``If-None-Match: *`` / ``ifGenerationMatch=0`` / ``O_EXCL``-style
link), so a second writer is refused outright before it even lists.

A claimed number is spent for good: a push that crashes after claiming leaves
a gap, never a reused number. The next number is one more than the highest
claim, so versions only grow.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from skyclass.bundle.stores import Store
from skyclass.errors import IntegrityError

__all__ = ["claim_exact", "claim_next", "claims_of", "highest_claim"]

MAX_ATTEMPTS = 64


def _prefix(name: str, version: int) -> str:
    return f"{name}/claims/{version}"


def highest_claim(store: Store, name: str) -> int:
    """The highest version number ever claimed for ``name`` (0 if none)."""
    numbers = [int(n) for n in store.listdir(f"{name}/claims") if n.isdigit()]
    return max(numbers, default=0)


def claims_of(store: Store, name: str, version: int) -> list[dict[str, Any]]:
    """The claim entries for ``version`` (their JSON bodies)."""
    out = []
    for entry in store.listdir(_prefix(name, version)):
        data = store.read(f"{_prefix(name, version)}/{entry}")
        try:
            out.append(json.loads(data) if data else {})
        except ValueError:
            out.append({})
    return out


def claim_exact(store: Store, name: str, version: int, token: str, info: dict[str, Any]) -> bool:
    """Try to own ``version``; ``True`` only if nobody else holds or contests it."""
    body = json.dumps({**info, "token": token, "claimed_at": time.time()}).encode()
    prefix = _prefix(name, version)
    if store.exclusive_create:
        entry = "0-claim"
        if not store.create_exclusive(f"{prefix}/{entry}", body):
            return False
    else:
        entry = f"1-{token}"
        store.write(f"{prefix}/{entry}", body)
    return store.listdir(prefix) == [entry]


def claim_next(store: Store, name: str, token: str, info: dict[str, Any]) -> int:
    """Claim the next free version number of ``name`` and return it."""
    for attempt in range(MAX_ATTEMPTS):
        version = highest_claim(store, name) + 1
        if claim_exact(store, name, version, token, info):
            return version
        time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # back off before the next number
    raise IntegrityError(
        f"{store.uri(name)}: could not claim a version after {MAX_ATTEMPTS} tries; "
        "too many concurrent pushes, retry later"
    )
