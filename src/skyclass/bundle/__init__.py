"""skyclass.bundle: the safe, portable model artifact (ONNX + JSON), its registry and replication.

Example:
    >>> from skyclass.bundle import load
    >>> bundle = load("out/churn")  # doctest: +SKIP
    >>> bundle.predict([{"age": 40, "plan": "pro"}])  # doctest: +SKIP
"""

from skyclass.bundle._bundle import Bundle, load, read_files
from skyclass.bundle._save import save, write_zip

__all__ = ["Bundle", "load", "read_files", "save", "write_zip"]
