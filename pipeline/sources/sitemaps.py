"""XML sitemaps, sitemap indexes and Google News sitemaps (and plain-text sitemaps).

Parsed with defusedxml (no entities, no DTDs); namespaces are matched by local name, since
publishers get them wrong as often as right.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring

from pipeline.records import Hints
from pipeline.sources.feeds import FeedError, Link


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "index" | "urlset"
    sitemaps: list[str]  # for an index
    links: list[Link]  # for a urlset


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(el: Element, name: str) -> Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    t = el.text.strip()
    return t or None


def gunzip_capped(data: bytes, cap: int) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, cap + 1)
    except zlib.error as e:
        raise FeedError(f"bad gzip sitemap: {e}") from None
    if len(out) > cap:
        raise FeedError(f"sitemap larger than {cap} bytes after decompression")
    return out


def parse_sitemap(data: bytes, base_url: str, cap: int) -> Sitemap:
    data = gunzip_capped(data, cap)
    head = data.lstrip()[:64]
    if not head.startswith(b"<"):
        # A plain-text sitemap: one URL per line. Every non-blank line is kept, junk too: the
        # caller accounts for what it will not fetch (`bad_url`).
        lines = [line.strip() for line in data.decode("utf-8", errors="replace").splitlines()]
        return Sitemap("urlset", [], [Link(u, Hints(url=u)) for u in lines if u])
    try:
        root = defused_fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as e:
        raise FeedError(f"unsafe XML refused: {type(e).__name__}") from None
    except ParseError as e:
        raise FeedError(f"not a sitemap: {e}") from None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        locs = [_text(_child(sm, "loc")) for sm in root if _local(sm.tag) == "sitemap"]
        return Sitemap("index", [urljoin(base_url, u) for u in locs if u], [])
    if kind != "urlset":
        raise FeedError(f"not a sitemap: root element <{kind}>")
    links = []
    for u in root:
        if _local(u.tag) != "url":
            continue
        loc = _text(_child(u, "loc"))
        if not loc:
            continue
        loc = urljoin(base_url, loc)
        news = _child(u, "news")
        pub = _text(_child(news, "publication_date")) if news is not None else None
        title = _text(_child(news, "title")) if news is not None else None
        lastmod = _text(_child(u, "lastmod"))
        hints = Hints(url=loc, title=title, published_at=pub)
        links.append(Link(loc, hints, pub or lastmod))
    return Sitemap("urlset", [], links)
