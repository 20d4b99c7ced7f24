"""The fetcher's retry and robots.txt rules, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import FetchConfig, build_config
from pipeline.fetch import Fetcher, FetchError, netloc
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.sources.remote import HttpRangeFile
from pipeline.sources.web import RawArchive, WebContext, raw_docs, read_shard
from tests.newsite import Site, serve
from tests.test_web import FAST


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as s:
        yield s


def _fetcher(site: Site, **fetch: Any) -> Fetcher:
    """A fetcher that may reach both loopback origins of the site (as two seeds' hosts)."""
    cfg = FetchConfig(**{**FAST, **fetch})
    return Fetcher(cfg, private_ok=frozenset({netloc(site.base), netloc(site.other)}))


def _shard(
    urls: list[str], **fetch: Any
) -> tuple[list[RawDoc | Rejected | Skipped], list[dict[str, Any]]]:
    """Read one shard of a URL list as a run would: its items and its fetch_state rows."""
    src = build_config(
        {"sources": [{"name": "list", "type": "urls", "urls": urls, "fetch": {**FAST, **fetch}}]}
    ).sources[0]
    rows: list[dict[str, Any]] = []
    ctx = WebContext(
        source=src,  # type: ignore[arg-type]
        state={},
        add_state=rows.append,
        archive=RawArchive(None),
        run_id="test",
        deadline=time.monotonic() + 30,
    )
    try:
        return list(read_shard(urls, ctx)), rows
    finally:
        ctx.archive.close()


@pytest.mark.parametrize(
    ("path", "reason", "message", "requests"),
    [
        # Verdicts: the same request would fail the same way, so it is made once.
        ("/hop/0", "fetch_error", "TooManyRedirects", 1),
        ("/news/loop-a", "fetch_error", "redirect loop", 1),
        ("/news/mangled", "fetch_error", "bad gzip body", 1),
        ("/news/bulky", "too_large", "on the wire", 1),
        ("/news/gone", "http_error", "HTTP 404", 1),
        ("/news/to-ftp", "blocked_url", "is not http(s)", 1),
        # Transient faults: tried 1 + retries times.
        ("/news/reset", "fetch_error", "", 3),
        ("/news/cut", "fetch_error", "RemoteProtocolError", 3),
    ],
)
def test_only_transient_failures_are_retried(
    site: Site, path: str, reason: str, message: str, requests: int
) -> None:
    fetcher = _fetcher(site, retries=2, max_redirects=3)
    try:
        with pytest.raises(FetchError) as err:
            fetcher.get(site.base + path)
    finally:
        fetcher.close()
    assert (err.value.reason, err.value.retry) == (reason, requests > 1)
    assert message in str(err.value)
    if path == "/hop/0":  # the first URL and 3 redirects, once: no second chain
        assert [p for p in site.paths() if p.startswith("/hop/")] == [f"/hop/{i}" for i in range(4)]
    else:
        assert site.requested(path) == requests


@pytest.mark.parametrize(
    ("path", "error", "requests"),
    [
        ("/hop/0", "TooManyRedirects", 6),  # the first URL and httpx's 5 redirects, once
        ("/news/to-ftp", "UnsupportedProtocol", 1),
        ("/news/reset", "GET", 2),  # transient: 1 + retries
    ],
)
def test_range_reader_retries_only_transient_failures(
    site: Site, path: str, error: str, requests: int
) -> None:
    with pytest.raises(OSError, match=error):
        HttpRangeFile(site.base + path, retries=1, timeout_s=2)
    hops = [p for p in site.paths() if p.startswith("/hop/")]
    assert (len(hops) if path == "/hop/0" else site.requested(path)) == requests


def test_robots_txt_is_asked_on_every_redirect_hop(site: Site) -> None:
    # Through a shard: the redirecting URL is skipped, never quarantined, never recorded.
    items, rows = _shard([f"{site.base}/news/to-private", f"{site.base}/news/alpha"])
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [
        ("Skipped", "robots_disallowed"),
        ("RawDoc", None),
    ]
    assert [r["url"].rsplit("/", 1)[-1] for r in rows] == ["alpha"]
    # Into another origin: that origin's robots.txt is read, and obeyed, before the hop.
    fetcher = _fetcher(site)
    try:
        with pytest.raises(FetchError) as err:
            fetcher.get(f"{site.base}/news/to-other-private")
    finally:
        fetcher.close()
    assert err.value.reason == "robots_disallowed"
    assert site.requested("/private/secret") == 0, "a disallowed redirect target is never asked"
    assert site.requested("/news/to-private") == 1 and site.requested("/news/to-other-private") == 1
    assert site.requested("/robots.txt", site.other) == 1


def test_robots_txt_is_read_once_per_origin_however_many_threads_ask(site: Site) -> None:
    site.robots_delay = 0.3  # every thread asks while the first answer is on its way
    urls = [f"{site.base}/news/s{i}" for i in range(16)]
    items, _ = _shard(urls, concurrency=8, per_host_concurrency=8)
    assert [type(i).__name__ for i in items] == ["RawDoc"] * 16
    assert site.requested("/robots.txt") == 1
    assert site.requested("/.well-known/tdmrep.json") == 1


class _Untyped(http.server.BaseHTTPRequestHandler):
    """Pages served without a Content-Type header."""

    BODIES = {
        "/news/untyped-html": b"<!DOCTYPE html><html><body><p>Story.</p></body></html>",
        "/news/untyped-json": b'{"story": "not a page"}',
    }

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = self.BODIES.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


def test_a_page_without_content_type_is_html_only_if_it_looks_like_html(tmp_path: Path) -> None:
    """The rule the WARC reader follows too; the night and its re-extraction agree."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Untyped)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [base + "/news/untyped-html", base + "/news/untyped-json"]
    src = build_config(
        {"sources": [{"name": "list", "type": "urls", "urls": urls, "fetch": FAST}]}
    ).sources[0]
    raw = tmp_path / "raw.warc.gz"
    ctx = WebContext(
        source=src,  # type: ignore[arg-type]
        state={},
        add_state=lambda row: None,
        archive=RawArchive(lambda p: shutil.copy(p, raw)),
        run_id="test",
        deadline=time.monotonic() + 30,
    )
    try:
        items = list(read_shard(urls, ctx))
    finally:
        ctx.archive.close()
        server.shutdown()
        server.server_close()
    page, data = items
    assert isinstance(page, RawDoc) and page.input_ref == urls[0]
    assert data == Skipped("list", urls[1], "not_html")
    again = list(raw_docs(str(raw), "list", 1 << 20))
    assert [d.input_ref for d in again] == [urls[0]]
