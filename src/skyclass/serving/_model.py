"""The served model: loaded and verified in the background, then predicting canonical arrays.

Readiness is semantic: the host is ready only after ``skyclass.bundle.load(verify=True)``
(with ``trusted_keys``: first the signature by a trusted key; then the hashes of every
file and golden rows) succeeded *and* the golden rows, sent through the
very path V2 requests take (V2 tensors → canonical arrays → ``predict_proba_arrays``),
reproduced their stored probabilities within 1e-5. Until then ``reason`` says why not.
A bundle never pushed to a registry (``version`` None) is served as version ``"0"``.

Example:
    >>> host = ModelHost("/no/such/bundle")
    >>> host.load()
    >>> host.ready, "no/such/bundle" in host.reason
    (False, True)
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import orjson

from skyclass.errors import SkyclassError
from skyclass.serving._binary import encode_element
from skyclass.serving._client import v2_request
from skyclass.serving._columns import columns_from_tensors
from skyclass.serving._tensors import decode_request

_logger = logging.getLogger("skyclass.serving")
#: the version a bundle that was never pushed to a registry is served as
UNREGISTERED = "0"


class ModelHost:
    """Holds one bundle; ``load()`` (or ``start()`` for a background thread) makes it ready."""

    def __init__(self, source, on_ready=None, trusted_keys=()) -> None:
        self.source = source
        self.on_ready = on_ready
        self.trusted_keys = tuple(trusted_keys) or None
        self.bundle = None
        self.ready = False
        self.state = "loading"
        self.reason = "model is loading and verifying (hashes, golden rows)"
        self.name: str | None = None
        self.version: str | None = None
        self.labels: list = []
        self.label_text: np.ndarray = np.array([], dtype=object)
        self.label_json: list[str] = []
        self.label_binary: np.ndarray = np.array([], dtype=object)
        self.label_index: dict = {}
        self._done = threading.Event()

    def start(self) -> None:
        """Load in a daemon thread so the server answers ``live`` at once."""
        threading.Thread(target=self.load, name="skyclass-model-load", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until loading finished (ready or failed); ``True`` if it finished."""
        return self._done.wait(timeout)

    def load(self) -> None:
        """Load, verify and check golden rows; on failure keep the reason, never raise."""
        try:
            bundle = self._open()
            self._adopt(bundle)
            self._check_golden(bundle)
        except Exception as err:  # every failure becomes the 503 reason
            kind = "" if isinstance(err, SkyclassError) else f"{type(err).__name__}: "
            self.reason = f"model failed to load: {kind}{err}"
            self.state = "failed"
            _logger.error("%s", self.reason)
        else:
            self.bundle = bundle
            if self.on_ready is not None:
                self.on_ready(self)
            self.state = "ready"
            self.reason = ""
            self.ready = True
        finally:
            self._done.set()

    def _open(self):
        if isinstance(self.source, (str, Path)):
            from skyclass.bundle import load

            return load(self.source, verify=True, trusted_keys=self.trusted_keys)
        if self.trusted_keys is not None:
            from skyclass.bundle import verify_signature

            verify_signature(self.source.files, self.trusted_keys, self.source.source)
        self.source.verify()
        return self.source

    def _adopt(self, bundle) -> None:
        self.name = str(bundle.name)
        self.version = UNREGISTERED if bundle.version is None else str(bundle.version)
        self.labels = [_plain(label) for label in bundle.labels]
        self.label_text = np.array([str(label) for label in self.labels], dtype=object)
        self.label_json = [orjson.dumps(label).decode() for label in self.labels]
        self.label_binary = np.array(
            [encode_element(text) for text in self.label_text], dtype=object
        )
        self.label_index = {label: i for i, label in enumerate(self.labels)}
        self._decide = bundle.decide if bundle.decision_rule else None

    def _check_golden(self, bundle) -> None:
        def served(rows: list[dict]) -> np.ndarray:
            request = decode_request(v2_request(bundle.schema, rows))
            arrays = columns_from_tensors(bundle.schema, request.inputs, request.n_rows)
            return self.predict(arrays, bundle)[0]

        bundle.check_golden(served, path="the V2 request path")

    def predict(self, columns: dict[str, np.ndarray], bundle=None) -> tuple[np.ndarray, np.ndarray]:
        """``(probabilities [n, k] float32, label index [n])`` for canonical arrays."""
        bundle = bundle or self.bundle
        proba = np.asarray(bundle.predict_proba_arrays(columns), dtype=np.float32)
        if self._decide is None:
            return proba, proba.argmax(axis=1)
        chosen = bundle.decide(proba)
        return proba, np.array(
            [self.label_index[_plain(label)] for label in chosen], dtype=np.int64
        )


def _plain(value):
    """A numpy scalar as the Python value JSON can carry."""
    return value.item() if isinstance(value, np.generic) else value
