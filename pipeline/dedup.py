"""Exact duplicates within a run: same canonical URL or same normalized text, kept once.

The first record seen wins; inputs are read in a stable order, so the winner is the same on
every re-run. Memory is two dicts of hashes (about 200 bytes per article), not the texts.
Duplicates of records published by earlier runs are found at publish time (Lake.prior_matches).
"""

from __future__ import annotations

from pipeline.records import Article, Duplicate


class ExactDeduper:
    def __init__(self) -> None:
        self._by_url: dict[str, str] = {}
        self._by_text: dict[str, str] = {}

    def __call__(self, a: Article) -> Article | Duplicate:
        if a.canonical_url is not None and a.canonical_url in self._by_url:
            return Duplicate(a, self._by_url[a.canonical_url], "canonical_url")
        if a.content_sha256 in self._by_text:
            return Duplicate(a, self._by_text[a.content_sha256], "content_sha256")
        if a.canonical_url is not None:
            self._by_url[a.canonical_url] = a.article_id
        self._by_text[a.content_sha256] = a.article_id
        return a

    def __len__(self) -> int:
        return len(self._by_text)
