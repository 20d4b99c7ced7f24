"""How `broadsheet sql` writes a result: a table fitted to the terminal (off a terminal, a plain
one that keeps every character), CSV, JSON, or a Parquet file.

Only DuckDB (and rich, for a terminal) is imported: the command must start in well under a
second, and `pipeline.lake` would bring pyarrow and pandas along.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import duckdb
    from rich.console import Console

FORMATS = ("table", "csv", "json", "parquet")
BATCH_ROWS = 2048
# Off a terminal, columns are padded to their widest value up to this many characters; a longer
# value is written whole and shifts the rest of its row.
PAD_CAP = 40
# In a terminal, a column gets at least this many characters (fewer if its values are shorter);
# when that cannot fit the width, each row is shown as a block of `column  value` lines.
MIN_COLUMN = 10
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def rows(cursor: duckdb.DuckDBPyConnection) -> Iterator[tuple[Any, ...]]:
    """The rows of an executed query, fetched in batches."""
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from batch


def write_csv(columns: Sequence[str], data: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A header, then one line per row; lists and structs as JSON, NULL as an empty cell."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for row in data:
        w.writerow([_csv_cell(v) for v in row])


def write_json(columns: Sequence[str], data: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A JSON array of one object per row, streamed (the same text `json.dumps(rows,
    indent=2)` gives); what JSON has no type for (dates, decimals) as strings."""
    first = True
    for row in data:
        obj = json.dumps(dict(zip(columns, row, strict=True)), indent=2, default=str)
        out.write(("[\n" if first else ",\n") + "  " + obj.replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


def write_parquet(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write the query's result to a Parquet file (zstd), whole or not at all; its row count."""
    rel = con.sql(query)
    if rel is None:
        raise ValueError("the statement returns no rows to write")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        rel.write_parquet(str(tmp), compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    found = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
    return int(found[0]) if found else 0


def write_plain(columns: Sequence[str], data: Iterable[Sequence[Any]], out: TextIO) -> None:
    """Aligned columns with every character kept: newlines, tabs and backslashes escaped, no
    value cut, whatever the width (for pipes, files and logs)."""
    cells = [[_flat(v) for v in row] for row in data]
    head = [_flat(c) for c in columns]
    widths = [min(PAD_CAP, max(map(_width, col))) for col in zip(head, *cells, strict=True)]

    def line(values: Sequence[str]) -> str:
        padded = (v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))
        return " | ".join(padded).rstrip() + "\n"

    out.write(line(head))
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row))


def write_terminal(columns: Sequence[str], data: Iterable[Sequence[Any]], console: Console) -> None:
    """A table fitted to the console's width, long values wrapped, never cut; when the columns
    cannot each get a readable width, one block per row instead."""
    from rich.table import Table
    from rich.text import Text

    cells = [["" if v is None else str(v) for v in row] for row in data]
    natural = [max(map(_width, col)) for col in zip(columns, *cells, strict=True)]
    mins = [min(n, MIN_COLUMN) for n in natural]
    if sum(mins) + 3 * len(columns) + 1 <= console.width:
        table = Table()
        for name, least in zip(columns, mins, strict=True):
            table.add_column(Text(name), min_width=least, overflow="fold")
        for row in cells:
            table.add_row(*(Text(v) for v in row))
        console.print(table)
        return
    if not cells:
        console.print(f"no rows ({len(columns)} columns)")
    label = max(map(_width, columns))
    for i, row in enumerate(cells, 1):
        console.rule(f"row {i}", align="left")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", min_width=min(label, console.width // 3), overflow="fold")
        grid.add_column(overflow="fold")
        for name, v in zip(columns, row, strict=True):
            grid.add_row(Text(name), Text(v))
        console.print(grid)


def _flat(v: Any) -> str:
    return "" if v is None else str(v).translate(_ESCAPES)


def _csv_cell(v: Any) -> Any:
    if isinstance(v, list | dict | tuple):
        return json.dumps(v, default=str, ensure_ascii=False)
    return v


def _width(s: str) -> int:
    """Terminal cells a string takes: wide (CJK) characters two, combining marks none."""
    if s.isascii():
        return len(s)
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in s
    )
