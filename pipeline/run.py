"""One run: plan -> process every shard (read -> document chain -> exact dedup -> stage) ->
publish. The CLI calls `run_ingest`; the Airflow DAG maps `process_shard` and publishes with
`pipeline.publish`. Nothing here parses flags or prints.
"""

from __future__ import annotations

import logging
import posixpath
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline import pool
from pipeline.config import Config, SourceConfig
from pipeline.contract import schema_version
from pipeline.dedup import ExactDeduper
from pipeline.document import IN_FLIGHT_PER_WORKER, STAGES, DocWork, outcomes
from pipeline.filters import filter_input
from pipeline.lake import Lake
from pipeline.normalize import NormalizeContext
from pipeline.publish import RunShell, RunSummary
from pipeline.records import Duplicate, RawDoc, Rejected, Skipped
from pipeline.shards import (
    RunInfo,
    Shard,
    ShardPart,
    ShardResult,
    SourceCounts,
    check_inputs,
    is_web,
    plan_shards,
    select_sources,
)
from pipeline.sources import read_files
from pipeline.staging import RunStage

log = logging.getLogger(__name__)


def _pool_for(cfg: Config) -> pool.WorkerPool | None:
    """The process's worker pool, or None to run documents here (one worker)."""
    return pool.shared(cfg.workers, IN_FLIGHT_PER_WORKER) if cfg.workers > 1 else None


def process_shard(
    cfg: Config,
    shard: Shard,
    run: RunInfo,
    on_progress: Callable[[ShardResult], None] | None = None,
    keep: Callable[[Iterator[RawDoc | Rejected | Skipped]], Iterator[RawDoc | Rejected | Skipped]]
    | None = None,
    reader: Callable[[], Iterator[RawDoc | Rejected | Skipped]] | None = None,
) -> ShardResult:
    """Read, extract, normalize, validate and dedup one shard into the run's staging folder.

    `keep` narrows what is read to some inputs (a requeue re-reads files for a few of them);
    `reader` replaces the source's reader (a re-extraction reads raw captures, not the web).
    """
    srcs = select_sources(cfg, shard.sources)
    ctx = NormalizeContext(
        run_id=run.run_id,
        ingested_at=run.started_at,
        schema_version=schema_version(),
        timezones={s.name: s.timezone for s in srcs},
        filters={s.name: s.filters for s in srcs if s.filters.active},
    )
    by_name = {s.name: s for s in srcs}
    result = ShardResult(shard.index, {name: SourceCounts() for name in by_name})
    stage = Lake(cfg.lake).stage(run.run_id, run.ingest_date, cfg.lake_options)
    writer = stage.shard_writer(shard.index)
    dedup = ExactDeduper()

    def read_part(part: ShardPart) -> Iterator[RawDoc | Rejected | Skipped]:
        src = by_name[part.source]
        if reader is not None:
            yield from reader()
            return
        web_ctx = _web_context(cfg, src, shard, run, stage, writer)
        try:
            yield from read_files(src, part.paths, cfg.extract.max_bytes, web_ctx)
        finally:
            if web_ctx is not None:
                web_ctx.archive.close()

    def inputs() -> Iterator[RawDoc | Rejected | Skipped]:
        for part in shard.parts:
            src = by_name[part.source]
            counts = result.counts(src.name)
            items = read_part(part)
            items = keep(items) if keep is not None else items
            while True:
                t = time.perf_counter()
                item = next(items, None)
                result.timings["read"] += time.perf_counter() - t
                if item is None:
                    break
                counts.inputs += 1
                if isinstance(item, RawDoc):
                    item = filter_input(item, src.filters)
                yield item

    t_wall = time.perf_counter()
    try:
        work = DocWork(cfg.extract, cfg.validate_, ctx, cfg.dedup)
        for outcome, secs in outcomes(inputs(), work, _pool_for(cfg)):
            for name, sec in zip(STAGES, secs, strict=True):
                result.timings[name] += sec
            t = time.perf_counter()
            c = result.counts(outcome.source)
            if isinstance(outcome, Skipped):
                c.skipped += 1
                result.by_skip[outcome.reason] += 1
            elif isinstance(outcome, Rejected):
                c.quarantined += 1
                result.by_reason[outcome.reason] += 1
                writer.add_rejected(outcome, run.run_id, run.started_at)
            else:
                kept = dedup(outcome)
                if isinstance(kept, Duplicate):
                    c.duplicates += 1
                    writer.add_duplicate(kept)
                else:
                    c.written += 1
                    result.boilerplate_removed += kept.boilerplate_removed
                    writer.add_article(kept)
            result.timings["dedup_write"] += time.perf_counter() - t
            if on_progress is not None:
                on_progress(result)
    finally:
        t = time.perf_counter()
        writer.close()
        result.timings["dedup_write"] += time.perf_counter() - t
    result.timings["shard_wall"] = time.perf_counter() - t_wall
    log.info("shard processed", extra={"shard": result.as_dict()})
    return result


def _web_context(
    cfg: Config, src: SourceConfig, shard: Shard, run: RunInfo, stage: RunStage, writer: Any
) -> Any:
    """For a web source: the fetch state, the shard's raw archive and its time budget."""
    from pipeline.sources.web import RawArchive, WebContext

    if not is_web(src):
        return None
    lake = stage.lake
    dest = posixpath.join(
        stage.raw_dir(shard.index), src.name, f"{run.run_id}-{shard.index:06d}.warc.gz"
    )

    def upload(local: Path) -> None:
        lake.storage.makedirs(posixpath.dirname(dest))
        with (
            open(local, "rb") as fh,
            lake.storage.fs.open_output_stream(dest, compression=None) as out,
        ):
            while chunk := fh.read(1 << 20):
                out.write(chunk)

    return WebContext(
        source=src,
        state=lake.fetch_state(
            run.ingest_date,
            since=run.ingest_date - timedelta(days=src.fetch.state_window_days),
        ),
        add_state=writer.add_state,
        archive=RawArchive(upload),
        run_id=run.run_id,
        deadline=time.monotonic() + src.fetch.time_budget_s,
    )


def run_ingest(
    cfg: Config,
    ingest_date: date,
    *,
    only_sources: Sequence[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
    run_id: str | None = None,
    gate_process: bool = False,
) -> RunSummary:
    """The whole run in this process: plan, every shard in order, publish.

    `gate_process`: validate in a helper process started now (unless `validate.gate_process`
    says otherwise); worth it in a fresh process such as the CLI's, where importing Great
    Expectations would otherwise follow the shards. Raises LakeError (and leaves the lake
    untouched) when the run cannot publish.
    """
    selected = select_sources(cfg, only_sources)
    check_inputs(selected)  # before any process is started for a run that cannot be
    sources = [s.name for s in selected]
    run = RunInfo.new(ingest_date, run_id)
    log.info("run started", extra={"run": run.as_dict(), "workers": cfg.workers})
    helper = None
    wanted = cfg.validate_.gate_process
    if cfg.validate_.batch_checks and (gate_process if wanted is None else wanted):
        from pipeline.gate import GateProcess

        helper = GateProcess()
    try:
        with RunShell(cfg, run, sources, gate_helper=helper) as shell:
            done = 0
            for shard in plan_shards(cfg, sources):

                def tick(r: ShardResult, base: int = done) -> None:
                    if on_progress is not None:
                        on_progress(base + r.inputs)

                done += shell.add(process_shard(cfg, shard, run, tick)).inputs
            return shell.publish()
    finally:
        if helper is not None:
            helper.close()
