"""A polite, bounded HTTP fetcher: robots.txt, per-host limits, retries, caps, no SSRF.

Every request goes through `Fetcher.get`, which:
- refuses non-http(s) URLs and hosts that resolve to loopback, private, link-local, reserved or
  metadata addresses (checked before connecting, again on the connected peer, and on every
  redirect hop), unless the source allows private addresses;
- waits for a per-host slot (at most `per_host_concurrency` requests, `min_delay_s` apart, or the
  robots.txt Crawl-delay when larger);
- asks robots.txt (read once per origin, however many threads ask at once) before every hop:
  a redirect into a disallowed path is never requested;
- retries transient failures (connection errors, resets, cut bodies, timeouts, 5xx and 429)
  with exponential back-off and jitter, honouring Retry-After (capped); what would fail the same
  way again (redirect limits and loops, DNS, refusals, caps, undecodable bodies) is not retried;
- follows at most `max_redirects` redirects itself (a loop is an error, not a hang);
- reads at most `max_bytes` on the wire and decompresses gzip/deflate itself to at most
  `max_bytes`, within `total_timeout_s` for the whole response (slow drips end there).
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import random
import socket
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from pipeline import web_util
from pipeline.config import FetchConfig

log = logging.getLogger(__name__)

# User agents of AI/training crawlers: a robots.txt that shuts them out is a reuse signal.
AI_AGENTS = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "PerplexityBot",
    "Bytespider",
    "Applebot-Extended",
    "meta-externalagent",
    "cohere-ai",
    "Amazonbot",
    "Diffbot",
    "Omgilibot",
)
_RETRY_STATUS = {429, 500, 502, 503, 504}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
_MAX_ROBOTS = 512_000
# Longer than any request line common servers accept (Apache and nginx stop near 8 KiB).
MAX_URL_CHARS = 8192
# Transport failures that may well not happen again: worth another attempt. Everything else
# (UnsupportedProtocol, LocalProtocolError, TooManyRedirects, a bad URL, ...) fails the same way
# every time.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,  # connect refused or reset, read/write/close errors
    httpx.RemoteProtocolError,  # the server hung up mid-response or cut the body short
)


class FetchError(Exception):
    """A URL that could not be fetched; `reason` is the quarantine reason, `retry` whether
    another attempt could succeed (a transient network fault rather than a verdict)."""

    def __init__(
        self, reason: str, message: str, status: int | None = None, *, retry: bool = False
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status
        self.retry = retry


@dataclass
class Response:
    url: str  # after redirects
    requested: str
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    raw: bytes  # as on the wire (still compressed): what the WARC archive keeps
    body: bytes  # decoded
    fetched_at: datetime
    peer: str | None = None
    redirects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    @property
    def charset(self) -> str | None:
        return web_util.charset_of(self.header("content-type"))

    @property
    def is_html(self) -> bool:
        return web_util.is_html(self.header("content-type"), self.body)


def _blocked_ip(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return not addr.is_global or addr.is_multicast


def netloc(url: str) -> str:
    """host:port of a URL, lower case, with the scheme's default port made explicit."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def origin(url: str) -> str:
    """scheme://host[:port] as robots.txt and politeness see it: case and default port folded."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def url_problem(url: str) -> str | None:
    """Why a listed URL (a line of a URL list, a feed or sitemap link) is not an absolute
    http(s) URL we would request, or None. Syntax only: no DNS, no robots.txt."""
    if len(url) > MAX_URL_CHARS:
        return f"longer than {MAX_URL_CHARS} characters"
    if "\ufffd" in url:
        return "bytes that are not UTF-8"
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        return "whitespace or control characters in the URL"
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as e:
        return f"unparseable URL: {e}"
    if not parts.scheme:
        return "not an absolute URL (no scheme)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme.lower()!r} is not http(s)"
    if not (parts.hostname or "").rstrip("."):
        return "URL without a host"
    if not port_ok:
        return "port 0"
    return None


def check_url(url: str, allow_private: bool) -> str:
    """The URL's host, or FetchError(blocked_url) for schemes and addresses we never fetch."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise FetchError("blocked_url", f"unparseable URL: {e}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError("blocked_url", f"scheme {parts.scheme!r} is not http(s)")
    host = parts.hostname
    if not host:
        raise FetchError("blocked_url", "URL without a host")
    if allow_private:
        return host
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError("fetch_error", f"DNS: cannot resolve {host}: {e}") from None
    for info in infos:
        ip = str(info[4][0])
        if _blocked_ip(ip):
            raise FetchError("blocked_url", f"{host} resolves to non-public address {ip}")
    return host


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), cap)


class _Host:
    def __init__(self, slots: int) -> None:
        self.sem = threading.Semaphore(slots)


class _Clock:
    """When the next request to one origin may start."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_at = 0.0


# Shared by every Fetcher of the process: what runs one after another in it (a shard's sources,
# the CLI's shards) keeps the delay between requests to a host too.
_CLOCKS: dict[str, _Clock] = {}
_CLOCKS_LOCK = threading.Lock()


def _clock(site: str) -> _Clock:
    with _CLOCKS_LOCK:
        c = _CLOCKS.get(site)
        if c is None:
            c = _CLOCKS[site] = _Clock()
        return c


class SiteFileCache(Protocol):
    """Where a run keeps the robots.txt and tdmrep.json it read (keyed by their URL), so that
    no other shard of the run, on any worker, asks the site again."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...


class Fetcher:
    """One per shard; thread-safe, so a pool of threads can share it."""

    def __init__(
        self,
        cfg: FetchConfig,
        on_response: Callable[[Response], None] | None = None,
        deadline: float | None = None,
        private_ok: frozenset[str] = frozenset(),
        site_files: SiteFileCache | None = None,
    ) -> None:
        """`private_ok`: host:port pairs that may resolve to private addresses (a source's own
        seeds, when it sets fetch.allow_private); everything else must be public.
        `site_files`: the run's robots.txt and tdmrep.json, read there before from the site."""
        self.cfg = cfg
        self.site_files = site_files
        self.private_ok = private_ok if cfg.allow_private else frozenset()
        self.on_response = on_response
        self.deadline = deadline  # monotonic time after which nothing new starts
        self.client = httpx.Client(
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout_s,
                read=cfg.read_timeout_s,
                write=cfg.read_timeout_s,
                pool=cfg.total_timeout_s,
            ),
            follow_redirects=False,
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, Protego | None | bool] = {}
        self._blocked: dict[str, str] = {}  # site -> why its address was refused
        self._tdmrep: dict[str, list[dict[str, Any]]] = {}
        self._site_lock = threading.Lock()
        # One lock per (origin, site file): the first thread reads it, the others wait for it.
        self._site_file_locks: dict[tuple[str, str], threading.Lock] = {}
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    # -- politeness ------------------------------------------------------------------------------

    def _host(self, host: str) -> _Host:
        with self._hosts_lock:
            h = self._hosts.get(host)
            if h is None:
                h = self._hosts[host] = _Host(self.cfg.per_host_concurrency)
            return h

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        host = origin(url)
        h = self._host(host)
        clock = _clock(host)
        with h.sem:
            with clock.lock:
                delay = max(self.cfg.min_delay_s, self._crawl_delay(host))
                wait = clock.next_at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                clock.next_at = time.monotonic() + delay
            yield

    def _crawl_delay(self, origin: str) -> float:
        rp = self._robots.get(origin)
        if isinstance(rp, Protego):
            d = rp.crawl_delay(self.cfg.user_agent)
            return float(d) if d else 0.0
        return 0.0

    # -- robots.txt and TDM reservations -----------------------------------------------------------

    def _site_file_lock(self, site: str, path: str) -> threading.Lock:
        with self._site_lock:
            lock = self._site_file_locks.get((site, path))
            if lock is None:
                lock = self._site_file_locks[(site, path)] = threading.Lock()
            return lock

    def _site_file(self, site: str, path: str) -> Response | None:
        """robots.txt or tdmrep.json; archived through on_response like every listing."""
        try:
            resp = self.get(site + path, retries=1, check_robots=False)
        except FetchError as e:
            if e.status is not None and 400 <= e.status < 500:
                return None
            raise
        if self.on_response is not None:
            self.on_response(resp)
        return resp

    def robots(self, url: str) -> Protego | None | bool:
        """The site's robots.txt: a parser, None (no robots.txt: all allowed) or False (could
        not be read: nothing allowed, as RFC 9309 asks for unreachable robots.txt)."""
        site = origin(url)
        with self._site_file_lock(site, "/robots.txt"):
            if site in self._robots:
                return self._robots[site]
            entry = self._shared(site, "/robots.txt")
            if entry is None:
                entry = {"text": None}
                try:
                    resp = self._site_file(site, "/robots.txt")
                    if resp is not None and resp.status == 200:
                        entry["text"] = resp.body[:_MAX_ROBOTS].decode("utf-8", errors="replace")
                except FetchError as e:
                    log.warning(
                        "robots.txt unreachable; site skipped",
                        extra={"site": site, "error": str(e)},
                    )
                    entry = {"unreachable": str(e)}
                    if e.reason == "blocked_url":  # a refused address, not a missing file
                        entry["blocked"] = str(e)
                self._share(site, "/robots.txt", entry)
            rp: Protego | None | bool = None
            if "blocked" in entry:
                self._blocked[site] = str(entry["blocked"])
            if "unreachable" in entry:
                rp = False
            elif isinstance(entry.get("text"), str):
                rp = Protego.parse(entry["text"])
            self._robots[site] = rp
            return rp

    def _shared(self, site: str, path: str) -> dict[str, Any] | None:
        """What a shard of this run read of a site file, or None when none has yet."""
        if self.site_files is None:
            return None
        try:
            data = self.site_files.load(site + path)
            entry = json.loads(data) if data is not None else None
        except (OSError, ValueError):  # unreadable: ask the site, as if never read
            return None
        return entry if isinstance(entry, dict) else None

    def _share(self, site: str, path: str, entry: dict[str, Any]) -> None:
        if self.site_files is None:
            return
        try:
            self.site_files.save(site + path, json.dumps(entry).encode())
        except OSError as e:  # the run goes on; another shard may read the site again
            log.warning("site file not shared", extra={"site": site + path, "error": str(e)})

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url`; FetchError(blocked_url) when the site's own
        address was refused, so the URL is quarantined as blocked rather than skipped."""
        rp = self.robots(url)
        if rp is False:
            blocked = self._blocked.get(origin(url))
            if blocked is not None:
                raise FetchError("blocked_url", blocked)
            return False
        return rp is None or bool(rp.can_fetch(url, self.cfg.user_agent))  # type: ignore[union-attr]

    def sitemaps_of(self, url: str) -> list[str]:
        rp = self.robots(url)
        return list(rp.sitemaps) if isinstance(rp, Protego) else []

    def ai_disallowed(self, url: str) -> bool | None:
        rp = self.robots(url)
        if not isinstance(rp, Protego):
            return None if rp is False else False
        return any(not rp.can_fetch(url, agent) for agent in AI_AGENTS)

    def tdm_rules(self, url: str) -> list[dict[str, Any]]:
        """The site's /.well-known/tdmrep.json (W3C TDMRep), cached; [] when absent."""
        site = origin(url)
        with self._site_file_lock(site, "/.well-known/tdmrep.json"):
            if site in self._tdmrep:
                return self._tdmrep[site]
            entry = self._shared(site, "/.well-known/tdmrep.json")
            if entry is None:
                rules: list[dict[str, Any]] = []
                try:
                    resp = self._site_file(site, "/.well-known/tdmrep.json")
                    if resp is not None and resp.status == 200:
                        text = resp.body[:_MAX_ROBOTS].decode("utf-8", errors="replace")
                        data = json.loads(text)
                        if isinstance(data, list):
                            rules = [r for r in data if isinstance(r, dict)]
                except (FetchError, ValueError):
                    rules = []
                entry = {"rules": rules}
                self._share(site, "/.well-known/tdmrep.json", entry)
            got = entry.get("rules")
            self._tdmrep[site] = (
                [r for r in got if isinstance(r, dict)] if isinstance(got, list) else []
            )
            return self._tdmrep[site]

    def tdm_reserved(self, url: str, resp: Response) -> bool:
        header = resp.header("tdm-reservation")
        if header is not None:
            return header.strip() == "1"
        path = urlsplit(url).path or "/"
        for rule in self.tdm_rules(url):
            loc = str(rule.get("location", ""))
            if loc and fnmatchcase(path, loc if loc.startswith("/") else "/" + loc):
                return str(rule.get("tdm-reservation", "0")) == "1"
        return False

    # -- requests --------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        retries: int | None = None,
        check_robots: bool = True,
    ) -> Response:
        """GET with retries; 2xx and 304 return, anything else raises FetchError."""
        check_url(url, netloc(url) in self.private_ok)  # refused before robots.txt is asked
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = (self.cfg.retries if retries is None else retries) + 1
        last: FetchError | None = None
        for attempt in range(attempts):
            delay = self.cfg.backoff_s * (2**attempt) * (0.5 + random.random())
            try:
                resp = self._follow(url, headers, check_robots)
            except FetchError as e:
                if not e.retry:
                    raise
                last = e
            else:
                if resp.status not in _RETRY_STATUS:
                    if 200 <= resp.status < 300 or resp.status == 304:
                        return resp
                    raise FetchError("http_error", f"HTTP {resp.status}", resp.status)
                last = FetchError("http_error", f"HTTP {resp.status}", resp.status)
                after = _retry_after(resp.header("retry-after"), self.cfg.max_retry_after_s)
                if after is not None:
                    delay = after
            if attempt + 1 == attempts:
                break
            if self.deadline is not None and time.monotonic() + delay > self.deadline:
                break
            time.sleep(delay)
        assert last is not None
        raise last

    def _follow(self, url: str, headers: dict[str, str], check_robots: bool) -> Response:
        seen = [url]
        current = url
        for _ in range(self.cfg.max_redirects + 1):
            private_ok = netloc(current) in self.private_ok
            check_url(current, private_ok)
            # Every hop, not only the first: a redirect into a disallowed path is never requested.
            # Asked before taking the host's slot: reading robots.txt needs a slot of its own.
            if check_robots and not self.allowed(current):
                raise FetchError("robots_disallowed", "robots.txt disallows this URL for our agent")
            with self._slot(current):
                resp = self._once(current, headers, private_ok)
            if resp.status in _REDIRECT_STATUS and resp.header("location"):
                nxt = urljoin(current, str(resp.header("location")))
                if nxt in seen:
                    raise FetchError("fetch_error", f"redirect loop back to {nxt}")
                seen.append(nxt)
                current = nxt
                continue
            resp.requested = url
            resp.redirects = seen[1:]
            return resp
        raise FetchError("fetch_error", f"TooManyRedirects: more than {self.cfg.max_redirects}")

    def _once(self, url: str, headers: dict[str, str], private_ok: bool) -> Response:
        cap = self.cfg.max_bytes
        start = time.monotonic()
        fetched_at = datetime.now(UTC)
        self.requests += 1
        try:
            # A new connection's peer is checked before the request is sent (DNS rebinding:
            # the name may resolve elsewhere now than for check_url), and every response's again.
            ext = {} if private_ok else {"trace": _guard_new_connection}
            with self.client.stream("GET", url, headers=headers, extensions=ext) as r:
                peer = _peer(r.extensions.get("network_stream"))
                if not private_ok:
                    _check_peer(peer)
                raw_parts: list[bytes] = []
                size = 0
                if r.status_code not in _REDIRECT_STATUS:
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > cap:
                        raise FetchError("too_large", f"Content-Length {declared} > {cap} bytes")
                    for chunk in r.iter_raw():
                        size += len(chunk)
                        if size > cap:
                            raise FetchError("too_large", f"more than {cap} bytes on the wire")
                        raw_parts.append(chunk)
                        if time.monotonic() - start > self.cfg.total_timeout_s:
                            limit = self.cfg.total_timeout_s
                            raise FetchError(
                                "fetch_error",
                                f"TotalTimeout: response not complete in {limit}s",
                                retry=True,
                            )
                raw = b"".join(raw_parts)
                encoding = (r.headers.get("content-encoding") or "identity").strip().lower()
                body = _decode(raw, encoding, cap)
                resp = Response(
                    url=url,
                    requested=url,
                    status=r.status_code,
                    reason=r.reason_phrase,
                    http_version=r.http_version,
                    headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in r.headers.raw],
                    raw=raw,
                    body=body,
                    fetched_at=fetched_at,
                    peer=peer,
                )
        except (httpx.HTTPError, httpx.InvalidURL) as e:
            msg = f"{type(e).__name__}: {e}"
            raise FetchError("fetch_error", msg, retry=isinstance(e, TRANSIENT_ERRORS)) from None
        return resp


def _peer(stream: Any) -> str | None:
    """The address a network stream is connected to, or None when the transport cannot say."""
    if stream is None:
        return None
    try:
        addr = stream.get_extra_info("server_addr")
    except (AttributeError, OSError):
        return None
    return str(addr[0]) if isinstance(addr, tuple) and addr else None


def _check_peer(peer: str | None) -> None:
    """Fail closed: a connection whose address cannot be learnt is refused like a private one."""
    if peer is None:
        raise FetchError("blocked_url", "cannot tell which address was connected to")
    try:
        blocked = _blocked_ip(peer)
    except ValueError:
        blocked = True
    if blocked:
        raise FetchError("blocked_url", f"connected to non-public address {peer}")


def _guard_new_connection(event: str, info: dict[str, Any]) -> None:
    """httpcore trace hook: a new TCP connection to a non-public address is closed unused."""
    if event == "connection.connect_tcp.complete":
        stream = info.get("return_value")
        try:
            _check_peer(_peer(stream))
        except FetchError:
            if stream is not None:
                stream.close()
            raise


def _decode(raw: bytes, encoding: str, cap: int) -> bytes:
    """Decompress within the cap: a gzip bomb stops at `cap` bytes, not at memory's end."""
    if encoding in ("identity", ""):
        return raw
    if encoding in ("gzip", "x-gzip"):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        d = zlib.decompressobj()
    else:
        raise FetchError("fetch_error", f"unsupported Content-Encoding {encoding!r}")
    try:
        out = d.decompress(raw, cap + 1)
    except zlib.error as e:
        raise FetchError("fetch_error", f"bad {encoding} body: {e}") from None
    if len(out) > cap:
        raise FetchError("too_large", f"more than {cap} bytes after decompression")
    return out
