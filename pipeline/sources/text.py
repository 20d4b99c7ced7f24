"""Plain-text dumps: one article per file, or several separated by a line of `=====`.

The article layout itself (headers, headline, dek, body, furniture) is parsed at extraction by
pipeline.textdump; this reader only splits, bounds and decodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.records import RawDoc, Rejected, excerpt
from pipeline.sources.files import READ_ERRORS, open_binary

DELIMITER = re.compile(rb"^\s*={5,}\s*$")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


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


def read(path: Path, source: str, max_bytes: int) -> Iterator[RawDoc | Rejected]:
    base = str(path)
    n = 0
    buf: list[bytes] = []
    size = 0
    too_large = False
    multi = False
    try:
        with open_binary(path) as fh:
            for line in fh:
                if DELIMITER.match(line):
                    multi = True
                    n += 1
                    yield _finish(source, f"{base}#{n}", buf, too_large, max_bytes)
                    buf, size, too_large = [], 0, False
                    continue
                size += len(line)
                if size > max_bytes:
                    too_large = True
                    buf = []
                elif not too_large:
                    buf.append(line)
    except READ_ERRORS as e:
        ref = f"{base}#{n + 1}" if multi else base
        yield Rejected(source, ref, "text", "read", "unreadable", f"{type(e).__name__}: {e}")
        return
    if multi:
        if too_large or any(b.strip() for b in buf):
            yield _finish(source, f"{base}#{n + 1}", buf, too_large, max_bytes)
    else:
        yield _finish(source, base, buf, too_large, max_bytes)


def _finish(
    source: str, ref: str, buf: list[bytes], too_large: bool, max_bytes: int
) -> RawDoc | Rejected:
    if too_large:
        return Rejected(source, ref, "text", "read", "too_large", f"article over {max_bytes} bytes")
    return _doc(source, ref, b"".join(buf))
