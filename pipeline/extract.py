"""Extraction: trafilatura for HTML, the text-dump parser for text; bounded in size and time."""

from __future__ import annotations

import codecs
import contextlib
import logging
import re
import signal
import threading
import warnings
from collections.abc import Iterator, Sequence
from copy import deepcopy
from dataclasses import dataclass
from types import FrameType
from typing import Any, overload

import trafilatura
from dateutil.parser import UnknownTimezoneWarning
from htmldate import find_date
from lxml.etree import ElementDefaultClassLookup, SubElement
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
)
from lxml.html import fromstring as html_fromstring
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import (
    DOCTYPE_TAG,
    is_dubious_html,
    line_processing,
    load_html,
)

from pipeline.config import ExtractConfig
from pipeline.iso639 import primary_subtag
from pipeline.metadata import (
    PageMeta,
    choose_authors,
    choose_date,
    choose_title,
    page_meta,
    visible_lead,
)
from pipeline.records import Extracted, RawDoc, Rejected
from pipeline.textdump import parse_text_article

log = logging.getLogger(__name__)

TRAFILATURA = f"trafilatura {trafilatura.__version__}"
TEXTDUMP = "broadsheet-textdump 1"
PLAIN = "broadsheet-plain 1"

# Dates with their time and offset when the page gives them (htmldate's default is the day only).
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_SECTION_META = (
    './/head//meta[@property="article:section" or contains(@name, "subject")][@content]/@content'
)
_HAS_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([^\s\"'>]*)", re.I)
_warned_no_timer = False


# Provenance of values not chosen from a page's markup (pipeline.metadata's vocabularies cover
# those): given by the input beside the content (a JSONL field, a feed entry, a CSV column), or
# read from a text dump's own header and headline.
INPUT, DUMP = "input", "dump"


class ExtractionTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise ExtractionTimeout


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` of wall time (SIGALRM; main thread only).

    Workers and the CLI run extraction on their main thread. Elsewhere (embedded in a threaded
    host) there is no timer: we warn once and rely on the size cap.
    """
    global _warned_no_timer
    if threading.current_thread() is not threading.main_thread():
        if not _warned_no_timer:
            log.warning("extraction timeout unavailable off the main thread; size cap only")
            _warned_no_timer = True
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _declared_language(html: bytes) -> str | None:
    m = _HTML_LANG.search(html[:8192])
    return primary_subtag(m.group(1).decode("latin-1")) if m else None


def _split_list(value: str | list[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    return tuple(v.strip() for v in value.split(",") if v.strip())


# Labels browsers read as a superset (WHATWG Encoding): pages labelled with the subset often use
# characters only the superset has.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "iso8859-1": "cp1252", "ascii": "cp1252"}


def decode_html(html: bytes, declared: str | None) -> str | bytes:
    """Text when the bytes decode cleanly, else the bytes for trafilatura's own detection.

    Valid UTF-8 wins over a declared charset (servers often label UTF-8 pages as Latin-1);
    otherwise the declared charset is tried strictly, so a lying header falls through.
    """
    if declared is None:
        return html
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return html
    try:
        return html.decode(_SUPERSETS.get(name, name))
    except (UnicodeDecodeError, LookupError):
        return html


# What trafilatura's HTML repair deletes before parsing (XML-invalid characters), as UTF-8 bytes.
_INVALID_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF


def _repair_needed(html: bytes, page: str) -> bool:
    """Whether trafilatura's repair of faulty HTML would change this page (then it parses what
    that repair gives): invalid characters, a doctype with a slash on the first line (or
    alone on the page), or a self-closed <html/> in the first lines."""
    if len(html.translate(None, _INVALID_BYTES)) != len(html):
        return True
    if b"\xef\xbf" in html and any(n in html for n in _NONCHARACTERS):
        return True
    if "doctype" in page[:50].lower():
        end = page.find("\n")
        if end < 0 or DOCTYPE_TAG.match(page, 0, end):
            return True
    return any("<html" in line and line.endswith("/>") for line in page[:4096].splitlines()[:4])


# trafilatura's parser settings (trafilatura.utils.HTML_PARSER) with lxml's C-level class
# lookup: lxml.html's own lookup is a Python method called for every element object lxml
# creates, over 2,000 times a page as trafilatura and the metadata rules walk the tree (2-5%
# of a page in a one-off A/B; bench_chain.py: accurate 1.04x -> 1.08x bare). Elements are all
# plain HtmlElement (no form/input classes, which nothing here uses); trees and extractions
# are the same (tests/test_extract.py).
HTML_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
HTML_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=HtmlElement,
        comment=HtmlComment,
        pi=HtmlProcessingInstruction,
        entity=HtmlEntity,
    )
)


def parse_html(html: bytes, declared: str | None) -> Any:
    """The page's lxml tree, as trafilatura's `load_html` parses it, in one pass over the bytes.

    `load_html` takes text: it scans all of it for characters to repair, then lxml encodes
    it to UTF-8 again to parse it (3.2 ms on a 320 kB page, the parse itself 1.7). A page
    whose bytes are valid UTF-8 and need no repair parses the same from the bytes (compared
    tree by tree on both gold sets, tests/test_extract.py); anything else takes `load_html`.
    """
    if declared is None:
        return load_html(html)  # its own decoding (and decompression) of undeclared bytes
    try:
        page = html.decode("utf-8")  # what decode_html tries first
    except UnicodeDecodeError:
        return load_html(decode_html(html, declared))
    if _repair_needed(html, page):
        return load_html(page)
    try:
        tree = html_fromstring(html, parser=HTML_PARSER)
    except Exception:  # noqa: BLE001 - its own fallbacks decide (and log) what such a page gives
        return load_html(page)
    if len(tree) < 1:
        return load_html(page)
    if is_dubious_html(page[:50].lower()) and len(tree) < 2:
        return None  # not HTML: what load_html says of such a tree
    return tree


# extract.mode fast: below this share of the characters in the page's <p> elements, the fast
# pass is taken to have missed the article and the full cascade runs (measured with `broadsheet
# eval`, README "Extraction modes": 6 of the 258 corpus pages, among them the 3 where the fast
# pass alone scored a body F1 under 0.25).
_FAST_MIN_SHARE = 0.2
# The article's region (extract.mode fast): the deepest element holding this share of the
# paragraph text of the page, counting paragraphs of at least _REGION_MIN_P characters, on pages
# with at least _REGION_MIN_TEXT of it. The fast pass runs on that region alone (trafilatura's
# cost grows with the nodes it walks: menus, footers and icons are most of a news page), and on
# the whole page when the region's extraction keeps under _REGION_KEPT of the region's
# paragraph text. Chosen with `broadsheet eval` on the development corpus (README "Extraction
# modes").
_REGION_SHARE = 0.9
_REGION_MIN_P = 20
_REGION_MIN_TEXT = 1000
_REGION_KEPT = 0.5


@dataclass(frozen=True, slots=True)
class _Prose:
    """Where a page's paragraph text is: its total, and the region holding most of it."""

    chars: int
    region: Any | None = None
    region_chars: int = 0


def _prose(tree: Any) -> _Prose:
    body = tree.find("body")
    if body is None:
        return _Prose(0)
    total, counted = 0, 0
    held: dict[Any, int] = {}
    for p in body.iter("p"):
        n = sum(len(t) for t in p.itertext())
        total += n
        if n < _REGION_MIN_P:
            continue
        counted += n
        for anc in p.iterancestors():
            held[anc] = held.get(anc, 0) + n
    if counted < _REGION_MIN_TEXT:
        return _Prose(total)
    best, depth = None, -1
    for el, n in held.items():
        if n >= _REGION_SHARE * counted:
            d = sum(1 for _ in el.iterancestors())
            if d > depth:
                best, depth = el, d
    if best is None or best.tag in ("body", "html"):
        return _Prose(total)
    return _Prose(total, best, held[best])


def _region_page(region: Any) -> Any:
    """A page of the region alone (a copy: the whole tree still serves the metadata rules)."""
    html = HTML_PARSER.makeelement("html")
    body = SubElement(html, "body")
    part = deepcopy(region)
    part.tail = None
    body.append(part)
    return html


def _language(meta: PageMeta, html: bytes) -> str | None:
    return primary_subtag(meta.language) or _declared_language(html)


def _page_fields(
    result: Document, tree: Any, meta: PageMeta, url: str | None, declared: str | None
) -> None:
    """What trafilatura's metadata pass gave that the page's declared metadata does not:
    meta-tag fields, the canonical URL, categories and tags (its own functions, cheap), and
    htmldate's search for a date only when the page declares none."""
    md = examine_meta(tree)
    md.clean_and_trim()  # entities decoded and whitespace trimmed, as its metadata pass does
    result.title = md.title
    result.author = md.author
    result.description = md.description or meta.description
    sitename = md.sitename or next(iter(meta.site_names), None)
    result.sitename = sitename.lstrip("@") if sitename else None
    result.image = md.image or meta.image
    result.url = md.url or extract_url(tree, url)
    hrefs = [] if md.categories and md.tags else tree.xpath(_CATSTAG_HREFS)
    result.categories = md.categories or _catstags("category", tree, hrefs)
    result.tags = md.tags or _catstags("tag", tree, hrefs)
    # A declared time settles the date. A declared day alone may gain its time from the
    # page's other date markup (htmldate's quick pass); nothing declared: its full search.
    if declared is None or not _HAS_CLOCK.search(declared):
        with warnings.catch_warnings():  # its text search meets "EST" and says so per page
            warnings.simplefilter("ignore", UnknownTimezoneWarning)
            result.date = find_date(
                tree,
                extensive_search=declared is None,
                original_date=True,
                outputformat=_DATE_FORMAT,
                url=result.url or url,
            )


# trafilatura's category and tag search keeps only links whose address has /category/ (/tag/,
# ...) in it, after a dozen searches of the whole tree: without such a link, only its
# fallback (the article:section meta tag, categories only) can find anything. The links that
# could match are picked by XPath (a page has hundreds of links).
_CATSTAG_HREFS = "//a[contains(@href, '/categor') or contains(@href, '/tag')]/@href"
_CATSTAG_HREF = {
    "category": re.compile("/categor(?:y|ies|s)?/"),
    "tag": re.compile("/tag(?:y|ies|s)?/"),
}


def _catstags(kind: str, tree: Any, hrefs: list[str]) -> list[str]:
    if not any(_CATSTAG_HREF[kind].search(h) for h in hrefs):
        if kind == "tag":
            return []
        return [
            c
            for c in dict.fromkeys(line_processing(x) for x in tree.xpath(_SECTION_META) if x)
            if c
        ]
    return list(extract_catstags(kind, tree))


class _ExtractorAuthors(Sequence[str]):
    """trafilatura's authors, found its way only if asked: a meta tag that names a person, its
    reading of the JSON-LD, else its byline heuristic. choose_authors reaches them after the
    structured and visible bylines, which settle most pages (the heuristic copies the tree)."""

    def __init__(self, tree: Any, meta_author: str | None) -> None:
        self._tree = tree
        self._first = meta_author if meta_author and " " in meta_author else None
        self._names: list[str] | None = None

    def _get(self) -> list[str]:
        if self._names is None:
            found = self._first
            if not found:
                with contextlib.suppress(Exception):  # its JSON-LD reader's bugs: no authors
                    found = extract_meta_json(self._tree, Document()).author
            found = found or extract_author(self._tree) or ""
            self._names = [a for a in found.split(";") if a.strip()]
        return self._names

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())


def _trafilatura(tree: Any, url: str | None, cfg: ExtractConfig, fast: bool) -> Any:
    return trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,  # fast: no fallback extractors
        with_metadata=False,
        include_comments=False,
        include_tables=cfg.include_tables,
        favor_precision=cfg.favor_precision,
    )


def _text(result: Any) -> str:
    return (result.text if isinstance(result, Document) else None) or ""


def _extract_html(doc: RawDoc, html: bytes, cfg: ExtractConfig) -> Extracted | Rejected:
    h = doc.hints
    # One parse: the structured metadata is read from the tree trafilatura then extracts from.
    tree = parse_html(html, doc.charset)
    if tree is None:
        return doc.reject("extract", "no_content", "the page does not parse as HTML")
    # What the page declares for search engines beats text heuristics (measured on the gold
    # set with `broadsheet eval`, docs/eval.md): titles, authors and publication times.
    meta = page_meta(tree)
    fast = cfg.mode == "fast"
    declared, _ = choose_date(meta, None, h.fetched_at)
    # The body only: trafilatura's metadata pass would search the same tree again (htmldate's
    # extensive date search, author and title heuristics) for values the page's declared
    # metadata above mostly settles. Its parts that add something run below, and only when
    # needed (issue 19: same titles, dates and authors on both gold sets; README "Throughput").
    prose = _prose(tree) if fast else None
    result = None
    if prose is not None and prose.region is not None:
        result = _trafilatura(_region_page(prose.region), h.url, cfg, fast=True)
        if len(_text(result)) < _REGION_KEPT * prose.region_chars:
            result = None  # the region was not the article: the whole page
    if result is None:
        result = _trafilatura(tree, h.url, cfg, fast=fast)
    if prose is not None and len(_text(result)) < _FAST_MIN_SHARE * prose.chars:
        # The fast pass kept a fragment of the page's prose (a teaser, a caption block):
        # the full cascade, fallback extractors included, on the same tree.
        result = _trafilatura(tree, h.url, cfg, fast=False)
    text = _text(result)
    if not isinstance(result, Document) or not text.strip():
        return doc.reject("extract", "no_content", "the extractor found no article text")
    _page_fields(result, tree, meta, h.url, declared)
    lead = visible_lead(tree, result.description, text)
    if lead:
        text = f"{lead}\n{text}"
    title, title_from = choose_title(meta, result.title, result.sitename, h.url)
    published, date_from = choose_date(meta, result.date, h.fetched_at, url=h.url)
    found = _ExtractorAuthors(tree, result.author)
    authors, authors_from = choose_authors(meta, found, result.sitename, h.url)
    log.debug(
        "%s: title from %s, date from %s, authors from %s",
        doc.input_ref,
        title_from,
        date_from,
        authors_from,
    )
    return Extracted(
        source=doc.source,
        input_ref=doc.input_ref,
        input_format=doc.input_format,
        extractor=TRAFILATURA,
        text=text,
        title=title or h.title,
        description=result.description or h.description,
        authors=authors or h.authors,
        published_at=published or h.published_at,
        modified_at=h.modified_at,
        sitename=result.sitename or h.sitename,
        # The input's own URL is where the page was found; the page's canonical link may differ.
        url=h.url or result.url,
        language=h.language or _language(meta, html),
        categories=_split_list(result.categories) or h.categories,
        tags=_split_list(result.tags) or h.tags,
        image_url=result.image or h.image_url,
        fetched_at=h.fetched_at,
        title_source=title_from if title else INPUT,
        date_source=date_from if published else INPUT,
        authors_source=authors_from if authors else INPUT,
    )


def _extract_text(doc: RawDoc, text: str) -> Extracted:
    h = doc.hints
    if doc.input_format != "text":
        # Body text exported by another tool: no headline or furniture layout to parse.
        return Extracted(
            source=doc.source,
            input_ref=doc.input_ref,
            input_format=doc.input_format,
            extractor=PLAIN,
            text=text,
            title=h.title,
            description=h.description,
            authors=h.authors,
            published_at=h.published_at,
            modified_at=h.modified_at,
            sitename=h.sitename,
            url=h.url,
            language=h.language,
            categories=h.categories,
            tags=h.tags,
            image_url=h.image_url,
            fetched_at=h.fetched_at,
            blank_line_paragraphs=True,
        )
    art = parse_text_article(text)
    hd = art.headers
    authors = tuple(
        a.strip()
        for a in (hd.get("authors") or hd.get("author") or hd.get("by") or "").split(";")
        if a.strip()
    )
    published = hd.get("date") or hd.get("published")
    return Extracted(
        source=doc.source,
        input_ref=doc.input_ref,
        input_format=doc.input_format,
        extractor=TEXTDUMP,
        text="\n\n".join(art.paragraphs),
        title=art.title or h.title,
        description=art.description or h.description,
        authors=authors or h.authors,
        published_at=published or h.published_at,
        modified_at=hd.get("modified") or h.modified_at,
        sitename=hd.get("site") or hd.get("source") or h.sitename,
        url=hd.get("url") or h.url,
        language=hd.get("language") or h.language,
        categories=h.categories,
        tags=h.tags,
        image_url=h.image_url,
        fetched_at=h.fetched_at,
        blank_line_paragraphs=True,
        boilerplate_removed=art.boilerplate_removed,
        title_source=DUMP if art.title else INPUT,
        date_source=DUMP if published else INPUT,
        authors_source=DUMP if authors else INPUT,
    )


def extract(doc: RawDoc, cfg: ExtractConfig) -> Extracted | Rejected:
    """One document in, its extraction or the reason it has none out; never raises for data."""
    if doc.size > cfg.max_bytes:
        msg = f"{doc.size} bytes is over extract.max_bytes={cfg.max_bytes}"
        return doc.reject("extract", "too_large", msg, keep=False)
    try:
        with time_limit(cfg.timeout_s):
            if doc.html is not None:
                return _extract_html(doc, doc.html, cfg)
            return _extract_text(doc, doc.text or "")
    except ExtractionTimeout:
        msg = f"extraction took over extract.timeout_s={cfg.timeout_s}s"
        return doc.reject("extract", "timeout", msg)
    except Exception as e:  # the extractor's bugs are the input's quarantine, not the run's end
        return doc.reject("extract", "extractor_error", f"{type(e).__name__}: {e}"[:500])
