"""Finding input files and opening them, gzip and zstd included, with a cap on what is read."""

from __future__ import annotations

import gzip
import io
import logging
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import zstandard

log = logging.getLogger(__name__)

Shape = Literal["html", "text", "jsonl"]

_SUFFIXES: dict[str, Shape] = {
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_COMPRESSIONS = (".gz", ".zst")


def _split_suffix(path: Path) -> tuple[str, str]:
    """('.html', '.gz') for page.html.gz; ('.html', '') for page.html."""
    name = path.name.lower()
    for comp in _COMPRESSIONS:
        if name.endswith(comp):
            return Path(name[: -len(comp)]).suffix, comp
    return Path(name).suffix, ""


def shape_of(path: Path) -> Shape | None:
    return _SUFFIXES.get(_split_suffix(path)[0])


def discover(roots: Sequence[Path], wanted: str) -> Iterator[Path]:
    """Files under the roots (recursively, sorted, hidden names skipped) of a known shape.

    A root given explicitly as a file is always read, whatever its suffix, when the source
    declares its shape; folders only yield files whose suffix matches.
    """
    for root in roots:
        if root.is_file():
            if wanted != "files" or shape_of(root) is not None:
                yield root
            else:
                log.warning("skipping file of unknown shape", extra={"path": str(root)})
            continue
        if not root.is_dir():
            log.warning("input path does not exist", extra={"path": str(root)})
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                shape = shape_of(path)
                if shape is not None and (wanted in ("files", shape)):
                    yield path


def open_binary(path: Path) -> io.BufferedIOBase:
    """A decompressing reader chosen by suffix; the caller bounds how much it reads."""
    _, comp = _split_suffix(path)
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    if comp == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if comp == ".zst":
        reader = zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)
        return io.BufferedReader(reader)
    return raw


class TooLarge(Exception):
    pass


# What a damaged file raises while being read: each becomes a quarantined input, not a crash.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, zstandard.ZstdError)


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The whole (decompressed) file, or TooLarge past max_bytes: no decompression bombs."""
    with open_binary(path) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"more than {max_bytes} bytes after decompression")
    return data
