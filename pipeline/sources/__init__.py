"""Readers: one module per input shape, each yielding RawDoc, Rejected or Skipped, never raising
for data, and each registering its `SourceType` here (see `registry`, and docs/extending.md).

Locations (what shards carry) are input references: local paths escaped by `files.ref_of`, so
any file name survives shards, quarantine and requeue; `files.path_of` gives the file back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pipeline.config import (
    CsvSource,
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
from pipeline.sources.registry import Declared, Item, ReadContext, Registry

if TYPE_CHECKING:
    from pipeline.sources.web import WebContext

# Every source type a sources file may name: one entry each, with the reader module that holds
# its `SourceType` (imported when a source of the type is first looked at, not here).
REGISTRY = Registry(
    [
        Declared("files", FilesSource, "pipeline.sources.mixed"),
        Declared("html", HtmlSource, "pipeline.sources.html"),
        Declared("text", TextSource, "pipeline.sources.text"),
        Declared("jsonl", JsonlSource, "pipeline.sources.jsonl"),
        Declared("warc", WarcSource, "pipeline.sources.warc"),
        Declared("feed", FeedSource, "pipeline.sources.web", "FEED"),
        Declared("sitemap", SitemapSource, "pipeline.sources.web", "SITEMAP"),
        Declared("urls", UrlsSource, "pipeline.sources.web", "URLS"),
        Declared("csv", CsvSource, "pipeline.sources.csv_export"),
    ]
)


def source_files(src: SourceConfig) -> Iterator[str]:
    """Every input location of a source, in the stable order runs and shards rely on."""
    return iter(REGISTRY.of(src).discover(src))


def is_archive(src: SourceConfig, location: str) -> bool:
    """A file that is a unit of work on its own (a WARC, a JSONL dump) rather than one page."""
    return REGISTRY.of(src).is_archive(src, location)


def read_files(
    src: SourceConfig,
    locations: Iterable[str],
    max_bytes: int,
    web_ctx: WebContext | None = None,
    deadline_s: float | None = None,
) -> Iterator[Item]:
    """Stream the inputs in these files of one source (for web sources: these seeds).

    A local file is admitted first (`files.admit`: a regular file, not reached by a symlink out
    of the source's folders); a refused one is a quarantine row and is never opened. Whatever a
    reader raises for one file becomes one row for it, and the next file is read.
    `deadline_s`: how long reading one input may go without progress (files.READ_DEADLINE_S).
    """
    ctx = ReadContext(max_bytes, deadline_s, web_ctx)
    return REGISTRY.of(src).read_locations(src, locations, ctx)


def read_source(
    src: SourceConfig, max_bytes: int, deadline_s: float | None = None
) -> Iterator[Item]:
    return read_files(src, source_files(src), max_bytes, deadline_s=deadline_s)
