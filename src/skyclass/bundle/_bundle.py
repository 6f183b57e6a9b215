"""``Bundle``: a loaded, verified model bundle that predicts through onnxruntime."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from skyclass.bundle._format import (
    GOLDEN,
    GOLDEN_TOLERANCE,
    MANIFEST,
    MODEL,
    REFERENCE,
    check_files,
    parse_manifest,
    sha256,
)
from skyclass.bundle._trust import KeyLike, TrustedKey, verify_signature
from skyclass.bundle._trust import trusted_keys as trusted
from skyclass.data import DataQuality, Schema
from skyclass.errors import InputError, IntegrityError, NotFoundError

__all__ = ["Bundle", "read_files"]


class Bundle:
    """A model bundle in memory: manifest, schema, ONNX session, reference and golden rows.

    Get one with ``skyclass.bundle.load`` (or ``Registry.load``); the constructor is what
    they call with the bundle's files. A ``Bundle`` is read-only after construction, so one
    instance may serve predictions from several threads (onnxruntime sessions are
    thread-safe).

    Parameters
    ----------
    files : mapping of str to bytes
        The bundle's files (name → content), ``manifest.json`` included.
    source : str
        Where the files came from (a path or URL); named in every error and used by
        :meth:`verify` to re-read a local bundle.
    verify : bool
        Check every file's SHA-256 against the manifest and the golden rows (default True).
    trusted_keys : iterable of path or TrustedKey, optional
        When given, ``model.sig`` must verify by one of these keys before any other byte is
        interpreted (default None: no signature check).
    version : int, optional
        The registry version the files were stored as; a signed manifest naming another
        version is refused (a rollback). Default None: the manifest's own number, if any.

    Raises
    ------
    IntegrityError
        When the manifest is missing or invalid, a file is missing or altered, the signature
        fails, onnxruntime cannot load ``model.onnx`` or the golden rows are not reproduced.

    Example:
        >>> from skyclass.bundle import load
        >>> bundle = load("out/churn")  # doctest: +SKIP
        >>> bundle.predict([{"age": 40, "plan": "pro"}])  # doctest: +SKIP
        array(['no'], dtype=object)
    """

    def __init__(
        self,
        files: Mapping[str, bytes],
        *,
        source: str,
        verify: bool = True,
        trusted_keys: Iterable[KeyLike] | None = None,
        version: int | None = None,
    ) -> None:
        self.source = source
        # the signature is checked first, before any byte of the bundle is interpreted
        self.trusted_keys = None if trusted_keys is None else trusted(trusted_keys)
        self.signed_by = (
            None
            if self.trusted_keys is None
            else verify_signature(files, self.trusted_keys, source)
        )
        manifest_bytes = files.get(MANIFEST)
        if manifest_bytes is None:
            raise IntegrityError(f"{source}: no manifest.json; not a skyclass bundle")
        self.manifest: dict[str, Any] = parse_manifest(manifest_bytes, source)
        self._version = version
        _check_signed_version(self.manifest, version, self.signed_by, source)
        if verify:
            check_files(self.manifest, files, source)
        self._files = dict(files)
        self.schema = Schema.from_dict(self.manifest["schema"])
        self.labels: list[Any] = list(self.manifest["labels"])
        self._label_array = np.asarray(self.labels, dtype=object)
        self._reference: dict[str, Any] | None = None
        self.golden: list[dict[str, Any]] = self._json(GOLDEN)
        self._inputs = list(self.manifest["inputs"])
        try:
            self._session = ort.InferenceSession(files[MODEL], providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types
            raise IntegrityError(
                f"{source}: model.onnx cannot be loaded by onnxruntime ({err})"
            ) from err
        if verify:
            self.check_golden()

    # -- identity -------------------------------------------------------------
    @property
    def name(self) -> str:
        """The model name."""
        return self.manifest["name"]

    @property
    def manifest_sha256(self) -> str:
        """SHA-256 of ``manifest.json``: the bundle's identity (the manifest hashes every
        other file), as the registry records it and the prediction log stamps each row."""
        return sha256(self._files[MANIFEST])

    @property
    def version(self) -> int | None:
        """The registry version it was loaded as (``None`` for a bundle never pushed).

        A signed bundle is stored byte for byte, so its manifest may not carry the
        number; the registry's number (``version=`` of the constructor) comes first.
        """
        return self._version if self._version is not None else self.manifest.get("version")

    @property
    def target(self) -> str | None:
        """The name of the predicted column."""
        return self.manifest.get("target")

    @property
    def decision_rule(self) -> dict[str, Any] | None:
        """The decision rule dict (``None`` = argmax), as ``skyclass.metrics.rule_to_dict`` writes it."""
        return self.manifest.get("decision_rule")

    @property
    def reference(self) -> dict[str, Any]:
        """reference.json: training distributions for drift monitoring (parsed on first use)."""
        if self._reference is None:
            self._reference = self._json(REFERENCE)
        return self._reference

    @property
    def files(self) -> dict[str, bytes]:
        """Every file of the bundle (name → bytes), manifest included."""
        return dict(self._files)

    def __repr__(self) -> str:
        return f"Bundle(name={self.name!r}, version={self.version!r}, labels={self.labels!r})"

    # -- prediction -----------------------------------------------------------
    def predict_proba(self, data: Any, quality: DataQuality | None = None) -> np.ndarray:
        """Class probabilities for a table of rows.

        Input is validated with ``Schema.coerce`` rules; an unseen category encodes as all
        zeros.

        Parameters
        ----------
        data : DataFrame, list of dict or dict of columns
            The rows to score, with the training columns (columns the schema lacks are
            ignored).
        quality : DataQuality, optional
            Counter to add what had to be imputed, mapped to unknown or converted (default
            None: not counted).

        Returns
        -------
        numpy.ndarray
            ``[n_rows, n_classes]`` float32 probabilities, columns in the order of
            ``labels``.

        Raises
        ------
        InputError
            When a required column is missing (a left-out optional one is imputed and
            counted in ``quality``) or a cell cannot be read as its column's kind; the
            message names the column, row and value.
        """
        return self.predict_proba_arrays(self.schema.to_arrays(data, quality))

    def predict_proba_arrays(
        self, columns: Mapping[str, np.ndarray], quality: DataQuality | None = None
    ) -> np.ndarray:
        """Class probabilities from columns already in canonical form (the fast path).

        Parameters
        ----------
        columns : mapping of str to numpy.ndarray
            One 1-D array per input column, all of one length, as ``Schema.to_arrays``
            makes them: numeric/boolean/datetime → float64 (datetime as epoch seconds, NaN =
            missing; bool and datetime64 arrays are converted), categorical → str (``""`` =
            missing).
        quality : DataQuality, optional
            Counter to add their missing cells and unseen categories to (default None).

        Returns
        -------
        numpy.ndarray
            ``[n_rows, n_classes]`` float32 probabilities (``[0, n_classes]`` for no rows).

        Raises
        ------
        InputError
            When a column is missing, has another length than the others, or has the wrong
            dtype.
        """
        if quality is not None:
            self.schema.count_quality(columns, quality)
        feeds = {}
        n = None
        for spec in self._inputs:
            name = spec["name"]
            if name not in columns:
                raise InputError(f"missing column {name!r}; expected columns {self.schema.names}")
            arr = _feed_array(np.asarray(columns[name]), spec["type"], name)
            if n is None:
                n = len(arr)
            elif len(arr) != n:
                raise InputError(f"column {name!r} has {len(arr)} rows, other columns have {n}")
            feeds[name] = arr.reshape(-1, 1)
        if not n:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return self._session.run(["probabilities"], feeds)[0]

    def predict(self, data: Any) -> np.ndarray:
        """Predicted labels: the bundle's decision rule applied to :meth:`predict_proba`.

        Parameters
        ----------
        data : DataFrame, list of dict or dict of columns
            The rows to score (see :meth:`predict_proba`).

        Returns
        -------
        numpy.ndarray
            One label per row (object dtype), each one of ``labels``.
        """
        return self.decide(self.predict_proba(data))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Labels for probabilities: argmax, or the bundle's decision rule when it has one.

        Parameters
        ----------
        proba : numpy.ndarray
            ``[n_rows, n_classes]`` probabilities, columns in the order of ``labels``.

        Returns
        -------
        numpy.ndarray
            One label per row (object dtype).
        """
        proba = np.asarray(proba)
        rule = self.decision_rule
        if rule is None:
            return self._label_array[np.argmax(proba, axis=1)]
        # Decision rules are defined (and JSON round-tripped) by skyclass.metrics.
        from skyclass.metrics import decide

        chosen = decide(proba, rule, labels=self.labels)
        return np.asarray(chosen, dtype=object)

    # -- verification ---------------------------------------------------------
    def verify(self) -> None:
        """Re-check every file's hash (re-read from the source when it is a path) and the golden rows."""
        files = self._files
        if self.source and Path(self.source).exists():
            files = read_files(self.source)
        if self.trusted_keys is not None:
            verify_signature(files, self.trusted_keys, self.source)
        check_files(self.manifest, files, self.source)
        if files.get(MANIFEST) != self._files.get(MANIFEST):
            raise IntegrityError(
                f"{self.source}: manifest.json changed since the bundle was loaded"
            )
        self.check_golden()

    def check_golden(
        self,
        predict_proba: Callable[[list[dict]], np.ndarray] | None = None,
        *,
        path: str = "model.onnx",
    ) -> None:
        """Check that the golden rows reproduce their stored probabilities within 1e-5.

        Parameters
        ----------
        predict_proba : callable or None
            Turns the golden rows (records, as stored) into an ``[n, k]`` probability array;
            ``None`` uses ``self.predict_proba``. A server passes its own request path here, so
            the rows go through exactly what requests go through.
        path : str
            What produced the probabilities, named in the error (default ``"model.onnx"``).

        Raises
        ------
        IntegrityError
            When golden.json has no rows, its rows do not fit the schema, or a row's
            probabilities differ by more than 1e-5 (the row is named).
        """
        if not self.golden:
            raise IntegrityError(f"{self.source}: golden.json has no rows; cannot check the model")
        rows = [g["row"] for g in self.golden]
        expected = np.asarray([g["probabilities"] for g in self.golden], dtype=np.float64)
        try:
            got = np.asarray((predict_proba or self.predict_proba)(rows), dtype=np.float64)
        except InputError as err:
            raise IntegrityError(
                f"{self.source}: golden.json rows do not fit the schema ({err})"
            ) from err
        if got.shape != expected.shape:
            raise IntegrityError(
                f"{self.source}: {path} gives shape {got.shape} on golden.json, expected {expected.shape}"
            )
        diff = np.abs(got - expected).max(axis=1)
        worst = int(np.argmax(diff))
        if diff[worst] > GOLDEN_TOLERANCE:
            raise IntegrityError(
                f"{self.source}: golden.json row {worst}: {path} gives probabilities differing by "
                f"{diff[worst]:.3g} (> {GOLDEN_TOLERANCE}); the model does not reproduce its training"
            )

    def _json(self, name: str) -> Any:
        try:
            return json.loads(self._files[name])
        except (KeyError, ValueError, UnicodeDecodeError) as err:
            raise IntegrityError(
                f"{self.source}: {name} is missing or not valid JSON ({err})"
            ) from err


def _check_signed_version(
    manifest: Mapping[str, Any], version: int | None, signed_by: TrustedKey | None, where: str
) -> None:
    """A signed manifest that names a version must be loaded as that version (no rollback)."""
    signed = manifest.get("version")
    if signed_by is not None and version is not None and signed not in (None, version):
        raise IntegrityError(
            f"{where}: the signed manifest.json is version {signed} but it is stored as version "
            f"{version}: a signed bundle was copied over another version (a rollback?); "
            "restore that version from a trusted copy"
        )


def _feed_array(arr: np.ndarray, onnx_type: str, name: str) -> np.ndarray:
    if onnx_type == "string":
        if arr.dtype.kind in "US":
            return arr.astype(object)
        if arr.dtype == object:
            return np.array(["" if v is None or v != v else str(v) for v in arr], dtype=object)
        raise InputError(f"column {name!r}: expected strings, got an array of {arr.dtype}")
    if arr.dtype.kind == "M":
        values = arr.astype("datetime64[ns]")
        seconds = values.astype(np.int64).astype(np.float64) / 1e9
        seconds[np.isnat(values)] = np.nan
        return seconds
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64, copy=False)
    raise InputError(f"column {name!r}: expected numbers, got an array of {arr.dtype}")


def read_files(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every regular file of a bundle directory or ``.skyclass`` zip.

    Parameters
    ----------
    path : str or os.PathLike
        A local bundle directory or ``.skyclass`` zip (``file://`` accepted), or a remote
        one on any fsspec store (``s3://bucket/bundles/churn``, ``gs://.../churn.skyclass``).

    Returns
    -------
    dict of str to bytes
        File name → content (sub-folders are not read). Nothing is verified here.

    Raises
    ------
    NotFoundError
        When nothing is at ``path``.
    IntegrityError
        When a file is neither a directory nor a valid zip.
    """
    text = os.fspath(path)
    if "://" in text and not text.startswith("file://"):
        return _read_remote(text)
    p = Path(text.removeprefix("file://"))
    if p.is_dir():
        return {f.name: f.read_bytes() for f in sorted(p.iterdir()) if f.is_file()}
    if p.is_file():
        return _unzip(p.read_bytes(), str(p))
    raise NotFoundError(
        f"bundle {text!r} not found; give a bundle directory, .skyclass file or registry URI"
    )


def _unzip(data: bytes, where: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {
                info.filename: zf.read(info)
                for info in zf.infolist()
                if not info.is_dir() and "/" not in info.filename
            }
    except zipfile.BadZipFile as err:
        raise IntegrityError(
            f"{where}: not a bundle directory nor a valid .skyclass zip ({err})"
        ) from err


def _read_remote(url: str) -> dict[str, bytes]:
    from skyclass.bundle.stores import open_store

    store = open_store(url)
    names = store.listdir("")
    if names:
        return {name: store.read(name) or b"" for name in names}
    data = store.read("")
    if data is None:
        raise NotFoundError(f"bundle {url!r} not found (no such directory or .skyclass file)")
    return _unzip(data, url)
