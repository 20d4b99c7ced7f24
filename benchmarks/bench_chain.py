"""The per-document chain against bare trafilatura, page by page, in one process (issue 19).

    .venv/bin/python benchmarks/bench_chain.py [--corpus ../shared/corpus/html] [--docs 400]
        [--modes accurate fast] [--rounds 3] [--parts] [--out benchmarks/results/chain.json]

`bench_throughput.py` measures whole nights (reading, the pool, Parquet, the gate, the
publish), which is what a target is judged on; its runs move by ±10% on this machine, and a
night hides which part of a page's cost moved. This script isolates the part that grows with
the night: for each of `--docs` documents generated from the corpus pages (the same variants
as bench_throughput's WARC), bare `trafilatura.extract(html, with_metadata=True)` with the
pipeline's options, then `pipeline.document.process_doc` (extract -> normalize -> signals ->
validate) on the same bytes, one right after the other, so both see the same machine state;
each goes first on every other page (the second finds the page warm in the CPU's caches).
Pages are in memory: no reading, no pipe, no parent. Rounds alternate the modes; each mode
reports the median round.

`--parts` adds the mean time of the functions a page's cost is made of (each wrapped by a
timer, so the chain itself runs a little slower in that round): the parse, the article's
region, trafilatura, the page-metadata rules, paragraph normalization, language
identification, the MinHash signature and the contract's validation; and trafilatura's time
by the path each page took (its article region or the whole page, then each pass: fast, or
the full cascade when the fast pass kept too little).

Prints a table and writes everything to `--out` as JSON.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_CORPUS, HERE  # noqa: E402

# module: functions whose time --parts reports (module attributes, wrapped where they are called)
PARTS = {
    "pipeline.extract": (
        "parse_html",
        "_prose",
        "_region_page",
        "_trafilatura",
        "page_meta",
        "_page_fields",
        "choose_authors",
        "visible_lead",
    ),
    "pipeline.normalize": ("split_paragraphs", "detect_language", "remove_boilerplate"),
    "pipeline.neardup": ("signature",),
    "pipeline.document": ("validate_article",),
}


def _docs(corpus: Path, n: int) -> list[tuple[str, bytes]]:
    from bench_throughput import corpus_docs  # the same documents as its WARC

    return list(corpus_docs(corpus, n))


def _timed(parts: dict[str, float], name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            parts[name] = parts.get(name, 0.0) + time.perf_counter() - t

    return wrapper


def one_round(docs: list[Any], mode: str, parts: dict[str, float] | None) -> dict[str, Any]:
    import trafilatura

    from pipeline.config import DedupConfig, ExtractConfig, ValidateConfig
    from pipeline.contract import schema_version
    from pipeline.document import STAGES, DocWork, process_doc
    from pipeline.normalize import NormalizeContext
    from pipeline.records import Hints, RawDoc

    ec = ExtractConfig(mode=mode)
    ctx = NormalizeContext("bench", datetime.now(UTC), schema_version())
    work = DocWork(ec, ValidateConfig(), ctx, DedupConfig())
    raw = [RawDoc("bench", u, "warc", html=b, hints=Hints(url=u), charset="utf-8") for u, b in docs]
    restore = []
    if parts is not None:
        import importlib

        for mod_name, names in PARTS.items():
            mod = importlib.import_module(mod_name)
            for name in names:
                restore.append((mod, name, getattr(mod, name)))
                setattr(mod, name, _timed(parts, name, getattr(mod, name)))
        page = _PagePath()
        restore += page.install()
    gc.collect()
    bare = chain = 0.0
    stages = [0.0] * len(STAGES)
    paths: dict[str, list[float]] = {}

    def run_bare(d: Any) -> float:
        t = time.perf_counter()
        trafilatura.extract(
            d.html,
            with_metadata=True,
            include_comments=False,
            include_tables=ec.include_tables,
            favor_precision=ec.favor_precision,
        )
        return time.perf_counter() - t

    try:
        for i, d in enumerate(raw):
            # Whichever of the two runs second on a page finds it warm in the CPU's caches
            # (measured: 1.14x bare-first against 1.03x chain-first in accurate mode): every
            # other page goes first to each.
            if i % 2:
                bare += run_bare(d)
            if parts is not None:
                page.start()
            t = time.perf_counter()
            _, secs = process_doc(d, work)
            chain += time.perf_counter() - t
            if parts is not None:
                page.end(paths)
            if not i % 2:
                bare += run_bare(d)
            stages = [a + b for a, b in zip(stages, secs, strict=True)]
    finally:
        for mod, name, fn in reversed(restore):
            setattr(mod, name, fn)
    n = len(raw)
    out = {
        "mode": mode,
        "bare_ms": 1000 * bare / n,
        "chain_ms": 1000 * chain / n,
        "ratio": bare / chain,
        "stages_ms": {s: 1000 * v / n for s, v in zip(STAGES, stages, strict=True)},
    }
    if parts is not None:
        out["paths"] = {
            k: {"pages": len(v), "ms_each": 1000 * sum(v) / len(v), "ms_a_page": 1000 * sum(v) / n}
            for k, v in sorted(paths.items(), key=lambda kv: -sum(kv[1]))
        }
    return out


class _PagePath:
    """Which of extract's paths a page took (article region or not; then each trafilatura
    pass, F for a fast pass, C for the full cascade) and trafilatura's time on it."""

    def __init__(self) -> None:
        self.region = False
        self.calls: list[tuple[bool, float]] = []

    def install(self) -> list[tuple[Any, str, Any]]:
        import pipeline.extract as ex

        prose, traf = ex._prose, ex._trafilatura

        def _prose(tree: Any) -> Any:
            found = prose(tree)
            self.region = found.region is not None
            return found

        def _trafilatura(tree: Any, url: Any, cfg: Any, fast: bool) -> Any:
            t = time.perf_counter()
            try:
                return traf(tree, url, cfg, fast)
            finally:
                self.calls.append((fast, time.perf_counter() - t))

        ex._prose, ex._trafilatura = _prose, _trafilatura
        return [(ex, "_prose", prose), (ex, "_trafilatura", traf)]

    def start(self) -> None:
        self.region, self.calls = False, []

    def end(self, paths: dict[str, list[float]]) -> None:
        key = (
            ("region" if self.region else "whole page")
            + " "
            + "".join("F" if fast else "C" for fast, _ in self.calls)
        )
        paths.setdefault(key, []).append(sum(s for _, s in self.calls))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument(
        "--modes", nargs="+", default=["accurate", "fast"], choices=["accurate", "fast"]
    )
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--parts", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "chain.json")
    args = ap.parse_args()

    docs = _docs(args.corpus, args.docs)
    for mode in args.modes:  # warm: imports, models, caches
        one_round(docs[:20], mode, None)
    rounds: dict[str, list[dict[str, Any]]] = {m: [] for m in args.modes}
    for _ in range(args.rounds):
        for mode in args.modes:
            rounds[mode].append(one_round(docs, mode, None))
    result: dict[str, Any] = {"docs": len(docs), "rounds": rounds, "median": {}}
    print(f"{len(docs)} documents, {args.rounds} rounds, page by page against bare trafilatura")
    print(f"{'mode':10s} {'bare ms':>8s} {'chain ms':>9s} {'x bare':>7s}  rounds      stages (ms)")
    for mode, rs in rounds.items():
        med = sorted(rs, key=lambda r: r["ratio"])[len(rs) // 2]
        result["median"][mode] = med
        spread = ", ".join(f"{r['ratio']:.2f}" for r in rs)
        st = ", ".join(f"{k} {v:.2f}" for k, v in med["stages_ms"].items())
        print(
            f"{mode:10s} {med['bare_ms']:8.2f} {med['chain_ms']:9.2f} {med['ratio']:7.2f}"
            f"  ({spread})  {st}"
        )
    if args.parts:
        result["parts_ms"] = {}
        for mode in args.modes:
            parts: dict[str, float] = {}
            r = one_round(docs, mode, parts)
            ms = {k: 1000 * v / len(docs) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])}
            result["parts_ms"][mode] = ms
            print(f"parts, {mode} (chain {r['chain_ms']:.2f} ms timed):")
            print("  " + ", ".join(f"{k} {v:.2f}" for k, v in ms.items()))
            result.setdefault("paths", {})[mode] = r["paths"]
            print(f"  trafilatura by path, {mode} (F fast pass, C full cascade):")
            for k, v in r["paths"].items():
                print(
                    f"    {k:16s} {v['pages']:5d} pages, {v['ms_each']:7.2f} ms each,"
                    f" {v['ms_a_page']:5.2f} ms a page of the corpus"
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
