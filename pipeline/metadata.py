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
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

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
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_UPDATED = re.compile(r"updat|modif|aktualisiert|geändert|mis à jour|actualiza", re.I)
_NOT_ARTICLE = re.compile(r"teaser|related|recommend|card|promo|more|sidebar|comment", re.I)
_CONTAINERS = frozenset({"body", "html", "main", "article", "section"})
_BYLINE_START = re.compile(r"(?i)(by|von|par|por|di|door|av|af)\s")
_BYLINE_CLASS = re.compile(r"byline|author|autor|signature|credit|meta", re.I)
_LD_SCRIPTS = "//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"
_MAX_LD_CHARS = 1_000_000


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
    s = " ".join(html.unescape(s).split())
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


def _json_ld(tree: HtmlElement, meta: PageMeta) -> None:
    found_article = False
    for script in tree.xpath(_LD_SCRIPTS):
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_LD_CHARS:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
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


def _metas(tree: HtmlElement) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = _clean(el.get("content"))
        if key and content:
            metas.setdefault(key, []).append(content)
    return metas


def _in_furniture(el: HtmlElement) -> bool:
    """Inside navigation, an aside, a footer or a teaser list: not the article's own header."""
    for anc in el.iterancestors():
        if anc.tag in ("nav", "aside", "footer"):
            return True
        if _NOT_ARTICLE.search(anc.get("class") or ""):
            return True
    return False


def _time_elements(tree: HtmlElement) -> list[tuple[str, str]]:
    """`<time datetime>` values of the article's publication: itemprop first, then the first
    one outside furniture that is not labelled as an update."""
    out: list[tuple[str, str]] = []
    for el in tree.xpath("//*[@itemprop='datePublished'][@datetime or @content]"):
        value = _clean(el.get("datetime") or el.get("content"))
        if value:
            out.append((value, "itemprop"))
            break
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


def _h1(tree: HtmlElement, meta: PageMeta) -> None:
    heads = tree.xpath("//article//h1 | //main//h1") or tree.xpath("//h1")
    for h in heads:
        text = _text_of(h)
        if not text:
            continue
        meta.h1 = text
        parts = [_text_of(c) for c in h if isinstance(c.tag, str)]
        lead = " ".join((h.text or "").split())
        meta.h1_parts = tuple(p for p in ([lead] if lead else []) + parts if p)
        return


def page_meta(tree: HtmlElement) -> PageMeta:
    """Every structured signal of one parsed page (never raises for odd markup)."""
    meta = PageMeta()
    _json_ld(tree, meta)
    metas = _metas(tree)
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
    for key in _DATE_META:
        if metas.get(key):
            meta.published.append((metas[key][0], f"meta:{key}"))
    meta.published.extend(_time_elements(tree))
    for key in _AUTHOR_META:
        for value in metas.get(key, []):
            if not value.startswith(("http://", "https://")) and value not in meta.meta_authors:
                meta.meta_authors.append(value)
    _visible_authors(tree, meta)
    for key in ("og:description", "description", "twitter:description"):
        meta.description = meta.description or next(iter(metas.get(key, [])), None)
    for key in ("og:image", "og:image:url", "twitter:image"):
        meta.image = meta.image or next(iter(metas.get(key, [])), None)
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
    if k in hosts or any(k.startswith(h) and len(h) >= 4 for h in hosts if len(k) <= 40):
        return True
    words = text.split()
    if len(words) > 5:
        return False
    # "Millbrook Weekly Register" on millbrookregister.example: a short name whose first word
    # starts the domain's label, or that contains it ("Die Neue Südtiroler Tageszeitung").
    first = _key(words[0]) if words else ""
    return (len(first) >= 4 and any(h.startswith(first) for h in hosts)) or any(
        len(h) >= 6 and h in k for h in hosts
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


def choose_title(
    meta: PageMeta, extracted: str | None, sitename: str | None, url: str | None
) -> tuple[str | None, str]:
    """The headline and where it came from.

    Measured on the development corpus (docs/eval.md), the JSON-LD headline is the most often
    right, then og:title (which the extractor's title mostly copies), then the visible h1 and
    <title>; each loses a site name glued on with a separator, and a title that still carries
    a section after the headline is cut where another candidate agrees. A kicker that is its
    own element in the h1 ("EXCLUSIVE") is not part of the headline.
    """
    names = [*meta.site_names, *([sitename] if sitename else [])]
    h1 = meta.h1
    if h1 and len(meta.h1_parts) >= 2:
        rest = " ".join(meta.h1_parts[1:])
        if any(_key(rest) == _key(c or "") for c in (meta.headline, meta.og_title)):
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
    if not cands:
        return None, "none"
    where, title = cands[0]
    if _SEPARATORS.search(title):
        title = _trim_to_agreement(title, [t for w, t in cands if w != where])
    return title, where


# -- dates -----------------------------------------------------------------------------------------

# Zone abbreviations that are unambiguous enough to read ("CEST" in a JSON-LD date).
_TZ_ABBR = {
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
        dt = a
    if not 1990 <= dt.year <= 2200:
        return None
    return DateValue(dt, bool(_HAS_TIME.search(text)), source)


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def choose_date(
    meta: PageMeta, extracted: str | None, fetched_at: str | None
) -> tuple[str | None, str]:
    """The publication time and where it came from.

    Declared values (JSON-LD, meta, <time>) beat the extractor's text search; among them the
    first with a time and an offset wins, then one with a time, then a day. A value after the
    fetch is never taken (some pages stamp every view with "now"): the fetch time is read as
    UTC with 14 hours of slack, since crawlers often record it in local time without an offset.
    """
    fetched = read_date(fetched_at, "fetch") if fetched_at else None
    limit = _utc(fetched.when) + timedelta(hours=14) if fetched else None
    cands: list[DateValue] = []
    for value, source in meta.published:
        d = read_date(value, source)
        if d is not None and (limit is None or _utc(d.when) <= limit):
            cands.append(d)
    ext = read_date(extracted, "extractor") if extracted else None
    if ext is not None and extracted and _MIDNIGHT.search(extracted):
        ext = DateValue(ext.when, False, ext.source)  # htmldate found a day only
    if ext is not None and (limit is None or _utc(ext.when) <= limit):
        ext_day = ext.when.date()
    else:
        ext, ext_day = None, None
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
        authors = clean_authors(_author_values(meta, source, extracted))
        if source in ("link", "byline"):
            # Visible text: a person's name starts with a capital where the script has case
            # ("Von israel news am ..." is a blog's date line, not a byline).
            authors = tuple(a for a in authors if not a[0].islower() or a.casefold() in _AGENCIES)
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
