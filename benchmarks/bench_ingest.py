"""End-to-end ingest throughput against bare trafilatura on the same pages, side by side.

    .venv/bin/python benchmarks/bench_ingest.py [--corpus ../shared/corpus/html] [--copies 4]
        [--workers 1 2] [--out benchmarks/results/ingest.json]

The corpus is a folder in the format of ../shared/corpus/html (gzipped pages and index.jsonl);
each page is written `--copies` times (with a distinct URL each, so none is a duplicate) into a
temporary folder of .html.gz files. Baseline: `trafilatura.extract(html, with_metadata=True)`
in a loop in one process. Pipeline: `pipeline.run.run_ingest` on the same files (read ->
extract -> normalize -> validate -> dedup -> Parquet -> catalog). Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import trafilatura

from pipeline.config import build_config
from pipeline.run import run_ingest

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "html"


def _prepare(corpus: Path, copies: int, out: Path) -> list[Path]:
    files = []
    index = [json.loads(line) for line in (corpus / "index.jsonl").read_text().splitlines()]
    for n in range(copies):
        for row in index:
            html = gzip.decompress((corpus / row["html_file"]).read_bytes())
            # A distinct canonical URL per copy keeps exact dedup from skipping the work.
            marker = f'<link rel="canonical" href="{row["url"]}?copy={n}">'.encode()
            html = html.replace(b"<head>", b"<head>" + marker, 1)
            path = out / f"{n:03d}-{row['id']}.html.gz"
            path.write_bytes(gzip.compress(html, compresslevel=1))
            files.append(path)
    return files


def _baseline(files: list[Path]) -> float:
    t = time.perf_counter()
    for f in files:
        trafilatura.extract(gzip.decompress(f.read_bytes()), with_metadata=True)
    return time.perf_counter() - t


def _pipeline(folder: Path, lake: Path, workers: int) -> tuple[float, dict[str, object]]:
    shutil.rmtree(lake, ignore_errors=True)
    cfg = build_config(
        {
            "lake": str(lake),
            "workers": workers,
            "sources": [{"name": "bench", "type": "html", "paths": [str(folder)]}],
            "validate": {"min_words": 1},
        }
    )
    t = time.perf_counter()
    summary = run_ingest(cfg, date(2026, 11, 25))
    return time.perf_counter() - t, summary.as_dict()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("BROADSHEET_CORPUS", DEFAULT_CORPUS))
    )
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, default=HERE / "results" / "ingest.json")
    args = ap.parse_args()
    if not (args.corpus / "index.jsonl").exists():
        raise SystemExit(f"no corpus at {args.corpus} (set --corpus or BROADSHEET_CORPUS)")
    tmp = Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))
    try:
        (tmp / "in").mkdir()
        files = _prepare(args.corpus, args.copies, tmp / "in")
        n = len(files)
        base = _baseline(files)
        rows = [
            {"what": "bare trafilatura.extract, 1 process", "seconds": base, "docs_per_s": n / base}
        ]
        for w in args.workers:
            secs, summary = _pipeline(tmp / "in", tmp / "lake", w)
            rows.append(
                {
                    "what": f"broadsheet ingest, workers={w}",
                    "seconds": secs,
                    "docs_per_s": n / secs,
                    "ratio_to_baseline": base / secs,
                    "written": summary["written"],
                    "quarantined": summary["quarantined"],
                    "timings": summary["timings"],
                }
            )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "documents": n,
            "cpu_count": os.cpu_count(),
            "peak_rss_parent_mb": peak_mb,
            "rows": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
        print(f"{n} documents, {os.cpu_count()} cores, parent peak RSS {peak_mb:.0f} MB")
        print(f"{'run':42} {'s':>8} {'docs/s':>8} {'x base':>7}")
        for r in rows:
            ratio = r.get("ratio_to_baseline", 1.0)
            print(f"{r['what']:42} {r['seconds']:8.2f} {r['docs_per_s']:8.1f} {ratio:7.2f}")
        print(f"results: {args.out}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
