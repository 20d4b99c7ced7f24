"""`broadsheet eval`: score extraction on a gold set, Broadsheet against bare trafilatura.

A gold set is a folder in the format of the development corpus: `index.jsonl` (id, publisher,
url, crawled_at, html_file, expected_file), `ID.html.gz` and `ID.expected.json` (`title`,
`authors` (null: not annotated), `published_at`, `body_text`). Scores, per system and per
publisher:

- body: token-level precision, recall and F1 over bags of lower-cased word tokens (the usual
  way extraction benchmarks score), averaged over pages;
- title: exact match after whitespace normalisation, and a relaxed "one contains the other";
- authors: the set of names matches (case and whitespace folded), on annotated pages only;
- date: the same instant (within a minute) when the expectation has an offset; the same
  calendar day, in some zone, when it has none or the system gives a day only;
- speed: pages per second, each system on the same pages in this process.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+")
FIELDS = (
    "body_precision",
    "body_recall",
    "body_f1",
    "title_exact",
    "title_relaxed",
    "authors",
    "date",
)


@dataclass
class Prediction:
    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None


@dataclass
class Page:
    id: str
    publisher: str
    url: str
    crawled_at: str | None
    html: bytes
    expected: dict[str, Any]


def load_gold(folder: Path, limit: int | None = None) -> Iterator[Page]:
    with open(folder / "index.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                return
            row = json.loads(line)
            expected = json.loads((folder / row["expected_file"]).read_text(encoding="utf-8"))
            raw = (folder / row["html_file"]).read_bytes()
            html = gzip.decompress(raw) if row["html_file"].endswith(".gz") else raw
            yield Page(row["id"], row.get("publisher", "?"), row["url"], row.get("crawled_at"),
                       html, expected)  # fmt: skip


# -- scoring --------------------------------------------------------------------------------------


def body_scores(predicted: str, gold: str) -> tuple[float, float, float]:
    p = Counter(_TOKEN.findall(predicted.lower()))
    g = Counter(_TOKEN.findall(gold.lower()))
    inter = sum((p & g).values())
    precision = inter / sum(p.values()) if p else 0.0
    recall = inter / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _ws(s: str | None) -> str:
    return " ".join((s or "").split())


def title_scores(predicted: str | None, gold: str | None) -> tuple[float, float]:
    p, g = _ws(predicted), _ws(gold)
    if not g:
        return float(not p), float(not p)
    exact = float(p == g)
    relaxed = float(bool(p) and (p.casefold() in g.casefold() or g.casefold() in p.casefold()))
    return exact, relaxed


def authors_match(predicted: list[str], gold: list[str]) -> float:
    def norm(xs: list[str]) -> set[str]:
        return {_ws(x).casefold() for x in xs if _ws(x)}

    return float(norm(predicted) == norm(gold))


def date_match(predicted: str | None, gold: str | None) -> float:
    if not gold:
        return float(not predicted)
    if not predicted:
        return 0.0
    try:
        g = datetime.fromisoformat(gold.replace("Z", "+00:00"))
        p = datetime.fromisoformat(predicted.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    day_only = len(predicted.strip()) <= 10
    if g.tzinfo is not None and p.tzinfo is not None and not day_only:
        return float(abs((p - g).total_seconds()) < 60)
    # A naive expectation (or a day-only prediction): the same calendar day in some zone.
    p_utc = p.astimezone(UTC).replace(tzinfo=None) if p.tzinfo else p
    days = (
        {(p_utc + timedelta(hours=h)).date() for h in range(-12, 15)}
        if not day_only
        else {p.date()}
    )
    return float(g.date() in days)


def score(pred: Prediction, page: Page) -> dict[str, float | None]:
    exp = page.expected
    bp, br, bf = body_scores(pred.text, exp.get("body_text") or "")
    te, tr = title_scores(pred.title, exp.get("title"))
    authors = exp.get("authors")
    return {
        "body_precision": bp,
        "body_recall": br,
        "body_f1": bf,
        "title_exact": te,
        "title_relaxed": tr,
        "authors": authors_match(pred.authors, authors) if authors is not None else None,
        "date": date_match(pred.published, exp.get("published_at")),
    }


# -- the two systems ------------------------------------------------------------------------------


def broadsheet(page: Page) -> Prediction:
    from pipeline.config import ExtractConfig
    from pipeline.contract import schema_version
    from pipeline.extract import extract
    from pipeline.normalize import NormalizeContext, to_article
    from pipeline.records import Hints, RawDoc, Rejected

    doc = RawDoc("eval", page.id, "html", html=page.html,
                 hints=Hints(url=page.url, fetched_at=page.crawled_at))  # fmt: skip
    ex = extract(doc, ExtractConfig())
    if isinstance(ex, Rejected):
        return Prediction()
    ctx = NormalizeContext("eval", datetime.now(UTC), schema_version())
    art = to_article(ex, ctx)
    if isinstance(art, Rejected):
        return Prediction(title=ex.title)
    return Prediction(
        text=art.text,
        title=art.title,
        authors=list(art.authors),
        published=art.published_at.isoformat() if art.published_at else None,
        language=art.language,
    )


def bare_trafilatura(page: Page) -> Prediction:
    import trafilatura
    from trafilatura.settings import Document

    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if not isinstance(doc, Document):
        return Prediction()
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Prediction(doc.text or "", doc.title, authors, doc.date, doc.language)


SYSTEMS: dict[str, Callable[[Page], Prediction]] = {
    "broadsheet": broadsheet,
    "trafilatura": bare_trafilatura,
}


def _mean(values: list[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return round(sum(xs) / len(xs), 4) if xs else None


def evaluate(folder: Path, limit: int | None = None) -> dict[str, Any]:
    """Score both systems on the gold set; the report as a JSON-ready dict."""
    pages = list(load_gold(folder, limit))
    per: dict[str, list[dict[str, float | None]]] = defaultdict(list)
    seconds: dict[str, float] = {}
    rows: dict[str, list[tuple[str, dict[str, float | None]]]] = defaultdict(list)
    for name, system in SYSTEMS.items():
        if pages:
            system(pages[0])  # warm up: imports and models load once, outside the clock
        t = time.perf_counter()
        preds = [system(p) for p in pages]
        seconds[name] = time.perf_counter() - t
        for p, pred in zip(pages, preds, strict=True):
            s = score(pred, p)
            per[name].append(s)
            rows[name].append((p.publisher, s))
    totals = {
        name: {f: _mean([s[f] for s in scores]) for f in FIELDS} for name, scores in per.items()
    }
    for name in totals:
        totals[name]["pages_per_s"] = (
            round(len(pages) / seconds[name], 2) if seconds[name] else None
        )
    publishers: dict[str, dict[str, Any]] = {}
    for name, items in rows.items():
        grouped: dict[str, list[dict[str, float | None]]] = defaultdict(list)
        for pub, s in items:
            grouped[pub].append(s)
        for pub, scores in grouped.items():
            entry = publishers.setdefault(pub, {"pages": len(scores)})
            entry[name] = {f: _mean([s[f] for s in scores]) for f in FIELDS}
    speed = None
    if seconds.get("broadsheet") and seconds.get("trafilatura"):
        speed = round(seconds["trafilatura"] / seconds["broadsheet"], 3)
    return {
        "gold": str(folder),
        "pages": len(pages),
        "systems": totals,
        "speed_ratio": speed,  # Broadsheet pages/s divided by bare trafilatura pages/s
        "per_publisher": dict(sorted(publishers.items())),
    }


def regressions(report: dict[str, Any], baseline: dict[str, Any], tol: float = 0.005) -> list[str]:
    """Broadsheet scores that fell below the committed baseline by more than `tol`."""
    now = report["systems"]["broadsheet"]
    then = baseline["systems"]["broadsheet"]
    out = []
    for f in FIELDS:
        if then.get(f) is not None and (now.get(f) is None or now[f] < then[f] - tol):
            out.append(f"{f}: {now.get(f)} < baseline {then[f]}")
    return out
