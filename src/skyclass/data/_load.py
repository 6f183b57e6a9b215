"""Load a table (CSV/TSV/Parquet/JSON Lines) from a local path or an fsspec URL.

The format comes from the file name, else from the first bytes; the encoding
from a byte-order mark, else UTF-8, else Windows-1252; the delimiter from
:class:`csv.Sniffer`. pyarrow does the parsing, so a million rows load in seconds.

Example:
    >>> import pathlib, tempfile
    >>> from skyclass.data import load_table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("a;b\\n1;x\\n2;y\\n")
    >>> load_table(path).shape
    (2, 2)
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from skyclass.errors import InputError, NotFoundError

__all__ = ["iter_batches", "iter_table", "load_table", "sniff"]

_SAMPLE_BYTES = 1 << 16
_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")
_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


def _name_format(path: str) -> str | None:
    name = path.lower()
    for ext in _COMPRESSIONS:
        if name.endswith(ext):
            name = name[: -len(ext)]
    return _FORMATS.get(os.path.splitext(name)[1])


def _open(path: str, mode: str = "rb"):
    try:
        return fsspec.open(path, mode, compression="infer").open()
    except FileNotFoundError as err:
        raise NotFoundError(f"{path}: no such file; check the path or URL") from err
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, expected a table file") from err
    except ImportError as err:
        raise InputError(f"{path}: {err}; install skyclass[cloud] for s3/gs/az URLs") from err


def _exists(path: str) -> None:
    try:
        fs, _, paths = fsspec.get_fs_token_paths(path)
    except ImportError as err:
        raise InputError(f"{path}: {err}; install skyclass[cloud] for s3/gs/az URLs") from err
    if not fs.exists(paths[0]):
        raise NotFoundError(f"{path}: no such file; check the path or URL")
    if fs.isdir(paths[0]):
        raise InputError(f"{path}: is a directory, expected a table file")


def sniff(path: str | os.PathLike, *, encoding: str | None = None) -> dict:
    """Guess format, encoding and delimiter of a table file from its name and first bytes.

    Parameters
    ----------
    path : str or PathLike
        A local path or an ``s3://``, ``gs://``, ``az://`` URL.
    encoding : str, optional
        The text encoding to use instead of detecting it (BOM, UTF-8, else cp1252).

    Returns
    -------
    dict
        ``{"format": "csv"|"parquet"|"jsonl"|"json", "encoding": str|None,
        "delimiter": str|None}`` (a tab-separated file is ``"csv"`` with ``"\\t"``).

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InputError
        When it is empty, a directory, a broken Parquet file or not decodable.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
        >>> _ = p.write_bytes(b"a\\tb\\n1\\t2\\n")
        >>> sniff(p)["delimiter"] == "\\t"
        True
    """
    path = str(path)
    _exists(path)
    with _open(path) as handle:
        head = handle.read(_SAMPLE_BYTES)
    if not head.strip():
        raise InputError(f"{path}: the file is empty; give a table with a header row and data rows")
    fmt = _name_format(path)
    if head[:4] == b"PAR1":
        fmt = "parquet"
    if fmt == "parquet":
        if head[:4] != b"PAR1":
            raise InputError(f"{path}: not a Parquet file (no PAR1 magic); check the file")
        return {"format": "parquet", "encoding": None, "delimiter": None}
    if encoding is None:
        encoding = _sniff_encoding(path, head)
    try:
        text = head.decode(encoding, errors="strict" if len(head) < _SAMPLE_BYTES else "ignore")
    except LookupError as err:
        raise InputError(f"{path}: unknown encoding {encoding!r}; try utf-8 or cp1252") from err
    except UnicodeError as err:  # UnicodeDecodeError, or e.g. UTF-16 without its BOM
        at = f" (byte {err.start})" if isinstance(err, UnicodeDecodeError) else f" ({err})"
        raise InputError(
            f"{path}: cannot be decoded as {encoding}{at}; pass the right --encoding "
            "(e.g. utf-8, cp1252) or leave it out to detect it"
        ) from err
    stripped = text.lstrip()
    if fmt is None:
        fmt = "jsonl" if stripped.startswith("{") else "json" if stripped.startswith("[") else "csv"
    if fmt == "json" and stripped.startswith("{"):
        fmt = "jsonl"
    delimiter = None
    if fmt in ("csv", "tsv"):
        delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(text)
        fmt = "csv"
    return {"format": fmt, "encoding": encoding, "delimiter": delimiter}


def _sniff_encoding(path: str, head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if b"\x00" in head:
        raise InputError(
            f"{path}: binary content (NUL bytes), not a text table; give CSV/TSV/Parquet/JSON Lines"
        )
    # The sample may end inside a multi-byte character: ignore the last 3 bytes.
    body = head if len(head) < _SAMPLE_BYTES else head[:-3]
    for name in ("utf-8", "cp1252"):
        try:
            body.decode(name)
            return name
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{path}: unreadable text encoding (neither UTF-8 nor Windows-1252); "
        "re-save the file as UTF-8 or pass --encoding"
    )


def _sniff_delimiter(text: str) -> str:
    lines = text.splitlines()[:50]
    if len(lines) > 1 and len(text) >= _SAMPLE_BYTES:
        lines = lines[:-1]  # possibly cut mid-line
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",\t;|"} if lines else {}
        best = max(counts, key=counts.get) if counts else ","
        return best if counts.get(best) else ","


def _csv_options(info: dict, block_size: int | None = None):
    read = pacsv.ReadOptions(encoding=info["encoding"] or "utf8")
    if block_size:
        read.block_size = block_size
    parse = pacsv.ParseOptions(delimiter=info["delimiter"] or ",")
    convert = pacsv.ConvertOptions(strings_can_be_null=True)
    return read, parse, convert


def _read_arrow(path: str, info: dict) -> pa.Table:
    fmt = info["format"]
    with _open(path) as handle:
        try:
            if fmt == "parquet":
                return pq.read_table(handle)
            if fmt == "jsonl":
                return pajson.read_json(handle)
            if fmt == "json":
                raw = handle.read().decode(info["encoding"] or "utf-8")
                records = json.loads(raw)
                if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                    raise InputError(f"{path}: JSON must be a list of objects (one per row)")
                return pa.Table.from_pandas(
                    pd.DataFrame.from_records(records), preserve_index=False
                )
            return pacsv.read_csv(handle, *_csv_options(info))
        except (pa.ArrowInvalid, json.JSONDecodeError, UnicodeError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError(f"{path}: not a readable {fmt} table: {first}") from err


def _to_pandas(table: pa.Table, path: str) -> pd.DataFrame:
    frame = table.to_pandas()
    if frame.shape[1] == 0:
        raise InputError(f"{path}: no columns found; give a table with a header row")
    names = [str(c) for c in frame.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"{path}: duplicate column names {duplicates}; rename them")
    frame.columns = names
    return frame


def load_table(
    path: str | os.PathLike | pd.DataFrame,
    *,
    encoding: str | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Read a whole table into a DataFrame (local path or ``s3://``, ``gs://``, ``az://`` URL).

    A DataFrame passes through unchanged. A missing file raises ``NotFoundError``;
    an empty file, a binary file, an unreadable encoding or unparsable content
    raise ``InputError`` naming the file.

    Parameters
    ----------
    path : str, PathLike or DataFrame
        The table file (csv, tsv, parquet, jsonl, json; format sniffed), or a DataFrame.
    encoding : str, optional
        Text encoding of a csv/json file; detected when left out.
    allow_empty : bool
        Accept a table with a header and no rows (else ``InputError``).

    Returns
    -------
    DataFrame
        The whole table.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.jsonl"
        >>> _ = p.write_text('{"a": 1}\\n{"a": 2}\\n')
        >>> load_table(p)["a"].tolist()
        [1, 2]
    """
    if isinstance(path, pd.DataFrame):
        return path
    path = str(path)
    info = sniff(path, encoding=encoding)
    frame = _to_pandas(_read_arrow(path, info), path)
    if len(frame) == 0 and not allow_empty:
        raise InputError(f"{path}: the table has a header but no rows; add data rows")
    return frame


def iter_batches(
    path: str | os.PathLike, *, chunk_rows: int = 65536, encoding: str | None = None
) -> Iterator[pa.Table]:
    """Yield a table as pyarrow Tables of about ``chunk_rows`` rows, reading it piece by piece.

    CSV and Parquet files are streamed; JSON files are read whole and then sliced.

    Parameters
    ----------
    path : str or PathLike
        The table file or URL.
    chunk_rows : int
        Rows per yielded table (the last one holds what is left).
    encoding : str, optional
        Text encoding; detected when left out.

    Yields
    ------
    pyarrow.Table
        The next ``chunk_rows`` rows, with the file's column types.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("a\\n" + "\\n".join(map(str, range(10))) + "\\n")
        >>> [t.num_rows for t in iter_batches(p, chunk_rows=4)]
        [4, 4, 2]
    """
    path = str(path)
    info = sniff(path, encoding=encoding)
    if info["format"] == "parquet":
        with _open(path) as handle:
            for batch in pq.ParquetFile(handle).iter_batches(batch_size=chunk_rows):
                yield pa.Table.from_batches([batch])
        return
    if info["format"] != "csv":
        table = pa.Table.from_pandas(load_table(path, encoding=encoding), preserve_index=False)
        for start in range(0, table.num_rows, chunk_rows):
            yield table.slice(start, chunk_rows)
        return
    pending: list[pa.RecordBatch] = []
    rows = 0
    with _open(path) as handle:
        try:
            # Small blocks parse fastest; they are joined into chunks of ``chunk_rows`` rows.
            reader = pacsv.open_csv(handle, *_csv_options(info, block_size=1 << 20))
            for batch in reader:
                pending.append(batch)
                rows += batch.num_rows
                while rows >= chunk_rows:
                    table = pa.Table.from_batches(pending)
                    yield table.slice(0, chunk_rows)
                    rest = table.slice(chunk_rows)
                    pending, rows = rest.to_batches(), rest.num_rows
        except (pa.ArrowInvalid, UnicodeError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError(f"{path}: not a readable csv table: {first}") from err
    if rows:
        yield pa.Table.from_batches(pending)


def iter_table(
    path: str | os.PathLike, *, chunk_rows: int = 65536, encoding: str | None = None
) -> Iterator[pd.DataFrame]:
    """Yield a table in chunks of about ``chunk_rows`` rows without reading it all at once.

    The pandas form of :func:`iter_batches`: each chunk is converted as
    :func:`load_table` converts a whole table.

    Parameters
    ----------
    path : str or PathLike
        Where the table is (local file or cloud URL).
    chunk_rows : int
        Size of each DataFrame; ``predict`` scores one at a time.
    encoding : str, optional
        Forces the text encoding of a csv/json file.

    Yields
    ------
    DataFrame
        The next chunk, indexed from 0.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("a\\n" + "\\n".join(map(str, range(10))) + "\\n")
        >>> sum(len(c) for c in iter_table(p, chunk_rows=4))
        10
    """
    for table in iter_batches(path, chunk_rows=chunk_rows, encoding=encoding):
        yield _to_pandas(table, str(path))
