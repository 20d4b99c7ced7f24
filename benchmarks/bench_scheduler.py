"""Where a night's time goes under the real Airflow scheduler (LocalExecutor, SQLite).

Runs `broadsheet_nightly` on the example corpus in a fresh AIRFLOW_HOME, once per shard plan
given, and reports the run's wall time from trigger to success and each task's queue wait and
run time (from Airflow's own task_instance rows). Compare the planner's default (a small night
is one shard) with about the old plan's dozen shards (it gave one per source and dump file):

    .venv/bin/python benchmarks/bench_scheduler.py --plan default --plan files_per_shard=5

JSON goes to benchmarks/results/scheduler.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.airflow_cluster import AirflowCluster  # noqa: E402

EXAMPLES = HERE.parent / "examples" / "sources.yaml"


def _ts(value: str | None) -> float:
    return datetime.fromisoformat(value).timestamp() if value else float("nan")


def measure(plan: str, home: Path) -> dict[str, Any]:
    conf: dict[str, Any] = {"sources_file": str(EXAMPLES)}
    if plan != "default":
        for item in plan.split(","):
            key, value = item.split("=")
            conf[key] = float(value) if key == "shard_mb" else int(value)
    cluster = AirflowCluster(home / "airflow", {"BROADSHEET_LAKE": str(home / "lake")})
    t0 = time.monotonic()
    cluster.migrate()
    cluster.start_local()
    try:
        cluster.wait_for_dag("broadsheet_nightly")
        ready = time.monotonic()
        run_id = cluster.trigger("broadsheet_nightly", conf, "2026-11-20T02:00:00+00:00")
        _, state = cluster.wait_for_run("broadsheet_nightly", run_id, timeout=1200)
        done = time.monotonic()
        rows = cluster.query(
            "SELECT task_id, map_index, queued_dttm, start_date, end_date FROM task_instance "
            "WHERE dag_id = 'broadsheet_nightly' AND run_id = ? ORDER BY start_date",
            run_id,
        )
    finally:
        cluster.stop()
    tasks = [
        {
            "task": f"{t}[{m}]" if m >= 0 else t,
            "queued_s": round(_ts(s) - _ts(q), 1),
            "run_s": round(_ts(e) - _ts(s), 1),
        }
        for t, m, q, s, e in rows
    ]
    return {
        "plan": plan,
        "state": state,
        "start_up_s": round(ready - t0, 1),
        "trigger_to_end_s": round(done - ready, 1),
        "process_tasks": sum(1 for t in tasks if t["task"].startswith("process")),
        "process_task_seconds": round(
            sum(t["run_s"] for t in tasks if t["task"].startswith("process")), 1
        ),
        "tasks": tasks,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", action="append", help="default, or e.g. files_per_shard=5")
    args = ap.parse_args()
    results = []
    for plan in args.plan or ["default"]:
        with tempfile.TemporaryDirectory(prefix="bench-scheduler-") as tmp:
            r = measure(plan, Path(tmp))
        results.append(r)
        print(
            f"{plan:>22}: {r['state']}, {r['process_tasks']} process task(s) "
            f"({r['process_task_seconds']} task-seconds), trigger to end {r['trigger_to_end_s']}s"
        )
        for t in r["tasks"]:
            print(f"{'':>24}{t['task']:<14} queued {t['queued_s']:>5}s  ran {t['run_s']:>5}s")
    out = HERE / "results" / "scheduler.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
