"""Readers: one module per input shape, each yielding RawDoc, Rejected or Skipped, never raising
for data.

Locations (what shards carry) are input references: local paths escaped by `files.ref_of`, so
any file name survives shards, quarantine and requeue; `files.path_of` gives the file back.
"""

from __future__ import annotations

import logging
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
from pipeline.records import InputFormat, RawDoc, Rejected, Skipped
from pipeline.sources import files, html, jsonl, text, warc, web

log = logging.getLogger(__name__)

Item = RawDoc | Rejected | Skipped


def source_files(src: SourceConfig) -> Iterator[str]:
    """Every input location of a source, in the stable order runs and shards rely on."""
    if isinstance(src, WarcSource):
        return warc.locations(src)
    if isinstance(src, FeedSource | SitemapSource | UrlsSource):
        return web.seeds(src)
    return (files.ref_of(p) for p in files.discover(src.paths, src.type))


def is_archive(src: SourceConfig, location: str) -> bool:
    """A file that is a unit of work on its own (a WARC, a JSONL dump) rather than one page."""
    if isinstance(src, WarcSource | JsonlSource | FeedSource | SitemapSource):
        return True
    if isinstance(src, UrlsSource):
        return False
    return files.shape_of(Path(location)) in ("jsonl", "warc")


def read_files(
    src: SourceConfig,
    locations: Iterable[str],
    max_bytes: int,
    web_ctx: web.WebContext | None = None,
    deadline_s: float | None = None,
) -> Iterator[Item]:
    """Stream the inputs in these files of one source (for web sources: these seeds).

    A local file is admitted first (`files.admit`: a regular file, not reached by a symlink out
    of the source's folders); a refused one is a quarantine row and is never opened. Whatever a
    reader raises for one file becomes one row for it, and the next file is read.
    `deadline_s`: how long reading one input may go without progress (files.READ_DEADLINE_S).
    """
    if isinstance(src, FeedSource | SitemapSource | UrlsSource):
        if web_ctx is None:
            raise ValueError("web sources are read within a run (they need its fetch state)")
        yield from web.read_shard(list(locations), web_ctx)
        return
    roots = _roots(src)
    warned: set[str] = set()
    for loc in locations:
        fmt = _format(src, loc)
        try:
            yield from _read_one(src, loc, fmt, roots, max_bytes, deadline_s, warned)
        except Exception as e:  # a reader bug must cost one file, not the night
            msg = f"reader error: {type(e).__name__}: {e}"
            yield Rejected(src.name, loc, fmt, "read", "unreadable", msg)


def _format(src: SourceConfig, loc: str) -> InputFormat:
    if isinstance(src, HtmlSource | TextSource | JsonlSource | WarcSource):
        return src.type
    shape = files.shape_of(Path(loc))
    return shape if shape is not None else "html"


def _roots(src: SourceConfig) -> list[Path]:
    """The folders (and named files) a source's local inputs must stay within."""
    roots = list(src.paths)
    if isinstance(src, WarcSource):
        for p in src.paths:
            if p.name.lower().endswith((".paths", ".paths.gz")):
                roots.append(Path(src.base) if src.base and "://" not in src.base else p.parent)
    return roots


def _read_one(
    src: SourceConfig,
    loc: str,
    fmt: InputFormat,
    roots: list[Path],
    max_bytes: int,
    deadline_s: float | None,
    warned: set[str],
) -> Iterator[Item]:
    if fmt == "warc" and not warc.is_local(loc):
        assert isinstance(src, WarcSource | FilesSource)
        yield from warc.read(loc, src, max_bytes, deadline_s)
        return
    path = warc.local_path(loc) if fmt == "warc" else files.path_of(loc)
    refused = files.admit(path, roots)
    if refused is not None:
        if refused.reason not in warned:  # once per cause; the run summary counts them all
            warned.add(refused.reason)
            log.warning(
                "input refused, quarantined",
                extra={"source": src.name, "input_ref": loc, "reason": refused.reason},
            )
        yield Rejected(src.name, loc, fmt, "read", refused.reason, refused.message)
        return
    if fmt == "warc":
        assert isinstance(src, WarcSource | FilesSource)
        yield from warc.read(loc, src, max_bytes, deadline_s)
    elif fmt == "html":
        yield html.read(path, src.name, max_bytes, loc, deadline_s)
    elif fmt == "text":
        yield from text.read(path, src.name, max_bytes, loc, deadline_s)
    else:
        assert isinstance(src, JsonlSource | FilesSource)
        yield from jsonl.read(path, src.name, src.fields, max_bytes, loc, deadline_s)


def read_source(
    src: SourceConfig, max_bytes: int, deadline_s: float | None = None
) -> Iterator[Item]:
    return read_files(src, source_files(src), max_bytes, deadline_s=deadline_s)
