"""Start-up cost of the `broadsheet` command: what an analyst waits for before any work starts.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--lake DIR] [--ref HEAD] [--out F.json]

Times, each in a fresh process (wall clock, several runs: minimum and median), on the example
corpus: `broadsheet sql "SELECT 1"` on a lake made from examples/sources.yaml (ingested once
into a temporary folder unless `--lake` names one), `broadsheet --version`, and
`broadsheet ingest --config examples/sources.yaml --dry-run`. With `--ref`, the same commands
also run through that git revision's pipeline/cli.py (against today's other modules), runs
interleaved so both see the same load: the before/after of a change to the command itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCES = REPO / "examples" / "sources.yaml"
BROADSHEET = Path(sys.executable).with_name("broadsheet")
# What the `broadsheet` console script runs, with the module to import it from.
ENTRY = "import sys; sys.path.insert(0, {path!r}); from {module} import main; sys.exit(main())"


def stats(walls: list[float], codes: set[int]) -> dict[str, Any]:
    return {
        "runs": len(walls),
        "min_s": round(min(walls), 3),
        "median_s": round(statistics.median(walls), 3),
        "exit_codes": sorted(codes),
    }


def timed(variants: dict[str, list[str]], runs: int) -> dict[str, dict[str, Any]]:
    """Wall seconds of fresh processes per variant, the variants taking turns on each run."""
    walls: dict[str, list[float]] = {v: [] for v in variants}
    codes: dict[str, set[int]] = {v: set() for v in variants}
    for _ in range(runs):
        for name, argv in variants.items():
            t = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls[name].append(time.perf_counter() - t)
            codes[name].add(done.returncode)
    return {name: stats(walls[name], codes[name]) for name in variants}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--lake", type=Path, help="a lake with a catalog (default: ingest examples)")
    ap.add_argument("--ref", help="also time this git revision's pipeline/cli.py (e.g. HEAD)")
    ap.add_argument("--out", type=Path, help="also write the results here (JSON)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        lake = args.lake
        if lake is None:
            lake = Path(tmp) / "lake"
            subprocess.run(
                [str(BROADSHEET), "ingest", "--config", str(SOURCES), "--lake", str(lake)]
                + ["--date", "2026-11-25", "--no-progress", "--json"],
                stdout=subprocess.DEVNULL,
                check=True,
            )
        entries = {
            "now": [sys.executable, "-c", ENTRY.format(path=str(REPO), module="pipeline.cli")]
        }
        if args.ref:
            old = subprocess.run(
                ["git", "show", f"{args.ref}:pipeline/cli.py"],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            (Path(tmp) / "cli_at_ref.py").write_text(old)
            code = ENTRY.format(path=tmp, module="cli_at_ref")
            entries[args.ref] = [sys.executable, "-c", code]
        commands = {
            "sql SELECT 1": ["sql", "--lake", str(lake), "SELECT 1"],
            "--version": ["--version"],
            "ingest --dry-run": ["ingest", "--config", str(SOURCES), "--dry-run"],
        }
        results = {
            name: timed({v: [*entry, *argv] for v, entry in entries.items()}, args.runs)
            for name, argv in commands.items()
        }
    for name, by_variant in results.items():
        for variant, r in by_variant.items():
            spread = f"min {r['min_s']:.2f} s  median {r['median_s']:.2f} s"
            print(f"{name:<18} {variant:<6} {spread}  exit {r['exit_codes']}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
