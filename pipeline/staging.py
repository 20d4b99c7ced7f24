"""Staging a run: what shards write before the publish, and the final partitions it builds.

Shards (one per mapped task, or one after another in the CLI) stream their records into
LAKE/_staging/<run_id>/shards/<index>/; at publish, `RunStage.finalize` merges them in shard order
(the input order) into compacted, sorted partition files under LAKE/_staging/<run_id>/final/,
which `Lake.publish` swaps in.
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import LakeConfig
from pipeline.contract import article_row
from pipeline.lake import DUPLICATE_SCHEMA, RAW, TABLES, TABLES_BY_NAME, partition_rel
from pipeline.records import Article, Duplicate, Rejected
from pipeline.storage import Storage

if TYPE_CHECKING:
    from pipeline.lake import Lake

# (source, input_ref) of a staged article -> (story_id, near_duplicate, duplicate_of).
NearMap = dict[tuple[str, str], tuple[str, bool, str | None]]
SIGNATURE_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("input_ref", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("word_count", pa.int64(), nullable=False),
        pa.field("signature", pa.binary(), nullable=False),
    ]
)
# (source, input_ref) of a staged article -> (kept article_id, match, previous_run): the staged
# articles that are not to be written. One input is one row, so this names rows, where an
# article_id may not (the same URL twice).
Dropped = dict[tuple[str, str], tuple[str, str, bool]]


class _RotatingWriter:
    """Streams rows of one schema into numbered Parquet files of at most rows_per_file rows."""

    def __init__(
        self, storage: Storage, folder: str, schema: pa.Schema, opts: LakeConfig, prefix: str
    ) -> None:
        self.storage = storage
        self.folder = folder
        self.schema = schema
        self.opts = opts
        self.prefix = prefix
        self.files: list[str] = []
        self._buffer: list[dict[str, Any]] = []
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_file = 0
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        self.rows += 1
        if len(self._buffer) >= min(self.opts.row_group_rows, 2_000):
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            self.storage.makedirs(self.folder)
            path = posixpath.join(self.folder, f"{self.prefix}-{len(self.files):05d}.parquet")
            self._writer = pq.ParquetWriter(
                path, self.schema, compression="zstd", filesystem=self.storage.fs
            )
            self.files.append(path)
            self._rows_in_file = 0
        self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
        self._rows_in_file += len(self._buffer)
        self._buffer.clear()
        if self._rows_in_file >= self.opts.rows_per_file:
            self._writer.close()
            self._writer = None

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


# Long, nearly unique strings: a dictionary never pays for itself there, and DuckDB scans the
# plain encoding faster (`text ILIKE` over a million articles: 3.2 s instead of 4.3 s).
_PLAIN_COLUMNS = frozenset({"text", "description", "raw_excerpt", "message", "signature"})


def parquet_options(schema: pa.Schema, opts: LakeConfig) -> dict[str, Any]:
    """How every published file is written (the lake benchmark writes with them too)."""
    return {
        "compression": "zstd",
        "compression_level": opts.zstd_level,
        "use_dictionary": [f.name for f in schema if f.name not in _PLAIN_COLUMNS],
        "write_statistics": True,
    }


def _sorted_final(
    storage: Storage,
    table: pa.Table,
    keys: Sequence[tuple[str, str]],
    out: str,
    opts: LakeConfig,
) -> None:
    """Write `table` sorted on `keys`, one row group at a time: only the sort order and one
    group's rows are copied, never the whole sorted table."""
    storage.makedirs(posixpath.dirname(out))
    order = pc.sort_indices(table, sort_keys=list(keys))
    with pq.ParquetWriter(
        out, table.schema, filesystem=storage.fs, **parquet_options(table.schema, opts)
    ) as writer:
        step = opts.row_group_rows
        for start in range(0, table.num_rows, step):
            writer.write_table(table.take(order[start : start + step]), row_group_size=step)


class ShardWriter:
    """Streams one shard's records into LAKE/_staging/<run_id>/shards/<index>/<table>/."""

    def __init__(self, storage: Storage, root: str, opts: LakeConfig) -> None:
        self.root = root
        storage.rmtree(root)  # a retried shard starts over
        storage.makedirs(root)
        self._writers = {
            name: _RotatingWriter(
                storage, posixpath.join(root, name), TABLES_BY_NAME[name].schema(), opts, "chunk"
            )
            for name in TABLES
        }
        # Not a table: what the near-duplicate stage reads at publish.
        self._writers["signatures"] = _RotatingWriter(
            storage, posixpath.join(root, "signatures"), SIGNATURE_SCHEMA, opts, "chunk"
        )

    def add_article(self, a: Article) -> None:
        self._writers["articles"].write(article_row(a))
        if a.signature is not None:
            self._writers["signatures"].write(
                {
                    "source": a.source,
                    "input_ref": a.input_ref,
                    "article_id": a.article_id,
                    "published_at": a.published_at,
                    "word_count": a.word_count,
                    "signature": a.signature,
                }
            )

    def add_duplicate(self, d: Duplicate) -> None:
        self._writers["duplicates"].write(duplicate_row(d))

    def add_state(self, row: dict[str, Any]) -> None:
        self._writers["fetch_state"].write(row)

    def add_rejected(self, r: Rejected, run_id: str, ingested_at: datetime) -> None:
        row = {
            "source": r.source,
            "input_ref": r.input_ref,
            "input_format": r.input_format,
            "stage": r.stage,
            "reason": r.reason,
            "message": r.message,
            "raw_excerpt": r.raw_excerpt,
            "run_id": run_id,
            "ingested_at": ingested_at,
        }
        self._writers["quarantine"].write(row)

    def close(self) -> None:
        for w in self._writers.values():
            w.close()


@dataclass
class RunStage:
    """Everything one run writes before publish, kept in LAKE/_staging/<run_id>/.

    Shards (one per mapped task, or one after another in the CLI) each write their own folder;
    the publisher merges them in shard order, which is the input order.
    """

    lake: Lake
    run_id: str
    ingest_date: date
    opts: LakeConfig
    root: str = field(init=False)

    def __post_init__(self) -> None:
        self.root = self.lake.storage.path("_staging", self.run_id)

    @property
    def storage(self) -> Storage:
        return self.lake.storage

    def shard_writer(self, index: int) -> ShardWriter:
        return ShardWriter(
            self.storage, posixpath.join(self.root, "shards", f"{index:06d}"), self.opts
        )

    def chunk_files(self, table: str) -> list[str]:
        """Staged chunks of a table, in shard order then write order."""
        shards = posixpath.join(self.root, "shards")
        return self.storage.files(shards, f"*/{table}/chunk-*.parquet")

    def discard(self) -> None:
        """Forget everything staged: the lake stays exactly as it was.

        Once the publish journal is committed the staged files belong to it: the next process
        that opens the lake rolls the publish forward, so they must stay.
        """
        if self.storage.exists(self.lake.journal_path(self.run_id)):
            return
        with contextlib.suppress(OSError):
            self.storage.rmtree(self.root)

    def finalize(
        self,
        sources: Sequence[str],
        drop: Dropped,
        near: NearMap | None = None,
        extra: dict[str, pa.Table] | None = None,
    ) -> None:
        """Write final partitions: per (table, source), compacted and sorted files.

        `drop` names the staged articles that turned out to duplicate another shard's or an
        earlier night's record: they go to duplicates, and duplicates that pointed at them
        point at the kept record instead. Shard
        chunks are merged into files of up to rows_per_file rows, so a run of many small shards
        does not leave many small files.
        """
        self.sources = list(sources)
        for source in sources:
            for table in (*TABLES, RAW):
                self.storage.makedirs(self.final_dir(table, source))
        self._move_raw()
        compactors = {t: _Compactor(self, t) for t in TABLES}
        retarget: dict[str, tuple[str, bool]] = {}
        for table in TABLES:
            for chunk in self.chunk_files(table):
                t = pq.read_table(chunk, filesystem=self.storage.fs)
                if table == "articles" and near:
                    t = _apply_near(t, near)
                if table == "articles" and drop:
                    t, dups = _split_dropped(t, drop, self.run_id)
                    compactors["duplicates"].add(dups)
                    for aid, kept, prev in zip(
                        dups.column("article_id").to_pylist(),
                        dups.column("duplicate_of").to_pylist(),
                        dups.column("previous_run").to_pylist(),
                        strict=True,
                    ):
                        retarget[aid] = (kept, prev)
                elif table == "duplicates" and retarget:
                    t = _repoint(t, retarget)
                compactors[table].add(t)
                self.storage.delete(chunk)
        for table, t in (extra or {}).items():
            compactors[table].add(t)
        for c in compactors.values():
            c.flush_all()
        pa.default_memory_pool().release_unused()  # the allocator would keep the peak

    def raw_dir(self, shard: int) -> str:
        """Where a shard stages its raw captures (one folder per source inside)."""
        return posixpath.join(self.root, "shards", f"{shard:06d}", RAW)

    def _move_raw(self) -> None:
        shards = posixpath.join(self.root, "shards")
        for path in self.storage.files(shards, f"*/{RAW}/*/*"):
            source = posixpath.basename(posixpath.dirname(path))
            if source in self.sources:
                dest = posixpath.join(self.final_dir(RAW, source), posixpath.basename(path))
                self.storage.move_file(path, dest)

    def final_dir(self, table: str, source: str) -> str:
        return posixpath.join(self.root, "final", partition_rel(table, self.ingest_date, source))

    def final_partitions(self) -> list[tuple[str, str]]:
        """(staged, target) folder pairs for every partition this run replaces."""
        return [
            (self.final_dir(t, s), self.storage.path(partition_rel(t, self.ingest_date, s)))
            for t in (*TABLES, RAW)
            for s in self.sources
        ]


class _Compactor:
    """Buffers rows per source up to rows_per_file (or file_buffer_mb of data), then writes one
    sorted file: memory is bounded by the options, not by the size of the night."""

    def __init__(self, stage: RunStage, table: str) -> None:
        self.stage = stage
        self.table = table
        self.buffers: dict[str, list[pa.Table]] = {}
        self.files: dict[str, int] = {}

    def add(self, t: pa.Table) -> None:
        if not t.num_rows:
            return
        t = t.cast(TABLES_BY_NAME[self.table].schema())  # edits lose not-null flags
        opts = self.stage.opts
        sources = t.column("source").unique().to_pylist()
        for source in sources:
            part = t if len(sources) == 1 else t.filter(pc.equal(t.column("source"), source))
            buf = self.buffers.setdefault(source, [])
            buf.append(part)
            if (
                sum(b.num_rows for b in buf) >= opts.rows_per_file
                or sum(b.nbytes for b in buf) >= opts.file_buffer_mb << 20
            ):
                self.flush(source)

    def flush(self, source: str) -> None:
        buf = self.buffers.pop(source, [])
        if not buf:
            return
        n = self.files.get(source, 0)
        self.files[source] = n + 1
        out = posixpath.join(self.stage.final_dir(self.table, source), f"part-{n:05d}.parquet")
        table = pa.concat_tables(buf).combine_chunks()  # take() on one chunk copies only its rows
        del buf
        # Partition keys are in the path only (see Table.file_schema).
        keys = TABLES_BY_NAME[self.table].partition_by
        table = table.drop_columns([c for c in keys if c in table.column_names])
        sort = list(TABLES_BY_NAME[self.table].sort)
        _sorted_final(self.stage.storage, table, sort, out, self.stage.opts)

    def flush_all(self) -> None:
        for source in list(self.buffers):
            self.flush(source)


def duplicate_row(d: Duplicate) -> dict[str, Any]:
    a = d.article
    return {
        "article_id": a.article_id,
        "duplicate_of": d.duplicate_of,
        "match": d.match,
        "previous_run": d.previous_run,
        "source": a.source,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "content_sha256": a.content_sha256,
        "title": a.title,
        "input_format": a.input_format,
        "input_ref": a.input_ref,
        "run_id": a.run_id,
        "ingested_at": a.ingested_at,
    }


def _split_dropped(t: pa.Table, drop: Dropped, run_id: str) -> tuple[pa.Table, pa.Table]:
    keys = zip(t.column("source").to_pylist(), t.column("input_ref").to_pylist(), strict=True)
    mask = pa.array([k in drop for k in keys])
    gone = t.filter(mask)
    rows = []
    for r in gone.to_pylist():
        kept_id, match, previous = drop[(r["source"], r["input_ref"])]
        rows.append(
            {
                "article_id": r["article_id"],
                "duplicate_of": kept_id,
                "match": match,
                "previous_run": previous,
                "source": r["source"],
                "url": r["url"],
                "canonical_url": r["canonical_url"],
                "content_sha256": r["content_sha256"],
                "title": r["title"],
                "input_format": r["input_format"],
                "input_ref": r["input_ref"],
                "run_id": run_id,
                "ingested_at": r["ingested_at"],
            }
        )
    return t.filter(pc.invert(mask)), pa.Table.from_pylist(rows, schema=DUPLICATE_SCHEMA)


def _apply_near(t: pa.Table, near: NearMap) -> pa.Table:
    """Tonight's story assignment into the staged articles (rows not in `near` keep theirs)."""
    keys = list(zip(t.column("source").to_pylist(), t.column("input_ref").to_pylist(), strict=True))
    old = zip(
        t.column("story_id").to_pylist(),
        t.column("near_duplicate").to_pylist(),
        t.column("duplicate_of").to_pylist(),
        strict=True,
    )
    new = [near.get(k, o) for k, o in zip(keys, old, strict=True)]
    for i, name in enumerate(("story_id", "near_duplicate", "duplicate_of")):
        idx = t.schema.get_field_index(name)
        t = t.set_column(
            idx, t.schema.field(idx), pa.array([n[i] for n in new], t.schema.field(idx).type)
        )
    return t


def _repoint(t: pa.Table, retarget: dict[str, tuple[str, bool]]) -> pa.Table:
    """Duplicates of a record that was itself dropped point at the record that was kept."""
    targets = t.column("duplicate_of").to_pylist()
    if not any(x in retarget for x in targets):
        return t
    kept = [retarget[x][0] if x in retarget else x for x in targets]
    prev = [
        retarget[x][1] if x in retarget else p
        for x, p in zip(targets, t.column("previous_run").to_pylist(), strict=True)
    ]
    t = t.set_column(t.schema.get_field_index("duplicate_of"), "duplicate_of", pa.array(kept))
    return t.set_column(
        t.schema.get_field_index("previous_run"), "previous_run", pa.array(prev, pa.bool_())
    )
