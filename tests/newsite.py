"""A small self-written news site on 127.0.0.1, with the faults real sites have.

Every request is logged (method, path, headers) so tests can assert what was and was not asked.
"""

from __future__ import annotations

import gzip
import http.server
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
    # /news/reset, /news/cut, /news/stall, /news/mangled and /news/bulky fail (connection reset,
    # body cut short, no answer in time, undecodable gzip, over the size cap without a
    # Content-Length) until a test sets this to False; then they are ordinary stories.
    faulty: bool = True
    robots_delay: float = 0.0  # seconds robots.txt takes to answer (lets concurrent askers race)

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]

    def requested(self, path: str, host: str | None = None) -> int:
        """GETs of `path` (any query), on any port or only on `host` (a base URL)."""
        want = host.split("://", 1)[-1] if host else None
        return sum(
            1
            for _, p, h in self.log
            if p.split("?")[0] == path and (want is None or h.get("Host") == want)
        )


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


def _junk_feed(site: Site) -> bytes:
    """A feed whose links are half junk: other schemes, one relative link, one entry without."""
    links = [
        f"{site.base}/news/golf",
        "mailto:desk@ledger.example",
        "javascript:void(0)",
        "ftp://ledger.example/pub/story.txt",
        "/news/hotel",
    ]
    items = "".join(
        f"<item><title>Item {i}</title><link>{u}</link></item>" for i, u in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Junk Ledger</title><link>{site.base}/</link>{items}"
        "<item><title>No link at all</title></item></channel></rss>"
    ).encode()


def junk_sitemap_lines(site: Site) -> list[str]:
    return [
        f"{site.base}/news/india",
        "ftp://ledger.example/pub/",
        "not a url",
        f"{site.base}/news/juliet",
        "javascript:alert(1)",
    ]


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
            time.sleep(site.robots_delay)
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
        if path == "/feed-junk.xml":
            return self._send(200, _junk_feed(site), "application/rss+xml")
        if path == "/sitemap-junk.txt":
            return self._send(200, "\n".join(junk_sitemap_lines(site)).encode(), "text/plain")
        if path.startswith("/hop/"):  # an endless chain of redirects, each to a new URL
            return self._send(302, b"", extra={"Location": f"/hop/{int(path[5:]) + 1}"})
        if path == "/news/to-private":  # allowed itself, redirects into a disallowed path
            return self._send(302, b"", extra={"Location": "/private/secret"})
        if path == "/news/to-ftp":
            return self._send(302, b"", extra={"Location": "ftp://ledger.example/pub/file"})
        if path == "/news/to-other-private":  # the same, on the other origin
            return self._send(302, b"", extra={"Location": f"{site.other}/private/secret"})
        if site.faulty and self._fault(path):
            return None
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

    def _fault(self, path: str) -> bool:
        """Fail the way networks and servers do; False when `path` is not a faulty one."""
        if path == "/news/reset":  # RST instead of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif path == "/news/cut":  # promises 5000 bytes, sends 300, hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html><p>" + b"x" * 291)
        elif path == "/news/stall":  # answers after the client's read timeout
            time.sleep(1.5)
        elif path == "/news/mangled":
            self._send(200, b"this is not gzip", extra={"Content-Encoding": "gzip"})
        elif path == "/news/bulky":  # no Content-Length: the cap applies on the wire
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(b"<html>" + b"y" * 1_200_000)
        else:
            return False
        self.close_connection = True
        return True


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()
    handler = type("Handler", (_Handler,), {"site": site})
    main = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for s in (main, other):
        s.daemon_threads = True
        # A short poll: shutdown() waits for it, twice per test.
        threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True).start()
    site.base = f"http://127.0.0.1:{main.server_address[1]}"
    site.other = f"http://127.0.0.1:{other.server_address[1]}"
    try:
        yield site
    finally:
        for s in (main, other):
            s.shutdown()
            s.server_close()
