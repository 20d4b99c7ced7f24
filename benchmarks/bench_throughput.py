"""Throughput and memory of the whole pipeline against bare trafilatura, side by side (issue 9).

    .venv/bin/python benchmarks/bench_throughput.py [--corpus ../shared/corpus/html]
        [--docs 5000] [--workers 2] [--profile] [--scale 10000 100000]
        [--out benchmarks/results/throughput.json]

1. Throughput: `--docs` documents generated from the corpus pages (each page with the words of
   its prose shuffled per copy, so every document is distinct and none a near-duplicate) are
   written to one gzipped CC-NEWS-like WARC. Measured in fresh processes, one after the other,
   in `--repeat` rounds of all rows (each row reports its median round and every round's time):
   - the baseline: bare `trafilatura.extract(html, with_metadata=True)` with the pipeline's
     options (no comments; tables and precision as ExtractConfig says) on every response body,
     in a loop, one process; the WARC is read outside the timer, so the baseline does not pay
     for reading;
   - `run_ingest` on the same WARC (read -> extract -> normalize -> signals -> validate ->
     dedup -> Parquet -> near-duplicates -> Great Expectations gate -> publish -> catalog ->
     report) in one process (`workers: 0`, the chain in the run's own process; `workers: 1`
     is one isolated worker since the default became that) and with `--workers` = cores.
   Reported: documents/s, the ratio to the baseline, the scaling efficiency (rate at N workers
   / (N x rate in one process)), peak RSS of the process tree, and each stage's share of the
   run (from the run's own timings; `--profile` adds a cProfile of the one-process run, by
   stage: cProfile sees no worker).
   With `--repeat`, both ratios also paired by round (each round's ratio, then their median):
   rows minutes apart share the machine's state, so a round another job slowed moves less.
2. Scale (`--scale`): light generated pages (the corpus's expected texts, words shuffled, in a
   small article template, so extraction is cheap and the rest of the pipeline shows) at the
   given sizes, `--workers` = cores: peak RSS must stay flat, and the gate + Parquet +
   catalog share of the night is reported.

3. Modes (`--modes accurate fast`): the throughput rows are measured for each
   `extract.mode`, and each mode's rate gives the projected hours of a 370,000-article night
   (one CC-NEWS day) at 2 and at 16 cores (16 cores assume the 2-worker scaling efficiency).
   `--workers 1` measures one isolated worker against the one-process row: what isolation
   costs.
4. Re-crawl (`--recrawl 0.8`): a first night of `--docs` documents, then a second night that
   re-crawls that share of the first night's pages (same URLs, same bytes) and finds the rest
   new, each `run_ingest` in one fresh process per mode; the second night once as configured
   (inputs the lake holds are not extracted) and once with `skip_known: false` on a copy of
   the lake after night 1. Reported: seconds per night, the ratio, inputs not extracted.
   `--recrawl-order`: night 2's new pages last in its WARC (`new-last`, the worst case: the
   workers idle while the reader settles the known ones) and/or spread through it (`mixed`).

Prints a table and writes everything to `--out` as JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    DEFAULT_CORPUS,
    HERE,
    expected,
    light_page,
    measure,
    pages,
    variant,
    warc_bodies,
    write_warc,
)

# Stages of the run, from RunSummary.timings: what runs per document (in the workers when
# there are any) and what the parent does around it.
PER_DOC = ("extract", "normalize", "signals", "validate")
PARENT = (
    "read",
    "dedup_write",
    "dedup_across",
    "near_dup",
    "finalize",
    "validate_batch",
    "publish",
    "report",
)
# What the 5% target covers: Parquet writing (staging, then the final sorted files), the
# Great Expectations gate, and the publish with its catalog refresh. Not the cross-shard and
# cross-night deduplication or the near-duplicate clustering, reported on their own.
WRITE_GATE_CATALOG = ("dedup_write", "finalize", "validate_batch", "publish")


# The reference row: the document chain in the run's own process (`workers: 1` is one isolated
# worker, with a pipe between it and the run).
ONE_PROCESS = 0


def _label(workers: int) -> str:
    return "--workers 0 (one process)" if workers == 0 else f"--workers {workers}"


def _procs(workers: int) -> int:
    """Processes running the chain: the run's own for `workers: 0`."""
    return max(1, workers)


# One CC-NEWS day: the night the projections are for.
NIGHT_ARTICLES = 370_000


def corpus_docs(corpus: Path, n: int, first: int = 0) -> Any:
    """Documents `first` .. `first + n - 1`; document i is the same bytes at the same URL in
    every WARC it is written to (a re-crawl of an unchanged page)."""
    src = pages(corpus)
    for i in range(first, first + n):
        yield f"https://bench.example/{i % 97}/story-{i}", variant(src[i % len(src)], i)


RECRAWL_ORDERS = ("new-last", "mixed")


def recrawl_docs(corpus: Path, n: int, share: float, order: str = "new-last") -> Any:
    """The second night: the first `share` of night 1's documents again, and new ones. In
    `new-last` order all the re-crawled pages come first (the worst case: the workers wait while
    the reader settles them); in `mixed` order the new pages are spread evenly through the file,
    as a crawl writes pages in the order it reaches them."""
    again = round(n * share)
    old = corpus_docs(corpus, again)
    new = corpus_docs(corpus, n - again, first=n)
    if order == "new-last":
        yield from old
        yield from new
        return
    fresh = n - again
    for k in range(n):
        yield next(new) if (k + 1) * fresh // n > k * fresh // n else next(old)


def light_docs(corpus: Path, n: int) -> Any:
    exp = expected(corpus)
    for i in range(n):
        yield light_page(exp[i % len(exp)], i)


# -- the measured children -------------------------------------------------------------------


def child_baseline(path: str) -> dict[str, Any]:
    import trafilatura

    from pipeline.config import ExtractConfig

    opts = ExtractConfig()  # the pipeline's options, passed explicitly
    secs, n = 0.0, 0
    for body in warc_bodies(Path(path)):
        t = time.perf_counter()
        trafilatura.extract(
            body,
            with_metadata=True,
            include_comments=False,
            include_tables=opts.include_tables,
            favor_precision=opts.favor_precision,
        )
        secs += time.perf_counter() - t
        n += 1
    return {"seconds": secs, "docs": n}


def _bench_config(lake: str, path: str, workers: int, mode: str, skip_known: bool = True) -> Any:
    from pipeline.config import build_config

    return build_config(
        {
            "lake": lake,
            "workers": workers,
            "extract": {"mode": mode, "skip_known": skip_known},
            "sources": [{"name": "bench", "type": "warc", "paths": [path]}],
        }
    )


def _summary(s: Any, secs: float) -> dict[str, Any]:
    return {
        "seconds": secs,
        "docs": s.inputs - s.skipped,
        "written": s.written,
        "duplicates": s.duplicates,
        "quarantined": s.quarantined,
        "near_duplicates": s.near_duplicates,
        "checks": s.checks,
        "timings": {k: round(v, 3) for k, v in s.timings.items()},
    }


def child_ingest(path: str, workers: int, mode: str, profile: str | None) -> dict[str, Any]:
    from datetime import date

    from pipeline.run import run_ingest

    with tempfile.TemporaryDirectory() as lake:
        cfg = _bench_config(lake, path, workers, mode)
        prof = cProfile.Profile() if profile else None
        before = _cpu()
        t = time.perf_counter()
        if prof is not None:
            prof.enable()
        s = run_ingest(cfg, date(2026, 11, 25), gate_process=True)  # as the CLI does
        if prof is not None:
            prof.disable()
        secs = time.perf_counter() - t
        after = _cpu()
        if prof is not None and profile:
            prof.dump_stats(profile)
    out = _summary(s, secs)
    out["cpu_s"] = {k: round(after[k] - before[k], 2) for k in after}
    return out


def _cpu() -> dict[str, float]:
    """CPU seconds of this process (the run's parent: reading, hashing, the pipe, staging,
    publish) and of its ended child processes (the workers and the gate's helper)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"parent": me.ru_utime + me.ru_stime, "children": kids.ru_utime + kids.ru_stime}


class _NotExtracted(logging.Handler):
    """Sums the inputs each shard settled without extracting them (its log record)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += int(getattr(record, "known_not_extracted", 0))


def child_recrawl(night1: str, night2: str, workers: int, mode: str) -> dict[str, Any]:
    """Night 1, then night 2 on the same lake; night 2 again, extracting everything, on a copy
    of the lake as night 1 left it."""
    from datetime import date

    from pipeline.run import run_ingest

    counter = _NotExtracted()
    run_log = logging.getLogger("pipeline.run")
    run_log.addHandler(counter)
    run_log.setLevel(logging.INFO)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        lake, forced = f"{tmp}/lake", f"{tmp}/forced"
        for label, where, path, day, skip in (
            ("night1", lake, night1, date(2026, 11, 24), True),
            ("copy", None, None, None, True),
            ("night2", lake, night2, date(2026, 11, 25), True),
            ("night2_extract_all", forced, night2, date(2026, 11, 25), False),
        ):
            if where is None:
                shutil.copytree(lake, forced)
                continue
            counter.count = 0
            t = time.perf_counter()
            s = run_ingest(_bench_config(where, str(path), workers, mode, skip), day,
                           gate_process=True)  # fmt: skip
            out[label] = _summary(s, time.perf_counter() - t)
            out[label]["not_extracted"] = counter.count
    return out


# What the profile attributes to each stage: cumulative time of these functions.
PROFILE_STAGES = {
    "read (WARC)": ("pipeline/sources/warc.py", "read"),
    "trafilatura.bare_extraction": ("trafilatura/core.py", "bare_extraction"),
    "extract (all, incl. trafilatura)": ("pipeline/extract.py", "extract"),
    "normalize": ("pipeline/normalize.py", "to_article"),
    "signals (quality + MinHash)": ("pipeline/document.py", "_enrich"),
    "validate (record rules)": ("pipeline/validate.py", "validate_article"),
    "Parquet staging": ("pipeline/staging.py", "add_article"),
    "page metadata (declared, own pass)": ("pipeline/metadata.py", "page_meta"),
    "trafilatura metadata helpers": ("pipeline/extract.py", "_page_fields"),
    "publish (dedup, near-dup, gate, catalog)": ("pipeline/publish.py", "publish_run"),
    "gate (Great Expectations)": ("pipeline/publish.py", "_gate"),
}


def profile_shares(path: str, total: float) -> dict[str, float]:
    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for label, (file, func) in PROFILE_STAGES.items():
        cum = sum(v[3] for (f, _, name), v in stats.items() if name == func and f.endswith(file))
        out[label] = round(cum / total, 4)
    return out


# -- the report ------------------------------------------------------------------------------


def median_round(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The round of median wall time (the lower middle one for an even count), with every
    round's seconds beside it."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["seconds_rounds"] = [round(r["seconds"], 2) for r in runs]
    return chosen


def _paired(reference: list[float], rounds: list[float], workers: int) -> dict[str, Any]:
    """Round by round, reference seconds / (workers x these seconds); and their median."""
    each = [a / (workers * b) for a, b in zip(reference, rounds, strict=True)]
    return {"median": round(statistics.median(each), 3), "rounds": [round(x, 3) for x in each]}


def shares(timings: dict[str, float], seconds: float, workers: int) -> dict[str, float]:
    """Each stage's share of the run's wall time. Per-document stages run in the workers, so
    with N workers their summed seconds are divided by N (their wall share, at best)."""
    out = {k: timings.get(k, 0.0) / max(1, workers) / seconds for k in PER_DOC}
    out.update({k: timings.get(k, 0.0) / seconds for k in PARENT})
    return {k: round(v, 4) for k, v in out.items()}


def project(one: float, top: dict[str, Any]) -> dict[str, float]:
    """Hours for a 370,000-article night: at 2 cores the measured rate of `--workers 2`; at
    16 the one-process rate times 16 at the measured 2-worker scaling efficiency."""
    eff = top["scaling_efficiency"]
    return {
        "cores_2": round(NIGHT_ARTICLES / top["docs_per_s"] / 3600, 2),
        "cores_16": round(NIGHT_ARTICLES / (one * 16 * eff) / 3600, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--scale", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of the throughput rows")
    ap.add_argument("--modes", nargs="+", default=["accurate", "fast"],
                    choices=["accurate", "fast"])  # fmt: skip
    ap.add_argument("--recrawl", type=float, default=0.8, help="share re-crawled (0: no run)")
    ap.add_argument(
        "--recrawl-order", nargs="+", default=list(RECRAWL_ORDERS), choices=RECRAWL_ORDERS
    )
    ap.add_argument("--out", type=Path, default=HERE / "results" / "throughput.json")
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        kind, path, *rest = args.child
        if kind == "baseline":
            print(json.dumps(child_baseline(path)))
        elif kind == "recrawl":
            print(json.dumps(child_recrawl(path, rest[0], int(rest[1]), rest[2])))
        else:
            profile = rest[2] if len(rest) > 2 else None
            print(json.dumps(child_ingest(path, int(rest[0]), rest[1], profile)))
        return
    if not (args.corpus / "index.jsonl").exists():
        raise SystemExit(f"no corpus at {args.corpus} (set --corpus or BROADSHEET_CORPUS)")

    result: dict[str, Any] = {"cpus": os.cpu_count(), "workers": args.workers}
    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as tmp:
        if not args.skip_throughput:
            warc = Path(tmp) / "corpus.warc.gz"
            n, size = write_warc(warc, corpus_docs(args.corpus, args.docs))
            print(f"generated {n} documents from {args.corpus}: {size / 1e6:.0f} MB WARC")
            # Rounds of every row, one after the other: the machine's drift over a long run
            # falls on all rows alike, and each row reports its median round.
            specs = [("baseline", 0)] + [
                (m, w) for m in args.modes for w in sorted({ONE_PROCESS, args.workers})
            ]
            rounds: dict[tuple[str, int], list[dict[str, Any]]] = {k: [] for k in specs}
            for _ in range(args.repeat):
                for mode, w in specs:
                    cmd = ["baseline", str(warc)] if mode == "baseline" else [
                        "ingest", str(warc), str(w), mode]  # fmt: skip
                    rounds[(mode, w)].append(measure(script, cmd))
            base = median_round(rounds[("baseline", 0)])
            base["docs_per_s"] = base["docs"] / base["seconds"]
            rows = [dict(what="bare trafilatura.extract, 1 process", **base)]
            projections: dict[str, dict[str, float]] = {}
            for mode in args.modes:
                mine = []
                for w in sorted({ONE_PROCESS, args.workers}):
                    r = median_round(rounds[(mode, w)])
                    r["docs_per_s"] = r["docs"] / r["seconds"]
                    r["ratio_to_baseline"] = r["docs_per_s"] / base["docs_per_s"]
                    r["stage_share"] = shares(r["timings"], r["seconds"], w)
                    # What grows with the night: the per-document stages and reading, against
                    # the baseline's per-document time (a night's fixed costs, the gate above
                    # all, weigh little at 370,000 documents and much at a few hundred).
                    per_doc = sum(
                        r["timings"].get(k, 0.0) for k in (*PER_DOC, "read", "skip_known")
                    )
                    r["per_doc_ms"] = 1000 * per_doc / r["docs"]
                    r["per_doc_ratio"] = base["seconds"] / base["docs"] / (per_doc / r["docs"])
                    what = f"broadsheet ingest {mode}, {_label(w)}"
                    mine.append(dict(what=what, workers=w, mode=mode, **r))
                one = mine[0]["docs_per_s"]
                for r in mine:
                    r["scaling_efficiency"] = r["docs_per_s"] / (_procs(r["workers"]) * one)
                    # Paired by round (rows measured minutes apart share the machine's state):
                    # the median of each round's ratio, robust to a round another job slowed.
                    r["ratio_paired"] = _paired(base["seconds_rounds"], r["seconds_rounds"], 1)
                    r["scaling_paired"] = _paired(
                        mine[0]["seconds_rounds"], r["seconds_rounds"], _procs(r["workers"])
                    )
                projections[mode] = project(one, mine[-1])
                rows += mine
            result["throughput"] = {"documents": n, "warc_mb": round(size / 1e6, 1), "rows": rows}
            result["projected_hours"] = projections
            if args.profile:
                # A separate, smaller run: cProfile slows the code it watches.
                small = Path(tmp) / "profile.warc.gz"
                write_warc(small, corpus_docs(args.corpus, min(args.docs, 500)))
                prof = str(Path(tmp) / "w0.prof")
                cmd = ["ingest", str(small), str(ONE_PROCESS), args.modes[0], prof]
                r = measure(script, cmd)
                result["profile"] = {"documents": r["docs"], **profile_shares(prof, r["seconds"])}
        if args.recrawl > 0:
            night1 = Path(tmp) / "night1.warc.gz"
            write_warc(night1, corpus_docs(args.corpus, args.docs))
            runs: dict[str, Any] = {}
            for order in args.recrawl_order:
                night2 = Path(tmp) / f"night2-{order}.warc.gz"
                write_warc(night2, recrawl_docs(args.corpus, args.docs, args.recrawl, order))
                tries: dict[str, list[dict[str, Any]]] = {mode: [] for mode in args.modes}
                for _ in range(args.repeat):
                    for mode in args.modes:
                        cmd = ["recrawl", str(night1), str(night2), str(args.workers), mode]
                        r = measure(script, cmd)
                        r["order"] = order
                        r["speedup"] = r["night1"]["seconds"] / r["night2"]["seconds"]
                        r["speedup_extract_all"] = (
                            r["night2_extract_all"]["seconds"] / r["night2"]["seconds"]
                        )
                        tries[mode].append(r)
                for mode, rs in tries.items():
                    ordered = sorted(rs, key=lambda r: r["speedup"])
                    chosen = dict(ordered[(len(ordered) - 1) // 2])  # the median round
                    chosen["speedup_rounds"] = [round(r["speedup"], 2) for r in rs]
                    runs[f"{mode} {order}"] = chosen
            result["recrawl"] = {"documents": args.docs, "share": args.recrawl, "runs": runs}
        scale_rows = []
        for size_n in args.scale:
            warc = Path(tmp) / f"light-{size_n}.warc.gz"
            n, size = write_warc(warc, islice(light_docs(args.corpus, size_n), size_n))
            cmd = ["ingest", str(warc), str(args.workers), "accurate"]
            r = measure(script, cmd, interval=0.25)
            warc.unlink()
            r["docs_per_s"] = r["docs"] / r["seconds"]
            t = r["timings"]
            secs = r["seconds"]
            r["gate_parquet_catalog_share"] = sum(t.get(k, 0.0) for k in WRITE_GATE_CATALOG) / secs
            r["dedup_neardup_share"] = (
                sum(t.get(k, 0.0) for k in ("dedup_across", "near_dup")) / secs
            )
            r["stage_share"] = shares(t, r["seconds"], args.workers)
            scale_rows.append(dict(documents=n, warc_mb=round(size / 1e6, 1), **r))
            print(f"light night of {n}: {r['seconds']:.0f} s, peak {r['peak_rss_mb']:.0f} MB")
        if scale_rows:
            result["scale"] = {"workers": args.workers, "rows": scale_rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nwritten to {args.out}")


def print_table(result: dict[str, Any]) -> None:
    if "throughput" in result:
        t = result["throughput"]
        print(
            f"\n{t['documents']} corpus documents ({t['warc_mb']} MB WARC), {result['cpus']} cores"
        )
        print(
            f"{'run':<56}{'s':>8}{'docs/s':>8}{'x base':>8}{'scaling':>9}{'RSS MB':>8}{'PSS MB':>8}"
            f"{'per-doc':>8}"
        )
        for r in t["rows"]:
            print(
                f"{r['what']:<56}{r['seconds']:8.1f}{r['docs_per_s']:8.1f}"
                f"{r.get('ratio_to_baseline', 1.0):8.2f}"
                f"{r.get('scaling_efficiency', float('nan')):9.2f}{r['peak_rss_mb']:8.0f}"
                f"{r.get('peak_pss_mb', float('nan')):8.0f}"
                f"{r.get('per_doc_ratio', 1.0):8.2f}"
            )
        for r in t["rows"][1:]:
            top = ", ".join(f"{k} {v:.1%}" for k, v in r["stage_share"].items() if v >= 0.001)
            print(f"  stage share, {r.get('mode', 'accurate')} {_label(r['workers'])}: {top}")
        for r in t["rows"][1:]:
            if "cpu_s" in r:
                # Where a night's CPU went: with as many workers as cores, the parent's and the
                # helper's CPU is taken from the workers; in one process, a core was idle for it.
                c = r["cpu_s"]
                busy = (c["parent"] + c["children"]) / (r["seconds"] * (result["cpus"] or 1))
                print(
                    f"  cpu, {r['what']}: parent {c['parent']:.1f} s"
                    f" ({1000 * c['parent'] / r['docs']:.1f} ms a document), workers and gate"
                    f" helper {c['children']:.1f} s; cores busy {busy:.0%} of the run"
                )
        for r in t["rows"]:
            if len(r.get("seconds_rounds", [])) > 1:
                print(f"  rounds, {r['what']}: {r['seconds_rounds']} s")
        for r in t["rows"][1:]:
            if len(r.get("seconds_rounds", [])) > 1:
                rp, sp = r["ratio_paired"], r["scaling_paired"]
                print(
                    f"  paired by round, {r['what']}: x bare {rp['median']:.2f} {rp['rounds']},"
                    f" scaling {sp['median']:.2f} {sp['rounds']}"
                )
    for mode, p in result.get("projected_hours", {}).items():
        print(
            f"  {mode}: a {NIGHT_ARTICLES:,}-article night takes {p['cores_2']:.2f} h on 2 cores, "
            f"{p['cores_16']:.2f} h on 16"
        )
    if "recrawl" in result:
        rc = result["recrawl"]
        print(
            f"\nre-crawl: night 2 re-crawls {rc['share']:.0%} of night 1's {rc['documents']} "
            "documents, the rest new"
        )
        print(f"{'mode, order':<20}{'night 1 s':>10}{'night 2 s':>10}{'x faster':>9}"
              f"{'not extracted':>14}{'extract-all s':>14}")  # fmt: skip
        for mode, r in rc["runs"].items():
            print(
                f"{mode:<20}{r['night1']['seconds']:10.1f}{r['night2']['seconds']:10.1f}"
                f"{r['speedup']:9.2f}{r['night2']['not_extracted']:14d}"
                f"{r['night2_extract_all']['seconds']:14.1f}"
                f"  (rounds: {', '.join(f'{x:.2f}' for x in r.get('speedup_rounds', []))})"
            )
    if "profile" in result:
        p = dict(result["profile"])
        print(
            f"\ncProfile of a {_label(ONE_PROCESS)} run on {p.pop('documents')} documents,"
            " share of the run:"
        )
        for k, v in p.items():
            print(f"  {k:<44}{v:7.1%}")
    if "scale" in result:
        s = result["scale"]
        print(f"\nlight pages, --workers {s['workers']}")
        print(
            f"{'documents':>10}{'s':>8}{'docs/s':>8}{'RSS MB':>8}{'PSS MB':>8}"
            f"{'gate+parquet+catalog':>22}{'dedup+near-dup':>16}"
        )
        for r in s["rows"]:
            print(
                f"{r['documents']:>10}{r['seconds']:8.0f}{r['docs_per_s']:8.0f}"
                f"{r['peak_rss_mb']:8.0f}{r.get('peak_pss_mb', float('nan')):8.0f}"
                f"{r['gate_parquet_catalog_share']:22.1%}{r['dedup_neardup_share']:16.1%}"
            )


if __name__ == "__main__":
    main()
