"""``DataQuality``: what scoring had to impute, map to "unknown" or convert, counted per column.

``Schema.to_arrays(data, quality=q)`` fills one in: a column left out of the input
(every row imputed), missing cells (null, NaN or a placeholder such as ``?``, imputed as
in training), categories never seen in training (encoded as "unknown", all zeros) and
values converted to the column's type (a number written as text). ``predict``,
``evaluate`` and ``serve`` report it; with ``--strict`` any of it is an error.

Example:
    >>> q = DataQuality()
    >>> q.add_rows(10)
    >>> q.count("missing_columns", "income", 10)
    >>> q.count("unseen", "plan", 2, examples=["gold"])
    >>> print("\\n".join(q.lines()))
    column 'income' is missing from the input: all 10 rows imputed
    column 'plan': 2 of 10 values are categories unseen in training, scored as unknown (e.g. 'gold')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from skyclass.errors import InputError

__all__ = ["KINDS_OF_ISSUE", "DataQuality"]

#: what is counted, in the order it is reported
KINDS_OF_ISSUE = ("missing_columns", "missing_values", "unseen", "coerced")
_MAX_EXAMPLES = 3


@dataclass
class DataQuality:
    """Per issue kind (``KINDS_OF_ISSUE``): column → cells affected; plus the rows seen.

    Attributes
    ----------
    rows : int
        Rows scored so far (the denominator of every sentence in :meth:`lines`).
    missing_columns : dict of str to int
        Optional columns left out of the input → rows imputed because of it.
    missing_values : dict of str to int
        Column → missing cells (null, NaN or a training placeholder such as ``?``).
    unseen : dict of str to int
        Categorical column → cells holding a category training never saw.
    coerced : dict of str to int
        Column → cells converted to the column's type (a number written as text).
    examples : dict of str to list of str
        Column → up to three example values of its issue (the unseen categories).
    """

    rows: int = 0
    missing_columns: dict[str, int] = field(default_factory=dict)
    missing_values: dict[str, int] = field(default_factory=dict)
    unseen: dict[str, int] = field(default_factory=dict)
    coerced: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add_rows(self, n: int) -> None:
        """Count ``n`` more scored rows.

        Parameters
        ----------
        n : int
            Rows scored in one request or chunk.
        """
        self.rows += int(n)

    def count(
        self, kind: str, column: str, cells: int, examples: Iterable[object] = ()
    ) -> None:
        """Add ``cells`` affected cells of ``column`` under ``kind``; keep a few example values.

        Parameters
        ----------
        kind : str
            One of ``KINDS_OF_ISSUE`` (``"missing_columns"``, ``"missing_values"``,
            ``"unseen"``, ``"coerced"``).
        column : str
            The input column the cells are in.
        cells : int
            How many cells; zero or less counts nothing.
        examples : iterable, optional
            Offending values; their text is kept, up to three per column, without repeats.
        """
        if cells <= 0:
            return
        counts = getattr(self, kind)
        counts[column] = counts.get(column, 0) + int(cells)
        if examples:
            kept = self.examples.setdefault(column, [])
            for value in examples:
                if len(kept) >= _MAX_EXAMPLES:
                    break
                if str(value) not in kept:
                    kept.append(str(value))

    def merge(self, other: DataQuality) -> None:
        """Add ``other``'s counts (e.g. one chunk of a file) to these.

        Parameters
        ----------
        other : DataQuality
            The counts to add; it is not changed.
        """
        self.add_rows(other.rows)
        for kind in KINDS_OF_ISSUE:
            for column, cells in getattr(other, kind).items():
                self.count(kind, column, cells, other.examples.get(column, ()))

    def __bool__(self) -> bool:
        return any(getattr(self, kind) for kind in KINDS_OF_ISSUE)

    def totals(self) -> dict[str, int]:
        """Cells affected per issue kind, summed over columns.

        Returns
        -------
        dict of str to int
            Every kind of ``KINDS_OF_ISSUE``, in order, e.g. ``{"missing_columns": 0,
            "missing_values": 3, ...}``.
        """
        return {kind: sum(getattr(self, kind).values()) for kind in KINDS_OF_ISSUE}

    def lines(self) -> list[str]:
        """One sentence per column and issue, missing columns first.

        Returns
        -------
        list of str
            What ``predict`` and ``evaluate`` print; empty when nothing was counted.
        """
        out = []
        for column, cells in self.missing_columns.items():
            out.append(f"column {column!r} is missing from the input: all {cells:,} rows imputed")
        for column, cells in self.missing_values.items():
            if column not in self.missing_columns:
                out.append(
                    f"column {column!r}: {cells:,} of {self.rows:,} values missing, imputed as in training"
                )
        for column, cells in self.unseen.items():
            seen = ", ".join(repr(v) for v in self.examples.get(column, []))
            out.append(
                f"column {column!r}: {cells:,} of {self.rows:,} values are categories unseen in "
                f"training, scored as unknown" + (f" (e.g. {seen})" if seen else "")
            )
        for column, cells in self.coerced.items():
            out.append(
                f"column {column!r}: {cells:,} values converted to the column's type "
                "(e.g. numbers written as text)"
            )
        return out

    def header(self) -> str:
        """A compact HTTP header value of the non-zero counts, e.g. ``missing_values=3 (age); unseen=1 (plan)``.

        Returns
        -------
        str
            ``kind=cells (columns)`` per non-zero kind, joined by ``"; "``; empty when clean.

        Example:
            >>> DataQuality(rows=2, missing_values={"age": 2, "x": 1}).header()
            'missing_values=3 (age, x)'
        """
        parts = []
        for kind in KINDS_OF_ISSUE:
            counts = getattr(self, kind)
            if counts:
                parts.append(f"{kind}={sum(counts.values())} ({', '.join(counts)})")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        """JSON-safe form: rows, totals and the per-column counts.

        Returns
        -------
        dict
            ``rows``, ``totals`` (:meth:`totals`), one column → cells mapping per kind and
            ``examples``; :meth:`from_dict` reads it back.
        """
        return {
            "rows": self.rows,
            "totals": self.totals(),
            **{kind: dict(getattr(self, kind)) for kind in KINDS_OF_ISSUE},
            "examples": {k: list(v) for k, v in self.examples.items()},
        }

    def to_json(self) -> str | None:
        """Compact JSON of the non-empty counts (the prediction log's ``quality``); ``None``
        when clean, so a clean request costs nothing.

        Returns
        -------
        str or None
            One line of JSON without spaces, or ``None`` when nothing was counted.

        Example:
            >>> DataQuality(rows=2, unseen={"plan": 1}, examples={"plan": ["gold"]}).to_json()
            '{"rows":2,"unseen":{"plan":1},"examples":{"plan":["gold"]}}'
            >>> DataQuality(rows=2).to_json() is None
            True
        """
        if not self:
            return None
        out: dict = {"rows": self.rows}
        for kind in KINDS_OF_ISSUE:
            if getattr(self, kind):
                out[kind] = getattr(self, kind)
        if self.examples:
            out["examples"] = self.examples
        return json.dumps(out, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataQuality:
        """The counts of ``to_json()`` / ``to_dict()`` back (unknown keys ignored).

        Parameters
        ----------
        data : mapping
            A parsed ``to_json()`` or ``to_dict()``; a missing kind counts nothing.

        Returns
        -------
        DataQuality
            New counts (counts as ``int``, columns and examples as ``str``).

        Example:
            >>> DataQuality.from_dict({"rows": 3, "missing_values": {"age": 1}}).totals()
            {'missing_columns': 0, 'missing_values': 1, 'unseen': 0, 'coerced': 0}
        """
        return cls(
            rows=int(data.get("rows", 0)),
            **{
                kind: {str(k): int(v) for k, v in (data.get(kind) or {}).items()}
                for kind in KINDS_OF_ISSUE
            },
            examples={
                str(k): [str(v) for v in vs] for k, vs in (data.get("examples") or {}).items()
            },
        )

    def check_strict(self, where: str = "input") -> None:
        """``InputError`` listing every issue (the ``--strict`` rule); nothing when clean.

        Parameters
        ----------
        where : str
            What was scored, the start of the message (``"input"``, a file name).

        Raises
        ------
        InputError
            When anything was counted: every sentence of :meth:`lines` and how to fix it.
        """
        if self:
            raise InputError(
                f"{where} needs imputation or unknown categories (--strict): "
                + "; ".join(self.lines())
                + "; fix the data or drop --strict"
            )
