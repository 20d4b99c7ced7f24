"""Readers: one module per input shape, each yielding RawDoc or Rejected, never raising for data."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.config import FilesSource, HtmlSource, JsonlSource, SourceConfig, TextSource
from pipeline.records import RawDoc, Rejected
from pipeline.sources import files, html, jsonl, text


def read_source(src: SourceConfig, max_bytes: int) -> Iterator[RawDoc | Rejected]:
    """Stream every input of one configured source, in a stable (sorted) order."""
    for path in files.discover(src.paths, src.type):
        fmt = files.shape_of(path) if isinstance(src, FilesSource) else src.type
        if fmt == "html" or isinstance(src, HtmlSource):
            yield html.read(path, src.name, max_bytes)
        elif fmt == "text" or isinstance(src, TextSource):
            yield from text.read(path, src.name, max_bytes)
        elif fmt == "jsonl" and isinstance(src, JsonlSource | FilesSource):
            yield from jsonl.read(path, src.name, src.fields, max_bytes)
