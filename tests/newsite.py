"""A small self-written news site on 127.0.0.1, with the faults real sites have.

Every request is logged (method, path, headers) so tests can assert what was and was not asked.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.conftest import article_html

NOW = datetime.now(UTC)


def _story(n: int, base: str, slug: str) -> str:
    paras = [
        f"Story {slug} opens with the city council debating item {n} of its agenda until late "
        "in the evening, with residents filling the public gallery from the first minute.",
        f"Officials said the {slug} decision would be published with the minutes next week, "
        "and that a second reading could follow in January if the committee asks for one.",
        f"Neighbours interviewed after the {slug} session said they hoped the vote would end "
        "months of uncertainty about the plans for their streets, parks and schools.",
    ]
    when = (NOW - timedelta(hours=n + 1)).isoformat(timespec="seconds")
    return article_html(f"Story {slug}", f"{base}/news/{slug}", paras, date=when)


@dataclass
class Site:
    base: str = ""
    other: str = ""  # another loopback port, for the cross-port redirect
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    feed_items: list[str] = field(
        default_factory=lambda: [
            "/news/alpha",
            "/news/bravo?utm_source=rss&utm_medium=feed",
            "/news/bravo",
            "/private/secret",
            "/news/flaky",
            "/news/limited",
            "/news/drip",
            "/news/hang",
            "/news/loop-a",
            "/news/away",
            "/news/huge",
            "/news/bomb",
            "/news/photo.png",
            "/news/reserved-1",
            "/news/noai",
            "/news/gone",
        ]
    )
    etag: str = '"feed-v1"'
    gone: bool = True  # /news/gone answers 404 until a test brings it back

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]

    def requested(self, path: str) -> int:
        return sum(1 for p in self.paths() if p.split("?")[0] == path)


def _rss(site: Site) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{site.base}{p}</link>"
        f"<pubDate>{format_datetime(NOW - timedelta(hours=i + 1))}</pubDate>"
        f"<dc:creator>Desk {i}</dc:creator></item>"
        for i, p in enumerate(site.feed_items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Loopback Ledger</title>'
        f"<link>{site.base}/</link>{items}</channel></rss>"
    ).encode()


def _news_sitemap(site: Site) -> bytes:
    fresh = (NOW - timedelta(hours=3)).isoformat(timespec="seconds")
    old = (NOW - timedelta(days=30)).isoformat(timespec="seconds")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{site.base}/news/charlie</loc><news:news><news:publication>"
        "<news:name>Loopback Ledger</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{fresh}</news:publication_date>"
        "<news:title>Charlie from the news sitemap</news:title></news:news></url>"
        f"<url><loc>{site.base}/news/archive-old</loc><news:news>"
        f"<news:publication_date>{old}</news:publication_date></news:news></url>"
        f"<url><loc>{site.base}/news/delta</loc><lastmod>{fresh}</lastmod></url>"
        "</urlset>"
    ).encode()


def _index(site: Site) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.base}/sitemap-news.xml.gz</loc></sitemap>"
        f"<sitemap><loc>{site.base}/sitemap_index.xml</loc></sitemap>"  # a loop
        "</sitemapindex>"
    ).encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              extra: dict[str, str] | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802, C901
        site = self.site
        path = self.path.split("?")[0]
        site.log.append(("GET", self.path, dict(self.headers)))
        site.hits[path] += 1
        n = site.hits[path]
        if path == "/robots.txt":
            body = (
                "User-agent: *\nDisallow: /private/\n\n"
                "User-agent: GPTBot\nDisallow: /news/\n\n"
                f"Sitemap: {site.base}/sitemap_index.xml\n"
            )
            return self._send(200, body.encode(), "text/plain")
        if path == "/.well-known/tdmrep.json":
            return self._send(
                200, b'[{"location": "/news/reserved-*", "tdm-reservation": 1}]', "application/json"
            )
        if path == "/feed.xml":
            if self.headers.get("If-None-Match") == site.etag:
                self.send_response(304)
                self.send_header("ETag", site.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._send(200, _rss(site), "application/rss+xml", {"ETag": site.etag})
        if path == "/sitemap_index.xml":
            return self._send(200, _index(site), "application/xml")
        if path == "/sitemap-news.xml.gz":
            return self._send(200, gzip.compress(_news_sitemap(site)), "application/x-gzip")
        if path == "/feed-entities.xml":
            bomb = (
                '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item>'
                f"<link>{site.base}/news/alpha</link><title>&b;</title></item></channel></rss>"
            )
            return self._send(200, bomb.encode(), "application/rss+xml")
        if path == "/news/flaky" and n == 1:
            return self._send(500, b"oops")
        if path == "/news/limited" and n == 1:
            return self._send(429, b"slow down", extra={"Retry-After": "1"})
        if path == "/news/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return None
        if path == "/news/hang":
            time.sleep(20)
            return None
        if path == "/news/loop-a":
            return self._send(302, b"", extra={"Location": "/news/loop-b"})
        if path == "/news/loop-b":
            return self._send(302, b"", extra={"Location": "/news/loop-a"})
        if path == "/news/away":
            return self._send(302, b"", extra={"Location": f"{site.other}/news/alpha"})
        if path == "/news/huge":
            return self._send(200, b"<html>" + b"x" * 3_000_000)
        if path == "/news/bomb":
            bomb = gzip.compress(b"<html>" + b"\0" * 50_000_000)
            return self._send(200, bomb, extra={"Content-Encoding": "gzip"})
        if path == "/news/photo.png":
            return self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
        if path == "/news/gone" and site.gone:
            return self._send(404, b"not here")
        if path.startswith("/news/") or path.startswith("/private/"):
            slug = path.rsplit("/", 1)[-1]
            extra = {"X-Robots-Tag": "noai, noimageai"} if slug == "noai" else {}
            body = _story(len(slug), site.base, slug).encode()
            if "gzip" in (self.headers.get("Accept-Encoding") or "") and slug == "alpha":
                return self._send(200, gzip.compress(body), extra={"Content-Encoding": "gzip"})
            return self._send(200, body, extra=extra)
        return self._send(404, b"no such page")


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()
    handler = type("Handler", (_Handler,), {"site": site})
    main = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for s in (main, other):
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
    site.base = f"http://127.0.0.1:{main.server_address[1]}"
    site.other = f"http://127.0.0.1:{other.server_address[1]}"
    try:
        yield site
    finally:
        for s in (main, other):
            s.shutdown()
            s.server_close()
