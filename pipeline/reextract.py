"""`broadsheet reextract`: rebuild a night of web sources from its raw captures, offline.

Web sources archive every response under LAKE/raw/ingest_date=…/source=…/ as WARC. Re-extracting
reads those captures with today's extractor and rules and republishes the (date, source)
partitions atomically: fetch failures (quarantined at the `read` stage), the fetch state and the
raw captures are carried over unchanged, so the next night stays incremental and no input is
counted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import Config
from pipeline.lake import RAW, Lake, LakeError
from pipeline.publish import RunShell, RunSummary
from pipeline.run import process_shard
from pipeline.shards import RunInfo, Shard, is_web, select_sources
from pipeline.sources.web import raw_docs

log = logging.getLogger(__name__)


def _keep_fetch_outcomes(table: str, t: pa.Table) -> pa.Table:
    if table in ("articles", "duplicates"):
        return t.slice(0, 0)  # rebuilt from the captures
    if table == "quarantine":
        return t.filter(pc.equal(t.column("stage"), "read"))
    return t


def reextract(cfg: Config, day: date, *, only_sources: Sequence[str] | None = None) -> RunSummary:
    """Re-extract the web sources of `day` from LAKE/raw; raises LakeError when there is none."""
    lake = Lake(cfg.lake)
    web = [s.name for s in select_sources(cfg, only_sources) if is_web(s)]
    captures = {name: lake.partition_files(RAW, day, name, "*.warc.gz") for name in web}
    sources = [n for n in web if captures[n]]
    if not sources:
        raise LakeError(f"no raw captures of web sources for {day} under {lake.uri}/raw")
    run = RunInfo.new(day)
    n = sum(len(v) for v in captures.values())
    with RunShell(cfg, run, sources, message=f"reextract of {n} raw capture(s)") as shell:
        for name in sources:
            shell.carry_over(name, _keep_fetch_outcomes)
            for path in captures[name]:
                shard = Shard.of(shell.next_index, name, [path])

                def reader(path: str = path, name: str = name):  # type: ignore[no-untyped-def]
                    return raw_docs(path, name, cfg.extract.max_bytes)

                shell.add(process_shard(cfg, shard, run, reader=reader))
        return shell.publish()
