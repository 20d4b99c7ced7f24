"""Derived exports for downstream teams, read from the published lake with DuckDB."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import date
from pathlib import Path

from pipeline.lake import Lake

log = logging.getLogger(__name__)

_LANG = re.compile(r"^[a-z]{2,3}$")


def export_training_jsonl(
    lake_location: str | Path,
    ingest_date: date,
    out_root: Path | None = None,
    min_words: int = 0,
) -> dict[str, int]:
    """One JSONL shard per language for one ingest date: what a training job reads.

    Written to a temporary name and renamed, so a consumer never sees half a shard; re-running
    replaces the date's shards. Default place: LAKE/exports/training for a local lake, else
    ./exports/training. Returns rows written per language.
    """
    lake = Lake(lake_location)
    if out_root is None:
        out_root = (lake.root if lake.storage.local else Path(".")) / "exports" / "training"
    out_dir = out_root / f"ingest_date={ingest_date}"
    out_dir.mkdir(parents=True, exist_ok=True)
    con = lake.connect()
    counts: dict[str, int] = {}
    where = "ingest_date = ? AND word_count >= ?"
    try:
        langs = [
            str(lang)
            for (lang,) in con.execute(
                f"SELECT DISTINCT coalesce(language, 'und') FROM articles WHERE {where}",
                [ingest_date, min_words],
            ).fetchall()
        ]
        for lang in sorted(langs):
            name = lang if _LANG.match(lang) else "und"
            tmp = out_dir / f".{name}.jsonl.tmp"
            cur = con.execute(
                "SELECT article_id, canonical_url, title, text, published_at FROM articles "
                f"WHERE {where} AND coalesce(language, 'und') = ? ORDER BY article_id",
                [ingest_date, min_words, lang],
            )
            n = 0
            with open(tmp, "w", encoding="utf-8") as fh:
                while rows := cur.fetchmany(1000):
                    for aid, url, title, text, published in rows:
                        rec = {
                            "id": aid,
                            "url": url,
                            "title": title,
                            "text": text,
                            "published_at": published.isoformat() if published else None,
                        }
                        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                        n += 1
            os.replace(tmp, out_dir / f"{name}.jsonl")
            counts[name] = counts.get(name, 0) + n
    finally:
        con.close()
    for stale in out_dir.glob("*.jsonl"):
        if stale.stem not in counts:
            stale.unlink()
    log.info("training export written", extra={"dir": str(out_dir), "counts": counts})
    return counts
