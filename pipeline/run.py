"""One run: plan -> process every shard (read -> document chain -> exact dedup -> stage) ->
publish. The CLI calls `run_ingest`; the Airflow DAG maps `process_shard` and publishes with
`pipeline.publish`. Nothing here parses flags or prints.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline import logcontext, pool
from pipeline.config import Config, SourceConfig
from pipeline.contract import schema_version
from pipeline.dedup import ExactDeduper
from pipeline.document import (
    IN_FLIGHT_PER_WORKER,
    STAGES,
    DocWork,
    outcomes,
    process_one,
    start_pool,
)
from pipeline.filters import filter_input
from pipeline.lake import Lake
from pipeline.normalize import NormalizeContext
from pipeline.publish import RunShell, RunSummary
from pipeline.records import Article, Duplicate, RawDoc, Rejected, Skipped
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
from pipeline.skip import Known, KnownInputs, PriorIndex
from pipeline.sources import read_files
from pipeline.staging import RunStage

log = logging.getLogger(__name__)


def _pool_for(cfg: Config) -> pool.WorkerPool | None:
    """The process's worker pool, even for one worker: a page that kills or hangs the chain
    must take a worker down, not the run. None (`workers: 0`) runs documents here."""
    return pool.shared(cfg.workers, IN_FLIGHT_PER_WORKER) if cfg.workers > 0 else None


def process_shard(
    cfg: Config,
    shard: Shard,
    run: RunInfo,
    on_progress: Callable[[ShardResult], None] | None = None,
    keep: Callable[[Iterator[RawDoc | Rejected | Skipped]], Iterator[RawDoc | Rejected | Skipped]]
    | None = None,
    reader: Callable[[], Iterator[RawDoc | Rejected | Skipped]] | None = None,
    on_file: Callable[[], None] | None = None,
) -> ShardResult:
    """Read, extract, normalize, validate and dedup one shard into the run's staging folder.

    `keep` narrows what is read to some inputs (a requeue re-reads files for a few of them);
    `reader` replaces the source's reader (a re-extraction reads raw captures, not the web).
    `on_file` is called as each planned input file (not web seeds) has been read. What is
    logged while reading names the source and the file (`pipeline.logcontext`).
    Inputs the lake or the shard already holds are not extracted (`pipeline.skip`) unless
    `extract.skip_known` is off; a requeue or a re-extraction always extracts.
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
    work = DocWork(cfg.extract, cfg.validate_, ctx, cfg.dedup)
    workers = _pool_for(cfg)
    if workers is not None:
        start_pool(workers, work)  # they start while the index of known articles loads
    known: KnownInputs | None = None
    if cfg.extract.skip_known and keep is None and reader is None:
        t = time.perf_counter()
        days = cfg.extract.skip_known_days
        known = KnownInputs(PriorIndex.of_lake(stage.lake, run.ingest_date, days) if days else None)
        result.timings["skip_known"] += time.perf_counter() - t

    def read_part(part: ShardPart) -> Iterator[RawDoc | Rejected | Skipped]:
        src = by_name[part.source]
        where = logcontext.Where(src.name)
        if reader is not None:
            yield from logcontext.reading(reader(), where)
            return
        web_ctx = _web_context(cfg, src, shard, run, stage, writer)
        # A web source takes all its seeds at once; a file source one location at a time.
        paths = part.paths if web_ctx else logcontext.locations(part.paths, where, on_file)
        try:
            items = read_files(src, paths, cfg.extract.max_bytes, web_ctx)
            yield from logcontext.reading(items, where)
        finally:
            if web_ctx is not None:
                web_ctx.archive.close()

    def inputs() -> Iterator[RawDoc | Rejected | Skipped | Known]:
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
                if known is not None and isinstance(item, RawDoc):
                    t = time.perf_counter()
                    checked = known.check(item)
                    result.timings["skip_known"] += time.perf_counter() - t
                    yield checked
                else:
                    yield item

    t_wall = time.perf_counter()
    not_extracted = 0
    try:
        for outcome, secs in outcomes(inputs(), work, workers):
            if isinstance(outcome, Known):
                # Settled here, in input order: the earlier input with its key is done.
                dup = KnownInputs.resolve(outcome, run.run_id, run.started_at)
                if dup is None:  # that input became no record: extract this one after all
                    outcome, secs = process_one(outcome.doc, work, workers)
                else:
                    result.counts(dup.article.source).duplicates += 1
                    writer.add_duplicate(dup)
                    not_extracted += 1
                    _settle(
                        known,
                        dup.article,
                        (dup.duplicate_of, dup.article.content_sha256, dup.previous_run),
                    )
                    if on_progress is not None:
                        on_progress(result)
                    continue
            for name, sec in zip(STAGES, secs, strict=True):
                result.timings[name] += sec
            t = time.perf_counter()
            c = result.counts(outcome.source)
            if isinstance(outcome, Skipped):
                c.skipped += 1
                result.by_skip[outcome.reason] += 1
                _settle(known, outcome, None)
            elif isinstance(outcome, Rejected):
                c.quarantined += 1
                result.by_reason[outcome.reason] += 1
                writer.add_rejected(outcome, run.run_id, run.started_at)
                _settle(known, outcome, None)
            else:
                kept = dedup(outcome)
                if isinstance(kept, Duplicate):
                    c.duplicates += 1
                    writer.add_duplicate(kept)
                    _settle(known, outcome, (kept.duplicate_of, outcome.content_sha256, False))
                else:
                    c.written += 1
                    result.boilerplate_removed += kept.boilerplate_removed
                    writer.add_article(kept)
                    _settle(known, outcome, (kept.article_id, kept.content_sha256, False))
            result.timings["dedup_write"] += time.perf_counter() - t
            if on_progress is not None:
                on_progress(result)
    finally:
        t = time.perf_counter()
        writer.close()
        result.timings["dedup_write"] += time.perf_counter() - t
    result.timings["shard_wall"] = time.perf_counter() - t_wall
    log.info(
        "shard processed",
        extra={"shard": result.as_dict(), "known_not_extracted": not_extracted},
    )
    return result


def _settle(
    known: KnownInputs | None,
    item: Article | Rejected | Skipped,
    result: tuple[str, str, bool] | None,
) -> None:
    if known is not None:
        known.settle(item.source, item.input_ref, result)


def _web_context(
    cfg: Config, src: SourceConfig, shard: Shard, run: RunInfo, stage: RunStage, writer: Any
) -> Any:
    """For a web source: the fetch state, the shard's raw archive, its time budget and the
    run's shared robots.txt and tdmrep.json."""
    from pipeline.sources.web import RawArchive, RunSiteFiles, WebContext

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
        site_files=RunSiteFiles(lake.storage, posixpath.join(stage.root, "sites")),
    )


@dataclass
class RunProgress:
    """How far a run is: inputs read (documents: a page, a JSONL line, a WARC record) and
    planned input files read, of `files_total` (None when web sources find inputs as they go)."""

    inputs: int = 0
    files_done: int = 0
    files_total: int | None = None


def _files_total(sources: Sequence[SourceConfig], shards: Sequence[Shard]) -> int | None:
    if any(is_web(s) for s in sources):
        return None
    return sum(len(p.paths) for s in shards for p in s.parts)


def run_ingest(
    cfg: Config,
    ingest_date: date,
    *,
    only_sources: Sequence[str] | None = None,
    on_progress: Callable[[RunProgress], None] | None = None,
    run_id: str | None = None,
    gate_process: bool = False,
) -> RunSummary:
    """The whole run in this process: plan, every shard in order, publish.

    `gate_process`: validate in a helper process started now (unless `validate.gate_process`
    says otherwise); worth it in a fresh process such as the CLI's, where importing Great
    Expectations would otherwise follow the shards, not where it is loaded already. Raises
    LakeError (and leaves the lake untouched) when the run cannot publish.
    """
    selected = select_sources(cfg, only_sources)
    check_inputs(selected)  # before any process is started for a run that cannot be
    sources = [s.name for s in selected]
    run = RunInfo.new(ingest_date, run_id)
    log.info("run started", extra={"run": run.as_dict(), "workers": cfg.workers})
    helper = None
    wanted = cfg.validate_.gate_process
    if wanted is None:
        gate_process = gate_process and "great_expectations" not in sys.modules
    if cfg.validate_.batch_checks and (gate_process if wanted is None else wanted):
        from pipeline.gate import GateProcess

        helper = GateProcess()
    try:
        with RunShell(cfg, run, sources, gate_helper=helper) as shell:
            shards = plan_shards(cfg, sources)
            progress = RunProgress(files_total=_files_total(selected, shards))

            def tick(r: ShardResult | None = None, base: int = 0) -> None:
                if r is not None:
                    progress.inputs = base + r.inputs
                if on_progress is not None:
                    on_progress(progress)

            def file_read() -> None:
                progress.files_done += 1
                tick()

            tick()
            done = 0
            for shard in shards:
                add = functools.partial(tick, base=done)
                done += shell.add(process_shard(cfg, shard, run, add, on_file=file_read)).inputs
            return shell.publish()
    finally:
        if helper is not None:
            helper.close()
