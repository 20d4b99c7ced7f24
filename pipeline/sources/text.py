"""Plain-text dumps: one article per file, or several separated by a line of `=====`.

The article layout itself (headers, headline, dek, body, furniture) is parsed at extraction by
pipeline.textdump; this reader only splits, bounds and decodes. It works on decompressed blocks,
not lines, so a file of millions of empty lines costs a few regular-expression scans.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.config import FilesSource, TextSource
from pipeline.records import RawDoc, Rejected, excerpt
from pipeline.sources import files
from pipeline.sources.files import (
    READ_ERRORS,
    Deadline,
    NotRegular,
    ReadTimeout,
    TooLarge,
    chunks,
    ref_of,
)
from pipeline.sources.registry import ReadContext, SourceType

# A delimiter line: five or more '=' and nothing else but blanks (one line; blocks are searched).
DELIMITER = re.compile(rb"^[ \t\r\f\v]*={5,}[ \t\r\f\v]*$", re.M)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
# A line this long is article text, not a delimiter: kept as content without waiting for its end.
_LONG_LINE = 1 << 20


def decode_text(data: bytes) -> str | None:
    """UTF-8, else Windows-1252 (the usual legacy dump encoding); None for binary data."""
    if b"\x00" in data or len(_CONTROL.findall(data[:65536])) > max(8, len(data[:65536]) // 100):
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _doc(source: str, ref: str, data: bytes) -> RawDoc | Rejected:
    text = decode_text(data)
    if text is None:
        return Rejected(
            source, ref, "text", "read", "decode_error", "binary data, not text", excerpt(data)
        )
    return RawDoc(source=source, input_ref=ref, input_format="text", text=text)


class _Article:
    """The bytes of the article being read, dropped (but measured) once over the cap."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self.blank = True

    def add(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.blank and data.strip():
            self.blank = False
        if self.size > self.max_bytes:
            self.parts = []
        else:
            self.parts.append(data)

    @property
    def too_large(self) -> bool:
        return self.size > self.max_bytes

    def finish(self, source: str, ref: str) -> RawDoc | Rejected:
        if self.too_large:
            msg = f"article over {self.max_bytes} bytes"
            return Rejected(source, ref, "text", "read", "too_large", msg)
        return _doc(source, ref, b"".join(self.parts))


def read(
    path: Path,
    source: str,
    max_bytes: int,
    ref: str | None = None,
    deadline_s: float | None = None,
) -> Iterator[RawDoc | Rejected]:
    """The articles of one dump file; whatever goes wrong ends the file with one quarantine row
    for the article being read (the articles before it are kept)."""
    base = ref_of(path) if ref is None else ref
    deadline = Deadline(deadline_s)
    n = 0
    art = _Article(max_bytes)
    multi = False
    carry = b""
    mid_line = False  # the previous block ended inside an over-long line
    blocks = chunks(path, deadline)
    try:
        with contextlib.closing(blocks):
            for block in blocks:
                if mid_line:
                    nl = block.find(b"\n") + 1
                    if nl == 0:
                        art.add(block)
                        continue
                    art.add(block[:nl])
                    block, mid_line = block[nl:], False
                data = carry + block if carry else block
                end = data.rfind(b"\n") + 1
                pos = 0
                for m in DELIMITER.finditer(data, 0, end):
                    art.add(data[pos : m.start()])
                    multi = True
                    n += 1
                    yield art.finish(source, f"{base}#{n}")
                    deadline.restart()
                    art = _Article(max_bytes)
                    pos = min(m.end() + 1, end)
                art.add(data[pos:end])
                carry = data[end:]
                if len(carry) > _LONG_LINE:
                    art.add(carry)
                    carry, mid_line = b"", True
            if carry and not mid_line and DELIMITER.fullmatch(carry):
                multi, n, carry = True, n + 1, b""
                yield art.finish(source, f"{base}#{n}")
                art = _Article(max_bytes)
            art.add(carry)
    except Exception as e:  # any failure of one input is that input's row
        ref_now = f"{base}#{n + 1}" if multi else base
        yield _failure(source, ref_now, e)
        return
    if multi:
        if not art.blank or art.too_large:
            yield art.finish(source, f"{base}#{n + 1}")
    else:
        yield art.finish(source, base)


def _failure(source: str, ref: str, e: Exception) -> Rejected:
    if isinstance(e, TooLarge):
        return Rejected(source, ref, "text", "read", "too_large", str(e))
    if isinstance(e, ReadTimeout):
        return Rejected(source, ref, "text", "read", "timeout", f"{e}; the rest is skipped")
    if isinstance(e, NotRegular):
        return Rejected(source, ref, "text", "read", "special_file", str(e))
    what = "" if isinstance(e, READ_ERRORS) else "reader error: "
    return Rejected(source, ref, "text", "read", "unreadable", f"{what}{type(e).__name__}: {e}")


def locations(src: TextSource) -> Iterator[str]:
    return (ref_of(p) for p in files.discover(src.paths, "text"))


def read_location(
    src: TextSource | FilesSource, ref: str, ctx: ReadContext
) -> Iterator[RawDoc | Rejected]:
    path = files.path_of(ref)
    refused = ctx.refusal(src.name, ref, path, "text", src.paths)
    if refused is not None:
        yield refused
        return
    yield from read(path, src.name, ctx.max_bytes, ref, ctx.deadline_s)


SOURCE = SourceType(
    type="text",
    config=TextSource,
    discover=locations,
    read=read_location,
    input_format="text",
    archive=files.holds_many,
)
