"""skyclass.bundle: the safe, portable model artifact (ONNX + JSON), its registry and replication.

Example:
    >>> from skyclass.bundle import Registry, load, replicate
    >>> bundle = load("out/churn")  # doctest: +SKIP
    >>> version = Registry("s3://models/registry").push("out/churn", sign="team.key")  # doctest: +SKIP
    >>> load("s3://models/registry/churn@latest", trusted_keys=["team.pub"])  # doctest: +SKIP
"""

from skyclass.bundle._bundle import Bundle, read_files
from skyclass.bundle._load import load
from skyclass.bundle._registry import Registry, load_uri, parse_uri
from skyclass.bundle._replicate import replicate
from skyclass.bundle._save import save, write_zip
from skyclass.bundle._sign import SigningKey, generate_key, sign
from skyclass.bundle._signature import SIGNATURE
from skyclass.bundle._trust import TrustedKey, trusted_keys, verify_signature

# What Bundle.predict_proba(data, quality) counts; re-exported for serving, which imports bundle only.
from skyclass.data import DataQuality

__all__ = [
    "SIGNATURE",
    "Bundle",
    "DataQuality",
    "Registry",
    "SigningKey",
    "TrustedKey",
    "generate_key",
    "load",
    "load_uri",
    "parse_uri",
    "read_files",
    "replicate",
    "save",
    "sign",
    "trusted_keys",
    "verify_signature",
    "write_zip",
]
