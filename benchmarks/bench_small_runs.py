"""What a small run costs: `broadsheet ingest` of one page, of nothing (`--allow-empty`), and of
the example night (examples/sources.yaml, 55 inputs), each in a fresh process, several times.

    .venv/bin/python benchmarks/bench_small_runs.py --repeat 5 --label after

Each repeat is a new lake (the first night of a lake, as a fresh install sees it); the empty
ingest runs on a lake that already holds a night. `--tree NAME=DIR` (twice) runs copies of the
project (e.g. `git archive` of two commits, unpacked) with this venv, repeats alternating, to
measure before and after side by side under the same load.
Wall time min and median and the reports' bytes per run go to
benchmarks/results/small_runs-LABEL.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGE = ROOT / "examples" / "html" / "harborledger"
EXAMPLES = ROOT / "examples" / "sources.yaml"
DAY = "2026-11-25"


def _one_page(tmp: Path) -> Path:
    folder = tmp / "one"
    folder.mkdir()
    page = sorted(p for p in PAGE.iterdir() if p.suffix == ".html")[0]
    shutil.copy(page, folder / page.name)
    return folder


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _run(tree: Path, args: list[str]) -> float:
    t = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cli = "import sys; from pipeline.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", cli, *args], capture_output=True, text=True, env=env, cwd=tree
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"broadsheet {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return wall


def measure(tree: Path, case: str, tmp: Path) -> dict[str, Any]:
    lake = tmp / "lake"
    if case == "one_page":
        wall = _run(tree, ["ingest", str(_one_page(tmp)), "--source", "one", "--lake", str(lake),
                           "--date", DAY])  # fmt: skip
    elif case == "empty":
        # A night of something first, so the empty night is not the lake's first.
        _run(tree, ["ingest", str(_one_page(tmp)), "--source", "one", "--lake", str(lake),
                    "--date", "2026-11-24"])  # fmt: skip
        before = _size(lake / "reports")
        empty = tmp / "empty"
        empty.mkdir()
        wall = _run(tree, ["ingest", str(empty), "--source", "one", "--lake", str(lake),
                           "--date", DAY, "--allow-empty"])  # fmt: skip
        return {"wall_s": wall, "report_bytes": _size(lake / "reports") - before}
    else:
        wall = _run(tree, ["ingest", "--config", str(EXAMPLES), "--lake", str(lake), "--date", DAY])
    return {"wall_s": wall, "report_bytes": _size(lake / "reports")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--label", default="run")
    ap.add_argument("--case", action="append", choices=["one_page", "empty", "night"])
    ap.add_argument(
        "--tree",
        action="append",
        metavar="NAME=DIR",
        help="a project copy to run; given twice, their repeats alternate (default: this one)",
    )
    args = ap.parse_args()
    trees = {"this": ROOT}
    if args.tree:
        trees = {n: Path(d).resolve() for n, _, d in (t.partition("=") for t in args.tree)}
    cases = args.case or ["one_page", "empty", "night"]
    results: dict[str, Any] = {
        "label": args.label,
        "trees": {n: str(d) for n, d in trees.items()},
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "cases": {},
    }
    for case in cases:
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in trees}
        for _ in range(args.repeat):  # alternate the trees: the machine's load hits both alike
            for name, tree in trees.items():
                with tempfile.TemporaryDirectory(prefix="bench-small-") as tmp:
                    runs[name].append(measure(tree, case, Path(tmp)))
        for name, rs in runs.items():
            walls = [r["wall_s"] for r in rs]
            row = {
                "wall_min_s": round(min(walls), 2),
                "wall_median_s": round(statistics.median(walls), 2),
                "walls_s": [round(w, 2) for w in walls],
                "report_bytes_per_run": max(r["report_bytes"] for r in rs),
            }
            results["cases"].setdefault(case, {})[name] = row
            print(case, name, json.dumps(row), flush=True)  # noqa: T201
    results["loadavg_end"] = os.getloadavg()
    out = HERE / "results" / f"small_runs-{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"-> {out}")  # noqa: T201


if __name__ == "__main__":
    main()
