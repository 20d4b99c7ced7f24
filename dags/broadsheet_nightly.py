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


def _config(sources_file: str) -> Any:
    from pipeline.config import load_config

    return load_config(Path(sources_file), {"lake": os.environ.get("BROADSHEET_LAKE")})


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
        "retry_exponential_backoff": True,
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
        """Fix the run's identity (id, ingest date, start time) and its sources."""
        from pipeline.shards import RunInfo, select_sources

        ctx = get_current_context()
        params = ctx["params"]
        cfg = _config(params["sources_file"])
        day = params.get("ingest_date") or ctx["logical_date"].date().isoformat()
        names = [s.name for s in select_sources(cfg, params.get("sources") or None)]
        run = RunInfo.new(datetime.fromisoformat(day).date())
        log.info("run %s for %s over sources %s", run.run_id, day, names)
        return {"run": run.as_dict(), "sources": names}

    @task
    def plan(sources: list[str]) -> list[dict[str, Any]]:
        """Split the sources into shards of bounded size (a small night is one shard)."""
        from pipeline.shards import plan_shards

        params = get_current_context()["params"]
        cfg = _config(params["sources_file"])
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
        from pipeline.run import process_shard
        from pipeline.shards import RunInfo, Shard

        cfg = _config(get_current_context()["params"]["sources_file"])
        result = process_shard(cfg, Shard.from_dict(shard), RunInfo.from_dict(run))
        log.info("shard %s: %s", shard["index"], result.as_dict())
        return result.as_dict()

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
        cfg = _config(ctx["params"]["sources_file"])
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
    results = process.partial(run=started["run"]).expand(shard=plan(started["sources"]))
    verdict(publish(results, started["run"], started["sources"]))


broadsheet_nightly()
