"""One run: read -> extract -> normalize -> validate -> dedup -> stage -> publish -> catalog.

The CLI and the Airflow DAGs both call `run_ingest`; nothing here parses flags or prints.
"""

from __future__ import annotations

import logging
import platform
import posixpath
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline import neardup, pool
from pipeline.config import Config, SourceConfig
from pipeline.contract import schema_version
from pipeline.dedup import ExactDeduper
from pipeline.document import IN_FLIGHT_PER_WORKER, STAGES, DocWork, outcomes
from pipeline.filters import url_verdict
from pipeline.lake import Dropped, Lake, LakeError, RunStage, part_of
from pipeline.normalize import NormalizeContext
from pipeline.records import Duplicate, RawDoc, Rejected, Skipped
from pipeline.shards import (
    RunInfo,
    Shard,
    ShardPart,
    check_inputs,
    is_web,
    plan_shards,
    select_sources,
)
from pipeline.sources import read_files

log = logging.getLogger(__name__)


@dataclass
class SourceCounts:
    inputs: int = 0
    written: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0


@dataclass
class RunSummary:
    """What a run did; the run row in LAKE/runs is built from this."""

    run_id: str
    ingest_date: date
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    by_source: dict[str, SourceCounts] = field(default_factory=lambda: defaultdict(SourceCounts))
    by_reason: Counter[str] = field(default_factory=Counter)
    by_skip: Counter[str] = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    boilerplate_removed: int = 0
    workers: int = 1
    checks: str = "skipped"
    near_duplicates: int = 0
    warnings: list[str] = field(default_factory=list)
    # Sources whose partitions this run did not replace, with why (status is then "partial").
    held_back: dict[str, str] = field(default_factory=dict)
    report: str | None = None
    data_docs: str | None = None
    message: str | None = None

    def total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.by_source.values())

    @property
    def inputs(self) -> int:
        return self.total("inputs")

    @property
    def written(self) -> int:
        return self.total("written")

    @property
    def duplicates(self) -> int:
        return self.total("duplicates")

    @property
    def quarantined(self) -> int:
        return self.total("quarantined")

    @property
    def skipped(self) -> int:
        return self.total("skipped")

    def reconciles(self) -> bool:
        return self.inputs == self.written + self.duplicates + self.quarantined + self.skipped

    def as_dict(self) -> dict[str, Any]:
        """Small and JSON-friendly: what Airflow's XCom and the CLI's --json carry."""
        return {
            "run_id": self.run_id,
            "ingest_date": self.ingest_date.isoformat(),
            "status": self.status,
            "inputs": self.inputs,
            "written": self.written,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "skipped": self.skipped,
            "by_source": {k: vars(v) for k, v in sorted(self.by_source.items())},
            "by_reason": dict(sorted(self.by_reason.items())),
            "by_skip": dict(sorted(self.by_skip.items())),
            "boilerplate_removed": self.boilerplate_removed,
            "near_duplicates": self.near_duplicates,
            "checks": self.checks,
            "warnings": list(self.warnings),
            "held_back": dict(self.held_back),
            "report": self.report,
            "data_docs": self.data_docs,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# -- shards ----------------------------------------------------------------------------------------


@dataclass
class ShardResult:
    """What one shard did, per source; travels from mapped tasks to the publisher as a dict."""

    index: int
    by_source: dict[str, SourceCounts] = field(default_factory=dict)
    by_reason: Counter[str] = field(default_factory=Counter)
    by_skip: Counter[str] = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    boilerplate_removed: int = 0

    def counts(self, source: str) -> SourceCounts:
        return self.by_source.setdefault(source, SourceCounts())

    @property
    def inputs(self) -> int:
        return sum(c.inputs for c in self.by_source.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "by_source": {k: vars(v) for k, v in self.by_source.items()},
            "by_reason": dict(self.by_reason),
            "by_skip": dict(self.by_skip),
            "timings": dict(self.timings),
            "boilerplate_removed": self.boilerplate_removed,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ShardResult:
        return cls(
            index=int(d["index"]),
            by_source={k: SourceCounts(**v) for k, v in d["by_source"].items()},
            by_reason=Counter(d["by_reason"]),
            by_skip=Counter(d.get("by_skip", {})),
            timings=defaultdict(float, d["timings"]),
            boilerplate_removed=int(d["boilerplate_removed"]),
        )


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
                if isinstance(item, RawDoc) and item.hints.url and src.filters.active:
                    verdict = url_verdict(item.hints.url, src.filters)
                    if verdict is not None:
                        item = Skipped(item.source, item.input_ref, verdict)
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


# -- publishing ------------------------------------------------------------------------------------


def _check_staged(stage: RunStage, summary: RunSummary) -> None:
    """The staged rows must be exactly what the shards reported, or nothing is published.

    Guards against publishing a partial night: a shard whose staging is gone (swept, or lost
    with a disk) would otherwise replace a good partition with fewer rows.
    """
    expected = {
        "articles": summary.written,
        "duplicates": summary.duplicates,
        "quarantine": summary.quarantined,
    }
    for table, want in expected.items():
        have = 0
        for chunk in stage.chunk_files(table):
            with stage.storage.fs.open_input_file(chunk) as fh:
                have += pq.ParquetFile(fh).metadata.num_rows
        if have != want:
            raise LakeError(
                f"staging of run {stage.run_id} is incomplete: {have} {table} rows staged, "
                f"the shards reported {want}; re-run the night"
            )


def _resolve_duplicates(
    stage: RunStage, prior: dict[str, tuple[str, str]]
) -> tuple[Dropped, Counter[str]]:
    """Staged articles that are not to be written, and how many per source.

    Each shard kept the first of its own duplicates; here the shards meet, in input order, and
    the records of earlier nights (`prior`, by article_id) win over tonight's.
    """
    dedup = ExactDeduper()
    drop: Dropped = {}
    per_source: Counter[str] = Counter()
    cols = ["input_ref", "article_id", "canonical_url", "content_sha256", "source"]
    for chunk in stage.chunk_files("articles"):
        with stage.storage.fs.open_input_file(chunk) as fh:
            for batch in pq.ParquetFile(fh).iter_batches(columns=cols, batch_size=10_000):
                rows = zip(*(batch.column(c).to_pylist() for c in cols), strict=True)
                for ref, aid, url, sha, source in rows:
                    hit = dedup.key(aid, url, sha)
                    key = (source, ref)
                    if aid in prior:
                        drop[key] = (prior[aid][0], prior[aid][1], True)
                    elif hit is not None and hit[0] in prior:
                        drop[key] = (prior[hit[0]][0], hit[1], True)
                    elif hit is not None:
                        drop[key] = (hit[0], hit[1], False)
                    if key in drop:
                        per_source[source] += 1
    return drop, per_source


def _near_duplicates(
    lake: Lake, stage: RunStage, drop: Dropped, sources: Sequence[str], cfg: Config
) -> tuple[dict[tuple[str, str], tuple[str, bool, str | None]], Any]:
    """Cluster the night's written articles into stories, against the window's index."""
    if not cfg.dedup.near:
        return {}, None
    t = time.perf_counter()
    files = [(p, *part_of(p)) for p in lake.files("near_index")]
    prior = neardup.read_prior(
        files,
        lake.storage.fs.open_input_file,
        stage.ingest_date,
        sources,
        cfg.dedup.window_days,
        cfg.dedup.permutations,
    )
    tonight: list[neardup.Member] = []
    for chunk in stage.chunk_files("signatures"):
        with stage.storage.fs.open_input_file(chunk) as fh:
            for row in pq.read_table(fh).to_pylist():
                key = (row["source"], row["input_ref"])
                if key in drop:
                    continue
                tonight.append(
                    neardup.Member(
                        article_id=row["article_id"],
                        story_id=row["article_id"],
                        near_duplicate=False,
                        source=row["source"],
                        published_at=row["published_at"],
                        word_count=row["word_count"],
                        signature=row["signature"],
                        key=key,
                        order=len(tonight),
                    )
                )
    near = neardup.cluster(prior, tonight, cfg.dedup)
    log.info(
        "near-duplicates clustered",
        extra={
            "tonight": len(tonight),
            "window_members": len(prior),
            "near_duplicates": sum(1 for v in near.values() if v[1]),
            "seconds": round(time.perf_counter() - t, 3),
        },
    )
    return near, neardup.index_table(tonight) if tonight else None


def publish_run(
    cfg: Config,
    run: RunInfo,
    results: Sequence[ShardResult],
    sources: Sequence[str],
    message: str | None = None,
    gate_helper: Any = None,
) -> RunSummary:
    """Merge the shards, find duplicates across shards and nights, and publish atomically.

    Replaces the (ingest_date, source) partitions of `sources`. Raises LakeError, leaving the
    lake untouched, when the run cannot publish. The staging stays for a retry of the publish
    (Airflow retries the task) and is swept once stale.
    """
    summary = RunSummary(run.run_id, run.ingest_date, run.started_at, workers=cfg.workers)
    summary.message = message
    for r in sorted(results, key=lambda r: r.index):
        for name, counts in r.by_source.items():
            c = summary.by_source[name]
            for attr in ("inputs", "written", "duplicates", "quarantined", "skipped"):
                setattr(c, attr, getattr(c, attr) + getattr(counts, attr))
        summary.by_reason.update(r.by_reason)
        summary.by_skip.update(r.by_skip)
        summary.boilerplate_removed += r.boilerplate_removed
        for k, v in r.timings.items():
            summary.timings[k] += v
    for name in sources:  # a source with no inputs tonight still gets its (empty) row
        summary.by_source.setdefault(name, SourceCounts())
    lake = Lake(cfg.lake)
    stage = lake.stage(run.run_id, run.ingest_date, cfg.lake_options)
    with lake.locked():
        try:
            _refuse_overlap(lake, run, sources)
            held = _empty_sources(lake, cfg, summary, sources)
            publishing = [s for s in sources if s not in held]
            if not publishing:
                raise LakeError("nothing published: " + "; ".join(held.values()))
            t = time.perf_counter()
            _check_staged(stage, summary)
            prior = lake.prior_matches(stage.chunk_files("articles"), run.ingest_date, publishing)
            drop, moved = _resolve_duplicates(stage, prior)
            for name, n in moved.items():
                summary.by_source[name].written -= n
                summary.by_source[name].duplicates += n
            summary.timings["dedup_across"] = time.perf_counter() - t
            t = time.perf_counter()
            near, index = _near_duplicates(lake, stage, drop, publishing, cfg)
            summary.near_duplicates = sum(1 for v in near.values() if v[1])
            summary.timings["near_dup"] = time.perf_counter() - t
            t = time.perf_counter()
            stage.finalize(publishing, drop, near, {"near_index": index} if index else None)
            summary.timings["finalize"] = time.perf_counter() - t
            if not summary.reconciles():  # a bug, never bad input: refuse to publish it
                raise LakeError(f"counts do not reconcile: {summary.as_dict()}")
            if cfg.validate_.batch_checks:
                held.update(_gate(lake, stage, summary, cfg, gate_helper))
            stage.sources = [s for s in publishing if s not in held]
            t = time.perf_counter()
            summary.held_back = held
            summary.warnings += [f"held back {name}: {why}" for name, why in held.items()]
            summary.status = "partial" if held else "published"
            summary.finished_at = datetime.now(UTC)
            lake.publish(stage, run_row(summary, cfg))
            lake.refresh_catalog()
            summary.timings["publish"] = time.perf_counter() - t
            if summary.report is not None:
                _render_report(lake, summary)
        except BaseException:
            summary.status = "failed"
            raise
    log.info("run published", extra={"summary": summary.as_dict()})
    if held:
        log.error("sources held back", extra={"held_back": held, "run_id": run.run_id})
    return summary


def _refuse_overlap(lake: Lake, run: RunInfo, sources: Sequence[str]) -> None:
    """Refuse to publish over a run that published the same partitions after this one began:
    of two runs of one night, the later publish would silently replace the other's rows."""
    for other in lake.runs_on(run.ingest_date):
        if other["run_id"] == run.run_id or other["status"] not in ("published", "partial"):
            continue
        theirs = {c["source"] for c in other["by_source"] or []} - set(other["held_back"])
        both = sorted(theirs & set(sources))
        if both and other["finished_at"] > run.started_at:
            raise LakeError(
                f"run {other['run_id']} published {', '.join(both)} for {run.ingest_date} at "
                f"{other['finished_at']:%H:%M:%S} UTC while this run ({run.run_id}) was in "
                "progress; nothing published. Re-run if this run's rows should replace them."
            )


def _empty_sources(
    lake: Lake, cfg: Config, summary: RunSummary, sources: Sequence[str]
) -> dict[str, str]:
    """Sources that read nothing tonight. Replacing a published night with nothing is refused
    unless `allow_empty`; a first night of nothing only warns. Both name the paths."""
    held: dict[str, str] = {}
    by_name = {s.name: s for s in cfg.sources}
    for name in sources:
        if summary.by_source[name].inputs:
            continue
        src = by_name[name]
        where = ", ".join(str(p) for p in src.paths) or "its URLs"
        rows = lake.published_rows(summary.ingest_date, name)
        if rows and not cfg.allow_empty:
            held[name] = (
                f"0 inputs from {where}; its published partition of {summary.ingest_date} "
                f"holds {rows} rows and was kept (allow_empty replaces it)"
            )
        else:
            summary.warnings.append(f"source {name} had no inputs (from {where})")
    return held


def _render_report(lake: Lake, summary: RunSummary) -> None:
    """The HTML run report; the night is already published, so a failure here only logs."""
    from pipeline.report import write_reports

    t = time.perf_counter()
    try:
        write_reports(lake, summary.run_id, str(summary.report))
    except Exception:  # a report is not worth failing a published night for
        log.exception("run report could not be written", extra={"run_id": summary.run_id})
    summary.timings["report"] = time.perf_counter() - t


def _gate(
    lake: Lake, stage: RunStage, summary: RunSummary, cfg: Config, helper: Any = None
) -> dict[str, str]:
    """The Great Expectations gate on the staged night, before anything is published.

    A critical failure raises ValidationFailed, unless some sources fail on their own and
    `validate.isolate_sources` holds them back: those are returned, with the failing check.
    `helper`: a GateProcess started with the run."""
    from pipeline.gate import ValidationFailed, blame_sources, log_result, run_gate

    t = time.perf_counter()
    counts = {name: vars(c) for name, c in summary.by_source.items()}
    if helper is not None:
        gate = helper.run(lake, stage, counts, cfg.validate_)
    else:
        gate = run_gate(lake, stage, counts, cfg.validate_)
    log_result(gate)
    summary.checks = gate.status
    summary.warnings += [c.line() for c in gate.warnings]
    summary.report = gate.report_dir
    summary.data_docs = gate.data_docs
    blamed: dict[str, str] = {}
    if gate.critical_failures and cfg.validate_.isolate_sources and len(stage.sources) > 1:
        blamed = blame_sources(lake, stage, counts, cfg.validate_)
    summary.timings["validate_batch"] = time.perf_counter() - t
    if gate.critical_failures and (not blamed or set(blamed) >= set(stage.sources)):
        lines = "; ".join(c.line() for c in gate.critical_failures)
        where = lake.storage.uri_of(lake.storage.path(gate.report_dir or ""))
        raise ValidationFailed(
            f"critical expectation failed, night not published: {lines} (report: {where})"
        )
    return {name: f"{why} ({_top_reasons(stage, name)})" for name, why in blamed.items()}


def _top_reasons(stage: RunStage, source: str) -> str:
    """The most frequent quarantine reasons of a source tonight, for the held-back line."""
    reasons: Counter[str] = Counter()
    for path in stage.storage.files(stage.final_dir("quarantine", source), "*.parquet"):
        with stage.storage.fs.open_input_file(path) as fh:
            reasons.update(pq.read_table(fh, columns=["reason"]).column("reason").to_pylist())
    top = ", ".join(f"{r}={n}" for r, n in reasons.most_common(3))
    return f"quarantined: {top}" if top else "nothing quarantined"


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
    stage = Lake(cfg.lake).stage(run.run_id, ingest_date, cfg.lake_options)
    helper = None
    wanted = cfg.validate_.gate_process
    if cfg.validate_.batch_checks and (gate_process if wanted is None else wanted):
        from pipeline.gate import GateProcess

        helper = GateProcess()
    try:
        return _run_and_publish(cfg, run, stage, sources, helper, on_progress)
    except pool.PoolError as e:
        log.error("worker pool failed; nothing published", extra={"error": str(e)})
        _record_unpublished(cfg, run, "failed", f"worker pool failed: {e}")
        raise RunFailed(f"the worker pool failed, so nothing was published: {e}") from e
    except KeyboardInterrupt:
        _record_unpublished(cfg, run, "interrupted", "interrupted before the publish")
        raise
    finally:
        if helper is not None:
            helper.close()


class RunFailed(LakeError):
    """A fault of the run as a whole (not of some inputs): the night is not published."""


def _record_unpublished(cfg: Config, run: RunInfo, status: str, message: str) -> None:
    """A run row for a night that published nothing, so `runs` and the reports tell why."""
    summary = RunSummary(
        run.run_id, run.ingest_date, run.started_at, status=status, workers=cfg.workers
    )
    summary.message = message[:20_000]
    summary.checks = "not run"
    summary.finished_at = datetime.now(UTC)
    try:
        Lake(cfg.lake).record_run(run.ingest_date, run_row(summary, cfg))
    except Exception:  # the run has already failed; this row is for diagnosis only
        log.exception("could not record the unpublished run", extra={"run_id": run.run_id})


def _run_and_publish(
    cfg: Config,
    run: RunInfo,
    stage: RunStage,
    sources: list[str],
    helper: Any,
    on_progress: Callable[[int], None] | None,
) -> RunSummary:
    results: list[ShardResult] = []
    done = 0
    try:
        for shard in plan_shards(cfg, sources):
            base = done

            def tick(r: ShardResult, base: int = base) -> None:
                if on_progress is not None:
                    on_progress(base + r.inputs)

            results.append(process_shard(cfg, shard, run, tick))
            done += results[-1].inputs
    except OSError as e:
        # Readers turn unreadable inputs into quarantine; what escapes is the lake's own I/O.
        stage.discard()
        raise LakeError(f"cannot stage the run under {stage.root}: {e}") from e
    except BaseException:
        stage.discard()
        raise
    # Idle workers would hold their memory through the publish (about 200 MB each).
    pool.close_shared()
    try:
        return publish_run(cfg, run, results, sources, gate_helper=helper)
    except BaseException:
        stage.discard()  # nobody will retry this publish; a no-op once the journal is committed
        raise


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("broadsheet", "trafilatura", "pyarrow", "duckdb", "py3langid", "ftfy"):
        try:
            out[pkg] = version(pkg)
        except Exception:  # a missing distribution is not a reason to fail a run
            out[pkg] = "unknown"
    return out


def run_row(s: RunSummary, cfg: Config) -> dict[str, Any]:
    return {
        "run_id": s.run_id,
        "status": s.status,
        "started_at": s.started_at,
        "finished_at": s.finished_at or datetime.now(UTC),
        "inputs": s.inputs,
        "written": s.written,
        "duplicates": s.duplicates,
        "quarantined": s.quarantined,
        "skipped": s.skipped,
        "by_source": [{"source": k, **vars(v)} for k, v in sorted(s.by_source.items())],
        "by_reason": [{"reason": k, "count": v} for k, v in sorted(s.by_reason.items())],
        "by_skip": [{"reason": k, "count": v} for k, v in sorted(s.by_skip.items())],
        "timings": [{"stage": k, "seconds": round(v, 4)} for k, v in s.timings.items()],
        "versions": versions(),
        "config_sha256": cfg.fingerprint(),
        "workers": cfg.workers,
        "message": s.message,
        "checks": s.checks,
        "warnings": list(s.warnings),
        "report": s.report,
        "data_docs": s.data_docs,
    }
