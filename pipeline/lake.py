"""The lake on disk: its tables (declared once), atomic publish, reading, the DuckDB catalog.
Staged writes live in `pipeline.staging`.

Layout (Hive partitions, so DuckDB and pyarrow prune on date and source):

    LAKE/articles/ingest_date=D/source=S/part-00000.parquet
    LAKE/duplicates/ingest_date=D/source=S/part-00000.parquet
    LAKE/quarantine/ingest_date=D/source=S/part-00000.parquet
    LAKE/runs/ingest_date=D/run-<run_id>.parquet
    LAKE/catalog.duckdb

Partition keys are in the path only, never in the files, so every reader's Hive default opens a
table. On an object store a partition folder holds versions, `_v/<run_id>/part-*.parquet`, and
pointers to them (`pipeline.storage`), which every read here follows.

A run writes everything under LAKE/_staging/<run_id>/ first. Publishing writes a journal
(LAKE/_journal/<run_id>.json) listing the partition swaps, fsyncs it, then performs them. A crash
before the journal exists leaves the lake as it was (staging is swept later); a crash after it is
rolled forward by the next process that opens the lake. Re-running a (date, source) replaces its
partitions, so a night can be re-run without duplicating rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import posixpath
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline import search
from pipeline.config import LakeConfig
from pipeline.contract import article_arrow_schema
from pipeline.neardup import NEAR_INDEX_SCHEMA
from pipeline.storage import Storage

if TYPE_CHECKING:
    from pipeline.staging import RunStage

log = logging.getLogger(__name__)

# Raw captures (WARC files written by web sources), partitioned like the tables and replaced
# with them, but moved as files rather than compacted.
RAW = "raw"
STALE_STAGING_S = 24 * 3600.0
_PART_VALUE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("input_ref", pa.string(), nullable=False),
        pa.field("input_format", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
        pa.field("raw_excerpt", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)

# One row per URL a web source requested: what the next night's incremental fetch reads.
FETCH_STATE_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # feed | sitemap | article
        pa.field("url", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string(), nullable=False),
        pa.field("status", pa.int64()),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

DUPLICATE_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("duplicate_of", pa.string(), nullable=False),
        pa.field("match", pa.string(), nullable=False),
        pa.field("previous_run", pa.bool_(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("input_format", pa.string(), nullable=False),
        pa.field("input_ref", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)

_REASON_COUNT = pa.struct([("reason", pa.string()), ("count", pa.int64())])

_COUNTS = pa.struct(
    [
        ("source", pa.string()),
        ("inputs", pa.int64()),
        ("written", pa.int64()),
        ("duplicates", pa.int64()),
        ("quarantined", pa.int64()),
        ("skipped", pa.int64()),
    ]
)

_PACKAGE_VERSION = pa.struct([("name", pa.string()), ("version", pa.string())])

RUN_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("inputs", pa.int64(), nullable=False),
        pa.field("written", pa.int64(), nullable=False),
        pa.field("duplicates", pa.int64(), nullable=False),
        pa.field("quarantined", pa.int64(), nullable=False),
        pa.field("skipped", pa.int64()),
        pa.field("by_source", pa.list_(_COUNTS)),
        pa.field("by_reason", pa.list_(_REASON_COUNT)),
        pa.field("by_skip", pa.list_(_REASON_COUNT)),
        pa.field(
            "timings", pa.list_(pa.struct([("stage", pa.string()), ("seconds", pa.float64())]))
        ),
        # A list rather than a map: Hugging Face `datasets` has no map type. Releases before
        # 2026-12 wrote a map named `versions`; `broadsheet catalog --upgrade` converts it.
        pa.field("package_versions", pa.list_(_PACKAGE_VERSION)),
        pa.field("config_sha256", pa.string(), nullable=False),
        pa.field("workers", pa.int64(), nullable=False),
        pa.field("message", pa.string()),
        # The batch gate: passed | warnings | failed | skipped, the failed warnings, and where
        # the validation report and Data Docs are (relative to the lake).
        pa.field("checks", pa.string()),
        pa.field("warnings", pa.list_(pa.string())),
        pa.field("report", pa.string()),
        pa.field("data_docs", pa.string()),
    ]
)


# How readers type the partition keys taken from the path.
PARTITION_TYPES = {"ingest_date": pa.date32(), "source": pa.string()}


@dataclass(frozen=True)
class Table:
    """A lake table, declared once: everything the writers, the publish and the catalog need.

    `staged`: written by shards and replaced, per (ingest_date, source), by a run's publish;
    otherwise written once per run (`runs`). `by_source`: partitioned by ingest_date and source,
    else by ingest_date only. `sort`: the order rows are written in within a file.
    `in_catalog`: a view of the same name in the DuckDB catalog. `derived`: not written by
    shards but built at publish from the run's final articles (`pipeline.search`), and swapped
    in with them.
    """

    name: str
    schema: Callable[[], pa.Schema]
    sort: tuple[tuple[str, str], ...] = ()
    staged: bool = True
    by_source: bool = True
    in_catalog: bool = True
    derived: bool = False

    @property
    def glob(self) -> str:
        """The table's files below its folder."""
        return "ingest_date=*/source=*/*.parquet" if self.by_source else "ingest_date=*/*.parquet"

    @property
    def partition_by(self) -> tuple[str, ...]:
        return ("ingest_date", "source") if self.by_source else ("ingest_date",)

    def file_schema(self) -> pa.Schema:
        """The columns stored in the files. Partition keys live only in the path: a column in
        both, with the types each reader infers for a path, breaks pandas and pyarrow."""
        schema = self.schema()
        for name in self.partition_by:
            if name in schema.names:
                schema = schema.remove(schema.get_field_index(name))
        return schema

    def read_schema(self) -> pa.Schema:
        """What readers see: the file columns, then the partition keys, typed."""
        schema = self.file_schema()
        for name in self.partition_by:
            schema = schema.append(pa.field(name, PARTITION_TYPES[name], nullable=False))
        return schema

    @property
    def hive_types(self) -> str:
        """DuckDB's `hive_types`, so a source named like a number stays VARCHAR."""
        sql = {"ingest_date": "DATE", "source": "VARCHAR"}
        return "{" + ", ".join(f"'{k}': {sql[k]}" for k in self.partition_by) + "}"


def _asc(*columns: str) -> tuple[tuple[str, str], ...]:
    return tuple((c, "ascending") for c in columns)


TABLES_BY_NAME: dict[str, Table] = {
    t.name: t
    for t in (
        Table("articles", article_arrow_schema, _asc("published_at", "article_id")),
        Table("duplicates", lambda: DUPLICATE_SCHEMA, _asc("duplicate_of", "article_id")),
        Table("quarantine", lambda: QUARANTINE_SCHEMA, _asc("input_ref")),
        Table("fetch_state", lambda: FETCH_STATE_SCHEMA, _asc("canonical_url")),
        # The near-duplicate index: read by the next nights' publish, not by analysts.
        Table(
            "near_index",
            lambda: NEAR_INDEX_SCHEMA,
            _asc("story_id", "article_id"),
            in_catalog=False,
        ),  # fmt: skip
        # The full-text index (pipeline.search): postings and each partition's terms.
        Table(search.INDEX, lambda: search.SEARCH_INDEX_SCHEMA, _asc("term"), derived=True),
        Table(search.TERMS, lambda: search.SEARCH_TERMS_SCHEMA, _asc("term"), derived=True),
        Table("runs", lambda: RUN_SCHEMA, staged=False, by_source=False),
    )
}
# The tables a run stages and publishes per (ingest_date, source).
TABLES = tuple(name for name, t in TABLES_BY_NAME.items() if t.staged and not t.derived)
# The tables the publish builds from the final articles and swaps in with them.
DERIVED = tuple(name for name, t in TABLES_BY_NAME.items() if t.derived)


class LakeError(RuntimeError):
    """The lake cannot be written; the run cannot publish."""


def _check_part_value(value: str) -> str:
    # Partition values become directory names: only the safe, validated alphabet.
    if not _PART_VALUE.match(value):
        raise LakeError(f"unsafe partition value {value!r}")
    return value


def partition_rel(table: str, ingest_date: date, source: str) -> str:
    """A partition's folder, relative to the lake (or to a run's staging)."""
    return f"{table}/ingest_date={ingest_date.isoformat()}/source={_check_part_value(source)}"


def _sql_str(value: str) -> str:
    """A SQL string literal for DDL, where DuckDB takes no bound parameters (paths only)."""
    return "'" + value.replace("'", "''") + "'"


class Lake:
    """A lake (local folder or object-store prefix). Writers open it with `locked()`, which
    takes the write lock and rolls forward interrupted publishes."""

    def __init__(self, location: str | Path) -> None:
        self.storage = Storage(location)
        self.uri = self.storage.uri

    @property
    def root(self) -> Path:
        """The local folder of a local lake (object-store lakes have none)."""
        if not self.storage.local:
            raise LakeError(f"{self.uri} is not a local folder")
        return Path(self.storage.root)

    def journal_path(self, run_id: str) -> str:
        return self.storage.path("_journal", f"{run_id}.json")

    @contextlib.contextmanager
    def locked(self) -> Iterator[Lake]:
        """Serialise writers. Local lakes use flock; on object stores there is no lock, and one
        publisher at a time is the deployment's job (the DAG has one publish task per run and
        max_active_runs=1)."""
        if not self.storage.local:
            try:
                self.storage.makedirs(self.storage.root)
                self.recover()
            except OSError as e:
                raise LakeError(f"lake {self.uri} is not usable: {e}") from None
            yield self
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise LakeError(f"lake {self.uri} is not writable: {e.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self.recover()
            yield self
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- publish ------------------------------------------------------------------------------

    def stage(self, run_id: str, ingest_date: date, opts: LakeConfig) -> RunStage:
        from pipeline.staging import RunStage

        return RunStage(self, run_id, ingest_date, opts)

    def publish(self, stage: RunStage, run_row: dict[str, Any]) -> None:
        """Swap the run's partitions in, all or nothing, and append its run row."""
        st = self.storage
        name = f"run-{stage.run_id}.parquet"
        staged_run = posixpath.join(stage.root, "final", "runs", name)
        st.makedirs(posixpath.dirname(staged_run))
        pq.write_table(
            pa.Table.from_pylist([run_row], schema=RUN_SCHEMA), staged_run, filesystem=st.fs
        )
        moves = [[s, t, "dir"] for s, t in stage.final_partitions()]
        moves += [  # built by pipeline.search.index_stage, replaced with their articles
            [stage.final_dir(d, s), st.path(partition_rel(d, stage.ingest_date, s)), "dir"]
            for d in DERIVED
            for s in stage.sources
        ]
        runs_dir = st.path("runs", f"ingest_date={stage.ingest_date.isoformat()}")
        moves.append([staged_run, posixpath.join(runs_dir, name), "file"])
        spec = json.dumps({"run_id": stage.run_id, "moves": moves}).encode()
        # The commit point: once the journal exists, the publish will complete.
        st.write_bytes_durably(self.journal_path(stage.run_id), spec)
        self._apply(self.journal_path(stage.run_id))

    def record_run(self, ingest_date: date, run_row: dict[str, Any]) -> None:
        """Append the row of a run that published nothing (failed, interrupted), so `runs`
        and the reports say what happened to the night; the data partitions stay as they were."""
        st = self.storage
        runs_dir = st.path("runs", f"ingest_date={ingest_date.isoformat()}")
        st.makedirs(runs_dir)
        final = posixpath.join(runs_dir, f"run-{run_row['run_id']}.parquet")
        if st.exists(final) or st.exists(self.journal_path(run_row["run_id"])):
            return  # the publish got as far as its commit point: its own row stands
        tmp = posixpath.join(runs_dir, f".run-{run_row['run_id']}.tmp")
        pq.write_table(pa.Table.from_pylist([run_row], schema=RUN_SCHEMA), tmp, filesystem=st.fs)
        st.move_file(tmp, final)

    def _apply(self, journal: str) -> None:
        st = self.storage
        spec = json.loads(st.read_bytes(journal))
        run_id = spec["run_id"]
        trash = st.path("_trash", run_id)
        for i, (staged, target, kind) in enumerate(spec["moves"]):
            if kind == "dir":
                st.swap_dir(staged, target, posixpath.join(trash, f"{i:05d}"), run_id)
            elif st.exists(staged):  # else moved by an earlier, interrupted attempt
                st.move_file(staged, target)
        st.delete(journal)
        st.rmtree(trash)
        st.rmtree(st.path("_staging", run_id))

    def recover(self, stale_after_s: float = STALE_STAGING_S) -> None:
        """Finish committed publishes; sweep staging that no live run can still be writing.

        Shards write staging without the lock (they run in parallel), so only staging untouched
        for `stale_after_s` is swept; a failed run discards its own staging at once.
        """
        st = self.storage
        rolled = False
        for leftover in st.files(st.path("_journal"), "*.tmp"):
            st.delete(leftover)
        for journal in st.files(st.path("_journal"), "*.json"):
            log.warning("rolling forward interrupted publish", extra={"journal": journal})
            self._apply(journal)
            rolled = True
        st.rmtree(st.path("_trash"))
        staging = st.path("_staging")
        runs = {st.rel(f).split("/")[1] for f in st.files(staging)}
        now = time.time()
        for run_id in sorted(runs):
            run_dir = posixpath.join(staging, run_id)
            if now - st.newest_mtime(run_dir) > stale_after_s:
                log.warning("sweeping stale staging", extra={"path": run_dir})
                st.rmtree(run_dir)
        if rolled:
            self.refresh_catalog()

    # -- reading ------------------------------------------------------------------------------

    def files(self, table: str) -> list[str]:
        """The table's published files; on an object store, the version each partition's
        pointer names (a partition being replaced is read whole, old or new)."""
        spec = TABLES_BY_NAME[table]
        if self.storage.local or not spec.staged:  # runs: one file per run, put whole
            return self.storage.files(self.storage.path(table), spec.glob)
        return self.storage.current_files(self.storage.path(table), 2, "*.parquet")

    def partition_files(
        self, table: str, ingest_date: date, source: str, pattern: str = "*.parquet"
    ) -> list[str]:
        """The published files of one (table, ingest_date, source) partition."""
        folder = self.storage.path(partition_rel(table, ingest_date, source))
        if self.storage.local:
            return self.storage.files(folder, pattern)
        return self.storage.current_files(folder, 0, pattern)

    def prior_matches(
        self, staged: Sequence[str], ingest_date: date, replaced_sources: Sequence[str]
    ) -> dict[str, tuple[str, str]]:
        """Staged article_ids whose URL or text is already in an earlier published partition.

        Earlier means an earlier ingest date, or the same date from a source this run does not
        replace; so re-running a night gives the same answer, and backfills are deterministic.
        """
        existing = [
            p
            for p in self.files("articles")
            if part_of(p)[0] < ingest_date
            or (part_of(p)[0] == ingest_date and part_of(p)[1] not in replaced_sources)
        ]
        if not existing or not staged:
            return {}
        cols = ["article_id", "canonical_url", "content_sha256"]
        con = duckdb.connect()
        try:
            # Arrow datasets, so the same code reads a local folder or an object store; only
            # the three key columns are read.
            fs = self.storage.fs
            con.register("prior", ds.dataset(existing, filesystem=fs, partitioning=None))
            con.register("staged", ds.dataset(list(staged), filesystem=fs, partitioning=None))
            # Two equi-joins rather than one OR-join, so DuckDB can hash-join each side.
            rows = con.execute(
                f"""
                WITH p AS (SELECT {", ".join(cols)} FROM prior),
                s AS (SELECT {", ".join(cols)} FROM staged),
                hits AS (
                    SELECT s.article_id AS sid, p.article_id AS pid, true AS by_url
                    FROM s JOIN p ON p.canonical_url = s.canonical_url
                    UNION ALL
                    SELECT s.article_id, p.article_id, false
                    FROM s JOIN p ON p.content_sha256 = s.content_sha256
                )
                SELECT sid, coalesce(min(pid) FILTER (WHERE by_url), min(pid)), bool_or(by_url)
                FROM hits GROUP BY sid
                """
            ).fetchall()
        finally:
            con.close()
        return {
            sid: (kept, "canonical_url" if by_url else "content_sha256")
            for sid, kept, by_url in rows
        }

    def published_rows(self, ingest_date: date, source: str) -> int:
        """Rows a published (ingest_date, source) holds in articles, duplicates and quarantine."""
        n = 0
        for table in ("articles", "duplicates", "quarantine"):
            for path in self.partition_files(table, ingest_date, source):
                with self.storage.fs.open_input_file(path) as fh:
                    n += pq.ParquetFile(fh).metadata.num_rows
        return n

    def runs_on(self, ingest_date: date) -> list[dict[str, Any]]:
        """The run rows of one ingest date (status, times, per-source counts, held back)."""
        folder = self.storage.path("runs", f"ingest_date={ingest_date.isoformat()}")
        rows: list[dict[str, Any]] = []
        for path in self.storage.files(folder, "*.parquet"):
            with self.storage.fs.open_input_file(path) as fh:
                t = pq.read_table(fh)
            for row in t.to_pylist():
                row.setdefault("held_back", [])
                row["held_back"] = [
                    w.split(":", 1)[0].removeprefix("held back ")
                    for w in row.get("warnings") or []
                    if w.startswith("held back ")
                ]
                rows.append(row)
        return rows

    def fetch_state(
        self, ingest_date: date, since: date | None = None
    ) -> dict[str, tuple[str, str | None, str | None]]:
        """canonical_url -> (kind, etag, last_modified) of every URL fetched on an earlier
        night, latest first. Nothing of the night itself counts, whichever source fetched it: a
        re-run replaces that night and must fetch the same again, so it writes the same rows."""
        out: dict[str, tuple[str, str | None, str | None, Any]] = {}
        cols = ["canonical_url", "kind", "etag", "last_modified", "fetched_at", "status"]
        for path in self.files("fetch_state"):
            day, _ = part_of(path)
            if day >= ingest_date:
                continue
            if since is not None and day < since:
                continue
            with self.storage.fs.open_input_file(path) as fh:
                t = pq.read_table(fh, columns=cols)
            for url, kind, etag, lm, at, status in zip(
                *(t.column(c).to_pylist() for c in cols), strict=True
            ):
                if status is None or not (200 <= status < 300 or status == 304):
                    continue
                prev = out.get(url)
                if prev is None or at > prev[3]:
                    out[url] = (kind, etag, lm, at)
        return {u: (k, e, m) for u, (k, e, m, _) in out.items()}

    def upgrade_layout(self) -> int:
        """Rewrite the files of earlier releases (partition keys in the files, a `versions`
        map in runs, columns a later minor contract version added) so every reader opens the
        lake with its defaults: pandas and pyarrow take a dataset's columns from its first
        file, so a night written before a column existed would hide it from the whole table.
        A file at a time, row group by row group, each replaced whole (rename, or one object
        write). Returns how many files were rewritten; call it under `locked()`."""
        from pipeline.staging import parquet_options

        st = self.storage
        done = 0
        for table, spec in TABLES_BY_NAME.items():
            current = spec.schema()
            wanted = [f for f in current if f.name not in spec.partition_by]
            for path in self.files(table):
                with st.fs.open_input_file(path) as fh:
                    pf = pq.ParquetFile(fh)
                    old = pf.schema_arrow
                    has = _upgraded(old.empty_table()).schema.names
                    missing = [f for f in wanted if f.name not in has and f.nullable]
                    if not ({*spec.partition_by, "versions"} & set(old.names) or missing):
                        continue
                    keep = [c for c in old.names if c not in spec.partition_by]
                    tmp = posixpath.join(
                        posixpath.dirname(path), f".{posixpath.basename(path)}.tmp"
                    )

                    def fix(t: pa.Table, missing: list[pa.Field] = missing) -> pa.Table:
                        t = _upgraded(t)
                        for f in missing:  # added by a later minor version: null before it
                            t = t.append_column(f, pa.nulls(t.num_rows, f.type))
                        return t

                    schema = fix(pa.schema([old.field(c) for c in keep]).empty_table()).schema
                    opts = parquet_options(schema, LakeConfig())
                    with pq.ParquetWriter(tmp, schema, filesystem=st.fs, **opts) as out:
                        for i in range(pf.num_row_groups):
                            out.write_table(fix(pf.read_row_group(i, columns=keep)))
                st.move_file(tmp, path)
                done += 1
        log.info("lake layout upgraded", extra={"lake": self.uri, "files": done})
        return done

    # -- catalog ------------------------------------------------------------------------------

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.duckdb"

    def _views(self, con: duckdb.DuckDBPyConnection, *, portable: bool) -> None:
        """The table views, then `stories` and `articles_unique` over `articles`. `portable`:
        glob views over local paths, openable by any DuckDB;
        otherwise Arrow datasets registered on this connection (object-store lakes)."""
        for table, spec in TABLES_BY_NAME.items():
            if not spec.in_catalog:
                continue
            schema = spec.schema()
            files = self.files(table)
            if not files:
                con.register("_empty", pa.Table.from_pylist([], schema=schema))
                con.execute(
                    f"CREATE OR REPLACE TABLE {table} AS "
                    "SELECT *, NULL::DATE AS ingest_date FROM _empty"
                )
                con.unregister("_empty")
            elif portable:
                # Relative to lake_root(), so the catalog moves with the lake. union_by_name:
                # old partitions may lack newer columns, or still carry `source` in the file
                # (written before partition keys left the files).
                glob = _sql_str("/" + posixpath.join(table, spec.glob))
                con.execute(
                    f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet("
                    f"lake_root() || {glob}, hive_partitioning = true, union_by_name = true, "
                    f"hive_types = {spec.hive_types})"
                )
            else:
                con.register(f"_{table}_arrow", self._dataset(spec, files))
                con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM _{table}_arrow")
        search.vocabulary(con, materialize=portable)  # what search() scans for a word
        for statement in self._DERIVED:
            con.execute(statement)

    def dataset(self, table: str) -> ds.Dataset:
        """The table's published files as one Arrow dataset, typed partition keys included:
        the reader for object-store lakes (`.to_table().to_pandas()`, polars, DuckDB), which
        follows the partitions' pointers as the catalog does."""
        return self._dataset(TABLES_BY_NAME[table], self.files(table))

    def _dataset(self, spec: Table, files: Sequence[str]) -> ds.Dataset:
        """The files as one Arrow dataset with the table's whole schema, so partitions older
        than a column read it as null (what union_by_name does for the local catalog); the
        partition keys come from each file's path, typed."""
        keys = []
        for path in files:
            values = _path_keys(path)
            expr = ds.field("ingest_date") == pa.scalar(
                date.fromisoformat(values["ingest_date"]), pa.date32()
            )
            if spec.by_source:
                expr = expr & (ds.field("source") == pa.scalar(values["source"], pa.string()))
            keys.append(expr)
        return ds.FileSystemDataset.from_paths(
            list(files),
            schema=spec.read_schema(),
            format=ds.ParquetFileFormat(),
            filesystem=self.storage.fs,
            partitions=keys,
        )

    _DERIVED = (
        "CREATE OR REPLACE VIEW articles_unique AS "
        "SELECT * FROM articles WHERE NOT coalesce(near_duplicate, false)",
        "CREATE OR REPLACE VIEW stories AS SELECT story_id, "
        "coalesce(any_value(article_id) FILTER (WHERE NOT coalesce(near_duplicate, false)), "
        "min(article_id)) AS canonical_id, "
        "any_value(title) FILTER (WHERE NOT coalesce(near_duplicate, false)) AS title, "
        "count(*) AS size, count(DISTINCT source) AS n_sources, "
        "list_sort(list(DISTINCT source)) AS sources, min(published_at) AS first_published, "
        "min(ingest_date) AS first_seen, max(ingest_date) AS last_seen "
        "FROM articles WHERE story_id IS NOT NULL GROUP BY story_id",
        *search.CATALOG_SQL,  # search('words'): see pipeline/search.py
    )

    def refresh_catalog(self) -> None:
        """(Re)create LAKE/catalog.duckdb for a local lake; object-store lakes are queried with
        `connect()` (or a DuckDB with httpfs) instead."""
        if not self.storage.local:
            return
        tmp = self.catalog_path.with_suffix(".duckdb.tmp")
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            _root_macro(con, self.root)
            self._views(con, portable=True)
        finally:
            con.close()
        os.replace(tmp, self.catalog_path)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with the views, for a local or an object-store lake."""
        if self.storage.local:
            if not self.catalog_path.exists():
                raise LakeError(f"no catalog at {self.catalog_path}; run `broadsheet ingest`")
            con = duckdb.connect(str(self.catalog_path), read_only=True)
            try:
                [(recorded,)] = con.execute("SELECT lake_root()").fetchall()
            except duckdb.Error:  # a catalog of absolute paths, from before lake_root()
                log.warning(
                    "old catalog: `broadsheet catalog` rebuilds it", extra={"lake": self.uri}
                )
            else:
                if recorded != self.root.as_posix():  # the lake was moved or copied
                    _root_macro(con, self.root, temp=True)
            return con
        con = duckdb.connect()
        self._views(con, portable=False)
        return con


def _root_macro(con: duckdb.DuckDBPyConnection, root: Path, *, temp: bool = False) -> None:
    """`lake_root()`, which every catalog view's path starts with: the catalog records it, and
    a connection to a moved lake overrides it with a TEMP macro, without writing the file."""
    kind = "TEMP MACRO" if temp else "MACRO"
    con.execute(f"CREATE OR REPLACE {kind} lake_root() AS {_sql_str(root.as_posix())}")


def _path_keys(path: str) -> dict[str, str]:
    """The partition keys in a file's path (at any depth below the partition)."""
    return dict(
        c.split("=", 1) for c in path.split("/") if c.startswith(("ingest_date=", "source="))
    )


def part_of(path: str) -> tuple[date, str]:
    """(ingest_date, source) of a partition file's path."""
    keys = _path_keys(path)
    return date.fromisoformat(keys["ingest_date"]), keys["source"]


def _upgraded(t: pa.Table) -> pa.Table:
    """Runs rows of releases before 2026-12: the `versions` map as `package_versions`."""
    if "versions" not in t.column_names:
        return t
    rows = [[{"name": k, "version": v} for k, v in m or []] for m in t["versions"].to_pylist()]
    at = t.schema.get_field_index("versions")
    field = RUN_SCHEMA.field("package_versions")
    return t.set_column(at, field, pa.array(rows, field.type))


def with_partition_columns(table: str, t: pa.Table, source: str) -> pa.Table:
    """A partition file's rows with the table's own partition column (`source`) from the path,
    in schema order; files written before partition keys left the files already carry it."""
    schema = TABLES_BY_NAME[table].schema()
    if "source" not in schema.names or "source" in t.column_names:
        return t
    at = min(schema.get_field_index("source"), t.num_columns)
    return t.add_column(at, "source", pa.repeat(pa.scalar(source, pa.string()), t.num_rows))
