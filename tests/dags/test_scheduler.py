"""The production path: the nightly DAG under a real scheduler, not `airflow dags test`.

Task processes started by the LocalExecutor's supervisor have no metadata-database connection
and `airflow` as their `__main__`; a worker pool that re-ran that `__main__` died on every
document there, and the night was published empty and green. This test runs the scheduler,
dag-processor and api-server in a temporary AIRFLOW_HOME (SQLite) and checks the lake is the
one `dag.test()` writes, and that the Asset-triggered export ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.airflow_cluster import AirflowCluster
from tests.conftest import EXAMPLES
from tests.dags.conftest import NIGHT

# One worker holds the embedded Airflow and the dags-test lake both modules compare against.
pytestmark = pytest.mark.xdist_group("airflow")

NIGHTLY, EXPORT = "broadsheet_nightly", "broadsheet_training_export"


def _lake_rows(lake: Path) -> dict[str, object]:
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return {
            "articles": con.execute(
                "SELECT article_id, source FROM articles WHERE ingest_date = ? ORDER BY 1", [NIGHT]
            ).fetchall(),
            "duplicates": con.execute(
                "SELECT count(*) FROM duplicates WHERE ingest_date = ?", [NIGHT]
            ).fetchone(),
            "quarantine": con.execute(
                "SELECT reason, count(*) FROM quarantine WHERE ingest_date = ? GROUP BY 1 "
                "ORDER BY 1",
                [NIGHT],
            ).fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def cluster(tmp_path: Path) -> AirflowCluster:
    return AirflowCluster(tmp_path / "airflow", {"BROADSHEET_LAKE": str(tmp_path / "lake")})


@pytest.mark.timeout(420)
def test_nightly_under_the_scheduler_writes_the_lake_dags_test_writes(
    cluster: AirflowCluster,
    dags_test_lake: Path,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    t0 = time.monotonic()
    cluster.migrate()
    cluster.start_local()
    try:
        cluster.wait_for_dag(NIGHTLY)
        cluster.wait_for_dag(EXPORT)
        ready = time.monotonic()
        run_id = cluster.trigger(
            NIGHTLY, {"sources_file": str(EXAMPLES / "sources.yaml")}, f"{NIGHT}T02:00:00+00:00"
        )
        _, state = cluster.wait_for_run(NIGHTLY, run_id, timeout=300)
        ran = time.monotonic()
        tasks = cluster.task_states(NIGHTLY, run_id)
        assert state == "success", f"{tasks}\n{cluster.task_logs()[-6000:]}"
        # A small night is one shard: one task start-up, not one per source and file.
        assert sorted(tasks) == [
            ("begin", -1),
            ("plan", -1),
            ("process", 0),
            ("publish", -1),
            ("verdict", -1),
        ]
        _, exported = cluster.wait_for_run(EXPORT, None, timeout=120)
        assert exported == "success"
    finally:
        cluster.stop()
    lake = tmp_path / "lake"
    got, want = _lake_rows(lake), _lake_rows(dags_test_lake)
    assert len(got["articles"]) == 34  # type: ignore[arg-type]
    assert got == want
    files = sorted((lake / "exports" / "training" / f"ingest_date={NIGHT}").glob("*.jsonl"))
    assert [p.stem for p in files] == ["de", "en", "es", "fr"]
    record_property("seconds_to_ready", round(ready - t0, 1))
    record_property("seconds_of_run", round(ran - ready, 1))
