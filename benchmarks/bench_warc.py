"""WARC reading and WARC ingest: records/s and peak memory, against bare warcio and trafilatura.

    .venv/bin/python benchmarks/bench_warc.py [--corpus ../shared/corpus/html]
        [--read-mb 30 300] [--ingest-mb 20 100] [--workers 2] [--out benchmarks/results/warc.json]

Generates gzipped WARCs of the given sizes (CC-NEWS-like: a request, a response and now and then
a metadata record per page; each page a corpus page with a unique URL and paragraph, so none is
a duplicate), then measures, each in a fresh process so peak memory is its own:

- read: `pipeline.sources.warc.read` over the whole file, against a bare warcio loop that reads
  every response body (the floor for any warcio-based reader);
- ingest: `run_ingest` on the file (read -> extract -> normalize -> validate -> dedup -> Parquet),
  against bare `trafilatura.extract(html, with_metadata=True)` on the same bodies, one process.

Peak memory is the peak of the summed RSS of the measured process and all its children (the
worker pool), sampled every 50 ms. Memory that does not grow with the file is the claim to check:
compare the rows of the same kind across sizes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "html"
EXAMPLES = HERE.parent / "examples" / "html"
PAGE = os.sysconf("SC_PAGE_SIZE")


# -- corpus and WARC generation ---------------------------------------------------------------


def _pages(corpus: Path) -> list[bytes]:
    if (corpus / "index.jsonl").exists():
        rows = [json.loads(x) for x in (corpus / "index.jsonl").read_text().splitlines()]
        return [gzip.decompress((corpus / r["html_file"]).read_bytes()) for r in rows]
    # Without the shared corpus: the example pages (small, but the code path is the same).
    out = []
    for p in sorted(EXAMPLES.rglob("*.htm*")):
        data = p.read_bytes()
        out.append(gzip.decompress(data) if p.suffix == ".gz" else data)
    return [d for d in out if b"<p" in d]


def make_warc(path: Path, pages: list[bytes], target_mb: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    target = target_mb * 1_000_000
    n = 0
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "bench_warc"}))
        while fh.tell() < target:
            html = pages[n % len(pages)]
            url = f"https://bench.example/{n % 97}/story-{n}"
            unique = f"<p>Bench record {n}: a unique line so that no page is a duplicate.</p>"
            html = html.replace(b"</body>", unique.encode() + b"</body>", 1)
            req = StatusAndHeaders(
                f"GET {url} HTTP/1.1", [("Host", "bench.example")], is_http_request=True
            )
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            rec = w.create_warc_record(
                url, "response", payload=io.BytesIO(html), length=len(html), http_headers=http
            )
            w.write_record(rec)
            if n % 10 == 0:
                meta = io.BytesIO(b"fetchTimeMs: 321\r\n")
                w.write_record(w.create_warc_record(url, "metadata", payload=meta))
            n += 1
    return n


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


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, []))
    return total


def measure(kind: str, path: Path, workers: int = 1) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, str(path), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(kind=kind, workers=workers, peak_rss_mb=round(peak / 2**20, 1))
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

    pages = _pages(args.corpus)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[int, Path] = {}
        for mb in sorted(set(args.read_mb) | set(args.ingest_mb)):
            files[mb] = Path(tmp) / f"bench-{mb}mb.warc.gz"
            n = make_warc(files[mb], pages, mb)
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
            for w in sorted({1, args.workers}):
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
        f"\n{'measurement':<34}{'file MB':>8}{'records/s':>11}{'docs/s':>9}{'ratio':>7}"
        f"{'peak RSS MB':>13}"
    )
    for r in rows:
        base = "read_bare" if r["kind"].startswith("read") else "baseline"
        r["ratio"] = round(r["docs_per_s"] / rate(base, r["file_mb"]), 2)
        label = {
            "read_bare": "bare warcio loop",
            "read": "broadsheet WARC reader",
            "baseline": "bare trafilatura.extract",
            "ingest": f"broadsheet ingest --workers {r['workers']}",
        }[r["kind"]]
        print(
            f"{label:<34}{r['file_mb']:>8}{r['records_per_s']:>11}{r['docs_per_s']:>9}"
            f"{r['ratio']:>7}{r['peak_rss_mb']:>13}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
