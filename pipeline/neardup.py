"""Near-duplicates: one story, many copies. MinHash over word shingles, LSH banding, a window.

Workers compute each article's MinHash signature (`signature`); the publisher clusters the
night's articles, in input order, against each other and against the stories of the last
`window_days` nights kept in LAKE/near_index (a table partitioned and published like the
others, so a re-run replaces it). Candidates come from LSH bands and are confirmed by the
signatures' estimated Jaccard similarity, so banding only decides what is compared.

Each article joins the most similar earlier story at or above the threshold, or starts its own
(`story_id` = its article_id). A story's canonical record is chosen once, among the members of
the night that started it: earliest `published_at`, then the longest text, then the source
listed first in `dedup.source_priority`, then input order. Later nights never rewrite earlier
partitions: their copies point at the canonical record already published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import DedupConfig

_TOKEN = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_MULT = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)

NEAR_INDEX_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("story_id", pa.string(), nullable=False),
        pa.field("near_duplicate", pa.bool_(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("word_count", pa.int64(), nullable=False),
        pa.field("signature", pa.binary(), nullable=False),
    ]
)


def shingles(text: str, k: int) -> list[bytes]:
    """Overlapping k-word shingles of the lower-cased text (characters for CJK scripts)."""
    tokens = _TOKEN.findall(text.casefold())
    if _CJK.search(text):
        tokens = [c for t in tokens for c in (list(t) if _CJK.search(t) else [t])]
    if len(tokens) <= k:
        return [" ".join(tokens).encode()]
    return [" ".join(tokens[i : i + k]).encode() for i in range(len(tokens) - k + 1)]


def signature(text: str, cfg: DedupConfig) -> bytes:
    """The MinHash signature, as uint32 little-endian bytes (permutations x 4 bytes)."""
    from datasketch import MinHash

    m = MinHash(num_perm=cfg.permutations, seed=1)
    m.update_batch(shingles(text, cfg.shingle_words))
    return np.asarray(m.hashvalues, dtype=np.uint64).astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    x = np.frombuffer(a, dtype="<u4")
    y = np.frombuffer(b, dtype="<u4")
    return float(np.mean(x == y))


def band_keys(sigs: np.ndarray, bands: int) -> np.ndarray:
    """(n, bands) uint64 keys: one hash per band of rows."""
    n, perms = sigs.shape
    rows = perms // bands
    cube = sigs.reshape(n, bands, rows).astype(np.uint64)
    mult = np.resize(_MULT, rows)
    with np.errstate(over="ignore"):
        keys: np.ndarray = (cube * mult).sum(axis=2, dtype=np.uint64) ^ np.uint64(rows)
    return keys


@dataclass
class Member:
    article_id: str
    story_id: str
    near_duplicate: bool
    source: str
    published_at: datetime | None
    word_count: int
    signature: bytes
    key: tuple[str, str] | None = None  # (source, input_ref) for tonight's records
    order: int = 0


class _Index:
    """Members in arrival order, findable by band key: sorted arrays for the prior window,
    dicts for what arrives tonight."""

    def __init__(self, prior: list[Member], cfg: DedupConfig) -> None:
        self.cfg = cfg
        self.members = list(prior)
        self.sorted_keys: list[np.ndarray] = []
        self.sorted_idx: list[np.ndarray] = []
        if prior:
            sigs = np.stack([np.frombuffer(m.signature, dtype="<u4") for m in prior])
            keys = band_keys(sigs, cfg.bands)
            for b in range(cfg.bands):
                order = np.argsort(keys[:, b], kind="stable")
                self.sorted_keys.append(keys[order, b])
                self.sorted_idx.append(order)
        self.tonight: list[dict[int, list[int]]] = [{} for _ in range(cfg.bands)]

    def candidates(self, keys: np.ndarray) -> set[int]:
        found: set[int] = set()
        for b in range(self.cfg.bands):
            k = keys[b]
            if self.sorted_keys:
                lo = np.searchsorted(self.sorted_keys[b], k, side="left")
                hi = np.searchsorted(self.sorted_keys[b], k, side="right")
                found.update(int(i) for i in self.sorted_idx[b][lo:hi])
            found.update(self.tonight[b].get(int(k), ()))
        return found

    def add(self, m: Member, keys: np.ndarray) -> None:
        idx = len(self.members)
        self.members.append(m)
        for b in range(self.cfg.bands):
            self.tonight[b].setdefault(int(keys[b]), []).append(idx)


def _rank(m: Member, priority: Sequence[str]) -> tuple[Any, ...]:
    pub = m.published_at.timestamp() if m.published_at is not None else float("inf")
    prio = priority.index(m.source) if m.source in priority else len(priority)
    return (pub, -m.word_count, prio, m.order)


def cluster(
    prior: list[Member], tonight: list[Member], cfg: DedupConfig
) -> dict[tuple[str, str], tuple[str, bool, str | None]]:
    """(source, input_ref) -> (story_id, near_duplicate, duplicate_of) for tonight's records.

    Sets story_id and near_duplicate on the Member objects too (they become the index rows).
    """
    index = _Index(prior, cfg)
    canonical: dict[str, str] = {m.story_id: m.article_id for m in prior if not m.near_duplicate}
    if not tonight:
        return {}
    sigs = np.stack([np.frombuffer(m.signature, dtype="<u4") for m in tonight])
    keys = band_keys(sigs, cfg.bands)
    new_stories: dict[str, list[Member]] = {}
    for j, m in enumerate(tonight):
        best, best_sim = None, cfg.threshold
        for c in index.candidates(keys[j]):
            other = index.members[c]
            sim = similarity(m.signature, other.signature)
            if sim >= best_sim and (best is None or sim > best_sim or other.order < best.order):
                best, best_sim = other, sim
        m.story_id = best.story_id if best is not None else m.article_id
        if m.story_id not in canonical:
            new_stories.setdefault(m.story_id, []).append(m)
        index.add(m, keys[j])
    for story, members in new_stories.items():
        canonical[story] = min(members, key=lambda x: _rank(x, cfg.source_priority)).article_id
    out = {}
    for m in tonight:
        head = canonical[m.story_id]
        m.near_duplicate = head != m.article_id
        assert m.key is not None
        out[m.key] = (m.story_id, m.near_duplicate, head if m.near_duplicate else None)
    return out


def index_table(members: Iterable[Member]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "article_id": m.article_id,
                "story_id": m.story_id,
                "near_duplicate": m.near_duplicate,
                "source": m.source,
                "published_at": m.published_at,
                "word_count": m.word_count,
                "signature": m.signature,
            }
            for m in members
        ],
        schema=NEAR_INDEX_SCHEMA,
    )


def read_prior(
    files: Sequence[tuple[str, date, str]],
    open_file: Any,
    ingest_date: date,
    replaced: Sequence[str],
    window_days: int,
) -> list[Member]:
    """The index rows of the window: earlier nights, and tonight's other sources."""
    first = ingest_date - timedelta(days=window_days)
    out: list[Member] = []
    for path, day, source in files:
        if not (first <= day < ingest_date or (day == ingest_date and source not in replaced)):
            continue
        with open_file(path) as fh:
            t = pq.read_table(fh)
        for row in t.to_pylist():
            out.append(Member(**row, order=-1))
    return out
