"""Scores of a `broadsheet eval` report grouped by a column of the gold set's index.

    .venv/bin/python benchmarks/gold/by_language.py /work/gold-independent \\
        /work/gold-independent-before.json [--by language|source|site_in_dev_corpus]

`broadsheet eval` reports totals and per-publisher rows; this groups its `per_page` scores by
a column of the gold set's `index.jsonl` (default `language`; a missing value is "unknown")
and prints a Markdown table: each system's mean per field, and Broadsheet minus bare
trafilatura.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

FIELDS = ("body_f1", "title_exact", "title_relaxed", "authors", "date", "language")


def mean(xs: list[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def by_column(
    gold: Path, report: dict, column: str = "language"
) -> dict[str, dict[str, dict[str, float | None]]]:
    lang: dict[str, str] = {}
    with open(gold / "index.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                value = row.get(column)
                lang[row["id"]] = "unknown" if value is None else str(value)
    groups: dict[str, list[dict]] = defaultdict(list)
    for page in report["per_page"]:
        groups[lang.get(page["id"], "unknown")].append(page)
        groups["all"].append(page)
    systems = [s for s in ("broadsheet", "trafilatura") if s in report["per_page"][0]]
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for name, pages in sorted(groups.items(), key=lambda kv: (kv[0] != "all", -len(kv[1]))):
        out[name] = {"pages": {"n": len(pages)}}
        for system in systems:
            out[name][system] = {f: mean([p[system].get(f) for p in pages]) for f in FIELDS}
    return out


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("report", type=Path)
    ap.add_argument("--by", default="language", help="index column to group by")
    args = ap.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    table = by_column(args.gold, report, args.by)
    head = [args.by, "pages"]
    for f in FIELDS:
        head += [f"{f} B", f"{f} T", f"{f} Δ"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, row in table.items():
        cells = [name, str(row["pages"]["n"])]
        for f in FIELDS:
            b, t = row["broadsheet"][f], row["trafilatura"][f]
            d = None if b is None or t is None else b - t
            cells += [fmt(b), fmt(t), "–" if d is None else f"{d:+.3f}"]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
