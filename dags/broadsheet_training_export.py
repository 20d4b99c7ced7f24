"""Example consumer: when the articles Asset is updated, export per-language JSONL for training.

Scheduled on the Asset the nightly DAG's publish task emits, not on a clock: it runs exactly
when fresh data has landed, and reads which partition from the event's extra. The export is
`pipeline.export.export_by_language`, what `broadsheet export` runs: one file per language
under LAKE/exports/training/ingest_date=D/, each renamed into place, so a retry or a re-run
replaces the date's files. BROADSHEET_EXPORT_FORMAT (jsonl or parquet) picks the format.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Asset, dag, get_current_context, task

log = logging.getLogger("broadsheet.dags")
ARTICLES = Asset(name="broadsheet_articles", uri="broadsheet://lake/articles")


@dag(
    dag_id="broadsheet_training_export",
    schedule=[ARTICLES],
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["broadsheet", "export"],
    doc_md=__doc__,
)
def broadsheet_training_export() -> None:
    @task(inlets=[ARTICLES])
    def export() -> dict[str, Any]:
        from datetime import date

        from pipeline.export import export_by_language

        events = get_current_context()["inlet_events"][ARTICLES]
        extra = events[-1].extra
        fmt = os.environ.get("BROADSHEET_EXPORT_FORMAT", "jsonl")
        day = date.fromisoformat(extra["ingest_date"])
        counts = export_by_language(extra["lake"], day, fmt)  # type: ignore[arg-type]
        log.info("exported %s for %s as %s", counts, extra["ingest_date"], fmt)
        return {"ingest_date": extra["ingest_date"], "format": fmt, "counts": counts}

    export()


broadsheet_training_export()
