"""Structured metadata publishers put in their pages: JSON-LD, Open Graph, meta tags, <time>.

Read from the lxml tree that trafilatura then extracts from (one parse per page): what news
sites declare for search engines is usually more exact than what a text heuristic can guess,
above all publication times with their offset and author names without bylines' decorations.
The choices between candidates (`choose_title`, `choose_date`, `choose_authors`) are generic
rules measured with `broadsheet eval` on the development corpus; see docs/eval.md.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

log = logging.getLogger(__name__)

# An lxml.html element (from trafilatura's loader); lxml ships no type stubs.
HtmlElement = Any

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
    "webpage",
}
# Meta names that carry the publication time, best first.
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published:time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "publish_date",
    "pubdate",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
# Where a chosen value came from: stored in the records as title_source, date_source and
# authors_source, so each is a closed set.
TITLE_SOURCES = (
    "json-ld",  # the JSON-LD article's headline
    "og:title",  # the Open Graph title
    "extractor",  # trafilatura's title
    "h1",  # the displayed headline
    "twitter:title",  # the Twitter card title
    "title",  # the <title> element
    "none",  # no title found
)
DATE_SOURCES = (
    "json-ld",  # the JSON-LD article's datePublished
    *(f"meta:{key}" for key in _DATE_META),  # a <meta name|property> publication date
    "itemprop",  # a microdata datePublished of the page's own article
    "time",  # the first <time datetime> not labelled as an update nor in page furniture
    "extractor",  # htmldate's search of the page
    "none",  # no date found
)
AUTHORS_SOURCES = (
    "json-ld",  # the JSON-LD article's author names
    "meta",  # author <meta> tags and the Parse.ly page tag
    "link",  # <a rel=author> and itemprop=author elements outside page furniture
    "byline",  # the visible byline block
    "extractor",  # trafilatura's author guess
    "none",  # no author found
)

_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_UPDATED = re.compile(r"updat|modif|aktualisiert|geändert|mis à jour|actualiza", re.I)
_NOT_ARTICLE = re.compile(r"teaser|related|recommend|card|promo|more|sidebar|comment", re.I)
_CONTAINERS = frozenset({"body", "html", "main", "article", "section"})
_BYLINE_START = re.compile(r"(?i)(by|von|par|por|di|door|av|af)\s")
_BYLINE_CLASS = re.compile(r"by[_-]?line|author|autor|signature|credit|meta", re.I)
_LD_SCRIPTS = "//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"
_MAX_LD_CHARS = 1_000_000
# JSON-LD wrapped for old XHTML parsers: "<![CDATA[ {...} ]]>", sometimes behind "//".
_CDATA = re.compile(r"^(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>$")


@dataclass
class PageMeta:
    """What the page declares; every field optional, strings as the page writes them."""

    headline: str | None = None  # JSON-LD
    og_title: str | None = None
    twitter_title: str | None = None
    html_title: str | None = None  # <title>
    h1: str | None = None
    h1_parts: tuple[str, ...] = ()  # the h1's child blocks: a kicker span is its own part
    site_names: list[str] = field(default_factory=list)  # og:site_name, JSON-LD publisher...
    published: list[tuple[str, str]] = field(default_factory=list)  # (value, where from)
    authors: list[str] = field(default_factory=list)  # JSON-LD author names
    meta_authors: list[str] = field(default_factory=list)
    link_authors: list[str] = field(default_factory=list)  # <a rel=author>, itemprop=author
    byline: str | None = None  # the visible byline block's text (looked up when needed)
    language: str | None = None  # <html lang>, og:locale, JSON-LD inLanguage
    description: str | None = None  # og:description, description, twitter:description
    image: str | None = None  # og:image, twitter:image
    tree: Any = field(default=None, repr=False, compare=False)  # for the lazy lookups


def _clean(s: Any) -> str | None:
    if isinstance(s, list):
        s = s[0] if s else None
    if not isinstance(s, str):
        return None
    # Twice when the page escaped an entity twice ("&amp;#039;"): nobody means to show "&#039;".
    s = html.unescape(s)
    if "&" in s:
        s = html.unescape(s)
    s = " ".join(s.split())
    return s or None


def _text_of(el: HtmlElement) -> str:
    return " ".join(" ".join(el.itertext()).split())


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
        name = a.get("name") if isinstance(a, dict) else a
        if isinstance(name, list):
            name = " ".join(str(n) for n in name)
        cleaned = _clean(name)
        if cleaned and not cleaned.startswith(("http://", "https://")):
            out.append(cleaned)
    return out


def _page_json(raw: str | None) -> Any:
    """JSON a page embeds (a script, a tag's content); None when absent, over the size cap or
    not JSON: the page's own mistakes are no reason to lose the rest of its metadata."""
    if not raw or len(raw) > _MAX_LD_CHARS:
        return None
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        return None


def _json_ld(tree: HtmlElement, meta: PageMeta) -> None:
    found_article = False
    for script in tree.xpath(_LD_SCRIPTS):
        data = _page_json(_CDATA.sub("", (script.text or "").strip()))
        if data is None:
            continue
        for obj in _objects(data):
            types = _types(obj)
            if "website" in types or "organization" in types or "newsmediaorganization" in types:
                name = _clean(obj.get("name"))
                if name and name not in meta.site_names:
                    meta.site_names.append(name)
            if not types & _ARTICLE_TYPES:
                continue
            # A WebPage describes the page, not the story: used only when no article is there.
            is_page = types == {"webpage"}
            if is_page and found_article:
                continue
            found_article = found_article or not is_page
            meta.headline = (None if is_page else meta.headline) or _clean(obj.get("headline"))
            date = _clean(obj.get("datePublished"))
            if date and not any(w == "json-ld" for _, w in meta.published):
                meta.published.insert(0, (date, "json-ld"))
            if not meta.authors:
                meta.authors = _names(obj.get("author"))
            publisher = obj.get("publisher")
            pub_name = _clean(publisher.get("name")) if isinstance(publisher, dict) else None
            if pub_name and pub_name not in meta.site_names:
                meta.site_names.append(pub_name)
            meta.language = meta.language or _clean(obj.get("inLanguage"))


def _metas(tree: HtmlElement) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The page's <meta> values by key, in one pass: all of them, and those keyed by name or
    property only (an itemprop meta belongs to an item, which may be a teaser's)."""
    metas: dict[str, list[str]] = {}
    named: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        by_name = el.get("property") or el.get("name")
        key = (by_name or el.get("itemprop") or "").strip().lower()
        content = _clean(el.get("content"))
        if key and content:
            metas.setdefault(key, []).append(content)
            if by_name:
                named.setdefault(key, []).append(content)
    return metas, named


def _parsely(metas: dict[str, list[str]], meta: PageMeta) -> None:
    """Authors from the Parse.ly analytics tag (<meta name="parsely-page" content="{json}">).
    Its pub_date is left out: measured, its zone is often wrong."""
    data = _page_json(next(iter(metas.get("parsely-page", [])), None))
    if not isinstance(data, dict):
        return
    for name in _names(data.get("authors") or data.get("author")):
        if name not in meta.meta_authors:
            meta.meta_authors.append(name)


def _in_furniture(el: HtmlElement) -> bool:
    """Inside navigation, an aside, a footer or a teaser list: not the article's own header."""
    for anc in el.iterancestors():
        if anc.tag in ("nav", "aside", "footer"):
            return True
        if _NOT_ARTICLE.search(anc.get("class") or ""):
            return True
    return False


def _scope_paragraphs(el: HtmlElement) -> int:
    """How many paragraphs the microdata item holding `el` has (its article's size)."""
    for anc in el.iterancestors():
        if anc.get("itemscope") is not None:
            return len(anc.xpath(".//p"))
    return 0


def _time_elements(tree: HtmlElement) -> list[tuple[str, str]]:
    """`<time datetime>` values of the article's publication: itemprop first, then the first
    one outside furniture that is not labelled as an update."""
    out: list[tuple[str, str]] = []
    marked = [
        (el, _clean(el.get("datetime") or el.get("content")))
        for el in tree.xpath("//*[@itemprop='datePublished'][@datetime or @content]")
    ]
    # Several different values: a list of articles (teasers carry theirs); the page's own
    # article is the item with the most paragraphs.
    if len({v for _, v in marked}) > 1:
        marked.sort(key=lambda m: -_scope_paragraphs(m[0]))
    for _, value in marked[:1]:
        if value:
            out.append((value, "itemprop"))
    for el in tree.iter("time"):
        value = _clean(el.get("datetime"))
        if not value:
            continue
        # Its own label: class, itemprop, text, and the words just before it ("Updated").
        prev = el.getprevious()
        parent = el.getparent()
        before = (
            prev.tail if prev is not None else parent.text if parent is not None else ""
        ) or ""
        labels = " ".join(
            [el.get("class") or "", el.get("itemprop") or "", _text_of(el)[:40], before[-30:]]
            + [(parent.get("class") or "") if parent is not None else ""]
        )
        if _UPDATED.search(labels) or _in_furniture(el):
            continue
        out.append((value, "time"))
        break
    return out


def _visible_authors(tree: HtmlElement, meta: PageMeta) -> None:
    for el in tree.xpath("//a[@rel='author'] | //*[@itemprop='author']"):
        if _in_furniture(el):
            continue
        name_el = el.xpath(".//*[@itemprop='name']")
        text = _clean(name_el[0].get("content") or _text_of(name_el[0])) if name_el else None
        text = text or _clean(el.get("content")) or _clean(_text_of(el))
        if text and len(text) <= 120 and text not in meta.link_authors:
            meta.link_authors.append(text)


def find_byline(tree: HtmlElement) -> str | None:
    """The visible byline ("By A and B, Staff Writers"): an element whose class says byline or
    author and whose text starts with By/Von/Par... Looked up only when structured data names
    no author (it walks every element with a class)."""
    if tree is None:
        return None
    for el in tree.xpath("//*[@class]"):
        if not _BYLINE_CLASS.search(el.get("class")) or el.tag in _CONTAINERS:
            continue
        text = _head_text(el, 200)
        if 3 <= len(text) < 200 and _BYLINE_START.match(text):
            return text
    return None


def _head_text(el: HtmlElement, limit: int) -> str:
    """The element's text up to `limit` characters: a byline is short, its container is not."""
    chunks: list[str] = []
    size = 0
    for chunk in el.itertext():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return " ".join(" ".join(chunks).split())


_HEADLINE_CLASS = re.compile(r"headline|title", re.I)


def _is_logo(h: HtmlElement) -> bool:
    """An h1 whose words all sit in links is the site's logo or a navigation title."""
    linked = "".join(t for a in h.iter("a") for t in a.itertext())
    return bool(linked.strip()) and _key(linked) == _key(_text_of(h))


def _h1(tree: HtmlElement, meta: PageMeta) -> None:
    """The displayed headline: an h1 marked as the headline first, then the article's first
    h1, never one that is only a logo link."""
    heads = tree.xpath("//article//h1 | //main//h1") or tree.xpath("//h1")
    marked = [
        h
        for h in tree.xpath("//h1")
        if h.get("itemprop") == "headline" or _HEADLINE_CLASS.search(h.get("class") or "")
    ]
    for h in [*marked[:1], *heads]:
        text = _text_of(h)
        if not text or _is_logo(h):
            continue
        meta.h1 = text
        # The h1's blocks: its own lead text, then each child and the text after it.
        parts = [" ".join((h.text or "").split())]
        for c in h:
            if isinstance(c.tag, str):
                parts += [_text_of(c), " ".join((c.tail or "").split())]
        meta.h1_parts = tuple(p for p in parts if p)
        return


def page_meta(tree: HtmlElement) -> PageMeta:
    """Every structured signal of one parsed page (never raises for odd markup)."""
    meta = PageMeta()
    _json_ld(tree, meta)
    metas, named = _metas(tree)
    meta.og_title = next(iter(metas.get("og:title", [])), None)
    meta.twitter_title = next(iter(metas.get("twitter:title", [])), None)
    titles = tree.xpath("//head/title | //title")
    meta.html_title = _clean(_text_of(titles[0])) if titles else None
    _h1(tree, meta)
    for key in ("og:site_name", "application-name", "publisher", "twitter:site"):
        for name in metas.get(key, []):
            name = name.lstrip("@")
            if name not in meta.site_names:
                meta.site_names.append(name)
    # Dates from <meta name|property> only: itemprop metas are read with their item's scope
    # in _time_elements.
    for key in _DATE_META:
        if named.get(key):
            meta.published.append((named[key][0], f"meta:{key}"))
    meta.published.extend(_time_elements(tree))
    _parsely(metas, meta)
    for key in _AUTHOR_META:
        for value in metas.get(key, []):
            if not value.startswith(("http://", "https://")) and value not in meta.meta_authors:
                meta.meta_authors.append(value)
    _visible_authors(tree, meta)
    for key in ("og:description", "description", "twitter:description"):
        meta.description = meta.description or next(iter(metas.get(key, [])), None)
    for key in ("og:image", "og:image:url", "twitter:image"):
        meta.image = meta.image or next(iter(metas.get(key, [])), None)
    # A "site name" that is also the page's headline (application-name set per article) names
    # the article, not the outlet.
    heads = {_key(t) for t in (meta.og_title, meta.headline, meta.h1) if t}
    meta.site_names = [n for n in meta.site_names if _key(n) not in heads]
    meta.tree = tree
    lang = tree.get("lang") or tree.get("xml:lang")
    meta.language = _clean(lang) or meta.language or next(iter(metas.get("og:locale", [])), None)
    return meta


# -- titles ----------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s+(?:\||::|–|—|-|·|•|»|«|/)\s+")
_DATE_PART = re.compile(r"^[\d\s./:-]{6,}$")
_NON_WORD = re.compile(r"\W+")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@lru_cache(maxsize=8192)
def _key(s: str) -> str:
    """Compare names and titles without case, accents, spaces or punctuation ("Börsen" and
    the domain's "boersen" are one key)."""
    decomposed = unicodedata.normalize("NFKD", s.casefold().translate(_TRANSLIT))
    return _NON_WORD.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _host_keys(url: str | None) -> set[str]:
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [x for x in host.split(".") if x not in ("www", "m", "amp", "mobile")]
    if not labels:
        return set()
    keys = {_key(".".join(labels)), _key(labels[0])}
    if len(labels) >= 2:
        keys.add(_key("".join(labels[:-1])))
    return {k for k in keys if len(k) >= 2}


def is_site_name(text: str, site_names: Iterable[str], url: str | None) -> bool:
    """Whether `text` names the outlet: one of its declared names, or its domain."""
    k = _key(text)
    if not k:
        return False
    # "DW.COM", "Merkur.de": the name with and without its domain ending.
    names = {_key(x) for n in site_names if n for x in (n, n.split(".")[0]) if _key(x)}
    if k in names:
        return True
    hosts = _host_keys(url)
    # "Merkur Online" on merkur.de: the domain is most of the text, not a word of a headline
    # that happens to start with it ("Dropbox ATF launches ...").
    if k in hosts or any(k.startswith(h) and 2 * len(h) >= len(k) >= 4 for h in hosts):
        return True
    words = text.split()
    if len(words) > 5:
        return False
    # "Millbrook Weekly Register" on millbrookregister.example: a short name whose first word
    # starts the domain's label, or that contains it ("Die Neue Südtiroler Tageszeitung").
    first = _key(words[0]) if words else ""
    # The first word alone must not be the whole label: "Harborledger ATF ships" is a headline.
    spelled = first not in hosts and any(h.startswith(first) for h in hosts)
    return (len(first) >= 4 and spelled) or any(
        len(h) >= 6 and h in k and 5 * len(h) >= 2 * len(k) for h in hosts
    )


def strip_site_name(title: str | None, site_names: Sequence[str], url: str | None) -> str | None:
    """The headline without a site name glued on with a separator ("Headline | Site")."""
    if not title:
        return title
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    # Only the ends are a site name ("Site :: Headline", "Headline | Site | 28.04.2023").
    while len(parts) > 1 and (
        is_site_name(parts[-1], site_names, url) or _DATE_PART.match(parts[-1])
    ):
        parts.pop()
    while len(parts) > 1 and is_site_name(parts[0], site_names, url):
        parts.pop(0)
    if len(parts) == len(_SEPARATORS.split(title)):
        return title
    # Rebuild from the original string so the remaining separators stay as written.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else title


def _trim_to_agreement(title: str, others: Sequence[str]) -> str:
    """ "Headline | Section | Site" becomes "Headline" when another candidate says just that."""
    parts = _SEPARATORS.split(title)
    keys = {_key(o) for o in others if o}
    for n in range(len(parts) - 1, 0, -1):
        head = title[: title.find(parts[n - 1]) + len(parts[n - 1])]
        if _key(head) in keys:
            return head.strip()
    return title


_ELLIPSIS = ("…", "...")
# Titles said by one source only count once: the extractor's title copies og:title or <title>.
_VOTERS = ("og:title", "h1", "twitter:title", "title")


def _truncated(title: str, others: Iterable[str]) -> bool:
    """ "Headline that stops mid-wo…" while another source carries the whole headline."""
    if not title.endswith(_ELLIPSIS):
        return False
    stem = _key(title.rstrip(".… "))
    return bool(stem) and any(
        len(_key(o)) > len(stem) and _key(o).startswith(stem) and title not in o for o in others
    )


_KICKER_END = re.compile(r"[:\-–—|»«\"“”]\s*$")


def _core(title: str, others: Iterable[str]) -> str:
    """The headline without a kicker before it ("Kicker: Headline", "MSV-Trainer") or a tail
    after it ("Headline in more words"), when another source gives exactly that core."""
    k = _key(title)
    best = title
    for o in others:
        ko = _key(o)
        if len(ko) >= len(_key(best)) or 2 * len(ko) < len(k):
            continue
        kicker = title[: max(0, len(title) - len(o)) + 1]
        if k.startswith(ko) or (k.endswith(ko) and _KICKER_END.search(kicker.rstrip(o[:1]))):
            best = o
    return best


def choose_title(
    meta: PageMeta, extracted: str | None, sitename: str | None, url: str | None
) -> tuple[str | None, str]:
    """The headline and where it came from.

    The JSON-LD headline first, then what most of og:title, the visible h1, twitter:title and
    <title> say (the h1 on a tie); each loses a site name glued on with a separator. A source
    cut with an ellipsis loses to one with the whole headline; a kicker before the headline or
    a tail after it goes when another source gives the headline without it; a title that still
    carries a section after the headline is cut where another candidate agrees. A kicker that
    is its own element in the h1 ("EXCLUSIVE") is not part of the headline.
    """
    names = [*meta.site_names, *([sitename] if sitename else [])]
    h1 = meta.h1
    if h1 and len(meta.h1_parts) >= 2:
        rest = " ".join(meta.h1_parts[1:])
        declared = (strip_site_name(c, names, url) for c in (meta.headline, meta.og_title))
        if any(_key(rest) == _key(c or "") for c in declared):
            h1 = rest
    raw = [
        ("json-ld", meta.headline),
        ("og:title", meta.og_title),
        ("extractor", extracted),
        ("h1", h1),
        ("twitter:title", meta.twitter_title),
        ("title", meta.html_title),
    ]
    cands: list[tuple[str, str]] = []
    for where, value in raw:
        t = strip_site_name(value, names, url)
        if t and len(t) <= 400 and not is_site_name(t, names, url):
            cands.append((where, t))
    texts = [t for _, t in cands]
    cands = [(w, t) for w, t in cands if not _truncated(t, texts)]
    if not cands:
        return None, "none"
    where, title = cands[0]
    if where != "json-ld":
        votes: dict[str, list[str]] = {}
        for w, t in cands:
            if w in _VOTERS:
                votes.setdefault(_key(t), []).append(w)
        if votes:
            top = max(len(v) for v in votes.values())
            tied = [v for v in votes.values() if len(v) == top]
            pick = next((v for v in tied if "h1" in v), tied[0])
            where, title = next((w, t) for w, t in cands if w in pick)
    # The social headline is the one the editor wrote; an SEO headline (JSON-LD, h1) that
    # is it plus a kicker or a tail is a variant. The h1 is the core only of meta titles.
    shorter = (
        ("og:title", "twitter:title") if where == "json-ld" else ("og:title", "twitter:title", "h1")
    )
    core = _core(title, [t for w, t in cands if w != where and w in shorter])
    if core is not title:
        where, title = next(w for w, t in cands if t is core), core
    if _SEPARATORS.search(title):
        title = _trim_to_agreement(title, [t for w, t in cands if w != where])
    return title, where


# -- dates -----------------------------------------------------------------------------------------

# Zone abbreviations that are unambiguous enough to read ("CEST" in a JSON-LD date), and the
# North American generic names, which follow daylight saving ("ET": EST or EDT by the date).
_TZ_ABBR: dict[str, int | tzinfo] = {
    "ET": ZoneInfo("America/New_York"),
    "CT": ZoneInfo("America/Chicago"),
    "MT": ZoneInfo("America/Denver"),
    "PT": ZoneInfo("America/Los_Angeles"),
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 3600,
    "CET": 3600,
    "MEZ": 3600,
    "CEST": 7200,
    "MESZ": 7200,
    "EET": 7200,
    "EEST": 10800,
    "EST": -18000,
    "EDT": -14400,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "JST": 32400,
    "KST": 32400,
    "AEST": 36000,
    "AEDT": 39600,
    "SAST": 7200,
}
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_ISO_SHORT_YEAR = re.compile(r"^\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$")
# "03/04/2025", "3.4.25": day and month both possible.
_NUMERIC_DAY = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})\b")
# A publication day in the URL path: /2024/01/29/, /2024-01-29-
_URL_DAY = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/-]|\D|$)"
)
_MIDNIGHT = re.compile(r"T00:00:00$")
_SENTINELS = (datetime(1901, 1, 1, 3, 3, 3), datetime(1902, 2, 2, 4, 4, 4))


@dataclass(frozen=True)
class DateValue:
    when: datetime  # aware when the source gave an offset, else naive
    has_time: bool
    source: str

    def iso(self) -> str:
        if not self.has_time:
            return self.when.date().isoformat()
        return self.when.isoformat()


def read_date(value: str, source: str) -> DateValue | None:
    """A declared date as the page wrote it: offset kept, nothing invented."""
    text = value.strip()
    if not text or len(text) > 80:
        return None
    short = _ISO_SHORT_YEAR.match(text)
    if short:  # ISO order with a 2-digit year ("14-12-29"): the year comes first
        text = f"20{text}"
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            a = dateparser.parse(text, default=_SENTINELS[0], tzinfos=_TZ_ABBR)
            b = dateparser.parse(text, default=_SENTINELS[1], tzinfos=_TZ_ABBR)
        except (ValueError, OverflowError, TypeError, ArithmeticError):
            return None
        if (a.year, a.month, a.day) != (b.year, b.month, b.day):
            return None
        # A field the text does not give differs between the two readings: zero, not the
        # sentinel's ("10:00" is 10:00:00).
        dt = a.replace(
            minute=a.minute if a.minute == b.minute else 0,
            second=a.second if a.second == b.second else 0,
        )
    if not 1990 <= dt.year <= 2200:
        return None
    return DateValue(dt, bool(_HAS_TIME.search(text)), source)


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def url_day(url: str | None) -> date | None:
    """The publication day a URL path spells out ("/2024/01/29/slug"), if any."""
    m = _URL_DAY.search(urlsplit(url).path) if url else None
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _swapped(d: DateValue, raw: str) -> DateValue | None:
    """The same numeric date read with day and month the other way round, when both fit."""
    m = _NUMERIC_DAY.match(raw)
    if not m or int(m[1]) > 12 or int(m[2]) > 12 or m[1] == m[2]:
        return None
    try:
        when = d.when.replace(month=d.when.day, day=d.when.month)
    except ValueError:
        return None
    return DateValue(when, d.has_time, d.source)


def _plausible(d: DateValue, evidence: date | None, limit: datetime | None) -> bool:
    """Not after the fetch, and on the URL's day (a day either side for time zones)."""
    if limit is not None and _utc(d.when) > limit:
        return False
    return evidence is None or abs((d.when.date() - evidence).days) <= 1


def choose_date(
    meta: PageMeta, extracted: str | None, fetched_at: str | None, url: str | None = None
) -> tuple[str | None, str]:
    """The publication time and where it came from.

    Declared values (JSON-LD, meta, <time>) beat the extractor's text search; among them the
    first with a time and an offset wins, then one with a time, then a day. A value after the
    fetch is never taken (some pages stamp every view with "now"): the fetch time is read as
    UTC with 14 hours of slack, since crawlers often record it in local time without an offset.
    A day in the URL path is evidence: values on another day give way to values on that day,
    and a numeric date whose day and month can be read both ways takes the reading that fits
    the URL and the fetch. A value equal to the page's update stamp gives way to an earlier
    published value from another source.
    """
    fetched = read_date(fetched_at, "fetch") if fetched_at else None
    limit = _utc(fetched.when) + timedelta(hours=14) if fetched else None
    evidence = url_day(url)
    raw_values = [*meta.published, *([(extracted, "extractor")] if extracted else [])]
    read: list[DateValue] = []
    for value, source in raw_values:
        d = read_date(value, source)
        if d is None:
            continue
        if source == "extractor" and _MIDNIGHT.search(value):
            d = DateValue(d.when, False, d.source)  # htmldate found a day only
        alt = _swapped(d, value)
        if (
            alt is not None
            and not _plausible(d, evidence, limit)
            and _plausible(alt, evidence, limit)
        ):
            d = alt
        if limit is None or _utc(d.when) <= limit:
            read.append(d)
    if evidence is not None and any(_plausible(d, evidence, None) for d in read):
        read = [d for d in read if _plausible(d, evidence, None)]
    cands = [d for d in read if d.source != "extractor"]
    ext = next((d for d in read if d.source == "extractor"), None)
    ext_day = ext.when.date() if ext is not None else None
    # A <time> whose day disagrees with the JSON-LD and meta values is suspect (a teaser's
    # time outside the furniture we recognise); with no such values it beats the text guess.
    days = {d.when.date() for d in cands if d.source != "time"}

    def credible(d: DateValue) -> bool:
        return d.source != "time" or not days or d.when.date() in days

    def rank(d: DateValue) -> int:
        return 0 if d.has_time and d.when.tzinfo is not None else 1 if d.has_time else 2

    for level in (0, 1, 2):
        for d in cands:
            if rank(d) == level and credible(d):
                # A day-only structured date loses to the extractor's value on the same day
                # when that one has a time.
                if not d.has_time and ext is not None and ext.has_time and ext_day == d.when.date():
                    return ext.iso(), "extractor"
                return d.iso(), d.source
    if ext is not None:
        return ext.iso(), "extractor"
    return None, "none"


# -- authors ---------------------------------------------------------------------------------------

# News agencies that sign in lower case.
_AGENCIES = frozenset({"dpa", "afp", "ap", "apa", "epd", "kna", "sda", "sid", "ddp", "ansa", "efe"})


def _author_values(meta: PageMeta, source: str, extracted: Sequence[str]) -> list[str]:
    if source == "json-ld":
        return meta.authors
    if source == "meta":
        return meta.meta_authors
    if source == "link":
        return meta.link_authors
    if source == "byline":
        byline = meta.byline or find_byline(meta.tree)
        return [byline] if byline else []
    return list(extracted)


_ORG_WORDS = re.compile(
    r"^the\s|\.(?:com|net|org|co|de|fr|it|es)\b|\b(?:media|group|news|newspapers?|network|"
    r"press|inc|ltd|gmbh|magazine)$",
    re.I,
)
# Academic degrees and a role glued after a name ("Brenda Goodman, MA", "Ben Silverman Games
# Editor") are not names.
_DEGREES = frozenset({"ma", "md", "phd", "ms", "msc", "bsc", "rn", "mph", "mba", "jd", "dds"})
_TRAILING_ROLE = re.compile(
    r"(?:\s+\S+)?\s+(?:editor|writer|reporter|correspondent|columnist|contributor)$", re.I
)
_CALENDAR = re.compile(
    r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day$|^(?:january|february|march|april|june|"
    r"july|august|september|october|november|december)$",
    re.I,
)


def _organisation(name: str) -> bool:
    """An organisation, a degree, a role or a calendar word rather than a person's name."""
    return bool(
        _ORG_WORDS.search(name)
        or name.casefold().replace(".", "") in _DEGREES
        or _CALENDAR.match(name)
        or name.casefold() in ("staff writer", "staff")
    )


def _strip_role(name: str) -> str:
    """ "Ben Silverman Games Editor" -> "Ben Silverman": a role after a two-word name."""
    bare = _TRAILING_ROLE.sub("", name)
    return bare if bare != name and len(bare.split()) >= 2 else name


def choose_authors(
    meta: PageMeta, extracted: Sequence[str], sitename: str | None, url: str | None
) -> tuple[tuple[str, ...], str]:
    """Author names and where they came from.

    Sources in order: JSON-LD, meta author tags, author links, the visible byline, the
    extractor's guess. A source that names only the outlet itself (an organisation standing in
    for a byline) gives way to a later one that names people; if none does, the outlet stays.
    """
    from pipeline.normalize import clean_authors

    names = [*meta.site_names, *([sitename] if sitename else [])]
    fallback: tuple[tuple[str, ...], str] = ((), "none")
    for source in ("json-ld", "meta", "link", "byline", "extractor"):
        authors = tuple(
            _strip_role(a) for a in clean_authors(_author_values(meta, source, extracted))
        )
        if source in ("link", "byline"):
            # Visible text: a person's name starts with a capital where the script has case
            # ("Von israel news am ..." is a blog's date line, not a byline).
            authors = tuple(a for a in authors if not a[0].islower() or a.casefold() in _AGENCIES)
        # "A. Name, Northeast Ohio Media Group": after a person, an organisation is where
        # they work, not a second author.
        people = [a for a in authors if not _organisation(a)]
        if people:
            authors = tuple(people)
        if not authors:
            continue
        if all(is_site_name(a, names, url) for a in authors):
            if not fallback[0]:
                fallback = (authors, source)
            continue
        return authors, source
    return fallback


# -- the lead --------------------------------------------------------------------------------------

_VISIBLE_TEXT = (
    "//body//text()[contains(., $head)]"
    "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)


def visible_lead(tree: HtmlElement, description: str | None, text: str) -> str | None:
    """The standfirst when the extractor dropped it: the page's description, if the page also
    shows it as text of its own (a lead set in the article header, which extractors often
    skip) and the extracted body does not already contain it."""
    if not description or len(description.split()) < 8:
        return None
    lead = " ".join(description.split())
    flat = " ".join(text[:4000].split())
    if lead[:80] in flat:
        return None
    for node in tree.xpath(_VISIBLE_TEXT, head=lead[:60]):
        parent = node.getparent()
        if parent is not None and " ".join(_text_of(parent).split()) == lead:
            return lead
    return None
