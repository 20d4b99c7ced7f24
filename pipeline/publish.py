"""Publishing a night: merge the shards, find duplicates across shards and nights, cluster
near-duplicates, gate, and swap the partitions in atomically.

`RunShell` is the one recipe every run follows (ingest, requeue, reextract): stage shards, then
publish, or discard the staging and record why the night was not published.
"""

from __future__ import annotations

import logging
import platform
import posixpath
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import version
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import neardup, pool, search
from pipeline.config import Config
from pipeline.dedup import ExactDeduper
from pipeline.lake import RAW, TABLES, Lake, LakeError, part_of, with_partition_columns
from pipeline.shards import RunInfo, ShardResult, SourceCounts, missing_inputs
from pipeline.staging import Dropped, RunStage

log = logging.getLogger(__name__)


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
            "workers": self.workers,  # 0: the chain ran unisolated, in the run's own process
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
    with lake.locked():  # rolls forward a publish an earlier attempt of this run committed
        done = _published_before(lake, run)
        if done is not None:
            log.warning("run already published (a retried publish): nothing to do",
                        extra={"run_id": run.run_id, "status": done.status})  # fmt: skip
            lake.refresh_catalog()
            _render_report(lake, done)  # the attempt that committed may have died before it
            return done
        try:
            _refuse_overlap(lake, run, sources)
            held = _empty_sources(lake, cfg, summary, sources)
            publishing = [s for s in sources if s not in held]
            if not publishing:
                raise LakeError("nothing published: " + "; ".join(held.values()))
            held.update(_rejected_sources(cfg, sources))
            t = time.perf_counter()
            _check_staged(stage, summary)
            if not summary.reconciles():  # a bug, never bad input: refuse to publish it
                raise LakeError(f"counts do not reconcile: {summary.as_dict()}")
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
            if cfg.validate_.batch_checks and not (cfg.allow_empty and not summary.inputs):
                held.update(_gate(lake, stage, summary, cfg, gate_helper))
            elif cfg.validate_.batch_checks:  # nothing read, and an empty night was asked for
                summary.warnings.append("no inputs and allow_empty: batch checks not run")
            stage.sources = [s for s in publishing if s not in held]
            t = time.perf_counter()
            search.index_stage(stage)  # swapped in with the articles by lake.publish
            summary.timings["search_index"] = time.perf_counter() - t
            t = time.perf_counter()
            summary.held_back = held
            summary.warnings += [f"held back {name}: {why}" for name, why in held.items()]
            summary.status = "partial" if held else "published"
            summary.finished_at = datetime.now(UTC)
            lake.publish(stage, run_row(summary, cfg))
            lake.refresh_catalog()
            summary.timings["publish"] = time.perf_counter() - t
            _render_report(lake, summary)
        except BaseException:
            summary.status = "failed"
            _render_index(lake)
            raise
    log.info("run published", extra={"summary": summary.as_dict()})
    if held:
        log.error("sources held back", extra={"held_back": held, "run_id": run.run_id})
    return summary


def _published_before(lake: Lake, run: RunInfo) -> RunSummary | None:
    """This run's summary as its row in `runs` records it, if an earlier attempt of its publish
    committed (the journal, rolled forward when the lake was opened): a retried publish task
    then reports that night instead of failing on a staging the publish consumed."""
    for row in lake.runs_on(run.ingest_date):
        if row["run_id"] != run.run_id or row["status"] not in ("published", "partial"):
            continue
        out = RunSummary(run.run_id, run.ingest_date, row["started_at"], row["finished_at"])
        out.status, out.workers, out.message = row["status"], row["workers"], row["message"]
        for c in row.get("by_source") or []:
            out.by_source[c["source"]] = SourceCounts(
                **{
                    k: int(c.get(k) or 0)
                    for k in ("inputs", "written", "duplicates", "quarantined", "skipped")
                }  # fmt: skip
            )
        out.by_reason.update({r["reason"]: r["count"] for r in row.get("by_reason") or []})
        out.by_skip.update({r["reason"]: r["count"] for r in row.get("by_skip") or []})
        for t in row.get("timings") or []:
            out.timings[t["stage"]] = t["seconds"]
        out.checks = row.get("checks") or "skipped"
        out.warnings = list(row.get("warnings") or [])
        out.held_back = {
            w.split(":", 1)[0].removeprefix("held back "): w.split(":", 1)[-1].strip()
            for w in out.warnings
            if w.startswith("held back ")
        }
        out.report, out.data_docs = row.get("report"), row.get("data_docs")
        return out
    return None


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


def _rejected_sources(cfg: Config, sources: Sequence[str]) -> dict[str, str]:
    """Sources whose own entry did not validate (`Config.rejected_sources`), on a run over all
    the others: held back, so that the night, published for the rest, is red and says why."""
    if set(sources) != {s.name for s in cfg.sources}:
        return {}  # a run of some sources (--source): the others are not its business
    return {name: f"{why}; not read" for name, why in cfg.rejected_sources.items()}


def _empty_sources(
    lake: Lake, cfg: Config, summary: RunSummary, sources: Sequence[str]
) -> dict[str, str]:
    """Sources that read nothing tonight. Replacing a published night with nothing is refused
    unless `allow_empty`; a first night of nothing only warns. Both name the paths."""
    held: dict[str, str] = {}
    by_name = {s.name: s for s in cfg.sources}
    missing = missing_inputs([by_name[name] for name in sources])
    for name in sources:
        if name in missing and not summary.by_source[name].inputs:
            # Not read at all (shards.check_inputs): held back, a first night as any other.
            rows = lake.published_rows(summary.ingest_date, name)
            kept = f"; its published partition of {summary.ingest_date} ({rows} rows) was kept"
            held[name] = (
                f"input paths that do not exist: {', '.join(missing[name])}; nothing of it was "
                f"read{kept if rows else ''}"
            )
            continue
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
        write_reports(lake, summary.run_id, summary.report)
    except Exception:  # a report is not worth failing a published night for
        log.exception("run report could not be written", extra={"run_id": summary.run_id})
    summary.timings["report"] = time.perf_counter() - t


def _render_index(lake: Lake) -> None:
    """reports/index.html again after a run that did not publish, so it lists it and why."""
    from pipeline.report import write_index

    try:
        write_index(lake)
    except Exception:  # the run has already failed; the index is for diagnosis only
        log.exception("reports index could not be written", extra={"lake": lake.uri})


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
        lake = Lake(cfg.lake)
        lake.record_run(run.ingest_date, run_row(summary, cfg))
    except Exception:  # the run has already failed; this row is for diagnosis only
        log.exception("could not record the unpublished run", extra={"run_id": run.run_id})
    else:
        _render_index(lake)


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
        "package_versions": [{"name": k, "version": v} for k, v in versions().items()],
        "config_sha256": cfg.fingerprint(),
        "workers": cfg.workers,
        "message": s.message,
        "checks": s.checks,
        "warnings": list(s.warnings),
        "report": s.report,
        "data_docs": s.data_docs,
    }


class RunShell:
    """One run's staging, published once or discarded once.

    Callers add shard results (`add`, `carry_over`) inside `with`, then `publish()`. Leaving the
    block by an exception discards the staging (a no-op once the publish journal is committed)
    and records the run: `interrupted` on Ctrl-C, `failed` when the worker pool broke (raised
    again as RunFailed); an OSError while staging is the lake's own I/O, raised as LakeError.
    """

    def __init__(
        self,
        cfg: Config,
        run: RunInfo,
        sources: Sequence[str],
        *,
        message: str | None = None,
        gate_helper: Any = None,
    ) -> None:
        self.cfg, self.run, self.sources = cfg, run, list(sources)
        self.message, self.gate_helper = message, gate_helper
        self.lake = Lake(cfg.lake)
        self.stage = self.lake.stage(run.run_id, run.ingest_date, cfg.lake_options)
        self.results: list[ShardResult] = []
        self._publishing = False

    @property
    def next_index(self) -> int:
        return len(self.results)

    def add(self, result: ShardResult) -> ShardResult:
        self.results.append(result)
        return result

    def carry_over(self, source: str, keep: Callable[[str, pa.Table], pa.Table]) -> ShardResult:
        """Stage what the partitions of (day, source) hold now, through `keep` per table, as
        the next shard; raw captures are carried over as they are."""
        return self.add(
            carry_over(self.lake, self.stage, self.next_index, self.run.ingest_date, source, keep)
        )

    def publish(self) -> RunSummary:
        pool.close_shared()  # idle workers would hold their memory through the publish
        self._publishing = True
        return publish_run(
            self.cfg,
            self.run,
            self.results,
            self.sources,
            message=self.message,
            gate_helper=self.gate_helper,
        )

    def __enter__(self) -> RunShell:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        self.stage.discard()
        if isinstance(exc, KeyboardInterrupt):
            _record_unpublished(self.cfg, self.run, "interrupted", "interrupted before the publish")
        elif isinstance(exc, pool.PoolError):
            log.error("worker pool failed; nothing published", extra={"error": str(exc)})
            _record_unpublished(self.cfg, self.run, "failed", f"worker pool failed: {exc}")
            raise RunFailed(f"the worker pool failed, so nothing was published: {exc}") from exc
        elif isinstance(exc, OSError) and not self._publishing:
            # Readers turn unreadable inputs into quarantine; what escapes is the lake's own I/O.
            raise LakeError(f"cannot stage the run under {self.stage.root}: {exc}") from exc


def carry_over(
    lake: Lake,
    stage: RunStage,
    index: int,
    day: date,
    source: str,
    keep: Callable[[str, pa.Table], pa.Table],
) -> ShardResult:
    """Stage what the partitions of (day, source) hold now, through `keep` per table, as the
    first shard of the run; raw captures are carried over as they are."""
    result = ShardResult(index)
    counts = result.counts(source)
    root = posixpath.join(stage.root, "shards", f"{index:06d}")
    rows = {}
    for table in TABLES:
        n = 0
        for k, path in enumerate(lake.partition_files(table, day, source)):
            with lake.storage.fs.open_input_file(path) as fh:
                t = keep(table, with_partition_columns(table, pq.read_table(fh), source))
            out = posixpath.join(root, table, f"chunk-{k:05d}.parquet")
            lake.storage.makedirs(posixpath.dirname(out))
            pq.write_table(t, out, filesystem=lake.storage.fs, compression="zstd")
            n += t.num_rows
        rows[table] = n
    # Raw captures of web sources stay as they are: the requeue re-reads inputs, it never fetches.
    for path in lake.partition_files(RAW, day, source, "*"):
        dest = posixpath.join(stage.raw_dir(index), source, posixpath.basename(path))
        lake.storage.makedirs(posixpath.dirname(dest))
        lake.storage.fs.copy_file(path, dest)
    counts.written = rows["articles"]
    counts.duplicates = rows["duplicates"]
    counts.quarantined = rows["quarantine"]
    counts.skipped = _skipped_before(lake, day, source)
    counts.inputs = rows["articles"] + rows["duplicates"] + rows["quarantine"] + counts.skipped
    return result


def _skipped_before(lake: Lake, day: date, source: str) -> int:
    """Skipped inputs are in no table: take them from the last run that published the
    partition (not a failed run, nor one that held this source back)."""
    published = [
        r
        for r in lake.runs_on(day)
        if r["status"] in ("published", "partial") and source not in r["held_back"]
    ]
    for run in sorted(published, key=lambda r: r["started_at"], reverse=True):
        for c in run["by_source"] or []:
            if c["source"] == source:
                return int(c["skipped"] or 0)
    return 0
