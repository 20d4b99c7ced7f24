"""Parse time of the DAG files: what the dag-processor pays for each file, every parse loop.

    .venv/bin/python benchmarks/bench_dag_parse.py [--runs 20] [--out results.json]

Each file is run with `runpy` in a fresh process that has already imported `airflow.sdk` (paid
once per dag-processor, not per file), several times; the minimum and median are reported.
tests/dags/test_dags.py asserts what the parse imports; this measures what it costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DAGS = HERE.parent / "dags"
PROBE = (
    "import json, runpy, time\n"
    "from airflow.sdk import Asset, Param, dag, get_current_context, task\n"
    "t = time.perf_counter()\n"
    "runpy.run_path({path!r})\n"
    "print(json.dumps(time.perf_counter() - t))\n"
)


def parse_seconds(path: Path, runs: int) -> dict[str, float | int | str]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(path=str(path))],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return {
        "dag_file": path.name,
        "runs": runs,
        "min_s": round(min(times), 4),
        "median_s": round(statistics.median(times), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "dag_parse.json")
    args = ap.parse_args()
    results = [parse_seconds(p, args.runs) for p in sorted(DAGS.glob("*.py"))]
    for r in results:
        sys.stdout.write(
            f"{r['dag_file']:<36} min {r['min_s']:.4f} s  median {r['median_s']:.4f} s\n"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
