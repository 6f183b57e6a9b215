"""The one error hierarchy of skyclass.

Every message says what was wrong, where (column, row, field, file) and what
to do. ``InputError`` is also a ``ValueError`` so scikit-learn-style callers
that catch ``ValueError`` keep working.

Example:
    >>> from skyclass.errors import InputError
    >>> try:
    ...     raise InputError("column 'age': row 3 is 'abc', expected a number; fix the value")
    ... except ValueError as err:
    ...     print(type(err).__name__)
    InputError
"""


class SkyclassError(Exception):
    """Base class of every error skyclass raises on purpose."""


class InputError(SkyclassError, ValueError):
    """Bad data or arguments from the user (CLI exit code 2, HTTP 400)."""


class NotFoundError(SkyclassError, LookupError):
    """A file, model, version, alias or region that does not exist (HTTP 404)."""


class IntegrityError(SkyclassError):
    """Stored content failed verification: a hash, a size, golden rows."""


class ConfigError(SkyclassError, ValueError):
    """An invalid configuration or spec file (names the field path and line)."""
