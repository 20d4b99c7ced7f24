"""Source filters: cheap URL checks before extraction, the language check after it."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from pipeline.config import Filters
from pipeline.records import SkipReason


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def host_of(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _in(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def url_verdict(url: str | None, f: Filters) -> SkipReason | None:
    """Why this URL is filtered out, or None to keep it. No URL: nothing to judge, kept."""
    if not url:
        return None
    if f.domains or f.exclude_domains:
        host = host_of(url)
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
