"""Nightly ingest: begin -> plan shards -> process each (mapped) -> publish -> verdict.

Thin on purpose: only airflow.sdk and the standard library at module level, no I/O at parse
time; every task imports `pipeline` and calls the same functions the CLI does.

Environment (read at parse time, no files touched):
  BROADSHEET_SOURCES   sources file (default: examples/sources.yaml next to this repo's dags/)
  BROADSHEET_SCHEDULE  cron expression (default 02:00 UTC every day); `none`: triggered only
  BROADSHEET_LAKE      lake folder overriding the sources file's `lake`
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, dag, get_current_context, task

DEFAULT_SOURCES = os.environ.get("BROADSHEET_SOURCES") or str(
    Path(__file__).resolve().parent.parent / "examples" / "sources.yaml"
)
log = logging.getLogger("broadsheet.dags")
ARTICLES = Asset(name="broadsheet_articles", uri="broadsheet://lake/articles")


def _schedule() -> str | None:
    """BROADSHEET_SCHEDULE: a cron expression, or `none` for runs triggered from outside."""
    value = os.environ.get("BROADSHEET_SCHEDULE", "0 2 * * *").strip()
    return None if value.lower() in ("", "none") else value


def _ran_on() -> str:
    """Which worker ran a task, for the record: the Celery worker's name (name@host) when the
    task process was forked from one, else host:pid."""
    celery = sys.modules.get("celery")
    request = getattr(getattr(celery, "current_task", None), "request", None)
    return getattr(request, "hostname", None) or f"{socket.gethostname()}:{os.getpid()}"


def _config(sources_file: str) -> Any:
    from pipeline.config import load_config

    return load_config(Path(sources_file), {"lake": os.environ.get("BROADSHEET_LAKE")})


def _run_config(run: dict[str, str]) -> Any:
    """The configuration `begin` recorded for this run, never the sources file as it is now: a
    file edited mid-run does not give one run's tasks different configurations."""
    from airflow.sdk.exceptions import AirflowFailException

    from pipeline.config import ConfigError
    from pipeline.shards import RunInfo, run_config

    try:
        return run_config(RunInfo.from_dict(run))
    except ConfigError as e:  # missing or not the recorded one: a retry reads the same
        raise AirflowFailException(str(e)) from e


@dag(
    dag_id="broadsheet_nightly",
    description="News dumps -> validated, deduplicated Parquet lake with a DuckDB catalog",
    schedule=_schedule(),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    # Backfills are explicit (`airflow backfill create`); a paused DAG does not replay months.
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        # A multiplier since Airflow 3 (True is 1.0: no back-off): 60-120 s, then 120-240 s.
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=20),
        "execution_timeout": timedelta(hours=2),
    },
    params={
        "sources_file": Param(DEFAULT_SOURCES, type="string", description="YAML sources file"),
        "ingest_date": Param(
            None,
            type=["null", "string"],
            format="date",
            description="partition to write (default: the run's logical date)",
        ),
        "sources": Param(
            [], type="array", items={"type": "string"}, description="subset of sources (all)"
        ),
        "files_per_shard": Param(200, type="integer", minimum=1),
        "shard_mb": Param(64, type="number", exclusiveMinimum=0, description="input MB a shard"),
    },
    tags=["broadsheet", "ingest"],
    doc_md=__doc__,
)
def broadsheet_nightly() -> None:
    @task(multiple_outputs=True)
    def begin() -> dict[str, Any]:
        """Fix the run's identity (id, ingest date, start time), its sources and its
        configuration (a snapshot in the lake, named by its sha256, read by every later task)."""
        from pipeline.shards import RunInfo, record_config, select_sources

        ctx = get_current_context()
        params = ctx["params"]
        cfg = _config(params["sources_file"])
        day = params.get("ingest_date") or ctx["logical_date"].date().isoformat()
        names = [s.name for s in select_sources(cfg, params.get("sources") or None)]
        run = record_config(cfg, RunInfo.new(datetime.fromisoformat(day).date()))
        log.info("run %s for %s over %s, config %s", run.run_id, day, names, run.config_sha256)
        return {"run": run.as_dict(), "sources": names}

    @task
    def plan(sources: list[str], run: dict[str, str]) -> list[dict[str, Any]]:
        """Split the sources into shards of bounded size (a small night is one shard)."""
        from pipeline.shards import plan_shards

        params = get_current_context()["params"]
        cfg = _run_config(run)
        from airflow.sdk.exceptions import AirflowFailException

        from pipeline.config import ConfigError

        try:
            shards = plan_shards(
                cfg, sources, int(params["files_per_shard"]), float(params.get("shard_mb") or 64)
            )
        except ConfigError as e:  # a path that does not exist: retrying will not create it
            raise AirflowFailException(str(e)) from e
        log.info("%d shards", len(shards))
        return [s.as_dict() for s in shards]

    @task(max_active_tis_per_dagrun=4)
    def process(shard: dict[str, Any], run: dict[str, str]) -> dict[str, Any]:
        """One shard: read, extract, normalize, validate, dedup into the run's staging."""
        from pipeline.logcontext import tags_in_messages
        from pipeline.run import process_shard
        from pipeline.shards import RunInfo, Shard

        cfg, todo, info = _run_config(run), Shard.from_dict(shard), RunInfo.from_dict(run)
        # The task log shows what each warning is about: " [source=… input_ref=…]".
        with tags_in_messages():
            result = process_shard(cfg, todo, info)
        out = {**result.as_dict(), "worker": _ran_on(), "pid": os.getpid()}
        log.info("shard %s on %s: %s", shard["index"], out["worker"], out)
        return out

    # none_failed: a night with no inputs still publishes (empty partitions and a run row).
    @task(outlets=[ARTICLES], retries=1, trigger_rule="none_failed")
    def publish(
        results: list[dict[str, Any]], run: dict[str, str], sources: list[str]
    ) -> dict[str, Any]:
        """Merge shards, dedup across shards and nights, publish the partition atomically."""
        from airflow.sdk.exceptions import AirflowFailException

        from pipeline.gate import ValidationFailed
        from pipeline.lake import Lake
        from pipeline.publish import publish_run
        from pipeline.shards import RunInfo, ShardResult

        ctx = get_current_context()
        cfg = _run_config(run)
        try:
            summary = publish_run(
                cfg, RunInfo.from_dict(run), [ShardResult.from_dict(r) for r in results], sources
            )
        except ValidationFailed as e:
            # The same batch fails the same way on a retry: fail now, with the reason.
            raise AirflowFailException(str(e)) from e
        out = summary.as_dict()
        log.info("run summary: %s", out)
        ctx["outlet_events"][ARTICLES].extra = {
            "lake": Lake(cfg.lake).uri,
            "ingest_date": out["ingest_date"],
            "run_id": out["run_id"],
            "written": out["written"],
        }
        return out

    @task(retries=0)
    def verdict(summary: dict[str, Any]) -> None:
        """Red when sources were held back: their data is safe, but someone must look."""
        from airflow.sdk.exceptions import AirflowFailException

        held = summary.get("held_back") or {}
        if held:
            lines = "; ".join(f"{name}: {why}" for name, why in held.items())
            raise AirflowFailException(f"published without {len(held)} source(s): {lines}")

    started = begin()
    shards = plan(started["sources"], started["run"])
    results = process.partial(run=started["run"]).expand(shard=shards)
    verdict(publish(results, started["run"], started["sources"]))


broadsheet_nightly()
