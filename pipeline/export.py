"""Derived exports for downstream teams, read from the published lake with DuckDB.

`export_by_language` is what `broadsheet export` and the training-export DAG both call.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from datetime import date
from pathlib import Path
from typing import IO, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.lake import Lake

log = logging.getLogger(__name__)

Format = Literal["jsonl", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "parquet")
SUFFIX: dict[Format, str] = {"jsonl": ".jsonl", "parquet": ".parquet"}

# One record of the export, in both formats.
EXPORT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("text", pa.string()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        # What published_at stands for: a day alone is midnight in the source's zone, so a
        # consumer that reads the instant as a time of day needs to know (schemas/).
        pa.field("published_date", pa.date32()),
        pa.field("published_precision", pa.string()),
    ]
)
_BATCH = 2_000
_UNSAFE = re.compile(r"[^a-z0-9-]+")


def language_file_name(language: str | None) -> str:
    """The file stem for a `language` value: lower case, only [a-z0-9-_] (no dots, slashes or
    separators survive), at most 32 characters; none or nothing left is `und` (undetermined)."""
    name = _UNSAFE.sub("_", (language or "").strip().lower()).strip("_-")[:32].strip("_-")
    return name or "und"


def output_dir(lake: Lake, ingest_date: date, out_root: Path | None = None) -> Path:
    """OUT/ingest_date=D; OUT defaults to LAKE/exports/training (./exports/training for a lake
    on an object store)."""
    if out_root is None:
        out_root = (lake.root if lake.storage.local else Path(".")) / "exports" / "training"
    return out_root / f"ingest_date={ingest_date.isoformat()}"


def export_by_language(
    lake_location: str | Path,
    ingest_date: date,
    fmt: Format = "jsonl",
    out_root: Path | None = None,
    min_words: int = 0,
) -> dict[str, int]:
    """One file per language of one ingest date's articles: OUT/ingest_date=D/<language>.<fmt>.

    Each file is written under a temporary name and renamed once all are written, so a reader
    never sees half a file and a failed export leaves the previous one; re-running replaces the
    date's files of this format (languages gone since are removed). The rows come from one
    query, so the files are one view of the lake. Returns the rows written per file stem.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    lake = Lake(lake_location)
    out_dir = output_dir(lake, ingest_date, out_root)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = SUFFIX[fmt]
    for leftover in out_dir.glob(f".*{suffix}.tmp"):
        leftover.unlink()  # from an export that was killed
    counts: dict[str, int] = {}
    con = lake.connect()
    try:
        params = [ingest_date, min_words]
        languages = con.execute(
            "SELECT DISTINCT language FROM articles WHERE ingest_date = ? AND word_count >= ?",
            params,
        ).fetchall()
        # Sanitising may map two values to one stem: they share the file.
        stems = {lang: language_file_name(lang) for (lang,) in languages}
        con.register(
            "_export_stems",
            pa.table(
                {"language": pa.array(list(stems), pa.string()), "stem": list(stems.values())}
            ),
        )
        rel = con.sql(
            "SELECT s.stem, a.article_id AS id, a.canonical_url AS url, a.title, a.text, "
            "a.published_at, a.published_date, a.published_precision FROM articles a "
            "JOIN _export_stems s ON a.language IS NOT DISTINCT FROM s.language "
            "WHERE a.ingest_date = ? AND a.word_count >= ? ORDER BY s.stem, a.article_id",
            params=params,
        )
        # Every file is written under its temporary name first, then all are renamed: a failed
        # export leaves the previous one as it was.
        files: list[_LanguageFile] = []
        try:
            for batch in rel.to_arrow_reader(_BATCH):
                column = batch.column(0)
                at = 0
                while at < batch.num_rows:
                    name = str(column[at].as_py())
                    # Sorted by stem: its rows in this batch are the next `run` ones.
                    run = pc.sum(pc.equal(column.slice(at), name)).as_py()
                    if not files or files[-1].name != name:
                        if files:
                            files[-1].close()  # one file open at a time
                        files.append(_LanguageFile(out_dir, name, fmt))
                    files[-1].write(batch.slice(at, run).drop_columns(["stem"]))
                    at += run
            if files:
                files[-1].close()
        except BaseException:
            for f in files:
                f.abort()
            raise
        for f in files:
            counts[f.name] = f.commit()
    finally:
        con.close()
    for stale in out_dir.glob(f"*{suffix}"):
        if stale.name.endswith(suffix) and stale.name[: -len(suffix)] not in counts:
            stale.unlink()
    log.info(
        "export written",
        extra={"dir": str(out_dir), "format": fmt, "counts": counts},
    )
    return counts


def export_training_jsonl(
    lake_location: str | Path,
    ingest_date: date,
    out_root: Path | None = None,
    min_words: int = 0,
) -> dict[str, int]:
    """The JSONL export (kept for callers of the earlier name)."""
    return export_by_language(lake_location, ingest_date, "jsonl", out_root, min_words)


class _LanguageFile:
    """One language's file, written under a temporary name and renamed into place."""

    def __init__(self, out_dir: Path, name: str, fmt: Format) -> None:
        self.name = name
        self.final = out_dir / f"{name}{SUFFIX[fmt]}"
        self.tmp = out_dir / f".{name}{SUFFIX[fmt]}.tmp"
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._jsonl: IO[str] | None = None
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(self.tmp, EXPORT_SCHEMA, compression="zstd")
        else:
            self._jsonl = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115 (close() closes it)

    def write(self, batch: pa.RecordBatch) -> None:
        if self._parquet is not None:
            self._parquet.write_batch(
                pa.RecordBatch.from_arrays(batch.columns, schema=EXPORT_SCHEMA)
            )
        elif self._jsonl is not None:
            for rec in batch.to_pylist():
                for key in ("published_at", "published_date"):
                    value = rec[key]
                    rec[key] = value.isoformat() if value else None
                self._jsonl.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.rows += batch.num_rows

    def close(self) -> None:
        """Finish the temporary file (durably: it is renamed over the previous export)."""
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        elif self._jsonl is not None:
            self._jsonl.flush()
            os.fsync(self._jsonl.fileno())
            self._jsonl.close()
            self._jsonl = None

    def commit(self) -> int:
        os.replace(self.tmp, self.final)
        return self.rows

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            if self._parquet is not None:
                self._parquet.close()
            elif self._jsonl is not None:
                self._jsonl.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()
