"""Web sources: feeds, sitemaps and URL lists, fetched politely and incrementally.

A shard holds every seed of its hosts (feeds, sitemaps or a site's home page, article URLs; see
`pipeline.shards`), so one site is fetched by one worker at a time. A feed or sitemap is fetched
with a conditional GET (ETag / Last-Modified from earlier nights); the article links it lists
are canonicalized, filtered, and looked up in the fetch state so only new URLs are fetched; those
are fetched concurrently (per-host limits in `pipeline.fetch`) and handed on in listing order as
RawDoc, or as Rejected/Skipped with the reason. Every response is archived raw
in the shard's WARC file, so a partition can be re-extracted later without the network.

Nothing listed is dropped silently: a URL-list line or a listed link that is not an http(s) URL
is an input too, quarantined as `bad_url`. A fetch that did not end in a 2xx or 304 is recorded
in the fetch state as failed (its HTTP error status, or FAILED_STATUS), so later nights and
`broadsheet requeue` fetch it again.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import posixpath
import re
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.config import FeedSource, SitemapSource, UrlsSource, WebSource
from pipeline.fetch import (
    MAX_URL_CHARS,
    Fetcher,
    FetchError,
    Response,
    SiteFileCache,
    netloc,
    url_problem,
)
from pipeline.filters import url_verdict
from pipeline.normalize import canonicalize_url, parse_datetime
from pipeline.records import Hints, RawDoc, Rejected, Signals, Skipped
from pipeline.sources.feeds import FeedError, Link, parse_feed
from pipeline.sources.registry import ReadContext, SourceType
from pipeline.sources.sitemaps import parse_sitemap
from pipeline.web_util import charset_of, is_html

if TYPE_CHECKING:
    from pipeline.storage import Storage

log = logging.getLogger(__name__)

Item = RawDoc | Rejected | Skipped
_META_ROBOTS = re.compile(
    rb"<meta[^>]+name\s*=\s*[\"']?(?:robots|tdm-reservation)[\"']?[^>]*>", re.I
)
HINTS_HEADER = "Broadsheet-Hints"
SIGNALS_HEADER = "Broadsheet-Signals"
# fetch_state.status of a request that got no usable HTTP answer (network error, timeout, cut or
# undecodable body, size cap, refused address): not 2xx/304, so no later night counts it fetched.
FAILED_STATUS = 0


def seeds(src: WebSource) -> Iterator[str]:
    """The seeds of a source: inline URLs, then every line of its files but blank lines and
    `#` comments. Junk lines are seeds too: reading them quarantines them (`bad_url`)."""
    yield from src.urls
    for path in src.paths:
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                for line, cut in _lines(fh, MAX_URL_CHARS + 1):
                    if not cut:  # an over-long line stays unstripped: longer than any URL
                        line = line.strip()
                    if line and not line.lstrip().startswith("#"):
                        yield line
        except OSError as e:
            log.warning("cannot read URL list", extra={"path": str(path), "error": str(e)})


def _lines(fh: IO[str], cap: int) -> Iterator[tuple[str, bool]]:
    """(line, cut): lines of at most `cap` characters. A longer one (a binary file, a runaway
    line) is cut there and the rest of it read past in bounded steps, never held in memory."""
    while line := fh.readline(cap):
        if len(line) < cap or line.endswith("\n"):
            yield line, False
            continue
        while (rest := fh.readline(cap)) and not rest.endswith("\n"):
            pass
        yield line, True


# -- the shard's raw archive --------------------------------------------------------------------


class RawArchive:
    """A gzipped WARC of every response the shard received (thread-safe), uploaded at close."""

    def __init__(self, upload: Callable[[Path], None] | None) -> None:
        self._upload = upload
        fd, name = tempfile.mkstemp(prefix="broadsheet-raw-", suffix=".warc.gz")
        os.close(fd)
        self.path = Path(name)
        self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._w = WARCWriter(self._fh, gzip=True)
        self._lock = threading.Lock()
        self.records = 0

    def add(
        self, resp: Response, hints: Hints | None = None, signals: Signals | None = None
    ) -> None:
        headers = [
            (k, v)
            for k, v in resp.headers
            if k.lower() not in ("transfer-encoding", "content-length")
        ]
        headers.append(("Content-Length", str(len(resp.raw))))
        http = StatusAndHeaders(
            f"{resp.status} {resp.reason}", headers, protocol=_protocol(resp.http_version)
        )
        warc_headers = {
            "WARC-Date": resp.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
        }
        if resp.peer:
            warc_headers["WARC-IP-Address"] = resp.peer
        if hints is not None:
            warc_headers[HINTS_HEADER] = json.dumps(asdict(hints), ensure_ascii=True)
        if signals is not None:
            warc_headers[SIGNALS_HEADER] = json.dumps(asdict(signals))
        with self._lock:
            rec = self._w.create_warc_record(
                resp.url,
                "response",
                payload=io.BytesIO(resp.raw),
                length=len(resp.raw),
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
            self._w.write_record(rec)
            self.records += 1

    def close(self) -> None:
        self._fh.close()
        try:
            if self.records and self._upload is not None:
                self._upload(self.path)
        finally:
            self.path.unlink(missing_ok=True)


def _protocol(version: str) -> str:
    return version if version.upper().startswith("HTTP/") else "HTTP/1.1"


class RunSiteFiles:
    """robots.txt and tdmrep.json as a shard of the run first read them, kept in the run's
    staging (LAKE/_staging/<run>/sites/): the run's other shards, on any worker, read them there
    instead of asking the site again. Gone with the staging when the run publishes."""

    def __init__(self, storage: Storage, folder: str) -> None:
        self.storage = storage
        self.folder = folder

    def _path(self, key: str) -> str:
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        return posixpath.join(self.folder, f"{name}.json")

    def load(self, key: str) -> bytes | None:
        try:
            return self.storage.read_bytes(self._path(key))
        except OSError:  # not read yet in this run
            return None

    def save(self, key: str, data: bytes) -> None:
        self.storage.makedirs(self.folder)
        self.storage.write_bytes_durably(self._path(key), data)


# -- state and signals ----------------------------------------------------------------------------


@dataclass
class WebContext:
    """What one shard of a web source needs from the run."""

    source: WebSource
    state: dict[str, tuple[str, str | None, str | None]]  # canonical_url -> (kind, etag, lm)
    add_state: Callable[[dict[str, Any]], None]
    archive: RawArchive
    run_id: str
    deadline: float  # time.monotonic() after which no new URL is started
    # robots.txt and tdmrep.json as the run first read them, shared by all its shards.
    site_files: SiteFileCache | None = None

    def record(self, kind: str, url: str, resp: Response | None, status: int) -> None:
        """One fetch_state row: `status` is the HTTP status, or FAILED_STATUS without one."""
        self.add_state(
            {
                "source": self.source.name,
                "kind": kind,
                "url": url,
                "canonical_url": canonicalize_url(url) or url,
                "status": status,
                "etag": resp.header("etag") if resp is not None else None,
                "last_modified": resp.header("last-modified") if resp is not None else None,
                "fetched_at": resp.fetched_at if resp is not None else datetime.now(UTC),
                "run_id": self.run_id,
            }
        )


def page_signals(fetcher: Fetcher, url: str, resp: Response) -> Signals:
    tags = " ".join(
        v.lower() for k, v in resp.headers if k.lower() == "x-robots-tag"
    )  # e.g. "noai, noimageai" or "googlebot: noarchive"
    meta = b" ".join(m.group(0).lower() for m in _META_ROBOTS.finditer(resp.body[:65_536]))
    meta_tdm = b"tdm-reservation" in meta and re.search(rb"content\s*=\s*[\"']?1", meta)
    return Signals(
        tdm_reserved=fetcher.tdm_reserved(url, resp) or bool(meta_tdm),
        robots_ai_disallowed=fetcher.ai_disallowed(url),
        noai="noai" in tags or "noimageai" in tags or b"noai" in meta,
        noarchive="noarchive" in tags or b"noarchive" in meta,
    )


# -- reading a shard ------------------------------------------------------------------------------


def _skip(src: WebSource, url: str, reason: Any) -> Skipped:
    return Skipped(src.name, url, reason)


def _reject(src: WebSource, url: str, e: FetchError) -> Rejected:
    return Rejected(src.name, url, "web", "read", e.reason, str(e)[:500])  # type: ignore[arg-type]


def _bad_url(src: WebSource, url: str, problem: str) -> Rejected:
    return Rejected(src.name, url[: MAX_URL_CHARS + 1], "web", "read", "bad_url", problem)


def _failed(e: FetchError) -> int:
    return e.status if e.status is not None else FAILED_STATUS


def read_shard(seeds_: Sequence[str], ctx: WebContext) -> Iterator[Item]:
    """Everything one shard yields: listing failures, then its articles in listing order."""
    src = ctx.source
    private_ok = (
        frozenset(netloc(u) for u in seeds_ if url_problem(u) is None)
        if src.fetch.allow_private
        else frozenset()
    )
    fetcher = Fetcher(
        src.fetch,
        on_response=ctx.archive.add,
        deadline=ctx.deadline,
        private_ok=private_ok,
        site_files=ctx.site_files,
    )
    try:
        if isinstance(src, UrlsSource):
            links = [Link(u, Hints(url=u)) for u in seeds_]
            yield from _articles(links, fetcher, ctx)
            return
        for seed in seeds_:
            found: list[Link] = []
            failures: list[Item] = []
            problem = url_problem(seed)
            if problem is not None:
                failures.append(_bad_url(src, seed, problem))
            elif isinstance(src, FeedSource):
                found = _listing(seed, "feed", fetcher, ctx, failures)
            elif isinstance(src, SitemapSource):
                found = _sitemap_links(seed, src, fetcher, ctx, failures)
            yield from failures
            yield from _articles(found, fetcher, ctx)
    finally:
        fetcher.close()


def _fetch_listing(
    url: str, kind: str, fetcher: Fetcher, ctx: WebContext, failures: list[Item]
) -> Response | None:
    """A feed or sitemap, conditionally; None when unchanged or failed (failure recorded)."""
    problem = url_problem(url)
    if problem is not None:
        failures.append(_bad_url(ctx.source, url, problem))
        return None
    prior = ctx.state.get(canonicalize_url(url) or url)
    etag, lm = (prior[1], prior[2]) if prior and prior[0] == kind else (None, None)
    try:
        resp = fetcher.get(url, etag=etag, last_modified=lm)
    except FetchError as e:
        if e.reason == "robots_disallowed":
            failures.append(_skip(ctx.source, url, "robots_disallowed"))
        else:
            failures.append(_reject(ctx.source, url, e))
            ctx.record(kind, url, None, _failed(e))
        return None
    ctx.archive.add(resp)
    ctx.record(kind, url, resp, resp.status)
    if resp.status == 304:
        log.info("unchanged since last night", extra={"url": url, "kind": kind})
        return None
    return resp


def _listing(
    url: str, kind: str, fetcher: Fetcher, ctx: WebContext, failures: list[Item]
) -> list[Link]:
    resp = _fetch_listing(url, kind, fetcher, ctx, failures)
    if resp is None:
        return []
    try:
        return parse_feed(resp.body, resp.url)
    except FeedError as e:
        failures.append(Rejected(ctx.source.name, url, "web", "read", "bad_record", str(e)))
        return []


def _sitemap_links(
    seed: str, src: SitemapSource, fetcher: Fetcher, ctx: WebContext, failures: list[Item]
) -> list[Link]:
    """All article links under a sitemap (index), newest first within the look-back window."""
    from urllib.parse import urlsplit

    if urlsplit(seed).path in ("", "/"):  # a site: its robots.txt names the sitemaps
        queue = deque((u, 1) for u in fetcher.sitemaps_of(seed))
        if not queue:
            failures.append(
                Rejected(src.name, seed, "web", "read", "bad_record", "robots.txt names no sitemap")
            )
    else:
        queue = deque([(seed, 1)])
    seen: set[str] = set()
    links: list[Link] = []
    floor = datetime.now(UTC) - timedelta(days=src.lookback_days)
    while queue:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        if len(seen) > src.max_sitemaps:
            log.warning("sitemap limit reached", extra={"seed": seed, "max": src.max_sitemaps})
            break
        resp = _fetch_listing(url, "sitemap", fetcher, ctx, failures)
        if resp is None:
            continue
        try:
            sm = parse_sitemap(resp.body, resp.url, src.fetch.max_bytes)
        except FeedError as e:
            failures.append(Rejected(src.name, url, "web", "read", "bad_record", str(e)))
            continue
        if sm.kind == "index":
            if depth >= src.max_depth:
                log.warning("sitemap index too deep", extra={"url": url})
                continue
            queue.extend((u, depth + 1) for u in sm.sitemaps if u not in seen)
            continue
        for link in sm.links:
            when = parse_datetime(link.listed_at)
            if when is None and not src.include_undated:
                continue
            if when is not None and when < floor:
                continue
            links.append(link)
    return links


def _articles(links: Sequence[Link], fetcher: Fetcher, ctx: WebContext) -> Iterator[Item]:
    """Fetch the new links concurrently; yield in listing order (bounded window)."""
    src = ctx.source
    todo: list[tuple[Link, str]] = []
    listed: set[str] = set()
    for link in links:
        canon = canonicalize_url(link.url) or link.url
        if canon in listed:
            continue  # the same article twice in one listing is one input
        listed.add(canon)
        todo.append((link, canon))
    window = src.fetch.concurrency * 4
    with ThreadPoolExecutor(src.fetch.concurrency, thread_name_prefix="fetch") as pool:
        pending: deque[tuple[Link, Future[Item] | Item]] = deque()
        for link, canon in todo:
            problem = url_problem(link.url)
            verdict = url_verdict(link.url, src.filters) if problem is None else None
            if problem is not None:
                pending.append((link, _bad_url(src, link.url, problem)))
            elif verdict is not None:
                pending.append((link, _skip(src, link.url, verdict)))
            elif canon in ctx.state and ctx.state[canon][0] == "article":
                pending.append((link, _skip(src, link.url, "unchanged")))
            elif time.monotonic() > ctx.deadline:
                pending.append((link, _skip(src, link.url, "time_budget")))
            else:
                pending.append((link, pool.submit(_article, link, fetcher, ctx)))
            while len(pending) > window:
                yield _result(pending.popleft()[1])
        while pending:
            yield _result(pending.popleft()[1])


def _result(x: Future[Item] | Item) -> Item:
    return x.result() if isinstance(x, Future) else x


def _article(link: Link, fetcher: Fetcher, ctx: WebContext) -> Item:
    src = ctx.source
    if time.monotonic() > ctx.deadline:
        return _skip(src, link.url, "time_budget")
    try:
        resp = fetcher.get(link.url)
    except FetchError as e:
        if e.reason == "robots_disallowed":
            return _skip(src, link.url, "robots_disallowed")
        ctx.record("article", link.url, None, _failed(e))
        return _reject(src, link.url, e)
    except Exception as e:  # a bug in one fetch must not lose the rest of the shard
        log.exception("fetch failed unexpectedly", extra={"url": link.url})
        return Rejected(
            src.name, link.url, "web", "read", "fetch_error", f"{type(e).__name__}: {e}"
        )
    signals = page_signals(fetcher, resp.url, resp)
    hints = replace(
        link.hints,
        url=link.url,
        fetched_at=resp.fetched_at.isoformat(),
    )
    ctx.archive.add(resp, hints, signals)
    ctx.record("article", link.url, resp, resp.status)
    if not resp.is_html:
        return _skip(src, link.url, "not_html")
    return RawDoc(
        source=src.name,
        input_ref=link.url,
        input_format="web",
        html=resp.body,
        hints=hints,
        charset=resp.charset,
        signals=signals,
    )


def raw_docs(path: str, source: str, max_bytes: int) -> Iterator[Item]:
    """Re-read a raw capture WARC as the web source first saw it: for `broadsheet reextract`."""
    from warcio.archiveiterator import ArchiveIterator

    from pipeline.sources.remote import open_location

    with open_location(path) as fh:
        for rec in ArchiveIterator(fh):
            hints_json = rec.rec_headers.get_header(HINTS_HEADER)
            if rec.rec_type != "response" or not hints_json:
                continue  # feeds, sitemaps, robots.txt: listings, not articles
            hints = Hints(**_tuples(json.loads(hints_json)))
            signals_json = rec.rec_headers.get_header(SIGNALS_HEADER)
            signals = Signals(**json.loads(signals_json)) if signals_json else None
            ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else None
            body = rec.content_stream().read(max_bytes + 1)
            if not is_html(ctype, body):
                continue  # counted as skipped (not_html) by the night that fetched it
            url = hints.url or rec.rec_headers.get_header("WARC-Target-URI")
            if len(body) > max_bytes:
                yield Rejected(source, url, "web", "read", "too_large", "raw capture too large")
                continue
            yield RawDoc(
                source=source,
                input_ref=url,
                input_format="web",
                html=body,
                hints=hints,
                charset=charset_of(ctype),
                signals=signals,
            )


def _tuples(d: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


# -- the registry's entries -----------------------------------------------------------------------


def read_seeds(src: WebSource, seeds_: Sequence[str], ctx: ReadContext) -> Iterator[Item]:
    """A shard of a web source: its seeds fetched together, within the run's web context."""
    if ctx.web is None:
        raise ValueError("web sources are read within a run (they need its fetch state)")
    yield from read_shard(seeds_, ctx.web)


# Each feed or sitemap is a unit of work; a URL list is cut into batches of URLs.
FEED = SourceType(
    type="feed",
    config=FeedSource,
    discover=seeds,
    read_shard=read_seeds,
    input_format="web",
    archive=True,
    is_web=True,
)
SITEMAP = SourceType(
    type="sitemap",
    config=SitemapSource,
    discover=seeds,
    read_shard=read_seeds,
    input_format="web",
    archive=True,
    is_web=True,
)
URLS = SourceType(
    type="urls",
    config=UrlsSource,
    discover=seeds,
    read_shard=read_seeds,
    input_format="web",
    is_web=True,
)
SOURCES = (FEED, SITEMAP, URLS)
