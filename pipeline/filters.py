"""Source filters: cheap URL checks before extraction, the language check after it.

`url_verdict` is the one URL filter. Readers that see a URL before paying for the body (web
fetches, WARC records) call it themselves; every other input goes through `filter_input`
before extraction, and `article_verdict` judges what only extraction revealed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.config import Filters
from pipeline.records import Article, RawDoc, Skipped, SkipReason
from pipeline.web_util import url_domain


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _in(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def url_verdict(url: str | None, f: Filters) -> SkipReason | None:
    """Why this URL is filtered out, or None to keep it. No URL: nothing to judge, kept."""
    if not url:
        return None
    if f.domains or f.exclude_domains:
        host = url_domain(url)
        if host is None:
            return "domain_filtered" if f.domains else None
        if f.domains and not _in(host, f.domains):
            return "domain_filtered"
        if _in(host, f.exclude_domains):
            return "domain_filtered"
    if f.url_patterns and not any(p.search(url) for p in _compiled(f.url_patterns)):
        return "url_filtered"
    if f.exclude_url_patterns and any(p.search(url) for p in _compiled(f.exclude_url_patterns)):
        return "url_filtered"
    return None


def language_verdict(language: str | None, f: Filters) -> SkipReason | None:
    """An article in none of the wanted languages (or of unknown language) is filtered out."""
    if f.languages and language not in f.languages:
        return "language_filtered"
    return None


def filter_input(doc: RawDoc, f: Filters) -> RawDoc | Skipped:
    """Before extraction: the input as it came, or Skipped when the URL it gave is filtered."""
    verdict = url_verdict(doc.hints.url, f) if f.active else None
    return doc if verdict is None else Skipped(doc.source, doc.input_ref, verdict)


def article_verdict(doc: RawDoc, article: Article, f: Filters) -> SkipReason | None:
    """After extraction: the page's own URL when the input gave none, then the language."""
    url = None if doc.hints.url else article.url
    return url_verdict(url, f) or language_verdict(article.language, f)
