"""Readers: one module per input shape, each yielding RawDoc, Rejected or Skipped, never raising
for data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.config import (
    FeedSource,
    FilesSource,
    HtmlSource,
    JsonlSource,
    SitemapSource,
    SourceConfig,
    TextSource,
    UrlsSource,
    WarcSource,
)
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.sources import files, html, jsonl, text, warc, web

Item = RawDoc | Rejected | Skipped


def source_files(src: SourceConfig) -> Iterator[str]:
    """Every file of a source, in the stable order runs and shards rely on."""
    if isinstance(src, WarcSource):
        return warc.locations(src)
    if isinstance(src, FeedSource | SitemapSource | UrlsSource):
        return web.seeds(src)
    return (str(p) for p in files.discover(src.paths, src.type))


def is_archive(src: SourceConfig, location: str) -> bool:
    """A file that is a unit of work on its own (a WARC, a JSONL dump) rather than one page."""
    if isinstance(src, WarcSource | JsonlSource | FeedSource | SitemapSource):
        return True
    if isinstance(src, UrlsSource):
        return False
    return files.shape_of(Path(location)) == "jsonl"


def read_files(
    src: SourceConfig,
    locations: Iterable[str],
    max_bytes: int,
    web_ctx: web.WebContext | None = None,
) -> Iterator[Item]:
    """Stream the inputs in these files of one source (for web sources: these seeds)."""
    if isinstance(src, FeedSource | SitemapSource | UrlsSource):
        if web_ctx is None:
            raise ValueError("web sources are read within a run (they need its fetch state)")
        yield from web.read_shard(list(locations), web_ctx)
        return
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
