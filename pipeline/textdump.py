"""Plain-text news dumps: headline, optional dek, body paragraphs, page furniture.

Layout of one article (UTF-8, blocks separated by blank lines):

    URL: https://...            optional header lines at the very top ("Key: value"), ended by
    Date: 2026-11-20T07:30-05:00  a blank line; keys: URL, Date, Published, Modified, Author(s),
    Authors: A; B               By, Site, Source, Language
    <blank>
    Headline                    first block
    <blank>
    Dek / standfirst            optional: the description, and the first body paragraph
    <blank>
    Jane Doe/Agency             photo credit, with its caption on the next line (one block)
    Caption text.
    <blank>
    • A daily summary ...       newsletter blurb
    <blank>
    Body paragraph ...          one paragraph per block
    <blank>
    You've read 3 of 5 free articles. Subscribe to continue.      metering / paywall footer

A multi-article file separates articles with a line of five or more "=" and nothing else;
the reader (pipeline.sources.text) splits them before this parser sees one article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.normalize import (
    BOILERPLATE_MAX_WORDS,
    boilerplate_rule,
    normalize_inline,
    remove_boilerplate,
)

HEADER_KEYS = frozenset(
    {
        "url",
        "date",
        "published",
        "modified",
        "author",
        "authors",
        "by",
        "site",
        "source",
        "language",
    }
)
# The value is stripped in code: a lazy `(.*?)\s*$` is quadratic on a long line of blanks.
_HEADER = re.compile(r"^\s*([A-Za-z]+)\s*:(.*)$")
_BLOCKS = re.compile(r"\n[ \t]*\n")
# Any run of blank lines separates two blocks as one blank line does; collapsed first, so a
# file of millions of empty lines costs one scan, not a Python step per line.
_BLANK_RUN = re.compile(r"\n[ \t\n]*\n")
# A sentence ends at . ! ? before a capitalised word or the end ("Oct. 31" does not end one).
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\s+(?=[A-ZÀ-Þ])|\s*$)")
_WORD = re.compile(r"\w+", re.U)
# A line that ends a sentence or a clause: the next line starts a line of its own.
_LINE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")

DEK_MAX_WORDS = 60


@dataclass(frozen=True, slots=True)
class TextArticle:
    title: str | None
    description: str | None
    paragraphs: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    boilerplate_removed: int = 0


def _headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return {}, lines
    m = _HEADER.match(lines[first])
    if not m or m.group(1).lower() not in HEADER_KEYS:
        return {}, lines
    headers: dict[str, str] = {}
    i = first
    while i < len(lines) and lines[i].strip():
        m = _HEADER.match(lines[i])
        if not m or m.group(1).lower() not in HEADER_KEYS:
            return {}, lines  # not a header block after all: treat everything as text
        headers[m.group(1).lower()] = m.group(2).strip()
        i += 1
    return headers, lines[i:]


def _is_credit_block(block: list[str]) -> bool:
    """A credit line and its caption: the rest of the block, when that is caption-sized. A
    longer rest is body text that lost its blank line, and is never taken with the credit."""
    rest = sum(len(ln.split()) for ln in block[1:])
    return boilerplate_rule(block[0]) == "photo_credit" and rest <= BOILERPLATE_MAX_WORDS


def _is_furniture(block: list[str]) -> bool:
    return _is_credit_block(block) or all(boilerplate_rule(ln) is not None for ln in block)


def _furniture_lines(lines: list[str]) -> list[bool]:
    """Which lines of a block are furniture lines of their own: a rule matches, the line before
    ended (or was furniture) and the line is not continued in lower case, so a hard-wrapped
    paragraph keeps a line that happens to begin like furniture ("continue reading at ...")."""
    flags: list[bool] = []
    for i, line in enumerate(lines):
        fresh = i == 0 or flags[-1] or bool(_LINE_END.search(lines[i - 1]))
        continued = i + 1 < len(lines) and lines[i + 1][:1].islower() and not _LINE_END.search(line)
        flags.append(
            fresh and not continued and not line[:1].islower() and bool(boilerplate_rule(line))
        )
    return flags


def _words(s: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(s)}


def _looks_like_dek(candidate: str, next_block_is_furniture: bool, first_body: str | None) -> bool:
    if len(candidate.split()) > DEK_MAX_WORDS or len(_SENTENCE_END.findall(candidate)) > 2:
        return False
    if next_block_is_furniture:
        return True
    if first_body is None:
        return False
    dek_words = _words(candidate)
    return bool(dek_words) and len(dek_words & _words(first_body)) / len(dek_words) >= 0.4


def parse_text_article(raw: str) -> TextArticle:
    """Headline, dek and body of one dump article; furniture dropped, body order kept."""
    lines = _BLANK_RUN.sub("\n\n", raw.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    headers, rest = _headers(lines)
    blocks = [[ln for ln in b.split("\n") if ln.strip()] for b in _BLOCKS.split("\n".join(rest))]
    blocks = [b for b in blocks if b]
    if not blocks:
        return TextArticle(None, None, (), headers)
    title = normalize_inline(" ".join(blocks[0])) or None
    body_blocks = blocks[1:]
    removed = 0
    description: str | None = None
    if len(body_blocks) >= 2 and not _is_furniture(body_blocks[0]):
        candidate = normalize_inline(" ".join(body_blocks[0]))
        following = body_blocks[1:]
        first_body = next((" ".join(b) for b in following if not _is_furniture(b)), None)
        # The standfirst is the description and stays the first body paragraph, as it does
        # for HTML pages (docs/body-policy.md).
        if _looks_like_dek(candidate, _is_furniture(following[0]), first_body):
            description = candidate
    paragraphs: list[str] = []
    for block in body_blocks:
        if _is_credit_block(block):
            removed += 1  # a credit takes its caption with it
            continue
        if len(block) > 1 and any(boilerplate_rule(ln) for ln in block):
            # Footer lines not separated by blank lines: judge them one by one.
            lines = [x for x in (normalize_inline(ln) for ln in block) if x]  # control-only
            flags = _furniture_lines(lines)
            removed += sum(flags)
            kept = [ln for ln, furniture in zip(lines, flags, strict=True) if not furniture]
            if kept:
                paragraphs.append(" ".join(kept))
            continue
        paragraphs.append(normalize_inline(" ".join(block)))
    kept, n = remove_boilerplate([p for p in paragraphs if p])
    return TextArticle(title, description, tuple(kept), headers, removed + n)
