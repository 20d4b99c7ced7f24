"""Structured metadata publishers put in their pages: JSON-LD, Open Graph and article meta tags.

Read with a few regular expressions over the raw HTML (no second DOM parse): what news sites
declare for search engines is usually more exact than what a text heuristic can guess, above
all publication times with their offset, and author names without bylines' decorations.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

_LD = re.compile(
    rb"<script[^>]+type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script>", re.I | re.S
)
_META = re.compile(rb"<meta\s[^>]*>", re.I)
_ATTR = re.compile(rb"([a-zA-Z:_-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "blogposting",
    "liveblogposting",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "report",
    "socialmediaposting",
}
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "pubdate",
    "dc.date.issued",
    "dcterms.created",
    "date",
)
_MAX_LD = 2_000_000
_BYLINE = re.compile(
    rb"<(?:p|div|span|address)[^>]+class\s*=\s*[\"'][^\"']*(?:byline|author|meta|credit|signature)[^\"']*[\"'][^>]*>"
    rb"\s*((?:by|von|par|por|di|door)\s[^<]{2,200})",
    re.I,
)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAG = re.compile(rb"<[^>]+>")


@dataclass
class PageMeta:
    headline: str | None = None
    og_title: str | None = None
    site_name: str | None = None
    published: str | None = None  # as the page writes it
    published_from: str | None = None  # "json-ld" | "meta:<name>"
    authors: list[str] = field(default_factory=list)
    byline: str | None = None  # a visible byline ("By A and B"), when no structured author
    h1: str | None = None


def _objects(data: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(reversed(x))
        elif isinstance(x, dict):
            out.append(x)
            if "@graph" in x:
                stack.append(x["@graph"])
            main = x.get("mainEntity")
            if isinstance(main, dict | list):
                stack.append(main)
    return out


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return {str(x).lower() for x in types if x}


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for a in items:
        if isinstance(a, dict):
            name = a.get("name")
            if isinstance(name, list):
                name = " ".join(str(n) for n in name)
        else:
            name = a
        if isinstance(name, str) and name.strip():
            out.append(html.unescape(name.strip()))
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return html.unescape(value.strip()) if isinstance(value, str) and value.strip() else None


def page_meta(page: bytes) -> PageMeta:
    meta = PageMeta()
    head = page[:_MAX_LD]
    for m in _LD.finditer(head):
        try:
            data = json.loads(m.group(1).decode("utf-8", errors="replace"), strict=False)
        except ValueError:
            continue
        for obj in _objects(data):
            if not _types(obj) & _ARTICLE_TYPES:
                continue
            meta.headline = meta.headline or _text(obj.get("headline"))
            if meta.published is None and _text(obj.get("datePublished")):
                meta.published = _text(obj.get("datePublished"))
                meta.published_from = "json-ld"
            if not meta.authors:
                meta.authors = _names(obj.get("author"))
    metas: dict[str, str] = {}
    for m in _META.finditer(head):
        attrs = {
            k.lower().decode(): v.strip(b"\"'").decode("utf-8", errors="replace")
            for k, v in _ATTR.findall(m.group(0))
        }
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs and key not in metas:
            metas[key] = html.unescape(attrs["content"]).strip()
    meta.og_title = metas.get("og:title") or None
    if not meta.authors:
        bm = _BYLINE.search(page)
        if bm:
            meta.byline = html.unescape(bm.group(1).decode("utf-8", errors="replace")).strip()
    h1_match = _H1.search(page)
    if h1_match:
        h1 = html.unescape(_TAG.sub(b" ", h1_match.group(1)).decode("utf-8", errors="replace"))
        meta.h1 = " ".join(h1.split()) or None
    meta.site_name = metas.get("og:site_name") or None
    if meta.published is None:
        for key in _DATE_META:
            if metas.get(key):
                meta.published, meta.published_from = metas[key], f"meta:{key}"
                break
    return meta


_SEPARATORS = re.compile(r"\s+(?:\||::|–|—|-|·|•|»|«)\s+")


def _site_label(url: str | None) -> str:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "") if url else ""
    labels = [x for x in host.split(".") if x not in ("www", "m", "amp")]
    return labels[0] if labels else ""


def clean_title(
    title: str | None, meta: PageMeta, sitename: str | None, url: str | None = None
) -> str | None:
    """The headline without a site name glued to it ("Headline | Site", "Site :: Headline").

    A part is dropped when it is the site's name (og:site_name or the extractor's sitename);
    when no name is known, the part that is the page's h1 is kept. Otherwise the title stays
    exactly as it was.
    """
    if not title:
        return title
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {n.casefold() for n in (meta.site_name, sitename) if n}
    kept = [p for p in parts if p.casefold() not in names]
    if 0 < len(kept) < len(parts):
        return " – ".join(kept) if len(kept) > 1 else kept[0]
    if meta.h1:
        for p in parts:
            if p == meta.h1 or meta.h1.endswith(p):
                return p
    # No name known: the part whose first word is the domain's own label is the site.
    label = _site_label(url)
    if label and len(parts) == 2:
        for i, p in enumerate(parts):
            first = re.sub(r"\W", "", p.split()[0].casefold()) if p.split() else ""
            if len(first) >= 4 and first in label:
                return parts[1 - i]
    return title
