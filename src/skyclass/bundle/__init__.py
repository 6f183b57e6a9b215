"""skyclass.bundle: the safe, portable model artifact (ONNX + JSON), its registry and replication.

Example:
    >>> from skyclass.bundle import Registry, load, replicate
    >>> bundle = load("out/churn")  # doctest: +SKIP
    >>> version = Registry("s3://models/registry").push("out/churn")  # doctest: +SKIP
    >>> load("s3://models/registry/churn@latest").predict([{"age": 40}])  # doctest: +SKIP
"""

from skyclass.bundle._bundle import Bundle, read_files
from skyclass.bundle._load import load
from skyclass.bundle._registry import Registry, load_uri, parse_uri
from skyclass.bundle._replicate import replicate
from skyclass.bundle._save import save, write_zip

__all__ = [
    "Bundle",
    "Registry",
    "load",
    "load_uri",
    "parse_uri",
    "read_files",
    "replicate",
    "save",
    "write_zip",
]
