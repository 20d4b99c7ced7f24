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
from functools import cache
from hashlib import sha1
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


@cache
def _permutations(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Odd multipliers and offsets of `n` affine permutations of 32-bit hashes."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, n, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, n, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer: spreads the shingle hashes before the affine permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    out: np.ndarray = h ^ (h >> np.uint32(16))
    return out


_BLOCK = 4096  # shingles per block: bounds the (block x permutations) temporary to 2 MiB


def signature(text: str, cfg: DedupConfig) -> bytes:
    """The MinHash signature, as uint32 little-endian bytes (permutations x 4 bytes).

    The scheme is datasketch 2's default ("affine32": SHA-1 of each shingle, first 4 bytes,
    MurmurHash3 finalizer, h -> a*h + b mod 2^32, seed 1), computed here without its import
    cost and over distinct shingles only; a test pins the two to the same bytes.
    """
    distinct = set(shingles(text, cfg.shingle_words))
    digests = b"".join([sha1(s).digest()[:4] for s in distinct])
    hv = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    a, b = _permutations(cfg.permutations)
    out = np.full(cfg.permutations, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for i in range(0, len(hv), _BLOCK):
            block = hv[i : i + _BLOCK, None] * a + b
            np.minimum(out, block.min(axis=0), out=out)
    return out.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    x = np.frombuffer(a, dtype="<u4")
    y = np.frombuffer(b, dtype="<u4")
    return float(np.mean(x == y))


def band_keys(sigs: np.ndarray, bands: int) -> np.ndarray:
    """(n, bands) uint64 keys: one hash per band of rows. Computed in blocks: the uint64
    intermediate is eight times the signatures' size."""
    n, perms = sigs.shape
    rows = perms // bands
    mult = np.resize(_MULT, rows)
    keys = np.empty((n, bands), dtype=np.uint64)
    for start in range(0, n, _KEY_BLOCK):
        cube = sigs[start : start + _KEY_BLOCK].reshape(-1, bands, rows).astype(np.uint64)
        with np.errstate(over="ignore"):
            block = (cube * mult).sum(axis=2, dtype=np.uint64) ^ np.uint64(rows)
        keys[start : start + _KEY_BLOCK] = block
    return keys


_KEY_BLOCK = 16_384


@dataclass(slots=True)
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


@dataclass
class Window:
    """The earlier stories, as columns: each member's story and signature, and the canonical
    article of each story. About 0.7 KB per member (no objects per row but the story ids)."""

    story_ids: list[str]
    sigs: np.ndarray  # (members, permutations) uint32
    canonical: dict[str, str]

    @classmethod
    def of(cls, members: Sequence[Member], permutations: int) -> Window:
        w = cls.empty(permutations)
        w.extend(
            [m.story_id for m in members],
            b"".join(m.signature for m in members),
            {m.story_id: m.article_id for m in members if not m.near_duplicate},
        )
        return w

    @classmethod
    def empty(cls, permutations: int) -> Window:
        return cls([], np.empty((0, permutations), dtype=np.uint32), {})

    def extend(self, story_ids: list[str], sigs: bytes, canonical: dict[str, str]) -> None:
        block = np.frombuffer(sigs, dtype="<u4").reshape(len(story_ids), self.sigs.shape[1])
        self.story_ids.extend(story_ids)
        self.sigs = np.concatenate([self.sigs, block.astype(np.uint32)])
        self.canonical.update(canonical)

    def __len__(self) -> int:
        return len(self.story_ids)


def _rank(m: Member, priority: Sequence[str]) -> tuple[Any, ...]:
    pub = m.published_at.timestamp() if m.published_at is not None else float("inf")
    prio = priority.index(m.source) if m.source in priority else len(priority)
    return (pub, -m.word_count, prio, m.order)


_CHUNK = 8192  # tonight's members looked up per vectorized step


def cluster(
    prior: Sequence[Member] | Window, tonight: list[Member], cfg: DedupConfig
) -> dict[tuple[str, str], tuple[str, bool, str | None]]:
    """(source, input_ref) -> (story_id, near_duplicate, duplicate_of) for tonight's records.

    Sets story_id and near_duplicate on the Member objects too (they become the index rows).
    Every member of the window and of tonight is banded once into per-band sorted arrays; a
    tonight member's candidates are the earlier members sharing a band key, compared by their
    signatures in one vectorized step. Memory is arrays, about 0.9 KB per member.
    """
    window = prior if isinstance(prior, Window) else Window.of(prior, cfg.permutations)
    if not tonight:
        return {}
    p = len(window)
    night = np.frombuffer(b"".join(m.signature for m in tonight), dtype="<u4")
    sigs = np.concatenate([window.sigs, night.reshape(len(tonight), -1).astype(np.uint32)])
    keys = band_keys(sigs, cfg.bands)
    order = np.argsort(keys, axis=0, kind="stable").astype(np.int32)
    sorted_keys = np.take_along_axis(keys, order, axis=0)
    del keys
    story: list[str] = list(window.story_ids)
    canonical = window.canonical
    new_stories: dict[str, list[Member]] = {}
    for start in range(0, len(tonight), _CHUNK):
        own = band_keys(sigs[p + start : p + start + _CHUNK], cfg.bands)
        lo = np.stack(
            [np.searchsorted(sorted_keys[:, b], own[:, b], "left") for b in range(cfg.bands)], 1
        )
        hi = np.stack(
            [np.searchsorted(sorted_keys[:, b], own[:, b], "right") for b in range(cfg.bands)], 1
        )
        shared = (hi - lo) > 1
        for j in range(own.shape[0]):
            g = p + start + j
            m = tonight[start + j]
            best = -1
            bands = np.flatnonzero(shared[j])
            if bands.size:
                cand = np.unique(np.concatenate([order[lo[j, b] : hi[j, b], b] for b in bands]))
                cand = cand[cand < g]
                if cand.size:
                    sims = (sigs[cand] == sigs[g]).mean(axis=1)
                    k = int(np.argmax(sims))  # the earliest of the most similar
                    if sims[k] >= cfg.threshold:
                        best = int(cand[k])
            m.story_id = story[best] if best >= 0 else m.article_id
            story.append(m.story_id)
            if m.story_id not in canonical:
                new_stories.setdefault(m.story_id, []).append(m)
    for sid, members in new_stories.items():
        canonical[sid] = min(members, key=lambda x: _rank(x, cfg.source_priority)).article_id
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
    permutations: int = 128,
) -> Window:
    """The index rows of the window: earlier nights, and tonight's other sources."""
    first = ingest_date - timedelta(days=window_days)
    out = Window.empty(permutations)
    cols = ["article_id", "story_id", "near_duplicate", "signature"]
    for path, day, source in files:
        if not (first <= day < ingest_date or (day == ingest_date and source not in replaced)):
            continue
        with open_file(path) as fh:
            t = pq.read_table(fh, columns=cols)
        aids, sids, near = (t.column(c).to_pylist() for c in cols[:3])
        canon = {s: a for a, s, n in zip(aids, sids, near, strict=True) if not n}
        out.extend(sids, b"".join(t.column("signature").to_pylist()), canon)
    return out
