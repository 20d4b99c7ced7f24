"""`broadsheet eval`: score extraction on a gold set, Broadsheet against bare trafilatura.

A gold set is a folder in the format of the development corpus: `index.jsonl` (id, publisher,
url, crawled_at, html_file, expected_file), `ID.html.gz` and `ID.expected.json` (`title`,
`authors` (null: not annotated), `published_at`, `body_text`, optionally `language`). Scores,
per system, per publisher and per page (docs/eval.md says why each is computed so):

- body: token-level precision, recall and F1 over bags of lower-cased word tokens (the usual
  way extraction benchmarks score), averaged over pages; both texts are compared as a reader
  sees them (NFC, no soft hyphens or zero-width characters);
- title: exact match after whitespace normalisation, and a relaxed "one contains the other";
- authors: the set of names matches (case and whitespace folded), on annotated pages only;
- date: the same instant (within a minute) when both sides have a time and the expectation an
  offset; the same calendar day, in some zone, when either side has no time or no offset;
- language: the primary subtag matches, on pages whose expectation gives a language; the
  distribution of detected languages is reported either way;
- speed: pages per second, each system on the same pages in this process.

Library code: functions return dicts; `main` is the command-line front end that prints.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.iso639 import primary_subtag

if TYPE_CHECKING:
    from pipeline.config import ExtractConfig

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REGRESSION, EXIT_USAGE = 0, 1, 2
TOLERANCE = 0.005
_TOKEN = re.compile(r"\w+")
FIELDS = (
    "body_precision",
    "body_recall",
    "body_f1",
    "title_exact",
    "title_relaxed",
    "authors",
    "date",
    "language",
)
# The scores a per-publisher regression is judged on (precision and recall move with F1).
_PUBLISHER_FIELDS = ("body_f1", "title_exact", "authors", "date")


@dataclass
class Prediction:
    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where Broadsheet took it


@dataclass
class Page:
    id: str
    publisher: str
    url: str
    crawled_at: str | None
    html: bytes
    expected: dict[str, Any]


def load_gold(folder: Path, limit: int | None = None) -> Iterator[Page]:
    """The gold set's pages in index order (the index, not a glob, says what belongs)."""
    with open(folder / "index.jsonl", encoding="utf-8") as fh:
        n = 0
        for line in fh:
            if not line.strip():
                continue
            if limit is not None and n >= limit:
                return
            n += 1
            row = json.loads(line)
            expected = json.loads((folder / row["expected_file"]).read_text(encoding="utf-8"))
            raw = (folder / row["html_file"]).read_bytes()
            html = gzip.decompress(raw) if row["html_file"].endswith(".gz") else raw
            yield Page(row["id"], row.get("publisher", "?"), row["url"], row.get("crawled_at"),
                       html, expected)  # fmt: skip


# -- scoring --------------------------------------------------------------------------------------


def _canon(s: str) -> str:
    """What a reader sees: composed (NFC), without invisible format characters (soft hyphens,
    zero-width spaces), so that "su\u0308dtiroler" and "südtiroler" are one word."""
    return "".join(c for c in unicodedata.normalize("NFC", s) if unicodedata.category(c) != "Cf")


def tokens(text: str) -> Counter[str]:
    """The bag of lower-cased word tokens a body is scored as."""
    return Counter(_TOKEN.findall(_canon(text).lower()))


def body_scores(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the predicted body's tokens (multiset intersection)."""
    p = tokens(predicted)
    g = tokens(gold)
    inter = sum((p & g).values())
    precision = inter / sum(p.values()) if p else 0.0
    recall = inter / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _ws(s: str | None) -> str:
    return " ".join(_canon(s or "").split())


def title_scores(predicted: str | None, gold: str | None) -> tuple[float, float]:
    """Exact (whitespace-normalised) and relaxed (one contains the other, any case) match."""
    p, g = _ws(predicted), _ws(gold)
    if not g:
        return float(not p), float(not p)
    exact = float(p == g)
    relaxed = float(bool(p) and (p.casefold() in g.casefold() or g.casefold() in p.casefold()))
    return exact, relaxed


def authors_match(predicted: list[str], gold: list[str]) -> float:
    """1.0 when the two sets of names are equal after case and whitespace folding."""

    def norm(xs: list[str]) -> set[str]:
        return {_ws(x).casefold() for x in xs if _ws(x)}

    return float(norm(predicted) == norm(gold))


_HAS_TIME = re.compile(r"\d{2}:\d{2}")


def date_match(predicted: str | None, gold: str | None) -> float:
    """Same instant when both carry a time and an offset; else the same calendar day.

    A naive expectation is the publisher's local time (zone unknown), so a predicted instant
    matches when its day is the expected day in some zone from UTC-12 to UTC+14.
    """
    if not gold:
        return float(not predicted)
    if not predicted:
        return 0.0
    try:
        g = datetime.fromisoformat(gold.replace("Z", "+00:00"))
        p = datetime.fromisoformat(predicted.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    day_only = not _HAS_TIME.search(predicted)
    if g.tzinfo is not None and p.tzinfo is not None and not day_only:
        return float(abs((p - g).total_seconds()) < 60)
    if day_only:
        return float(g.date() == p.date())
    p_utc = p.astimezone(UTC).replace(tzinfo=None) if p.tzinfo else p
    return float(g.date() in {(p_utc + timedelta(hours=h)).date() for h in range(-12, 15)})


def language_match(predicted: str | None, gold: str | None) -> float | None:
    """Primary subtags equal ("de-CH" is "de"); None when the gold gives no language."""
    g = primary_subtag(gold)
    if g is None:
        return None
    return float(primary_subtag(predicted) == g)


def score(pred: Prediction, page: Page) -> dict[str, float | None]:
    """Every score of one prediction against its page's expectation."""
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
        "language": language_match(pred.language, exp.get("language")),
    }


# -- the two systems ------------------------------------------------------------------------------


class _Sources(logging.Handler):
    """Collects where extraction took title, date and authors (its debug log line)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.last: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 4 and "title from" in str(record.msg):
            self.last = {"title": str(args[1]), "date": str(args[2]), "authors": str(args[3])}


def broadsheet(page: Page, cfg: ExtractConfig | None = None) -> Prediction:
    """Broadsheet's own path: extract, then normalize (as `pipeline.run.process_doc` chains)."""
    from pipeline.config import ExtractConfig
    from pipeline.contract import schema_version
    from pipeline.extract import extract
    from pipeline.normalize import NormalizeContext, to_article
    from pipeline.records import Hints, RawDoc, Rejected

    doc = RawDoc("eval", page.id, "html", html=page.html,
                 hints=Hints(url=page.url, fetched_at=page.crawled_at))  # fmt: skip
    ex = extract(doc, cfg or ExtractConfig())
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
    """The baseline: trafilatura's defaults, metadata on, nothing after it."""
    import trafilatura
    from trafilatura.settings import Document

    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if not isinstance(doc, Document):
        return Prediction()
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Prediction(doc.text or "", doc.title, authors, doc.date, doc.language)


System = Callable[[Page], Prediction]


def _mean(values: list[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return round(sum(xs) / len(xs), 4) if xs else None


def _run(
    systems: dict[str, System], pages: list[Page], collect: _Sources
) -> tuple[dict[str, list[Prediction]], dict[str, float]]:
    """Each page through every system in turn, timed per call: interleaving cancels the drift
    of a shared machine's load out of the speed ratio."""
    preds: dict[str, list[Prediction]] = {name: [] for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    if pages:
        for system in systems.values():
            system(pages[0])  # warm up: imports and models load once, outside the clock
    for p in pages:
        for name, system in systems.items():
            collect.last = {}
            t = time.perf_counter()
            pred = system(p)
            seconds[name] += time.perf_counter() - t
            if name == "broadsheet":
                pred.sources = collect.last
            preds[name].append(pred)
    return preds, seconds


def evaluate(
    folder: Path, limit: int | None = None, cfg: ExtractConfig | None = None
) -> dict[str, Any]:
    """Score Broadsheet and bare trafilatura on the gold set: the report as a JSON-ready dict.

    `cfg` runs Broadsheet with other extraction options (to measure them).
    """
    from pipeline.config import ExtractConfig

    pages = list(load_gold(folder, limit))
    base = cfg or ExtractConfig()
    fast = base.model_copy(update={"mode": "fast"})
    # Broadsheet as configured, its fast mode (issue 19: the trade-off an archive-scale user
    # chooses), and the baseline.
    systems: dict[str, System] = {
        "broadsheet": lambda p: broadsheet(p, base),
        "broadsheet_fast": lambda p: broadsheet(p, fast),
        "trafilatura": bare_trafilatura,
    }
    handler = _Sources()
    extract_log = logging.getLogger("pipeline.extract")
    level, propagate = extract_log.level, extract_log.propagate
    extract_log.addHandler(handler)
    extract_log.setLevel(logging.DEBUG)
    extract_log.propagate = False  # the debug lines are for `handler`, not the terminal
    try:
        preds, seconds = _run(systems, pages, handler)
    finally:
        extract_log.removeHandler(handler)
        extract_log.setLevel(level)
        extract_log.propagate = propagate
    scores = {
        name: [score(pr, p) for pr, p in zip(ps, pages, strict=True)] for name, ps in preds.items()
    }
    totals: dict[str, dict[str, Any]] = {}
    for name, rows in scores.items():
        totals[name] = {f: _mean([s[f] for s in rows]) for f in FIELDS}
        totals[name]["pages_per_s"] = (
            round(len(pages) / seconds[name], 2) if seconds[name] else None
        )
        totals[name]["languages"] = dict(
            Counter(pr.language or "none" for pr in preds[name]).most_common()
        )
    publishers: dict[str, dict[str, Any]] = {}
    for name, rows in scores.items():
        grouped: dict[str, list[dict[str, float | None]]] = defaultdict(list)
        for p, s in zip(pages, rows, strict=True):
            grouped[p.publisher].append(s)
        for pub, group in grouped.items():
            entry = publishers.setdefault(pub, {"pages": len(group)})
            entry[name] = {f: _mean([s[f] for s in group]) for f in FIELDS}
    where: dict[str, Counter[str]] = defaultdict(Counter)
    for pred in preds["broadsheet"]:
        for fld, source in pred.sources.items():
            where[fld][source] += 1
    speed: dict[str, float | None] = dict.fromkeys(("broadsheet", "broadsheet_fast"))
    for name in speed:
        if seconds.get(name) and seconds.get("trafilatura"):
            speed[name] = round(seconds["trafilatura"] / seconds[name], 3)
    return {
        "gold": str(folder),
        "pages": len(pages),
        "systems": totals,
        "speed_ratio": speed["broadsheet"],  # Broadsheet pages/s / bare trafilatura pages/s
        "speed_ratio_fast": speed["broadsheet_fast"],  # the same for extract.mode: fast
        "broadsheet_sources": {f: dict(c.most_common()) for f, c in sorted(where.items())},
        "per_publisher": dict(sorted(publishers.items())),
        "per_page": [
            {
                "id": p.id,
                "publisher": p.publisher,
                **{
                    name: {k: v for k, v in scores[name][i].items() if v is not None}
                    for name in scores
                },  # fmt: skip
            }
            for i, p in enumerate(pages)
        ],
    }


def regressions(
    report: dict[str, Any], baseline: dict[str, Any], tol: float = TOLERANCE
) -> list[str]:
    """Broadsheet scores that fell below the committed baseline by more than `tol`: overall,
    and per publisher (a template change shows up as one publisher's score falling)."""
    out: list[str] = []

    def compare(
        label: str, now: dict[str, Any], then: dict[str, Any], fields: tuple[str, ...]
    ) -> None:
        for f in fields:
            was = then.get(f)
            if was is not None and (now.get(f) is None or now[f] < was - tol):
                out.append(f"{label}{f}: {now.get(f)} < baseline {was}")

    compare("", report["systems"]["broadsheet"], baseline["systems"]["broadsheet"], FIELDS)
    pubs = report.get("per_publisher", {})
    for pub, entry in baseline.get("per_publisher", {}).items():
        if pub in pubs and "broadsheet" in entry:
            compare(f"{pub}: ", pubs[pub]["broadsheet"], entry["broadsheet"], _PUBLISHER_FIELDS)
    return out


# -- command line ---------------------------------------------------------------------------------


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `eval` to the CLI's sub-command parsers (`argparse` subparsers object)."""
    ev: argparse.ArgumentParser = sub.add_parser(
        "eval", help="score extraction on a gold set, against bare trafilatura on the same pages"
    )
    ev.add_argument("gold", type=Path, metavar="GOLD_DIR",
                    help="folder with index.jsonl, ID.html.gz, ID.expected.json")  # fmt: skip
    ev.add_argument("--report", type=Path, metavar="PATH", help="write the full report (JSON)")
    ev.add_argument(
        "--baseline-file",
        "--baseline",
        dest="baseline_file",
        type=Path,
        metavar="PATH",
        help="a committed report: exit 1 if a Broadsheet score fell below it",
    )
    ev.add_argument("--limit", type=int, metavar="N", help="only the first N pages")
    return ev


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}"


def print_report(report: dict[str, Any]) -> None:
    """The totals side by side, then the publishers where Broadsheet is weakest."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    systems = report["systems"]
    names = list(systems)
    t = Table(title=f"{report['pages']} pages from {report['gold']}")
    t.add_column("score")
    for name in names:
        t.add_column(name, justify="right")
    t.add_column("gain", justify="right")
    for f in (*FIELDS, "pages_per_s"):
        vals = [systems[n].get(f) for n in names]
        gain = ""
        ours, bare = systems["broadsheet"].get(f), systems["trafilatura"].get(f)
        if ours is not None and bare is not None:
            gain = f"{ours - bare:+.3f}"
        t.add_row(f, *(_fmt(v) for v in vals), gain)
    console.print(t)
    console.print(
        f"speed: Broadsheet at {report['speed_ratio']}x bare trafilatura's pages/s, "
        f"its fast mode at {report.get('speed_ratio_fast')}x"
    )
    pubs = report["per_publisher"]
    weakest = sorted(pubs, key=lambda p: pubs[p]["broadsheet"]["body_f1"] or 0.0)[:10]
    w = Table(title="weakest publishers (Broadsheet body F1)")
    w.add_column("publisher")
    w.add_column("pages", justify="right")
    for f in _PUBLISHER_FIELDS:
        w.add_column(f, justify="right")
    for p in weakest:
        s = pubs[p]["broadsheet"]
        w.add_row(p, str(pubs[p]["pages"]), *(_fmt(s[f]) for f in _PUBLISHER_FIELDS))
    console.print(w)


def main(args: argparse.Namespace) -> int:
    """Run `broadsheet eval`: 0 ok, 1 a score fell below the baseline, 2 usage error."""
    import sys

    gold: Path = args.gold
    baseline_path: Path | None = getattr(args, "baseline_file", None) or getattr(
        args, "baseline", None
    )
    if not (gold / "index.jsonl").is_file():
        print(f"error: {gold} has no index.jsonl", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    baseline = None
    if baseline_path is not None:
        try:
            baseline = json.loads(baseline_path.read_text(encoding="utf-8"))
            baseline["systems"]["broadsheet"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"error: baseline {baseline_path}: {e}", file=sys.stderr)  # noqa: T201
            return EXIT_USAGE
    report = evaluate(gold, args.limit)
    print_report(report)
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if baseline is not None:
        fell = regressions(report, baseline)
        for line in fell:
            print(f"regression: {line}", file=sys.stderr)  # noqa: T201
        if fell:
            return EXIT_REGRESSION
    return EXIT_OK
