"""Readers: one module per input shape, each yielding RawDoc, Rejected or Skipped, never raising
for data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.config import (
    FilesSource,
    HtmlSource,
    JsonlSource,
    SourceConfig,
    TextSource,
    WarcSource,
)
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.sources import files, html, jsonl, text, warc

Item = RawDoc | Rejected | Skipped


def source_files(src: SourceConfig) -> Iterator[str]:
    """Every file of a source, in the stable order runs and shards rely on."""
    if isinstance(src, WarcSource):
        return warc.locations(src)
    return (str(p) for p in files.discover(src.paths, src.type))


def is_archive(src: SourceConfig, location: str) -> bool:
    """A file that is a unit of work on its own (a WARC, a JSONL dump) rather than one page."""
    if isinstance(src, WarcSource | JsonlSource):
        return True
    return files.shape_of(Path(location)) == "jsonl"


def read_files(src: SourceConfig, locations: Iterable[str], max_bytes: int) -> Iterator[Item]:
    """Stream the inputs in these files of one source."""
    if isinstance(src, WarcSource):
        for loc in locations:
            yield from warc.read(loc, src, max_bytes)
        return
    for loc in locations:
        path = Path(loc)
        shape = files.shape_of(path) if isinstance(src, FilesSource) else src.type
        if isinstance(src, HtmlSource) or shape == "html":
            yield html.read(path, src.name, max_bytes)
        elif isinstance(src, TextSource) or shape == "text":
            yield from text.read(path, src.name, max_bytes)
        elif isinstance(src, JsonlSource | FilesSource):
            yield from jsonl.read(path, src.name, src.fields, max_bytes)


def read_source(src: SourceConfig, max_bytes: int) -> Iterator[Item]:
    return read_files(src, source_files(src), max_bytes)
