"""WARC reading and WARC ingest: records/s and peak memory, against bare warcio and trafilatura.

    .venv/bin/python benchmarks/bench_warc.py [--corpus ../shared/corpus/html]
        [--read-mb 30 300] [--ingest-mb 20 100] [--workers 2] [--out benchmarks/results/warc.json]

Generates gzipped WARCs of the given sizes (CC-NEWS-like: a request, a response and now and then
a metadata record per page; each page a corpus page with a unique URL and paragraph, so none is
a duplicate), then measures, each in a fresh process so peak memory is its own:

- read: `pipeline.sources.warc.read` over the whole file, against a bare warcio loop that reads
  every response body (the floor for any warcio-based reader);
- ingest: `run_ingest` on the file (read -> extract -> normalize -> validate -> dedup -> Parquet),
  in one process (`--workers 0`) and with `--workers`, against bare
  `trafilatura.extract(html, with_metadata=True)` on the same bodies, one process.

Peak memory is the peak of the summed RSS of the measured process and all its children (the
worker pool), sampled every 50 ms. Memory that does not grow with the file is the claim to check:
compare the rows of the same kind across sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_CORPUS, HERE, pages, write_warc  # noqa: E402
from _common import measure as _measure  # noqa: E402


def _sized(path: Path, src: list[bytes], target_mb: int) -> Iterator[tuple[str, bytes]]:
    """Corpus pages, each with a unique URL and paragraph, until the file reaches the size."""
    n = 0
    while not path.exists() or path.stat().st_size < target_mb * 1_000_000:
        html = src[n % len(src)]
        unique = f"<p>Bench record {n}: a unique line so that no page is a duplicate.</p>"
        yield (
            f"https://bench.example/{n % 97}/story-{n}",
            html.replace(b"</body>", unique.encode() + b"</body>", 1),
        )
        n += 1


def make_warc(path: Path, src: list[bytes], target_mb: int) -> int:
    return write_warc(path, _sized(path, src, target_mb))[0]


# -- the measured children ---------------------------------------------------------------------


def child_read(path: str) -> dict[str, Any]:
    from pipeline.config import WarcSource
    from pipeline.records import RawDoc
    from pipeline.sources import warc

    src = WarcSource(name="bench", type="warc", paths=(Path(path),))
    t = time.perf_counter()
    records = docs = 0
    for item in warc.read(path, src, 10_000_000):
        records += 1
        docs += isinstance(item, RawDoc)
    return {"seconds": time.perf_counter() - t, "records": records, "docs": docs}


def child_read_bare(path: str) -> dict[str, Any]:
    from warcio.archiveiterator import ArchiveIterator

    t = time.perf_counter()
    records = docs = 0
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            records += 1
            if rec.rec_type == "response":
                rec.content_stream().read()
                docs += 1
    return {"seconds": time.perf_counter() - t, "records": records, "docs": docs}


def child_ingest(path: str, workers: int) -> dict[str, Any]:
    from datetime import date

    from pipeline.config import build_config
    from pipeline.run import run_ingest

    with tempfile.TemporaryDirectory() as lake:
        cfg = build_config(
            {
                "lake": lake,
                "workers": workers,
                "sources": [{"name": "bench", "type": "warc", "paths": [path]}],
            }
        )
        t = time.perf_counter()
        s = run_ingest(cfg, date(2026, 11, 25))
        secs = time.perf_counter() - t
    return {
        "seconds": secs,
        "records": s.inputs,
        "docs": s.inputs - s.skipped,
        "written": s.written,
        "quarantined": s.quarantined,
    }


def child_baseline(path: str) -> dict[str, Any]:
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    bodies = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type == "response":
                bodies.append(rec.content_stream().read())
    t = time.perf_counter()
    for b in bodies:
        trafilatura.extract(b, with_metadata=True)
    return {"seconds": time.perf_counter() - t, "records": len(bodies), "docs": len(bodies)}


# -- measuring -----------------------------------------------------------------------------------


def measure(kind: str, path: Path, workers: int = 1) -> dict[str, Any]:
    result = _measure(__file__, [kind, str(path), "--workers", str(workers)], interval=0.05)
    result.update(kind=kind, workers=workers)
    result["records_per_s"] = round(result["records"] / result["seconds"], 1)
    result["docs_per_s"] = round(result["docs"] / result["seconds"], 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("BROADSHEET_CORPUS", DEFAULT_CORPUS))
    )
    ap.add_argument("--read-mb", type=int, nargs="+", default=[30, 300])
    ap.add_argument("--ingest-mb", type=int, nargs="+", default=[20, 100])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "warc.json")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    args = ap.parse_args()
    if args.child:
        kind, path = args.child
        fn = {
            "read": lambda: child_read(path),
            "read_bare": lambda: child_read_bare(path),
            "ingest": lambda: child_ingest(path, args.workers),
            "baseline": lambda: child_baseline(path),
        }[kind]
        print(json.dumps(fn()))
        return

    src = pages(args.corpus)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[int, Path] = {}
        for mb in sorted(set(args.read_mb) | set(args.ingest_mb)):
            files[mb] = Path(tmp) / f"bench-{mb}mb.warc.gz"
            n = make_warc(files[mb], src, mb)
            print(f"generated {files[mb].name}: {n} pages, {files[mb].stat().st_size / 1e6:.0f} MB")
        for mb in args.read_mb:
            for kind in ("read_bare", "read"):
                r = measure(kind, files[mb])
                r["file_mb"] = mb
                rows.append(r)
        for mb in args.ingest_mb:
            r = measure("baseline", files[mb])
            r["file_mb"] = mb
            rows.append(r)
            # 0: the chain in the run's own process, the one-process row (1 is one worker).
            for w in sorted({0, args.workers}):
                r = measure("ingest", files[mb], w)
                r["file_mb"] = mb
                rows.append(r)

    def rate(kind: str, mb: int, w: int = 1) -> float:
        return next(
            r["docs_per_s"]
            for r in rows
            if (r["kind"], r["file_mb"], r["workers"]) == (kind, mb, w)
        )

    print(
        f"\n{'measurement':<46}{'file MB':>8}{'records/s':>11}{'docs/s':>9}{'ratio':>7}"
        f"{'peak RSS MB':>13}"
    )
    for r in rows:
        base = "read_bare" if r["kind"].startswith("read") else "baseline"
        r["ratio"] = round(r["docs_per_s"] / rate(base, r["file_mb"]), 2)
        label = {
            "read_bare": "bare warcio loop",
            "read": "broadsheet WARC reader",
            "baseline": "bare trafilatura.extract",
            "ingest": f"broadsheet ingest --workers {r['workers']}"
            + (" (one process)" if r["workers"] == 0 else ""),
        }[r["kind"]]
        print(
            f"{label:<46}{r['file_mb']:>8}{r['records_per_s']:>11}{r['docs_per_s']:>9}"
            f"{r['ratio']:>7}{r['peak_rss_mb']:>13}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
