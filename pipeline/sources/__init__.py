"""Readers: one module per input shape, each yielding RawDoc or Rejected, never raising for data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.config import FilesSource, HtmlSource, JsonlSource, SourceConfig, TextSource
from pipeline.records import RawDoc, Rejected
from pipeline.sources import files, html, jsonl, text


def source_files(src: SourceConfig) -> Iterator[Path]:
    """Every file of a source, in the stable order runs and shards rely on."""
    return files.discover(src.paths, src.type)


def read_files(
    src: SourceConfig, paths: Iterable[Path], max_bytes: int
) -> Iterator[RawDoc | Rejected]:
    """Stream the inputs in these files of one source."""
    for path in paths:
        shape = files.shape_of(path) if isinstance(src, FilesSource) else src.type
        if isinstance(src, HtmlSource) or shape == "html":
            yield html.read(path, src.name, max_bytes)
        elif isinstance(src, TextSource) or shape == "text":
            yield from text.read(path, src.name, max_bytes)
        elif isinstance(src, JsonlSource | FilesSource):
            yield from jsonl.read(path, src.name, src.fields, max_bytes)


def read_source(src: SourceConfig, max_bytes: int) -> Iterator[RawDoc | Rejected]:
    return read_files(src, source_files(src), max_bytes)
