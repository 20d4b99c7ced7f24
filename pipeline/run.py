"""One run: read -> extract -> normalize -> validate -> dedup -> stage -> publish -> catalog.

The CLI and the Airflow DAGs both call `run_ingest`; nothing here parses flags or prints.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import platform
import secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import version
from typing import Any

from pipeline.config import Config, ExtractConfig, SourceConfig, ValidateConfig
from pipeline.contract import schema_version
from pipeline.dedup import ExactDeduper
from pipeline.extract import extract
from pipeline.lake import Lake, LakeError, RunStage
from pipeline.normalize import NormalizeContext, to_article
from pipeline.records import Article, Duplicate, RawDoc, Rejected
from pipeline.sources import read_source
from pipeline.validate import validate_article

log = logging.getLogger(__name__)

Outcome = Article | Rejected
_STAGES = ("extract", "normalize", "validate")


@dataclass
class SourceCounts:
    inputs: int = 0
    written: int = 0
    duplicates: int = 0
    quarantined: int = 0


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
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    boilerplate_removed: int = 0
    workers: int = 1

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

    def reconciles(self) -> bool:
        return self.inputs == self.written + self.duplicates + self.quarantined

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
            "by_source": {k: vars(v) for k, v in sorted(self.by_source.items())},
            "by_reason": dict(sorted(self.by_reason.items())),
            "boilerplate_removed": self.boilerplate_removed,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# -- the per-document work, run in worker processes ----------------------------------------------

_worker_state: tuple[ExtractConfig, ValidateConfig, NormalizeContext] | None = None


def _init_worker(ecfg: ExtractConfig, vcfg: ValidateConfig, ctx: NormalizeContext) -> None:
    global _worker_state
    _worker_state = (ecfg, vcfg, ctx)


def process_doc(
    doc: RawDoc, ecfg: ExtractConfig, vcfg: ValidateConfig, ctx: NormalizeContext
) -> tuple[Outcome, tuple[float, float, float]]:
    """extract -> normalize -> validate for one document, with the seconds spent in each."""
    t0 = time.perf_counter()
    ex = extract(doc, ecfg)
    t1 = time.perf_counter()
    if isinstance(ex, Rejected):
        return ex, (t1 - t0, 0.0, 0.0)
    art = to_article(ex, ctx)
    t2 = time.perf_counter()
    if isinstance(art, Rejected):
        return art, (t1 - t0, t2 - t1, 0.0)
    out = validate_article(art, vcfg)
    return out, (t1 - t0, t2 - t1, time.perf_counter() - t2)


def _process_in_worker(doc: RawDoc) -> tuple[Outcome, tuple[float, float, float]]:
    assert _worker_state is not None, "worker not initialised"
    return process_doc(doc, *_worker_state)


def _ordered_parallel(
    docs: Iterable[RawDoc | Rejected],
    workers: int,
    init: tuple[ExtractConfig, ValidateConfig, NormalizeContext],
) -> Iterator[tuple[Outcome, tuple[float, float, float]]]:
    """Results in input order, with at most a few documents per worker in flight (bounded RAM)."""
    if workers <= 1:
        for d in docs:
            yield (d, (0.0, 0.0, 0.0)) if isinstance(d, Rejected) else process_doc(d, *init)
        return
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["pipeline.run"])
    window = workers * 8
    with ProcessPoolExecutor(workers, ctx, initializer=_init_worker, initargs=init) as pool:
        pending: deque[Future[tuple[Outcome, tuple[float, float, float]]] | Rejected] = deque()

        def pop() -> tuple[Outcome, tuple[float, float, float]]:
            head = pending.popleft()
            return (head, (0.0, 0.0, 0.0)) if isinstance(head, Rejected) else head.result()

        for d in docs:
            pending.append(d if isinstance(d, Rejected) else pool.submit(_process_in_worker, d))
            while len(pending) >= window:
                yield pop()
        while pending:
            yield pop()


# -- the run ---------------------------------------------------------------------------------------


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("broadsheet", "trafilatura", "pyarrow", "duckdb", "py3langid", "ftfy"):
        try:
            out[pkg] = version(pkg)
        except Exception:  # a missing distribution is not a reason to fail a run
            out[pkg] = "unknown"
    return out


def select_sources(cfg: Config, names: Sequence[str] | None) -> tuple[SourceConfig, ...]:
    if not names:
        return cfg.sources
    known = {s.name: s for s in cfg.sources}
    missing = [n for n in names if n not in known]
    if missing:
        raise ValueError(f"unknown source(s): {', '.join(missing)}; known: {', '.join(known)}")
    return tuple(known[n] for n in names)


def run_ingest(
    cfg: Config,
    ingest_date: date,
    *,
    only_sources: Sequence[str] | None = None,
    on_progress: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Run every selected source for one ingest date and publish its partitions atomically.

    Raises LakeError (and leaves the lake untouched) when the run cannot publish.
    """
    sources = select_sources(cfg, only_sources)
    started = datetime.now(UTC)
    summary = RunSummary(new_run_id(started), ingest_date, started, workers=cfg.workers)
    ctx = NormalizeContext(
        run_id=summary.run_id,
        ingested_at=started,
        schema_version=schema_version(),
        timezones={s.name: s.timezone for s in sources},
    )
    log.info(
        "run started",
        extra={"run_id": summary.run_id, "ingest_date": str(ingest_date), "workers": cfg.workers},
    )
    lake = Lake(cfg.lake)
    with lake.locked():
        stage = lake.stage(summary.run_id, ingest_date, cfg.lake_options)
        try:
            _stream(cfg, sources, ctx, stage, summary, on_progress)
            t = time.perf_counter()
            stage.close_chunks()
            names = [s.name for s in sources]
            staged = [p for n in names for p in stage.chunk_files("articles", n)]
            prior = lake.prior_matches(staged, ingest_date, names)
            moved = stage.finalize(names, prior)
            for name, n in moved.items():
                summary.by_source[name].written -= n
                summary.by_source[name].duplicates += n
            summary.timings["finalize"] = time.perf_counter() - t
            if not summary.reconciles():  # a bug, never bad input: refuse to publish it
                raise LakeError(f"counts do not reconcile: {summary.as_dict()}")
            t = time.perf_counter()
            summary.status = "published"
            summary.finished_at = datetime.now(UTC)
            lake.publish(stage, run_row(summary, cfg))
            lake.refresh_catalog()
            summary.timings["publish"] = time.perf_counter() - t
        except BaseException:
            summary.status = "failed"
            stage.discard()
            raise
    log.info("run published", extra={"summary": summary.as_dict()})
    return summary


def _stream(
    cfg: Config,
    sources: Sequence[SourceConfig],
    ctx: NormalizeContext,
    stage: RunStage,
    summary: RunSummary,
    on_progress: Callable[[RunSummary], None] | None,
) -> None:
    dedup = ExactDeduper()

    def inputs() -> Iterator[RawDoc | Rejected]:
        for src in sources:
            for item in read_source(src, cfg.extract.max_bytes):
                summary.by_source[src.name].inputs += 1
                yield item

    init = (cfg.extract, cfg.validate_, ctx)
    t_wall = time.perf_counter()
    for outcome, secs in _ordered_parallel(inputs(), cfg.workers, init):
        for name, s in zip(_STAGES, secs, strict=True):
            summary.timings[name] += s
        counts = summary.by_source[outcome.source]
        if isinstance(outcome, Rejected):
            counts.quarantined += 1
            summary.by_reason[outcome.reason] += 1
            stage.add_rejected(outcome, ctx.ingested_at)
        else:
            kept = dedup(outcome)
            if isinstance(kept, Duplicate):
                counts.duplicates += 1
                stage.add_duplicate(kept)
            else:
                counts.written += 1
                summary.boilerplate_removed += kept.boilerplate_removed
                stage.add_article(kept)
        if on_progress is not None:
            on_progress(summary)
    summary.timings["stream_wall"] = time.perf_counter() - t_wall


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
        "by_source": [{"source": k, **vars(v)} for k, v in sorted(s.by_source.items())],
        "by_reason": [{"reason": k, "count": v} for k, v in sorted(s.by_reason.items())],
        "timings": [{"stage": k, "seconds": round(v, 4)} for k, v in s.timings.items()],
        "versions": versions(),
        "config_sha256": cfg.fingerprint(),
        "workers": cfg.workers,
        "message": None,
    }
