"""Exact duplicates within a run: same canonical URL or same normalized text, kept once.

The first record seen wins; inputs are read in a stable order, so the winner is the same on
every re-run. Memory is two dicts, canonical URL and text hash to the kept id (about 360
bytes per article with a 75-character URL), not the texts.
Duplicates of records published by earlier runs are found at publish time (Lake.prior_matches).
"""

from __future__ import annotations

from typing import Literal

from pipeline.records import Article, Duplicate

Match = Literal["canonical_url", "content_sha256"]


class ExactDeduper:
    def __init__(self) -> None:
        self._by_url: dict[str, str] = {}
        self._by_text: dict[str, str] = {}

    def key(self, article_id: str, canonical_url: str | None, sha: str) -> tuple[str, Match] | None:
        """The kept record this one duplicates, or None after registering it as kept.

        A duplicate's own keys point at its kept record too, so a chain (A and B share a URL,
        B and C share a text) resolves to A whichever link is seen.
        """
        hit: tuple[str, Match] | None = None
        if canonical_url is not None and canonical_url in self._by_url:
            hit = (self._by_url[canonical_url], "canonical_url")
        elif sha in self._by_text:
            hit = (self._by_text[sha], "content_sha256")
        kept = hit[0] if hit else article_id
        if canonical_url is not None:
            self._by_url.setdefault(canonical_url, kept)
        self._by_text.setdefault(sha, kept)
        return hit

    def __call__(self, a: Article) -> Article | Duplicate:
        hit = self.key(a.article_id, a.canonical_url, a.content_sha256)
        if hit is None:
            return a
        return Duplicate(a, hit[0], hit[1])
