"""Small pure helpers on what the web hands us: host names, Content-Type and its charset.

Standard library only, so the configuration, the readers and the normalizer can all import it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# -- hosts -----------------------------------------------------------------------------------------


def bare_host(host: str) -> str:
    """The host a site is known by: lower case, no outer dots, no leading `www.` labels."""
    h, prev = host.lower(), None
    while h != prev:  # to a fixed point: spaces and dots may alternate at either end
        prev = h
        h = h.strip().strip(".")
        if h.startswith("www."):
            h = h[4:]
    return h


def url_domain(url: str | None) -> str | None:
    """The site a URL belongs to (the `domain` column, the domain filters): its bare host."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return (bare_host(host) or None) if host else None


# -- content types ---------------------------------------------------------------------------------

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# `charset=` wherever the header has it, quoted or not (servers put it in odd places).
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters ("" if none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    """The charset a Content-Type header (or a meta tag's content) declares, lower case."""
    m = _CHARSET.search(content_type or "")
    return m.group(1).lower() if m else None


def looks_html(body: bytes) -> bool:
    """Whether a body starts like an HTML document (for responses that give no type)."""
    h = body[:512].lstrip().lower()
    return h.startswith((b"<!doctype html", b"<html", b"<head", b"<!--"))


def is_html(content_type: str | None, body: bytes) -> bool:
    """An HTML content type, or no type at all and a body that looks like HTML."""
    mime = media_type(content_type)
    return mime in HTML_TYPES if mime else looks_html(body)
