"""How training read each text column, so predict, evaluate and serve read it the same way.

``read_formats(frame, target)`` looks at the text columns of a freshly loaded training
table and fixes two things a CSV reader cannot know:

* **placeholders**: a column of numbers with a few cells like ``?``, ``-``, ``n/a`` or
  ``missing`` is numbers with missing values, not a categorical column; those cells become
  missing and the tokens are recorded (``ColumnSchema.missing_values``);
* **date formats**: ``Jan-2018`` or ``31/12/2024`` are dates in one format; the column is
  parsed with it and the format recorded (``ColumnSchema.date_format``). ISO-8601 columns
  need no record: every entry point reads ISO-8601.

``infer_schema(frame, formats=result.formats)`` stores both in the schema, so the bundle
carries them, and ``Schema.to_arrays`` applies them to every later input. Each change is a
``note`` for the training log.

Example:
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"age": ["31", "?", "45"], "month": ["Jan-2018", "Feb-2018", None]})
    >>> result = read_formats(raw)
    >>> result.frame["age"].tolist()[1], result.formats
    (nan, {'age': {'missing_values': ['?']}, 'month': {'date_format': '%b-%Y'}})
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["NULL_TOKENS", "ReadFormats", "read_formats"]

#: strings every entry point reads as a missing value in a numeric, boolean or datetime
#: column (pyarrow's CSV null values, which training already read as missing, plus ``?``)
NULL_TOKENS = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"}
    | {"N/A", "NA", "NULL", "NaN", "n/a", "nan", "null", "None", "none", "?"}
)
#: placeholder words (compared in lower case) besides punctuation-only cells like ``?`` or ``--``
_PLACEHOLDER_WORDS = frozenset(
    {"na", "n/a", "n.a.", "nan", "null", "none", "missing", "unknown", "nil", "empty", "blank"}
)
_PUNCTUATION = re.compile(r"^[^\w\s]{1,3}$")
_DATE_HINT = r"\d[-/:.]\d|\d{4}"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_MAX_TOKENS = 5
#: formats tried when pandas cannot guess one from the first value (month-year first)
_FORMATS = (
    *("%b-%Y", "%b-%y", "%B-%Y", "%b %Y", "%B %Y", "%m/%Y", "%m-%Y", "%Y/%m", "%Y%m"),
    *("%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d, %Y"),
    *("%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d"),
)


@dataclass
class ReadFormats:
    """The training frame as it should be read, what was recorded per column, and why.

    Attributes
    ----------
    frame : DataFrame
        A copy of the table with placeholder cells missing and formatted dates parsed.
    formats : dict of str to dict
        Column → ``{"missing_values": [tokens]}`` or ``{"date_format": format}``; what
        ``infer_schema(..., formats=...)`` records in the schema.
    notes : list of str
        One sentence per changed column, for the training log.
    """

    frame: pd.DataFrame
    formats: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_placeholder(text: str) -> bool:
    """``?``, ``--``, ``n/a``, ``missing``: a cell that stands for "no value"."""
    stripped = text.strip()
    return (
        stripped == ""
        or stripped.lower() in _PLACEHOLDER_WORDS
        or bool(_PUNCTUATION.match(stripped))
    )


def read_formats(frame: pd.DataFrame, target: str | None = None) -> ReadFormats:
    """Placeholders and date formats of ``frame``'s text columns (the target is left alone).

    Parameters
    ----------
    frame : DataFrame
        The training table as loaded (not changed).
    target : str, optional
        The target column, which is read as it is.

    Returns
    -------
    ReadFormats
        The re-read frame, the formats to record and a note per change.
    """
    out = frame.copy()
    result = ReadFormats(out)
    for name in frame.columns:
        series = frame[name]
        if name == target or not _is_text(series):
            continue
        present = series.dropna().astype(str)
        if present.empty:
            continue
        numbers = pd.to_numeric(present.str.strip(), errors="coerce")
        if _placeholders(present, numbers, name, out, result):
            continue
        _dates(present, name, out, result)
    return result


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object


def _placeholders(present, numbers, name, out, result) -> bool:
    """Numbers plus a few placeholder tokens → numeric with those cells missing."""
    bad = present[numbers.isna()]
    if bad.empty or numbers.notna().sum() == 0:
        return False
    tokens = sorted(set(bad.str.strip()))
    if len(tokens) > _MAX_TOKENS or not all(is_placeholder(t) for t in tokens):
        return False
    values = pd.to_numeric(out[name].astype(object).where(out[name].notna(), None), errors="coerce")
    out[name] = values.astype(np.float64)
    result.formats[name] = {"missing_values": tokens}
    shown = ", ".join(repr(t) for t in tokens)
    result.notes.append(
        f"column {name!r}: {len(bad):,} cells {shown} read as missing values (the other "
        f"{int(numbers.notna().sum()):,} are numbers), so the column stays numeric; predict, "
        "evaluate and serve read them the same way"
    )
    return True


def _format_of(present: pd.Series, sample: pd.Series) -> str | None:
    """The first format that reads every value (pandas' guess first), else ``"mixed"``
    when dateutil reads nearly all of them (as the training validator does), else ``None``."""
    first = str(sample.iloc[0])
    with warnings.catch_warnings():  # "parsing dates in %d/%m/%Y format when dayfirst=False"
        warnings.simplefilter("ignore", UserWarning)
        guesses = [
            pd.tseries.api.guess_datetime_format(first),
            pd.tseries.api.guess_datetime_format(first, dayfirst=True),
        ]
    for candidate in dict.fromkeys([g for g in guesses if g] + list(_FORMATS)):
        if pd.to_datetime(sample, format=candidate, errors="coerce").notna().all():
            if pd.to_datetime(present, format=candidate, errors="coerce").notna().all():
                return candidate
    try:
        mixed = pd.to_datetime(sample, format="mixed", errors="coerce")
    except (ValueError, TypeError):
        return None
    return "mixed" if mixed.notna().mean() >= 0.95 else None


def _dates(present, name, out, result) -> None:
    """One non-ISO date format fitting every value → parse with it and record it."""
    sample = present.head(200)
    if not sample.str.contains(_DATE_HINT, regex=True).all():
        return
    if sample.str.fullmatch(r"[+-]?\d+(\.\d+)?").any() or sample.map(_ISO.match).notna().all():
        return
    guess = _format_of(present, sample)
    if guess is None:
        return
    column = pd.to_datetime(out[name].astype(object), format=guess, errors="coerce")
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    out[name] = column
    result.formats[name] = {"date_format": guess}
    result.notes.append(
        f"column {name!r}: dates in the format {guess!r} (e.g. {present.iloc[0]!r}); predict, "
        "evaluate and serve accept that format as well as ISO-8601"
    )
