"""Analyst queries on a synthetic lake of a million articles, through Broadsheet's own catalog.

    .venv/bin/python benchmarks/bench_lake.py [--rows 1000000] [--days 30] [--sources 20]
        [--lake /tmp/broadsheet-lake-1m] [--keep] [--reindex] [--out benchmarks/results/lake.json]

The generator writes `articles` partitions exactly as the publisher lays them out
(ingest_date=D/source=S/part-*.parquet, zstd level and row groups from the default LakeConfig,
the contract's Arrow schema), with texts made of paragraphs from the corpus's expected
extractions (words shuffled; the example corpus when ../shared is absent), then refreshes the
DuckDB catalog with `Lake.refresh_catalog`. Each partition's full-text index is built with the
publisher's own `pipeline.search.index_partition` and timed (wall and CPU seconds). The queries
run on `Lake.connect()`, the connection analysts get from `broadsheet sql`: each is timed cold
(first run) and warm (best of the next three); each search() query is checked to return what its
`ILIKE` twin returns.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_CORPUS, HERE, expected  # noqa: E402

from pipeline.config import LakeConfig  # noqa: E402
from pipeline.contract import article_arrow_schema  # noqa: E402
from pipeline.lake import Lake, partition_rel  # noqa: E402
from pipeline.search import INDEX, TERMS, index_partition  # noqa: E402
from pipeline.staging import parquet_options  # noqa: E402

QUERIES = {
    "articles per source per day": (
        "SELECT source, ingest_date, count(*) AS n FROM articles GROUP BY ALL ORDER BY ALL"
    ),
    "keyword search (text ILIKE)": (
        "SELECT source, count(*) AS n FROM articles WHERE text ILIKE '%klimawandel%' "
        "GROUP BY ALL ORDER BY n DESC, source"
    ),
    "keyword search (search index)": (
        "SELECT source, count(*) AS n FROM search('klimawandel') "
        "GROUP BY ALL ORDER BY n DESC, source"
    ),
    "keyword search (whole words)": (
        "SELECT source, count(*) AS n FROM search('klimawandel', whole := true) "
        "GROUP BY ALL ORDER BY n DESC, source"
    ),
    "keyword search, last 7 days, titles": (
        "SELECT ingest_date, title FROM articles WHERE ingest_date >= DATE '2026-11-18' "
        "AND text ILIKE '%election%' ORDER BY ingest_date DESC, title LIMIT 50"
    ),
    "keyword search, last 7 days, titles (search index)": (
        "SELECT a.ingest_date, a.title FROM search('election') s "
        "JOIN articles a USING (ingest_date, source, article_id) "
        "WHERE s.ingest_date >= DATE '2026-11-18' ORDER BY a.ingest_date DESC, a.title LIMIT 50"
    ),
}
# Each search() query and the ILIKE query whose rows it must return (titles are cut from texts,
# so `text ILIKE` is `title ILIKE OR text ILIKE` here).
TWINS = {
    "keyword search (search index)": "keyword search (text ILIKE)",
    "keyword search, last 7 days, titles (search index)": "keyword search, last 7 days, titles",
}


def paragraph_pool(n: int, rng: random.Random) -> list[str]:
    """Real paragraphs in several languages, words shuffled, plus the two search words."""
    paras: list[str] = []
    if (DEFAULT_CORPUS / "index.jsonl").exists():
        for exp in expected(DEFAULT_CORPUS):
            paras += [p for p in (exp.get("body_text") or "").split("\n") if len(p) > 80]
    if not paras:
        paras = [
            "The election commission said turnout was higher than in any vote since 1990, "
            "and officials expect the final count by Tuesday morning.",
            "Der Klimawandel verändert die Landwirtschaft schneller als erwartet, sagen "
            "Forscher der Universität in einer neuen Studie.",
        ]
    out = []
    for i in range(n):
        words = paras[i % len(paras)].split()
        rng.shuffle(words)
        if i % 50 == 0:
            words.insert(len(words) // 2, "Klimawandel" if i % 100 else "election")
        out.append(" ".join(words))
    return out


def partition_table(
    schema: pa.Schema, rows: int, day: date, source: str, pool: list[str], rng: random.Random
) -> pa.Table:
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    texts = ["\n\n".join(rng.sample(pool, rng.randint(3, 9))) for _ in range(rows)]
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(rows)]
    cols: dict[str, Any] = {
        "article_id": ids,
        "url": [f"https://{source}.example/{day}/{a[:12]}" for a in ids],
        "canonical_url": [f"https://{source}.example/{day}/{a[:12]}" for a in ids],
        "domain": [f"{source}.example"] * rows,
        "source": [source] * rows,
        "sitename": [source.title()] * rows,
        "title": [t[: rng.randint(40, 90)].split("\n")[0] for t in texts],
        "authors": [["Bench Reporter"]] * rows,
        "published_at": [base - timedelta(minutes=rng.randint(0, 1440)) for _ in range(rows)],
        "language": [rng.choice(["en", "de", "fr", "es"]) for _ in range(rows)],
        "language_score": [0.99] * rows,
        "text": texts,
        "word_count": [len(t.split()) for t in texts],
        "categories": [[]] * rows,
        "tags": [[]] * rows,
        "content_sha256": [f"{rng.getrandbits(256):064x}" for _ in range(rows)],
        "input_format": ["warc"] * rows,
        "input_ref": [f"bench.warc.gz@{i}" for i in range(rows)],
        "ingested_at": [base + timedelta(hours=2)] * rows,
        "run_id": [f"{day:%Y%m%d}T020000Z-bench"] * rows,
        "extractor": ["trafilatura 2.3.1"] * rows,
        "schema_version": ["1.2.0"] * rows,
        "story_id": ids,
        "near_duplicate": [False] * rows,
        "quality_flags": [[]] * rows,
    }
    arrays = []
    for f in schema:
        if f.name in cols:
            arrays.append(pa.array(cols[f.name], type=f.type))
        elif f.name == "quality":
            q = {k.name: 0 for k in f.type}
            arrays.append(pa.array([q] * rows, type=f.type))
        else:
            arrays.append(pa.nulls(rows, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def index_lake(root: Path) -> dict[str, float]:
    """Build every partition's search index as the publisher does; wall and CPU seconds."""
    lake = Lake(str(root))
    opts = LakeConfig()
    wall = cpu = 0.0
    for folder in sorted((root / "articles").glob("ingest_date=*/source=*")):
        rel = folder.relative_to(root / "articles").as_posix()
        files = [p.as_posix() for p in sorted(folder.glob("*.parquet"))]
        t, c = time.perf_counter(), time.process_time()
        index_partition(
            lake.storage,
            files,
            (root / INDEX / rel).as_posix(),
            (root / TERMS / rel).as_posix(),
            opts,
        )
        wall += time.perf_counter() - t
        cpu += time.process_time() - c
    return {"index_s": round(wall, 1), "index_cpu_s": round(cpu, 1)}


def generate(root: Path, rows: int, days: int, sources: int, seed: int = 1) -> float:
    rng = random.Random(seed)
    schema = article_arrow_schema()
    opts = LakeConfig()
    pool = paragraph_pool(5000, rng)
    per = rows // (days * sources)
    last = date(2026, 11, 25)
    t = time.perf_counter()
    for d in range(days):
        day = last - timedelta(days=d)
        for s in range(sources):
            source = f"outlet{s:02d}"
            folder = root / partition_rel("articles", day, source)
            folder.mkdir(parents=True, exist_ok=True)
            table = partition_table(schema, per, day, source, pool, rng)
            pq.write_table(
                table.sort_by([("published_at", "ascending")]),
                folder / "part-00000.parquet",
                row_group_size=opts.row_group_rows,
                **parquet_options(schema, opts),
            )
    Lake(str(root)).refresh_catalog()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--lake", type=Path, default=Path("/tmp/broadsheet-lake-1m"))
    ap.add_argument("--keep", action="store_true", help="reuse an existing lake, keep it after")
    ap.add_argument(
        "--reindex", action="store_true", help="rebuild the search index of a kept lake"
    )
    ap.add_argument("--out", type=Path, default=HERE / "results" / "lake.json")
    args = ap.parse_args()
    gen_s = None
    if not (args.keep and (args.lake / "catalog.duckdb").exists()):
        shutil.rmtree(args.lake, ignore_errors=True)
        gen_s = generate(args.lake, args.rows, args.days, args.sources)
    lake = Lake(str(args.lake))
    built: dict[str, float] = {}
    if gen_s is not None or args.reindex or not (args.lake / INDEX).exists():
        built = index_lake(args.lake)
        lake.refresh_catalog()

    size = {
        t: round(sum(p.stat().st_size for p in (args.lake / t).rglob("*.parquet")) / 1e6)
        for t in ("articles", INDEX, TERMS)
    }
    con = lake.connect()
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]  # type: ignore[index]
    chars = con.execute("SELECT sum(length(text)) FROM articles").fetchone()[0]  # type: ignore[index]
    rows = []
    results: dict[str, list[Any]] = {}
    for name, sql in QUERIES.items():
        times = []
        for _ in range(4):
            t = time.perf_counter()
            result = con.execute(sql).fetchall()
            times.append(time.perf_counter() - t)
        results[name] = result
        row = {
            "query": name,
            "sql": sql,
            "cold_s": round(times[0], 3),
            "warm_s": round(min(times[1:]), 3),
            "median_s": round(statistics.median(times), 3),
            "result_rows": len(result),
        }
        if name in TWINS:
            row["same_rows_as_ilike"] = result == results[TWINS[name]]
        rows.append(row)
    con.close()
    if not args.keep:
        shutil.rmtree(args.lake, ignore_errors=True)
    out = {
        "rows": n,
        "text_gb": round(chars / 1e9, 2),
        "parquet_mb": size["articles"],
        "search_index_mb": size[INDEX],
        "search_terms_mb": size[TERMS],
        "generate_s": round(gen_s, 1) if gen_s is not None else None,
        **built,
        "load_average": os.getloadavg()[0],
        "queries": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"{n:,} articles, {out['text_gb']} G characters of text, {out['parquet_mb']} MB Parquet")
    print(
        f"search index {out['search_index_mb']} MB + terms {out['search_terms_mb']} MB"
        + (f", built in {built['index_s']} s ({built['index_cpu_s']} CPU s)" if built else "")
        + f"; load average {out['load_average']:.1f}"
    )
    print(f"{'query':<56}{'cold s':>8}{'warm s':>8}{'rows':>6}  same as ILIKE")
    for r in rows:
        same = r.get("same_rows_as_ilike", "")
        print(f"{r['query']:<56}{r['cold_s']:>8}{r['warm_s']:>8}{r['result_rows']:>6}  {same}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
