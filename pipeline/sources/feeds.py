"""RSS 0.9x/1.0/2.0 and Atom feeds: the article links they list, with what they say of each.

XML from the network is checked with defusedxml first (no entity expansion, no external
references, no DTD tricks); only then does feedparser read it, for its tolerance of the broken
feeds publishers serve.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring

from pipeline.records import Hints

log = logging.getLogger(__name__)


class FeedError(ValueError):
    """A feed we refuse or cannot read."""


@dataclass(frozen=True)
class Link:
    url: str
    hints: Hints
    # The date the listing gives the entry (feed published/updated, sitemap publication/lastmod).
    listed_at: str | None = None


def check_xml(data: bytes) -> None:
    """Refuse XML with entity declarations, external references or DTDs that expand."""
    try:
        defused_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise FeedError(f"unsafe XML refused: {type(e).__name__}") from None
    except ParseError:
        pass  # malformed but harmless: the tolerant parser may still make sense of it


def _names(entry: Any) -> tuple[str, ...]:
    names = [a.get("name") for a in entry.get("authors") or [] if isinstance(a, dict)]
    if not any(names) and entry.get("author"):
        names = [entry.get("author")]
    return tuple(str(n).strip() for n in names if n and str(n).strip())


def parse_feed(data: bytes, base_url: str) -> list[Link]:
    """The entries of an RSS or Atom feed, in feed order, links made absolute. Links of any
    scheme are kept: the caller accounts for those it will not fetch (`bad_url`)."""
    import feedparser

    check_xml(data)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries and parsed.get("bozo") and not parsed.get("feed"):
        raise FeedError(f"not a feed: {parsed.get('bozo_exception')}")
    out = []
    unlinked = 0
    for e in parsed.entries:
        link = e.get("link") or next(
            (x.get("href") for x in e.get("links") or [] if x.get("rel") == "alternate"), None
        )
        if not link or not str(link).strip():
            unlinked += 1  # nothing to fetch nor to name: not an input
            continue
        url = urljoin(base_url, str(link).strip())
        date = e.get("published") or e.get("updated") or e.get("dc_date")
        tags = tuple(t.get("term") for t in e.get("tags") or [] if t.get("term"))
        hints = Hints(
            url=url,
            title=(e.get("title") or None),
            description=None,
            published_at=str(date) if date else None,
            authors=_names(e),
            tags=tags,
            sitename=parsed.feed.get("title") if parsed.get("feed") else None,
        )
        out.append(Link(url, hints, str(date) if date else None))
    if unlinked:
        log.warning("feed entries without a link", extra={"feed": base_url, "count": unlinked})
    return out
