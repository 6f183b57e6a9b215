"""The status table (``skyclass status``) as a rich Table, for the CLI and for scripts.

Example:
    >>> table = status_table("tickets", "http://127.0.0.1:8000", [])
    >>> table.columns[0].header
    'region'
"""

from __future__ import annotations

from rich.table import Table

_HEADERS = (
    "region",
    "cloud",
    "zone",
    "ready",
    "version",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "$/hour",
    "$ so far",
)


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def status_table(name: str, gateway_url: str, rows: list[dict]) -> Table:
    """The ``skyclass status`` table: one line per region.

    Parameters
    ----------
    name : str
        The deployment's name (in the title).
    gateway_url : str
        Its gateway's base URL (in the title).
    rows : list of dict
        The rows of :meth:`Deployment.status`.

    Returns
    -------
    rich.table.Table
        Region, cloud, zone, ready/wanted, version, req/s, p50 and p99 ms, error rate,
        $/hour and $ so far; print it with a ``rich`` console.
    """
    table = Table(title=f"{name} — gateway {gateway_url}")
    for header in _HEADERS:
        table.add_column(header)
    for row in rows:
        table.add_row(
            row["region"],
            row["cloud"],
            row["zone"],
            f"{row['ready']}/{row['replicas']}",
            row["model_version"],
            _fmt(row["rps"], 1),
            _fmt(row["p50_ms"], 2),
            _fmt(row["p99_ms"], 2),
            f"{row['error_rate']:.1%}",
            f"{row['cost_per_hour']:.2f}",
            f"{row['dollars']:.4f}",
        )
    return table
