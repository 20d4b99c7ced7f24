"""CSV exports of articles: a header row, then one article per row, columns found by `fields`.

Rows are cut from the decompressed bytes by a small quote-aware scanner (a quoted cell may span
lines), so no more than `max_bytes` of a row is ever held: a longer row is dropped unread and
quarantined as `too_large`, and the next row is read. Each row is then parsed by the csv module
(cells bounded by csv.field_size_limit). A bad row is one quarantine row, never an exception.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.config import CsvSource, JsonlFields
from pipeline.records import Hints, InputFormat, RawDoc, Reason, Rejected, excerpt
from pipeline.sources import files
from pipeline.sources.files import READ_ERRORS, NotRegular, ReadTimeout, TooLarge
from pipeline.sources.registry import ReadContext, SourceType

CSV_SUFFIXES = (".csv",)
# A row of an export carries mapped fields and a `path:line` reference, as a JSONL line does;
# a value of its own would be a new member of the contract's closed set of input formats.
FORMAT: InputFormat = "jsonl"

_QUOTE = b'"'
_QUOTED_BODY = re.compile(rb'[^"]*(?:""[^"]*)*')  # up to a quote that is not a doubled one
_START, _FIELD, _QUOTED, _QUOTE_END = range(4)  # where the scanner is within a row


def rows(blocks: Iterable[bytes], delimiter: bytes, cap: int) -> Iterator[tuple[int, bytes | None]]:
    """(line the row starts on, its bytes) for every row, blank ones included; None for a row
    over `cap` bytes. A row ends at a newline outside quotes; a quote opens a quoted cell only
    at the start of a cell, as the csv module reads it."""
    return iter(_Rows(blocks, delimiter, cap))


class _Rows:
    """The scanner of `rows`; `line` is where the row being read starts (for a failure's ref)."""

    def __init__(self, blocks: Iterable[bytes], delimiter: bytes, cap: int) -> None:
        self.blocks = blocks
        self.delimiter = delimiter
        self.cap = cap
        self.line = 1

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        delimiter, cap = self.delimiter, self.cap
        ends = re.compile(rb"\n|" + re.escape(delimiter) + _QUOTE)  # a row's end or a quoted cell
        state, newlines, size = _START, 0, 0
        parts: list[bytes] = []
        for block in self.blocks:
            pos = start = 0  # `start`: where the current row's bytes begin in this block
            n = len(block)
            while pos < n:
                if state in (_START, _QUOTE_END):
                    # At a cell's start a quote opens it; after a quote that ended the last
                    # block, a second one is an escaped quote, anything else follows a closing one.
                    if block[pos : pos + 1] == _QUOTE:
                        state, pos = _QUOTED, pos + 1
                    else:
                        state = _FIELD
                elif state == _QUOTED:
                    end = _QUOTED_BODY.match(block, pos).end()  # type: ignore[union-attr]
                    if end < n - 1:  # a closing quote: the rest of the cell is unquoted
                        state, pos = _FIELD, end + 1
                    else:  # all quoted, or a quote at the block's end that may be half of ""
                        state, pos = (_QUOTE_END if end == n - 1 else _QUOTED), n
                elif (m := ends.search(block, pos)) is None:
                    state = _START if block.endswith(delimiter) else _FIELD
                    pos = n
                elif m.group() != b"\n":
                    state, pos = _QUOTED, m.end()
                else:
                    piece = block[start : m.end()]
                    newlines += piece.count(b"\n")
                    size += len(piece)
                    yield self.line, (b"".join([*parts, piece]) if size <= cap else None)
                    self.line += newlines
                    state, pos, start, newlines, size, parts = _START, m.end(), m.end(), 0, 0, []
            piece = block[start:]
            newlines += piece.count(b"\n")
            size += len(piece)
            if size <= cap:
                parts.append(piece)
            else:
                parts.clear()
        if size:
            yield self.line, (b"".join(parts) if size <= cap else None)


class _Header:
    """Which column holds each mapped field (the first of that name)."""

    def __init__(self, cells: list[str], fields: JsonlFields) -> None:
        index: dict[str, int] = {}
        for i, name in enumerate(cells):
            index.setdefault(name.strip(), i)
        self.width = len(cells)
        self.fields = fields
        self._at = {
            field: index[column]
            for field, column in fields.model_dump().items()
            if column and column in index
        }

    def cell(self, cells: list[str], field: str) -> str | None:
        i = self._at.get(field)
        value = cells[i] if i is not None else None
        return value if value and value.strip() else None

    def cells_list(self, cells: list[str], field: str) -> tuple[str, ...]:
        value = self.cell(cells, field) or ""
        return tuple(p.strip() for p in value.split(";") if p.strip())


def _parse(data: bytes, delimiter: str, limit: int, first: bool) -> list[str] | tuple[Reason, str]:
    """The cells of one row, or why it has none."""
    try:
        text = data.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as e:
        return "decode_error", f"not UTF-8: {e}"
    old = csv.field_size_limit(min(limit, 2**31 - 1))
    try:
        parsed = list(csv.reader([text], delimiter=delimiter))
    except csv.Error as e:
        return "bad_record", f"not a CSV row: {e}"
    finally:
        csv.field_size_limit(old)
    if len(parsed) != 1:
        return "bad_record", f"not one CSV row but {len(parsed)}"
    return parsed[0]


def _doc(source: str, ref: str, cells: list[str], header: _Header, raw: bytes) -> RawDoc | Rejected:
    if len(cells) != header.width:
        msg = f"{len(cells)} cells where the header has {header.width}"
        return Rejected(source, ref, FORMAT, "read", "bad_record", msg, excerpt(raw))
    hints = Hints(
        url=header.cell(cells, "url"),
        title=header.cell(cells, "title"),
        description=header.cell(cells, "description"),
        published_at=header.cell(cells, "published_at"),
        modified_at=header.cell(cells, "modified_at"),
        authors=header.cells_list(cells, "authors"),
        sitename=header.cell(cells, "sitename"),
        language=header.cell(cells, "language"),
        categories=header.cells_list(cells, "categories"),
        tags=header.cells_list(cells, "tags"),
        image_url=header.cell(cells, "image_url"),
        fetched_at=header.cell(cells, "fetched_at"),
    )
    html, text = header.cell(cells, "html"), header.cell(cells, "text")
    if html:
        return RawDoc(source, ref, FORMAT, html=html.encode("utf-8"), hints=hints)
    if text:
        return RawDoc(source, ref, FORMAT, text=text, hints=hints)
    f = header.fields
    msg = f"neither column {f.html!r} nor {f.text!r} holds content"
    return Rejected(source, ref, FORMAT, "read", "missing_field", msg, excerpt(raw))


def read(
    path: Path, src: CsvSource, max_bytes: int, ref: str, deadline_s: float | None = None
) -> Iterator[RawDoc | Rejected]:
    """One item per non-blank row after the header (`path:line`, the line the row starts on);
    whatever ends the file early (damage, a bomb, no progress) is one row, and the rows before
    it are kept. A header row that cannot be read is one row for the whole file."""
    deadline = files.Deadline(deadline_s)
    header: _Header | None = None
    blocks = files.chunks(path, deadline)
    scanner = _Rows(blocks, src.delimiter.encode(), max_bytes)
    try:
        with contextlib.closing(blocks):
            for line, data in scanner:
                if data is not None and not data.strip():
                    continue
                item = _item(src, f"{ref}:{line}", data, header, max_bytes)
                if isinstance(item, _Header):
                    header = item
                    continue
                yield item
                deadline.restart()
                if header is None:  # no header, no columns: the rest cannot be read
                    return
    except Exception as e:  # any failure of one file is one row, not the night's end
        yield _failure(src.name, f"{ref}:{scanner.line}", scanner.line, e)


def _item(
    src: CsvSource, ref: str, data: bytes | None, header: _Header | None, max_bytes: int
) -> RawDoc | Rejected | _Header:
    """The document in one row, its quarantine row, or (for the first row) the header."""
    what = "header row" if header is None else "row"
    if data is None:
        return Rejected(
            src.name, ref, FORMAT, "read", "too_large", f"{what} over {max_bytes} bytes"
        )
    cells = _parse(data, src.delimiter, max_bytes, first=header is None)
    if isinstance(cells, tuple):
        reason, msg = cells
        return Rejected(src.name, ref, FORMAT, "read", reason, f"{what}: {msg}", excerpt(data))
    if header is None:
        return _Header(cells, src.fields)
    return _doc(src.name, ref, cells, header, data)


def _failure(source: str, ref: str, line: int, e: Exception) -> Rejected:
    where = f"at line {line}"
    if isinstance(e, TooLarge):
        return Rejected(source, ref, FORMAT, "read", "too_large", f"{e} ({where})")
    if isinstance(e, ReadTimeout):
        msg = f"{e} ({where}); the rest of the file is skipped"
        return Rejected(source, ref, FORMAT, "read", "timeout", msg)
    if isinstance(e, NotRegular):
        return Rejected(source, ref, FORMAT, "read", "special_file", str(e))
    what = "" if isinstance(e, READ_ERRORS) else "reader error: "
    msg = f"{what}{type(e).__name__} {where}: {e}"
    return Rejected(source, ref, FORMAT, "read", "unreadable", msg)


def locations(src: CsvSource) -> Iterator[str]:
    return (files.ref_of(p) for p in files.discover(src.paths, "csv", CSV_SUFFIXES))


def read_location(src: CsvSource, ref: str, ctx: ReadContext) -> Iterator[RawDoc | Rejected]:
    path = files.path_of(ref)
    refused = ctx.refusal(src.name, ref, path, FORMAT, src.paths)
    if refused is not None:
        yield refused
        return
    yield from read(path, src, ctx.max_bytes, ref, ctx.deadline_s)


SOURCE = SourceType(
    type="csv",
    config=CsvSource,
    discover=locations,
    read=read_location,
    input_format=FORMAT,
    archive=True,
)
