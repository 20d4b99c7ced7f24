"""Normalization: pure functions over strings, plus the stage that turns Extracted into Article.

Everything here is deterministic and side-effect free, so it is tested with plain values and
property-based tests (idempotence, no crash on any input, ids stable under irrelevant changes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import ftfy
from dateutil import parser as dateparser
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES

from pipeline.config import Filters
from pipeline.iso639 import primary_subtag
from pipeline.records import Article, Extracted, Rejected
from pipeline.web_util import url_domain

# -- text ------------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_WS = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n\s*\n")


# Keep what the publisher typed: curly quotes and full-width forms are not mojibake.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False, normalization="NFC", uncurl_quotes=False, fix_character_width=False
)


def _ftfy_touches() -> re.Pattern[str]:
    """Characters some ftfy fixer (other than mojibake repair) would change: controls, C1,
    Latin ligatures, line separators, lone surrogates, terminal escapes."""
    from ftfy.chardata import CONTROL_CHARS, LIGATURES

    codes = set(CONTROL_CHARS) | set(LIGATURES) | set(range(0x80, 0xA0))
    codes |= {0x0D, 0x1B, 0x2028, 0x2029}
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(codes)) + "\ud800-\udfff]")


_FTFY_TOUCHES = _ftfy_touches()
_COMMON_CATEGORIES = ("common", "lower_common", "upper_common")


# Every clue of ftfy's mojibake test (ftfy.badness.BADNESS_RE) holds one of these characters:
# its rare-character classes, and the Cyrillic Ђ of "вЂ" (its other letters are common ones).
# A clue is at most 7 characters long, so it lies within 6 characters of such a character.
_CLUE_CHARS = re.compile(
    "["
    + "".join(v for k, v in MOJIBAKE_CATEGORIES.items() if k not in _COMMON_CATEGORIES)
    + "\u0402]"
)
_CLUE_REACH = 6


def is_bad(text: str) -> bool:
    """ftfy's `is_bad` (does the text look like mojibake?), searched only around the
    characters its clues need: its one big pattern tried at every position costs 0.16 ms per
    kilobyte, most of normalization on a long body (property-tested against ftfy's own)."""
    start = end = -1
    for m in _CLUE_CHARS.finditer(text):
        i = m.start()
        if i - _CLUE_REACH > end:
            if end >= 0 and BADNESS_RE.search(text, start, end):
                return True
            start = max(0, i - _CLUE_REACH)
        end = i + _CLUE_REACH + 1
    return end >= 0 and BADNESS_RE.search(text, start, end) is not None


def _ftfy(s: str) -> str:
    """ftfy.fix_text with our options, skipped when it provably returns the text unchanged:
    no character any fixer touches, already NFC, and ASCII or free of mojibake clues (the
    test that ftfy's own encoding fixer starts with). Most paragraphs take the fast path."""
    if not _FTFY_TOUCHES.search(s) and (
        s.isascii() or (unicodedata.is_normalized("NFC", s) and not is_bad(s))
    ):
        return s
    return str(ftfy.fix_text(s, _FTFY))


def fix_text(s: str) -> str:
    """Repair mojibake (ftfy), compose to NFC, drop invisible and control characters."""
    s = _ftfy(s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    s = _CONTROL.sub("", s)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", s))


def normalize_inline(s: str) -> str:
    """One line of text: repaired, every whitespace run one space, trimmed.

    Repeated to a fixed point: ftfy can reveal another layer of mojibake once the
    surrounding whitespace is gone, and normalizing twice must change nothing.
    """
    for _ in range(4):
        t = _WS.sub(" ", fix_text(s)).strip()
        if t == s:
            break
        s = t
    return s


# What fix_text changes besides ftfy's fixers: controls, invisible characters, odd spaces.
_FIX_CHANGES = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\u00ad"
    "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]|  "
)
# The one mojibake clue ftfy anchors at the start of a text: a paragraph can start with it in
# a body that does not.
_BAD_PARAGRAPH_START = re.compile("(?:^|\n)[\u00c2\u00c3] ")


def _fixed_already(text: str) -> bool:
    """Whether fix_text leaves every line of `text` unchanged: ftfy's fast path holds for the
    whole (it holds for each part then: its clues are character pairs, none across a line
    break, bar one anchored at the start) and nothing else of fix_text applies."""
    if _FIX_CHANGES.search(text) or _FTFY_TOUCHES.search(text):
        return False
    if text.isascii():
        return True
    return (
        unicodedata.is_normalized("NFC", text)
        and not is_bad(text)
        and not _BAD_PARAGRAPH_START.search(text)
    )


def split_paragraphs(text: str, blank_line_paragraphs: bool) -> list[str]:
    """Paragraphs of a body: blocks between blank lines (dumps) or one per line (extractors).

    Each is normalize_inline's; a body fix_text would leave as it is is checked once, and
    then only its paragraphs with whitespace to collapse take the full path (a tenth of the
    cost on extractor output, property-tested against the paragraph-by-paragraph way)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINES.split(text) if blank_line_paragraphs else text.split("\n")
    if not _fixed_already(text):
        return [p for p in map(normalize_inline, parts) if p]
    out = []
    for part in parts:
        p = _WS.sub(" ", part).strip()
        if p != part:
            p = normalize_inline(part)
        if p:
            out.append(p)
    return out


def join_paragraphs(paragraphs: Sequence[str]) -> str:
    return "\n\n".join(paragraphs)


# -- news boilerplate ------------------------------------------------------------------------------

# A paragraph longer than this is body text, whatever it mentions: the rules below only ever
# remove short furniture lines, so a sentence like "..., Reuters reports." can never be lost.
BOILERPLATE_MAX_WORDS = 40

_AGENCY_NAMES = (
    r"Reuters|AP|AFP|Getty Images|Getty|EPA|dpa|Bloomberg|Shutterstock|Alamy|PA|ANP|Keystone|"
    r"picture alliance|imago|Xinhua|Anadolu|NurPhoto|SIPA|ZUMA|iStock"
)
_AGENCIES = _AGENCY_NAMES + r"|[A-Z][\w.&'-]+"
_NAME_WORD = r"[A-ZÀ-Þ][\w.'’-]+"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|van|von|da|di|le|la|del))*"
# Two words at least: a person ("Jane Doe"), not a heading word ("Introductions/Shout-Outs").
_FULL_NAME = rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|van|von|da|di|le|la|del))+"

# (rule name, pattern, at most this many words). A rule either is anchored at the start of the
# paragraph (furniture starts with its verb: "Sign up…", "Share…", "Read more…") or needs two
# signals together ("free articles" and "subscribe"), so that prose which merely mentions a
# newsletter, a subscription or an agency is never taken for furniture.
_I = re.IGNORECASE
_RULES: tuple[tuple[str, re.Pattern[str], int], ...] = (
    # "Benoit Tessier/Reuters", "AP Photo/Jane Doe", "Jane Doe / Harbor Ledger", "Staff/AFP";
    # not a heading of two single words ("Add-ons / Web Extensions").
    (
        "photo_credit",
        re.compile(
            rf"^(?:{_FULL_NAME}|AP Photo|Photo|Foto)\s*/\s*(?:{_NAME}|{_AGENCIES})\.?$"
            rf"|^{_NAME}\s*/\s*(?:{_AGENCY_NAMES})\.?$"
        ),
        8,
    ),
    # "Photo by Victor Moriyama/Getty Images", "Foto von Jane Doe für dpa": names only after it.
    (
        "photo_credit",
        re.compile(
            r"^(?i:photo(?:graph)?|image|picture|foto|bild)s?\s+(?i:by|von|par|de|di|door|av)\s+"
            rf"(?:{_NAME}|{_AGENCIES})(?:\s*(?:/|,|for|für|pour)\s*(?:{_NAME}|{_AGENCIES}))*\.?$"
        ),
        10,
    ),
    # "Photo: Jane Doe", "Foto: dpa", "Image credit: X", "Credit: ...", "Bild: ..."
    (
        "photo_credit",
        re.compile(
            r"^\(?(?:photo|photograph|image|picture|foto|bild|crédit|credit|bildquelle|quelle)s?"
            r"(?:\s+credit)?\s*[:©]",
            _I,
        ),
        15,
    ),
    ("photo_credit", re.compile(rf"^\((?:{_AGENCIES})(?:\s*/\s*[\w .'-]+)?\)$"), 6),
    ("photo_credit", re.compile(r"^©\s*\S"), 12),
    # Metering and paywall prompts.
    (
        "paywall",
        re.compile(
            r"^(?:you['’]ve read|you have read|get unlimited|unlimited (?:digital )?access|"
            r"already a (?:subscriber|member)|subscribers? only|become a (?:member|subscriber)|"
            r"start your (?:free )?trial|(?:subscribe|log in|sign in) to (?:continue|keep reading|"
            r"read|unlock)|continue reading|to read (?:the full|this) (?:article|story)|"
            r"unlock (?:this|the full) (?:article|story)|(?:jetzt|hier) (?:abonnieren|weiterlesen)|"
            r"jetzt testen|abo abschließen|bereits abonnent|abonnez-vous|déjà abonné|"
            r"pour lire la suite|suscríbete|ya eres suscriptor)",
            _I,
        ),
        25,
    ),
    (
        "paywall",
        re.compile(
            r"of stories this month|\bfree articles?\b.*\b(?:subscribe|remaining|left|log in)\b|"
            r"(?:article|content) is (?:only )?(?:for|available to) subscribers|"
            r"already a (?:subscriber|member)\?|(?:exklusiv|nur) für abonnenten|"
            r"réservé aux abonnés|contenido exclusivo para suscriptores",
            _I,
        ),
        25,
    ),
    (
        "paywall",
        re.compile(
            r"^[^.!?]{0,60}[$€£]\s?\d+(?:[.,]\d+)?\s*(?:/|per|a)\s*"
            r"(?:month|week|year|mo|monat|mois|mes)\b.{0,40}$",
            _I,
        ),
        15,
    ),
    # Newsletter and subscription prompts: an imperative and a newsletter word together.
    (
        "newsletter",
        re.compile(
            r"^(?:sign up|subscribe|register|join|get|receive|don['’]t miss|never miss|"
            r"inscrivez-vous|abonnez-vous|recevez|melden sie sich|jetzt anmelden|"
            r"abonnieren sie|suscríbete)\b.{0,150}\b(?:newsletters?|inbox|briefing|digest|"
            r"e-?mails?|alerts|bulletin|infolettre)\b",
            _I,
        ),
        30,
    ),
    ("newsletter", re.compile(r"^(?:zum|our|the|notre) newsletter\b", _I), 8),
    ("newsletter", re.compile(r"(?:delivered|straight|direct) to your inbox", _I), 25),
    # "• A daily summary of global reports on security issues."
    (
        "newsletter",
        re.compile(
            r"^[•●▪■◆►]\s*.{0,160}\b(?:summary|digest|newsletter|briefing|daily|weekly|inbox|"
            r"roundup|round-up)\b",
            _I,
        ),
        30,
    ),
    # Share and follow prompts.
    (
        "share",
        re.compile(
            r"^(?:share (?:this|on|via)\b|click to share|follow us\b|tweet this|email this|"
            r"copy link|teilen\b|artikel teilen|partager\b|compartir\b)",
            _I,
        ),
        12,
    ),
    (
        "advertisement",
        re.compile(
            r"^(?:advertisement|advertising|anzeige|werbung|publicité|publicidad|sponsored)$", _I
        ),
        1,
    ),
    (
        "related",
        re.compile(
            r"^(?:read more|related|see also|more on this|mehr zum thema|lesen sie auch|"
            r"weiterlesen|lire aussi|à lire aussi|lee también|más información)"
            r"(?:\s*[:»>|–-]|\s*$)",
            _I,
        ),
        25,
    ),
    # Placeholders of blocked embeds: "Zur Anzeige aktiviere bitte die Einstellungen in den
    # Privatsphäre-Einstellungen", "Enable cookies in your privacy settings to view this".
    (
        "consent",
        re.compile(
            r"^(?=.*(?:privatsphäre|privacy|cookie|consent|datenschutz))"
            r"(?=.*(?:einstellungen|settings|preferences))"
            r"(?=.*(?:aktiviere|bitte|please|enable|to (?:view|display|see|load)|"
            r"verhinder\w* das laden))"
            r"(?=.*(?:anzeig|inhalt|content|embed|video|grafik|display|view))",
            _I,
        ),
        30,
    ),
    (
        "paywall",
        re.compile(
            r"^(?:subscribe|sign up|abonnieren|abonnez-vous)(?: now| today| jetzt)?[.!]?$", _I
        ),
        3,
    ),
    # Japanese member-only and paid-article notices ("この記事は会員限定です").
    ("paywall", re.compile(r"会員限定|有料会員|有料記事"), 6),
    (
        "related",
        re.compile(
            r"^(?:more|also read|recommended(?: videos| stories| for you)?|don['’]t miss)"
            r"(?:\s*[:»>|–-]|\s*$)|^for more (?:stories|news|articles) like this\b",
            _I,
        ),
        25,
    ),
    ("feedback", re.compile(r"^(?:fehler gefunden|spotted an error|found an error)\b", _I), 8),
    (
        "copyright",
        # "All rights reserved" only as a notice: alone, or after a name, a year or a copyright
        # mark, closing the paragraph (a body sentence may mention reserved rights).
        re.compile(
            r"(?:^|[.©ⓒ]\s*|\d{4}\s+|(?:^\d{4}|copyright|\(c\))\b.*?)"
            r"(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|"
            r"todos los derechos reservados)\.?\s*$"
            r"|^<?(?:copyright|\(c\))\s*(?:©|ⓒ|\d{4}|by\b)"
            # The wire services' licence line: "This material may not be published, broadcast,
            # rewritten or redistributed."
            r"|^this material may not be (?:published|reproduced|redistributed)\b",
            _I,
        ),
        20,
    ),
    # Translator credits: "Aus dem Englischen von Jan Doolan", "Translated from French by ...".
    (
        "credit",
        re.compile(
            r"^(?:aus dem \w+en (?:übersetzt )?von|translated (?:from \w+ )?by|"
            r"traduit de l['’]\w+ par)\s",
            _I,
        ),
        10,
    ),
    # A visible time line: "Updated November 22, 2026, 9:10 p.m.", "Stand: 21.11.2026, 14:05 Uhr".
    (
        "dateline",
        re.compile(
            r"^(?:last updated|updated|published|posted|aktualisiert(?: am)?|"
            r"veröffentlicht(?: am)?|stand|mis à jour(?: le)?|publié le)\b\s*:?\s+"
            r"(?:on\s+|at\s+)?(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
            r"mon|tue|wed|thu|fri|sat|sun|mär|mai|okt|dez|janv|févr|avr|juil|déc)\w*\.?\s+\d)",
            _I,
        ),
        12,
    ),
    (
        "cookies",
        re.compile(
            r"\b(?:we use cookies|this (?:site|website) uses cookies)\b.*"
            r"\b(?:accept|consent|settings|policy|agree)\b",
            _I,
        ),
        40,
    ),
)


_PAYWALL_RULES = tuple(rule for rule in _RULES if rule[0] == "paywall")


def _first_rule(paragraph: str, rules: Sequence[tuple[str, re.Pattern[str], int]]) -> str | None:
    p = paragraph.strip()
    words = len(p.split())
    if not p or words > BOILERPLATE_MAX_WORDS:
        return None
    for name, pattern, max_words in rules:
        if words <= max_words and pattern.search(p):
            return name
    return None


def boilerplate_rule(paragraph: str) -> str | None:
    """The name of the furniture rule a paragraph matches, or None for body text."""
    return _first_rule(paragraph, _RULES)


def has_paywall_prompt(text: str) -> bool:
    """Whether a line of `text` is a metering or subscription prompt (a `paywall` rule above):
    the one paywall phrase list, shared by boilerplate removal and the `paywall_stub` flag."""
    return any(_first_rule(line, _PAYWALL_RULES) for line in text.splitlines())


def remove_boilerplate(paragraphs: Sequence[str]) -> tuple[list[str], int]:
    """Paragraphs without news furniture, and how many were removed."""
    kept = [p for p in paragraphs if boilerplate_rule(p) is None]
    return kept, len(paragraphs) - len(kept)


# -- dates -----------------------------------------------------------------------------------------

_SENTINEL_A = datetime(1901, 1, 1, 3, 3, 3)
_SENTINEL_B = datetime(1902, 2, 2, 4, 4, 4)
_ISO_TIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}[T ]\d")


def read_declared(value: str | None) -> tuple[datetime, bool] | None:
    """A date as the input wrote it: aware when it gave an offset, naive otherwise, and
    whether it gave a time of day. None for anything lacking a year, month or day: never a
    guessed one."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        has_time = bool(_ISO_TIME.search(text))
    except ValueError:
        dt = None
    if dt is None:
        try:
            a = dateparser.parse(text, default=_SENTINEL_A)
            b = dateparser.parse(text, default=_SENTINEL_B)
        except (ValueError, OverflowError, TypeError, ArithmeticError):
            return None
        if a is None or b is None or (a.year, a.month, a.day) != (b.year, b.month, b.day):
            return None  # the input lacks a year, month or day: do not invent one
        # Time parts the input did not give take the midnight default ("11:45 PM" gives no
        # seconds: zero, not the sentinel's).
        has_time = (a.hour, a.minute) == (b.hour, b.minute)
        if not has_time:
            dt = a.replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            dt = a if a.second == b.second else a.replace(second=0)
    if not 1800 <= dt.year <= 2200:
        return None
    return dt, has_time


def _to_utc(dt: datetime, default_tz: tzinfo) -> datetime | None:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def parse_datetime(value: str | None, default_tz: tzinfo = UTC) -> datetime | None:
    """A timezone-aware UTC instant, or None: never a guessed year, month or day.

    Naive values are read in `default_tz` (the source's zone). A time missing from the input
    is midnight local time.
    """
    read = read_declared(value)
    return _to_utc(read[0], default_tz) if read else None


@dataclass(frozen=True, slots=True)
class PublisherClock:
    """A publication date as the publisher's clock showed it, and the instant it stands for."""

    instant: datetime  # UTC
    local_date: date  # the publisher's calendar day, never shifted by the conversion to UTC
    offset_minutes: int | None  # the UTC offset the input declared; None when it gave none
    precision: str  # one of PRECISIONS


# "instant": a time with an offset (exact); "local_time": a time without one (read in the
# source's zone, `timezones` in the config, UTC by default); "day": a date alone (midnight
# in the source's zone stands for it).
PRECISIONS = ("instant", "local_time", "day")


def publisher_clock(value: str | None, default_tz: tzinfo = UTC) -> PublisherClock | None:
    """`published_at` and what the UTC instant alone would lose: the publisher's own day and
    offset, and whether the input gave a time at all ("articles published on D in the
    publisher's time" is then one filter on `published_date`)."""
    read = read_declared(value)
    if read is None:
        return None
    dt, has_time = read
    instant = _to_utc(dt, default_tz)
    if instant is None:
        return None
    offset = dt.utcoffset() if dt.tzinfo is not None else None
    if offset is not None and has_time:
        minutes = int(offset.total_seconds() // 60)
        if abs(minutes) > 18 * 60:
            return None
        return PublisherClock(instant, dt.date(), minutes, "instant")
    return PublisherClock(instant, dt.date(), None, "local_time" if has_time else "day")


# -- authors ---------------------------------------------------------------------------------------

_BY = re.compile(
    r"^(?:(?:written|reported|reporting|words|text|story|texte?|photos?)\s+)?"
    r"(?:by|von|par|por|di|door|av|af)\s+|^(?:autor(?:in)?|author|text|texte|redaktion)\s*:?\s+",
    re.I,
)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URLISH = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(^|\s)@\w+")
_ROLE = re.compile(
    r"\s*(\||,|–|—|-)\s*(staff|senior|chief|political|foreign|special|contributing)?\s*"
    r"(writer|reporter|correspondent|editor|journalist|contributor|redakteur(in)?|"
    r"korrespondent(in)?|photographer)s?\b.*$",
    re.I,
)
# "A, B and C", "A & B", "A und B", "A y B", "A et B", "A og B", "A och B". Not "e" or "i":
# Portuguese and Catalan surnames contain them ("Santos e Silva", "Puig i Cadafalch").
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\s&\s|\s(?:and|und|et|y|og|och)\s)\s*", re.I)
# "Elena Oberholzer (obe)": a newsroom's short sign or an age in brackets after the name.
_TRAILING_BRACKET = re.compile(r"\s*[(\[][^()\[\]]{1,12}[)\]]\s*$")
# A URL slug standing in for a name in structured data: "chuck-ross".
_SLUG = re.compile(r"^[a-z]{2,}(?:-[a-z]{2,})+$")
# Not a name: a caption ("(Image: Getty)"), a label, markup or a time ("05:00 Uhr").
_NOT_NAME = re.compile(r"^[(\[]|[:{}<>=@]|\d")
_MAX_NAME_WORDS = 6
# A date glued to a name by the byline's layout ("Luis Ortega November 17, 2026").
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|januar|februar|märz|mai|juni|juli|oktober|dezember"
    "|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre"
)
_TRAILING_DATE = re.compile(
    rf"\s+(?:[—–|·-]\s*)?(?:(?:updated|published|stand|aktualisiert(?: am)?|veröffentlicht(?: am)?"
    rf"|mis à jour(?: le)?|publiée? le)\s*:?\s*)?"
    rf"(?:\d{{1,2}}\.?\s*)?(?:{_MONTHS})\b.*$|\s+\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}.*$",
    re.I,
)
_NAME_KEY = re.compile(r"[\W_]+")
# A name that ends in an initial or an abbreviation keeps its period ("E.P.", "Martin Luther
# King Jr."): the strip of trailing punctuation is for the byline's own ("By Jane Doe.").
_ENDS_ABBREVIATION = re.compile(r"(?:^|[\s.])(?:\w|jr|sr|st|dr|mr|mrs|ms|prof)\.$", re.I)
# "Jane Doe, Jr.": the comma is the name's, not a list's.
_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.I)


def _author_key(name: str) -> str:
    """Same person whatever the case, spacing or hyphens ("Sophie Foster", "Sophie-Foster")."""
    return _NAME_KEY.sub("", name.casefold())


def clean_authors(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Author names in page order: no "By", e-mails, handles, roles, dates or repeats.

    Agencies ("AP", "dpa") are names like any other and stay.
    """
    if value is None:
        return ()
    raw = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    out: list[str] = []
    seen: set[str] = set()
    for item in raw:
        item = normalize_inline(item)
        item = _ROLE.sub("", _HANDLE.sub(" ", _URLISH.sub(" ", _EMAIL.sub(" ", item))))
        joins = False  # the previous part of this item added a name a suffix can join
        for part in _AUTHOR_SPLIT.split(item):
            name = _BY.sub("", normalize_inline(part))
            name = _TRAILING_DATE.sub("", name).strip(" .,;:|-–—·•")
            name = _TRAILING_BRACKET.sub("", name).strip(" .,;:|-–—·•(")
            if name and _ENDS_ABBREVIATION.search(f"{name}.") and f"{name}." in part:
                name += "."
            if _SUFFIX.match(name):  # joins the name before it; alone it names no one
                if joins:
                    seen.discard(_author_key(out[-1]))
                    out[-1] = f"{out[-1]}, {name}"
                    seen.add(_author_key(out[-1]))
                joins = False
                continue
            joins = False
            if _SLUG.match(name):
                name = name.replace("-", " ").title()
            if (
                not name
                or len(name) > 100
                or len(name.split()) > _MAX_NAME_WORDS
                or _NOT_NAME.search(name)
                or not any(c.isalpha() for c in name)
            ):
                continue
            key = _author_key(name)
            if key not in seen:
                seen.add(key)
                out.append(name)
                joins = True
    return tuple(out)


# -- URLs ------------------------------------------------------------------------------------------

# Query parameters that identify a campaign or a click, never the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "cmpid",
        "ocid",
        "spm",
        "smid",
        "sr_share",
        "utm",
        "at_medium",
        "at_campaign",
        "mkt_tok",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith("utm_") or k in TRACKING_PARAMS


_PCT = re.compile(r"%([0-9A-Fa-f]{2})?")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalize_path(path: str) -> str:
    """RFC 3986 normalization: decode only escapes of unreserved characters, upper-case the
    others, escape what may not appear raw (a bare "%" too). Never decodes %2F or %25, so it
    is idempotent."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) is None:  # a bare "%" is escaped, so it can never start an escape later
            return "%25"
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    return quote(_PCT.sub(one, path), safe="/:@!$&'()*+,;=-._~%")


def canonicalize_url(url: str | None) -> str | None:
    """The URL an article is known by: same page, same string. None if not http(s)."""
    if not url or not isinstance(url, str):
        return None
    u = url.strip().strip("<>").strip()
    if not u or any(c.isspace() for c in u):
        return None
    try:
        parts = urlsplit(u)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalize_path(parts.path) or "/"
    query_pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query_pairs.sort(key=lambda kv: kv[0])
    query = urlencode(query_pairs, doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


# -- language --------------------------------------------------------------------------------------

_MIN_LETTERS = 20
_NON_LETTERS = re.compile(r"[\W\d_]+")
# py3langid's cost grows with the text; on the development corpus a 400-character window agrees
# with the label of the whole text in 3,831 of 3,831 windows (the first 16 paragraph starts of
# each of the 258 bodies, 25 languages), at about half the cost of 1,000 characters.
LANGUAGE_SAMPLE_CHARS = 400


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, declared: str | None = None) -> tuple[str | None, float | None]:
    """ISO 639-1 code and confidence from the text; the declared code for very short texts."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(_NON_LETTERS.sub("", sample)) < _MIN_LETTERS:
        return primary_subtag(declared), None
    lang, prob = _identifier().classify(sample)
    return str(lang), round(float(prob), 4)


# -- hashes and ids --------------------------------------------------------------------------------


# Chinese and Japanese do not separate words with spaces: each Han or kana character counts as
# one word, which is the usual convention for length limits in those languages.
_CJK = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")


def word_count(text: str) -> int:
    """Whitespace-separated tokens, plus one per Chinese or Japanese character."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return cjk + len(_CJK_PUNCT.sub(" ", _CJK.sub(" ", text)).split())


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_article_id(canonical_url: str | None, content_sha: str) -> str:
    """Stable across runs and machines: from the canonical URL, else from the text."""
    key = f"url:{canonical_url}" if canonical_url else f"text:{content_sha}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class NormalizeContext:
    """What normalization needs from the run: who is writing, when, and per-source zones."""

    run_id: str
    ingested_at: datetime
    schema_version: str
    timezones: Mapping[str, str] = field(default_factory=dict)
    # Sources with active filters; the language filter needs the detected language.
    filters: Mapping[str, Filters] = field(default_factory=dict)


def _clean_opt(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = normalize_inline(value)
    return cleaned or None


def _clean_list(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        c = normalize_inline(v)
        if c and c.casefold() not in {s.casefold() for s in seen}:
            seen[c] = None
    return tuple(seen)


def _repeats_title(paragraph: str, title: str) -> bool:
    """The headline again: maybe after a kicker of a few words ("EXCLUSIVE Headline"), or in
    full when the title is a shortened form of it (a headline line: no sentence punctuation)."""
    if paragraph == title:
        return True
    if paragraph.endswith(title) and len(paragraph[: -len(title)].split()) <= 3:
        return True
    return (
        len(title.split()) >= 4
        and paragraph.startswith(title)
        and len(paragraph[len(title) :].split()) <= 12
        and not _CLAUSE_END.search(paragraph)
    )


# -- repeated paragraphs ---------------------------------------------------------------------------

# What a layout copies goes; what an article repeats on purpose stays. A run of paragraphs that
# copies an earlier run is a layout copy (a teaser block, the page printed twice) when it holds
# REPEAT_BLOCK_MIN_WORDS words and a paragraph of prose; shorter repeats are the article's own
# (the question put to each person, the plan line of each day, the bullets of each product).
REPEAT_BLOCK_MIN_WORDS = 20
_PROSE_MIN_WORDS = 10
_TEASER_WORDS = range(5, 16)
_PULL_QUOTE_MIN_WORDS = 8
_MAX_EARLIER = 8  # earlier copies a run is compared with: a body of one repeated line is linear
_MAX_HOSTS = 4  # inside more paragraphs than this: a common phrase, neither quote nor counted
_LIST_ITEM = re.compile(r"^(?:[-–•●▪■◆►*·+]|\d{1,3}[.)]|[a-z]\))\s")
# Ends like a sentence or a clause (or a line of code): not a headline or a link text.
_CLAUSE_END = re.compile(r"[.!?…;:,。！？][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")


def _is_prose(paragraph: str, words: int) -> bool:
    """10+ words ending a sentence, not a list item (nor a line of code)."""
    return (
        words >= _PROSE_MIN_WORDS
        and not _LIST_ITEM.match(paragraph)
        and bool(_SENTENCE_END.search(paragraph))
    )


def _is_teaser(paragraph: str, words: int) -> bool:
    """A headline or a link text: 5 to 15 words, no sentence punctuation, not a list item."""
    return (
        words in _TEASER_WORDS
        and not _CLAUSE_END.search(paragraph)
        and not _LIST_ITEM.match(paragraph)
    )


def _copied_runs(paragraphs: Sequence[str], words: Sequence[int]) -> list[bool]:
    """Which paragraphs belong to a run that copies an earlier run verbatim and is a block:
    REPEAT_BLOCK_MIN_WORDS words or more, with at least one prose paragraph in it."""
    n = len(paragraphs)
    drop = [False] * n
    seen: dict[str, list[int]] = {}
    measured: dict[int, int] = {}  # offset -> end of the last run measured at that offset
    i = 0
    while i < n:
        best = 0
        for j in seen.get(paragraphs[i], [])[-_MAX_EARLIER:]:
            offset = i - j
            if measured.get(offset, 0) > i:
                continue  # a suffix of a run already measured at this offset: not a block
            k = 0
            while i + k < n and k < offset and paragraphs[i + k] == paragraphs[j + k]:
                k += 1
            measured[offset] = i + k
            run = range(i, i + k)
            if (
                k > best
                and sum(words[r] for r in run) >= REPEAT_BLOCK_MIN_WORDS
                and any(_is_prose(paragraphs[r], words[r]) for r in run)
            ):
                best = k
        step = max(best, 1)
        for t in range(i, i + step):
            seen.setdefault(paragraphs[t], []).append(t)
            drop[t] = best > 0
        i += step
    return drop


def _pull_quotes(paragraphs: Sequence[str]) -> set[str]:
    """Paragraphs of 8+ words found inside one longer paragraph that is not furniture and that
    holds no other paragraph: a quote lifted from the text. A paragraph holding several others
    is a summary of the sections that follow, and they stay."""
    # All paragraphs shortest first in one string, so "inside a longer paragraph" is a
    # str.find from the first longer one (paragraphs never contain NUL: it cannot match across).
    by_len = sorted(dict.fromkeys(paragraphs), key=len)
    lengths = [len(q) for q in by_len]
    starts = list(accumulate((n + 1 for n in lengths), initial=0))
    joined = "\0".join(by_len)
    hosts: dict[str, list[int]] = {}
    for p in by_len:
        if len(p.split()) < _PULL_QUOTE_MIN_WORDS:
            continue
        core = p.rstrip(" .")
        found: list[int] = []
        pos = joined.find(core, starts[bisect_right(lengths, len(p))])
        while pos != -1 and len(found) <= _MAX_HOSTS:
            found.append(bisect_right(starts, pos) - 1)
            pos = joined.find(core, starts[found[-1] + 1])
        if 0 < len(found) <= _MAX_HOSTS:
            hosts[p] = found
    held = Counter(h for found in hosts.values() for h in found)
    return {
        p
        for p, found in hosts.items()
        if any(held[h] == 1 and boilerplate_rule(by_len[h]) is None for h in found)
    }


def _drop_repeats(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs without layout repeats, in order; no text is lost (each one dropped has a
    kept copy or sits inside a kept paragraph). Dropped: a run copying an earlier run that
    holds REPEAT_BLOCK_MIN_WORDS words and a prose paragraph (a teaser block, the page printed
    twice, one long paragraph repeated: runs compared with the last 8 earlier copies of their
    first paragraph); the second copy of a teaser line (5-15 words, no sentence punctuation,
    not a list item) that appears exactly twice; a pull quote (`_pull_quotes`). Single lines
    between distinct content stay: a question put to each person, a day-plan line, bullets."""
    words = [len(p.split()) for p in paragraphs]
    drop = _copied_runs(paragraphs, words)
    counts = Counter(paragraphs)
    earlier: set[str] = set()
    for i, p in enumerate(paragraphs):
        if p in earlier and counts[p] == 2 and _is_teaser(p, words[i]):
            drop[i] = True
        earlier.add(p)
    kept = [p for p, d in zip(paragraphs, drop, strict=True) if not d]
    quotes = _pull_quotes(kept)
    return [p for p in kept if p not in quotes]


# A dateline on a line of its own ("BERLIN (dpa) –", "KATHMANDU, April 25 (Reuters) -") opens
# the paragraph after it: joined to it, as the wire services print it.
_DATELINE = re.compile(
    rf"^[A-ZÀ-Þ][\w.'’-]*(?:[ ,]+[\w.'’-]+){{0,5}}\s*\((?:{_AGENCY_NAMES})(?:\s*/\s*[\w.-]+)*\)"
    r"\s*[-–—]$"
)


def _join_datelines(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs with a dateline standing alone joined to the paragraph it opens."""
    out: list[str] = []
    for p in paragraphs:
        if out and _DATELINE.match(out[-1]):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def _is_byline(paragraph: str, authors: Sequence[str]) -> bool:
    """A byline line left in the body ("Von Katrin Albers und Jonas Ebert, dpa")."""
    if not authors or len(paragraph.split()) > 25 or not _BY.match(paragraph):
        return False
    names = {_author_key(a) for a in clean_authors(paragraph)}
    return bool(names) and names <= {_author_key(a) for a in clean_authors(authors)}


def to_article(ex: Extracted, ctx: NormalizeContext) -> Article | Rejected:
    """The normalization stage for one document: an Article, or no_content if nothing is left."""
    paragraphs = _join_datelines(split_paragraphs(ex.text, ex.blank_line_paragraphs))
    title = _clean_opt(ex.title)
    description = _clean_opt(ex.description)
    # Extractors often repeat the headline (maybe after a kicker) as the first body line; the
    # record keeps it in title. The standfirst stays even when it is also the description: it
    # is the article's lead (dropping it cost body recall on the gold set, docs/eval.md).
    while paragraphs and title and _repeats_title(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    unique = [p for i, p in enumerate(_drop_repeats(paragraphs))
              if not (i < 6 and _is_byline(p, ex.authors))]  # fmt: skip
    kept, removed = remove_boilerplate(unique)
    removed += len(paragraphs) - len(unique)
    text = join_paragraphs(kept)
    if not text:
        return Rejected(
            ex.source,
            ex.input_ref,
            ex.input_format,
            "normalize",
            "no_content",
            f"no body text left after removing {removed} boilerplate paragraphs",
            ex.text[:2000],
        )
    tz = ZoneInfo(ctx.timezones.get(ex.source, "UTC"))
    url = _clean_opt(ex.url)
    canonical = canonicalize_url(url)
    sha = content_sha256(text)
    language, score = detect_language(text, ex.language)
    clock = publisher_clock(ex.published_at, tz)
    authors = clean_authors(ex.authors)
    return Article(
        article_id=make_article_id(canonical, sha),
        url=url,
        canonical_url=canonical,
        domain=url_domain(canonical),
        source=ex.source,
        sitename=_clean_opt(ex.sitename),
        title=title,
        description=description,
        authors=authors,
        published_at=clock.instant if clock else None,
        modified_at=parse_datetime(ex.modified_at, tz),
        language=language,
        language_score=score,
        text=text,
        word_count=word_count(text),
        categories=_clean_list(ex.categories),
        tags=_clean_list(ex.tags),
        image_url=_clean_opt(ex.image_url),
        content_sha256=sha,
        duplicate_of=None,
        input_format=ex.input_format,
        input_ref=ex.input_ref,
        fetched_at=parse_datetime(ex.fetched_at, UTC),
        ingested_at=ctx.ingested_at,
        run_id=ctx.run_id,
        extractor=ex.extractor,
        schema_version=ctx.schema_version,
        published_date=clock.local_date if clock else None,
        published_offset_minutes=clock.offset_minutes if clock else None,
        published_precision=clock.precision if clock else None,
        # Provenance only where there is a value to account for.
        title_source=(ex.title_source or "input") if title else None,
        date_source=(ex.date_source or "input") if clock else None,
        authors_source=(ex.authors_source or "input") if authors else None,
        boilerplate_removed=removed + ex.boilerplate_removed,
    )
