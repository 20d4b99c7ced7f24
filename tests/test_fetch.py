"""The fetcher's safety and politeness promises, against real HTTP servers on 127.0.0.1.

SSRF: addresses written in any notation, DNS rebinding (the name resolves to a public address
for the check and to loopback for the connection), a transport that cannot say where it
connected. robots.txt: unreachable (nothing fetched), absent (everything allowed), Crawl-delay.
Caps: a chunked response (no Content-Length) stops at max_bytes on the wire.
"""

from __future__ import annotations

import http.server
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import pytest

from pipeline import fetch
from pipeline.config import FetchConfig
from pipeline.fetch import Fetcher, FetchError, check_url, netloc

QUICK = {
    "min_delay_s": 0,
    "retries": 1,
    "backoff_s": 0.05,
    "connect_timeout_s": 2,
    "read_timeout_s": 2,
    "total_timeout_s": 5,
    "max_bytes": 1_000_000,
}
PUBLIC_IP = "93.184.216.34"  # what a rebinding name answers first


class _Handler(http.server.BaseHTTPRequestHandler):
    """robots.txt as the test sets it (`robots`: status and body), pages, a chunked flood."""

    protocol_version = "HTTP/1.1"
    robots: tuple[int, bytes] = (200, b"User-agent: *\nDisallow: /private/\n")
    log: list[tuple[float, str]]

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.log.append((time.monotonic(), self.path))
        if self.path == "/robots.txt":
            status, body = self.robots
            return self._send(status, body, "text/plain")
        if self.path == "/chunked":  # 1.2 MB in 12 chunks, never a Content-Length
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(12):
                    chunk = b"<p>" + b"z" * 99_997
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            return None
        return self._send(200, b"<html><body><p>A page.</p></body></html>")


@contextmanager
def _server(robots: tuple[int, bytes] | None = None) -> Iterator[tuple[str, list[Any]]]:
    log: list[tuple[float, str]] = []
    attrs: dict[str, Any] = {"log": log}
    if robots is not None:
        attrs["robots"] = robots
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), attrs))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


def _fetcher(base: str | None = None, **cfg: Any) -> Fetcher:
    """A fetcher for public hosts only, or one that may reach `base` (a seed's own host)."""
    if base is None:
        return Fetcher(FetchConfig(**{**QUICK, **cfg}))
    config = FetchConfig(**{**QUICK, "allow_private": True, **cfg})
    return Fetcher(config, private_ok=frozenset({netloc(base)}))


def _get(fetcher: Fetcher, url: str, **kw: Any) -> fetch.Response:
    try:
        return fetcher.get(url, **kw)
    finally:
        fetcher.close()


# -- SSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "0.0.0.0",
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
        "[::ffff:10.1.2.3]",
        "2130706433",  # 127.0.0.1 as one integer
        "0x7f000001",
        "017700000001",  # octal
        "127.1",  # shorthand
        "0x7f.1",
        "[::1]",
        "[fd00::1]",  # unique local (fd00::/8)
        "[fe80::1]",
        "100.64.0.1",  # shared address space (100.64.0.0/10, carrier-grade NAT)
        "169.254.169.254",  # cloud metadata
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
    ],
)
def test_private_addresses_in_any_notation_are_refused(host: str) -> None:
    with pytest.raises(FetchError) as err:
        check_url(f"http://{host}/news/a", allow_private=False)
    assert err.value.reason == "blocked_url"
    assert "non-public address" in str(err.value)


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f000001", "127.000.000.001"])
def test_loopback_in_another_notation_is_never_connected_to(host: str) -> None:
    with _server() as (base, log):
        port = base.rsplit(":", 1)[1]
        with pytest.raises(FetchError) as err:
            _get(_fetcher(), f"http://{host}:{port}/news/a")
    assert err.value.reason == "blocked_url"
    assert log == [], "refused before connecting: the server never saw a request"


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> None:
    """`*.test` names answer a public address to the fetcher's own checks and loopback to the
    connection: what a rebinding DNS server (TTL 0) does between two lookups."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kw: Any) -> Any:
        if not (isinstance(host, str) and host.endswith(".test")):
            return real(host, port, *args, **kw)
        checking = sys._getframe(1).f_globals.get("__name__") == "pipeline.fetch"
        ip = PUBLIC_IP if checking else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("rebinding")
def test_a_name_rebound_to_loopback_is_refused_before_the_request_is_sent() -> None:
    with _server() as (base, log):
        port = base.rsplit(":", 1)[1]
        url = f"http://rebind.test:{port}/news/a"
        assert check_url(url, allow_private=False) == "rebind.test"  # the check sees public
        with pytest.raises(FetchError) as err:
            _get(_fetcher(), url, check_robots=False)
    assert err.value.reason == "blocked_url"
    assert "connected to non-public address 127.0.0.1" in str(err.value)
    assert log == [], "the connection was closed before a request went out"


@pytest.mark.usefixtures("rebinding")
def test_a_rebound_host_gets_no_request_at_all_robots_txt_included() -> None:
    """Through the whole get: robots.txt is the first request to the host, and it is refused
    the same way, so the server sees nothing, and the URL is quarantined as blocked_url (not
    skipped as robots_disallowed: the address was refused, not the path)."""
    with _server() as (base, log):
        port = base.rsplit(":", 1)[1]
        fetcher = _fetcher()
        try:
            for path in ("/news/a", "/news/b"):
                with pytest.raises(FetchError) as err:
                    fetcher.get(f"http://rebind.test:{port}{path}")
                assert err.value.reason == "blocked_url"
        finally:
            fetcher.close()
    assert log == []


@pytest.mark.usefixtures("rebinding")
def test_a_connection_whose_address_is_unknown_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: a transport that cannot say where it connected disables nothing."""
    from httpcore._backends.sync import SyncStream

    real = SyncStream.get_extra_info

    def blind(self: SyncStream, info: str) -> Any:
        return None if info == "server_addr" else real(self, info)

    monkeypatch.setattr(SyncStream, "get_extra_info", blind)
    assert httpcore  # the transport httpx uses here
    with _server() as (base, log):
        port = base.rsplit(":", 1)[1]
        with pytest.raises(FetchError) as err:
            _get(_fetcher(), f"http://blind.test:{port}/news/a", check_robots=False)
    assert err.value.reason == "blocked_url"
    assert "cannot tell which address" in str(err.value)
    assert log == []


# -- robots.txt ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_unreachable_robots_txt_means_nothing_on_the_host_is_fetched(status: int) -> None:
    with _server(robots=(status, b"down")) as (base, log), pytest.raises(FetchError) as err:
        _get(_fetcher(base), f"{base}/news/a")
    assert err.value.reason == "robots_disallowed"
    assert [p for _, p in log] == ["/robots.txt"] * 2, "robots.txt retried once, the page never"


def test_absent_robots_txt_allows_everything() -> None:
    with _server(robots=(404, b"no such file")) as (base, log):
        fetcher = _fetcher(base)
        try:
            pages = [fetcher.get(f"{base}{p}") for p in ("/private/a", "/news/b")]
        finally:
            fetcher.close()
    assert [r.status for r in pages] == [200, 200]
    assert [p for _, p in log] == ["/robots.txt", "/private/a", "/news/b"]


def test_robots_txt_disallow_is_obeyed_with_the_page_never_requested() -> None:
    with _server() as (base, log), pytest.raises(FetchError) as err:
        _get(_fetcher(base), f"{base}/private/a")
    assert err.value.reason == "robots_disallowed"
    assert [p for _, p in log] == ["/robots.txt"]


def test_crawl_delay_spaces_requests_to_a_host() -> None:
    robots = (200, b"User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n")
    with _server(robots=robots) as (base, log):
        fetcher = _fetcher(base, min_delay_s=0, per_host_concurrency=4)
        try:
            for i in range(3):
                fetcher.get(f"{base}/news/{i}")
        finally:
            fetcher.close()
    times = [t for t, p in log if p.startswith("/news/")]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # A lower bound only: a loaded machine makes gaps longer, never shorter.
    assert len(gaps) == 2 and min(gaps) >= 0.9, gaps


# -- caps ----------------------------------------------------------------------------------------


def test_a_chunked_response_stops_at_the_cap_on_the_wire() -> None:
    with _server() as (base, _), pytest.raises(FetchError) as err:
        _get(_fetcher(base), f"{base}/chunked")
    assert err.value.reason == "too_large"
    assert "more than 1000000 bytes on the wire" in str(err.value)
