"""Inputs the lake already holds, found before they are extracted (extraction is the night's
main cost, and a re-crawl brings back many pages already published).

Two keys are known before extraction: the canonical URL of the input (what the record's
`article_id` is made from) and a sha256 of its raw payload (the HTML bytes, or the text of a
text input). An input is a duplicate without being extracted when

- its canonical URL is a published article of the last `extract.skip_known_days` nights
  (duplicate of that article, `previous_run` true: the same answer the publish would give after
  extracting it, since a canonical URL match wins there too); or
- its canonical URL or raw payload is that of an earlier input of the shard that became a
  record (duplicate of what that input became). Results come back in input order, so the earlier
  input's outcome is known when the later one is settled; if it became no record (quarantined,
  filtered), the later input is extracted after all (`Known.doc`).

Raw payloads are not stored in the lake, so across nights only the URL is known.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from pipeline.dedup import Match
from pipeline.normalize import canonicalize_url, make_article_id, normalize_inline
from pipeline.records import Article, Duplicate, RawDoc

log = logging.getLogger(__name__)

# The halves of an article_id and of a content_sha256 as raw bytes (hex digests).
_ID_BYTES = 16
_SHA_BYTES = 32


class PriorIndex:
    """article_id -> content_sha256 of the published articles of some nights, in two sorted
    numpy arrays (48 bytes per article: 125 MB for 7 nights of 370,000 articles)."""

    def __init__(self, ids: list[str], shas: list[str]) -> None:
        raw_ids = np.frombuffer(bytes.fromhex("".join(ids)), dtype=f"S{_ID_BYTES}")
        raw_shas = np.frombuffer(bytes.fromhex("".join(shas)), dtype=f"S{_SHA_BYTES}")
        order = np.argsort(raw_ids, kind="stable")
        self._ids = raw_ids[order]
        self._shas = raw_shas[order]

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, article_id: str) -> str | None:
        """The content_sha256 of the published article with this id, or None."""
        if not len(self._ids):
            return None
        key = np.array(bytes.fromhex(article_id), dtype=f"S{_ID_BYTES}")
        i = int(np.searchsorted(self._ids, key))
        if i < len(self._ids) and self._ids[i] == key:
            # tobytes: an element of an S array loses its trailing NUL bytes, a slice does not
            return self._shas[i : i + 1].tobytes().hex()
        return None

    @classmethod
    def of_lake(cls, lake: Any, ingest_date: date, days: int) -> PriorIndex:
        """The articles published on the `days` nights before `ingest_date` (never the night
        itself: a re-run of a night must extract what the first run did)."""
        import pyarrow.parquet as pq

        from pipeline.lake import part_of

        since = ingest_date - timedelta(days=days)
        ids: list[str] = []
        shas: list[str] = []
        for path in lake.files("articles"):
            day, _ = part_of(path)
            if not since <= day < ingest_date:
                continue
            with lake.storage.fs.open_input_file(path) as fh:
                t = pq.read_table(fh, columns=["article_id", "content_sha256"])
            ids += t.column("article_id").to_pylist()
            shas += t.column("content_sha256").to_pylist()
        return cls(ids, shas)


@dataclass(eq=False)
class _Slot:
    """What the first input with a key became: (kept article_id, content_sha256, previous_run)
    once settled; None while pending or when it became no record."""

    result: tuple[str, str, bool] | None = None


@dataclass(frozen=True, eq=False)
class Known:
    """An input matched before extraction; settled in input order by `KnownInputs.settle`."""

    doc: RawDoc
    canonical_url: str | None
    payload_sha256: str
    match: str  # "canonical_url" | "payload"
    prior: tuple[str, str] | None = None  # (article_id, content_sha256) of an earlier night
    slot: _Slot | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        return self.doc.source

    @property
    def input_ref(self) -> str:
        return self.doc.input_ref


def payload_sha256(doc: RawDoc) -> str:
    data = doc.html if doc.html is not None else (doc.text or "").encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical_of(doc: RawDoc) -> str | None:
    """The canonical URL the record would get: the input's own URL is the article's URL, except
    in a text dump, whose `URL:` header (read only by extraction) wins."""
    url = doc.hints.url
    if not url or doc.input_format == "text":
        return None
    return canonicalize_url(normalize_inline(url))


class KnownInputs:
    """The shard's memory of keys (two dict entries per input, like the exact deduper) and the
    lake's published articles of the last nights."""

    def __init__(self, prior: PriorIndex | None = None) -> None:
        self.prior = prior
        self._first: dict[str, _Slot] = {}
        self._pending: dict[tuple[str, str], _Slot] = {}
        self.matched = 0

    def check(self, doc: RawDoc) -> RawDoc | Known:
        """The document to extract, or a `Known` to settle without extracting it."""
        canonical = canonical_of(doc)
        payload = payload_sha256(doc)
        if canonical is not None and self.prior is not None:
            aid = make_article_id(canonical, "")
            sha = self.prior.get(aid)
            if sha is not None:
                self.matched += 1
                # Later inputs with the same bytes at another URL follow this one.
                self._first.setdefault(f"p:{payload}", _Slot((aid, sha, True)))
                return Known(doc, canonical, payload, "canonical_url", prior=(aid, sha))
        keys = [("canonical_url", f"u:{canonical}")] if canonical else []
        keys.append(("payload", f"p:{payload}"))
        for match, key in keys:
            slot = self._first.get(key)
            if slot is not None:
                self.matched += 1
                return Known(doc, canonical, payload, match, slot=slot)
        slot = _Slot()
        for _, key in keys:
            self._first[key] = slot
        self._pending[(doc.source, doc.input_ref)] = slot
        return doc

    def settle(self, source: str, input_ref: str, result: tuple[str, str, bool] | None) -> None:
        """Record what an input checked here became (a kept or duplicate record, or nothing)."""
        slot = self._pending.pop((source, input_ref), None)
        if slot is not None:
            slot.result = result

    @staticmethod
    def resolve(k: Known, run_id: str, ingested_at: datetime) -> Duplicate | None:
        """The duplicate record of a known input, or None when it must be extracted after all
        (the earlier input with its key became no record)."""
        if k.prior is not None:
            kept, sha, previous = k.prior[0], k.prior[1], True
        elif k.slot is not None and k.slot.result is not None:
            kept, sha, previous = k.slot.result
        else:
            return None
        # The id extraction would give it: from its URL, else from the (identical) text.
        aid = make_article_id(k.canonical_url, sha)
        match: Match = "canonical_url" if k.match == "canonical_url" else "content_sha256"
        return Duplicate(_unextracted(k, aid, sha, run_id, ingested_at), kept, match, previous)


def _unextracted(k: Known, aid: str, sha: str, run_id: str, ingested_at: datetime) -> Article:
    """The fields a duplicate row holds, for an input that was not extracted: no title, and
    the content hash of the record it duplicates."""
    h = k.doc.hints
    return Article(
        article_id=aid,
        url=normalize_inline(h.url) if h.url else None,
        canonical_url=k.canonical_url,
        domain=None,
        source=k.doc.source,
        sitename=None,
        title=None,
        description=None,
        authors=(),
        published_at=None,
        modified_at=None,
        language=None,
        language_score=None,
        text="",
        word_count=0,
        categories=(),
        tags=(),
        image_url=None,
        content_sha256=sha,
        duplicate_of=None,
        input_format=k.doc.input_format,
        input_ref=k.doc.input_ref,
        fetched_at=None,
        ingested_at=ingested_at,
        run_id=run_id,
        extractor="",
        schema_version="",
    )
