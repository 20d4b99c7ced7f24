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

Every mean comes with a 95% percentile-bootstrap interval over pages, and every difference to
bare trafilatura with a paired one (both systems on the same resampled pages): overall, per
language and per publisher (intervals only for groups of `MIN_PAGES` or more).

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.iso639 import primary_subtag

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from pipeline.config import ExtractConfig
    from pipeline.records import Article

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
_LANGUAGE_FIELDS = (*_PUBLISHER_FIELDS, "language")
SYSTEMS = ("broadsheet", "broadsheet_accurate", "trafilatura")
BASELINE_SYSTEM = "trafilatura"  # what the differences are taken against
# Percentile bootstrap over pages. A fixed seed makes a report reproducible: the same scores
# give the same intervals. With 2000 resamples a bound moves by about 0.002 between seeds.
RESAMPLES = 2000
SEED = 20261117
LEVEL = 0.95
MIN_PAGES = 5  # smaller groups (most publishers) get point values only
UNDETERMINED = "und"  # BCP 47's code for a page whose language the gold set does not give


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
    language: str = UNDETERMINED  # the group it is reported in (`gold_language`)


def gold_language(row: dict[str, Any], expected: dict[str, Any]) -> str:
    """The primary subtag the index row, else the expectation, gives; "und" when neither does."""
    for tag in (row.get("language"), expected.get("language")):
        code = primary_subtag(tag) if isinstance(tag, str) else None
        if code:
            return code
    return UNDETERMINED


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
                       html, expected, gold_language(row, expected))  # fmt: skip


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
        published=publisher_time(art),
        language=art.language,
    )


def publisher_time(art: Article) -> str | None:
    """The publication date as the record keeps the publisher's clock: the instant in the
    declared offset, a naive local time, or a day alone (what the gold annotates)."""
    when, precision = art.published_at, art.published_precision
    if when is None:
        return None
    if precision == "day" and art.published_date is not None:
        return art.published_date.isoformat()
    if precision == "instant" and art.published_offset_minutes is not None:
        tz = timezone(timedelta(minutes=art.published_offset_minutes))
        return when.astimezone(tz).isoformat()
    if precision == "local_time":
        return when.replace(tzinfo=None).isoformat()  # eval reads naive times as UTC
    return when.isoformat()


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


def _mean(values: Sequence[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return round(sum(xs) / len(xs), 4) if xs else None


# -- uncertainty ----------------------------------------------------------------------------------


def resample_indices(n: int, resamples: int = RESAMPLES, seed: int = SEED) -> NDArray[np.intp]:
    """The pages each bootstrap resample draws, with replacement: one row of `n` per resample."""
    import numpy as np

    return np.random.default_rng(seed).integers(0, n, size=(resamples, n), dtype=np.intp)


def _resampled_means(values: Sequence[float | None], idx: NDArray[np.intp]) -> NDArray[np.float64]:
    """Each resample's mean over the pages it drew that are scored (None is not scored: a page
    without annotated authors); NaN for a resample that drew none of those."""
    import numpy as np

    scored = np.array([v is not None for v in values], dtype=np.float64)
    vals = np.array([0.0 if v is None else v for v in values], dtype=np.float64)
    counts = scored[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means: NDArray[np.float64] = vals[idx].sum(axis=1) / counts
    return means


def _percentiles(samples: NDArray[np.float64]) -> list[float] | None:
    """The central `LEVEL` range of the bootstrap distribution (None if nothing was scored)."""
    import numpy as np

    drawn = samples[~np.isnan(samples)]
    if not drawn.size:
        return None
    tail = 50 * (1 - LEVEL)
    low, high = np.percentile(drawn, [tail, 100 - tail])
    return [round(float(low), 4), round(float(high), 4)]


def interval(values: Sequence[float | None], idx: NDArray[np.intp]) -> list[float] | None:
    """The percentile-bootstrap interval of the mean of the pages' scores, over resamples `idx`."""
    return _percentiles(_resampled_means(values, idx))


def paired_difference(
    ours: Sequence[float | None], theirs: Sequence[float | None], idx: NDArray[np.intp] | None
) -> dict[str, Any]:
    """`ours` minus `theirs` on the pages both score; with `idx`, its interval from resamples
    that draw the same pages for both (pairing removes the pages' shared difficulty)."""
    both = [a is not None and b is not None for a, b in zip(ours, theirs, strict=True)]
    a = [v if ok else None for v, ok in zip(ours, both, strict=True)]
    b = [v if ok else None for v, ok in zip(theirs, both, strict=True)]
    xs, ys = [v for v in a if v is not None], [v for v in b if v is not None]
    out: dict[str, Any] = {"diff": round(sum(xs) / len(xs) - sum(ys) / len(ys), 4) if xs else None}
    if idx is not None:
        out["interval"] = _percentiles(_resampled_means(a, idx) - _resampled_means(b, idx))
    return out


def summarize(
    scores: dict[str, list[dict[str, float | None]]], resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, Any]:
    """One group of pages (all, a language, a publisher), per system: the mean of each score
    and the difference to bare trafilatura; from `MIN_PAGES` pages on, their intervals."""
    n = len(next(iter(scores.values()), []))
    idx = resample_indices(n, resamples, seed) if n >= MIN_PAGES else None
    column = {name: {f: [s[f] for s in rows] for f in FIELDS} for name, rows in scores.items()}
    out: dict[str, Any] = {"pages": n}
    for name, cols in column.items():
        out[name] = {f: _mean(cols[f]) for f in FIELDS}
    if idx is not None:
        out["intervals"] = {
            name: {f: interval(cols[f], idx) for f in FIELDS} for name, cols in column.items()
        }
    if BASELINE_SYSTEM in column:
        bare = column[BASELINE_SYSTEM]
        out["vs_trafilatura"] = {
            name: {f: paired_difference(cols[f], bare[f], idx) for f in FIELDS}
            for name, cols in column.items()
            if name != BASELINE_SYSTEM
        }
    return out


def _grouped(
    scores: dict[str, list[dict[str, float | None]]], keys: list[str]
) -> dict[str, dict[str, Any]]:
    """`summarize` for each group of pages sharing a key (the pages' order kept in each)."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        members[key].append(i)
    return {
        key: summarize({name: [rows[i] for i in at] for name, rows in scores.items()})
        for key, at in sorted(members.items())
    }


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
    folder: Path,
    limit: int | None = None,
    cfg: ExtractConfig | None = None,
    systems: Sequence[str] = SYSTEMS,
) -> dict[str, Any]:
    """Score Broadsheet and bare trafilatura on the gold set: the report as a JSON-ready dict.

    `cfg` runs Broadsheet with other extraction options (to measure them); `systems` runs a
    subset of `SYSTEMS` (a gate needs only "broadsheet"; the differences need "trafilatura").
    """
    from pipeline.config import ExtractConfig

    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        raise ValueError(f"unknown systems {sorted(unknown)}; known: {', '.join(SYSTEMS)}")
    pages = list(load_gold(folder, limit))
    base = cfg or ExtractConfig()
    other = base.model_copy(update={"mode": "accurate"})
    # Broadsheet as configured (extract.mode fast by default), its accurate mode (the full
    # cascade of fallback extractors on every page: the trade-off a user chooses), and the
    # baseline.
    every: dict[str, System] = {
        "broadsheet": lambda p: broadsheet(p, base),
        "broadsheet_accurate": lambda p: broadsheet(p, other),
        "trafilatura": bare_trafilatura,
    }
    chosen = {name: every[name] for name in SYSTEMS if name in systems}
    handler = _Sources()
    extract_log = logging.getLogger("pipeline.extract")
    level, propagate = extract_log.level, extract_log.propagate
    extract_log.addHandler(handler)
    extract_log.setLevel(logging.DEBUG)
    extract_log.propagate = False  # the debug lines are for `handler`, not the terminal
    try:
        preds, seconds = _run(chosen, pages, handler)
    finally:
        extract_log.removeHandler(handler)
        extract_log.setLevel(level)
        extract_log.propagate = propagate
    scores = {
        name: [score(pr, p) for pr, p in zip(ps, pages, strict=True)] for name, ps in preds.items()
    }
    overall = summarize(scores)
    totals: dict[str, dict[str, Any]] = {}
    for name in scores:
        totals[name] = dict(overall[name])
        totals[name]["pages_per_s"] = (
            round(len(pages) / seconds[name], 2) if seconds[name] else None
        )
        totals[name]["languages"] = dict(
            Counter(pr.language or "none" for pr in preds[name]).most_common()
        )
    where: dict[str, Counter[str]] = defaultdict(Counter)
    for pred in preds.get("broadsheet", []):
        for fld, source in pred.sources.items():
            where[fld][source] += 1
    speed: dict[str, float | None] = dict.fromkeys(("broadsheet", "broadsheet_accurate"))
    for name in speed:
        if seconds.get(name) and seconds.get("trafilatura"):
            speed[name] = round(seconds["trafilatura"] / seconds[name], 3)
    return {
        "gold": str(folder),
        "pages": len(pages),
        "systems": totals,
        "speed_ratio": speed["broadsheet"],  # Broadsheet pages/s / bare trafilatura pages/s
        "speed_ratio_accurate": speed["broadsheet_accurate"],  # the same for extract.mode: accurate
        "bootstrap": {
            "method": "percentile bootstrap over pages; differences paired",
            "level": LEVEL,
            "resamples": RESAMPLES,
            "seed": SEED,
            "min_pages": MIN_PAGES,
        },
        "intervals": overall.get("intervals", {}),  # system -> score -> [low, high]
        "vs_trafilatura": overall.get("vs_trafilatura", {}),  # system -> score -> diff, interval
        "broadsheet_sources": {f: dict(c.most_common()) for f, c in sorted(where.items())},
        "per_publisher": _grouped(scores, [p.publisher for p in pages]),
        "per_language": _grouped(scores, [p.language for p in pages]),
        "per_page": [
            {
                "id": p.id,
                "publisher": p.publisher,
                "language": p.language,
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
    """Broadsheet scores that fell below the committed baseline by more than `tol`: overall, per
    publisher (a template change shows up as one publisher's score falling) and per language.
    A report on another number of pages than the baseline's is not comparable: that is listed."""
    out: list[str] = []
    if "pages" in baseline and report.get("pages") != baseline["pages"]:
        out.append(f"pages: {report.get('pages')} != baseline {baseline['pages']}")

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
    langs = report.get("per_language", {})
    for lang, entry in baseline.get("per_language", {}).items():
        if lang in langs and "broadsheet" in entry:
            compare(f"language {lang}: ", langs[lang]["broadsheet"], entry["broadsheet"],
                    _LANGUAGE_FIELDS)  # fmt: skip
    return out


def compact(report: dict[str, Any]) -> dict[str, Any]:
    """A baseline to commit: the totals with their intervals, and each publisher's and language's
    means of the gated scores; no per-page rows and no speeds (they depend on the machine), so
    it changes only when a score does."""

    def means(entry: dict[str, Any]) -> dict[str, Any]:
        kept = {
            name: {f: entry[name][f] for f in _LANGUAGE_FIELDS}
            for name in ("broadsheet", BASELINE_SYSTEM)
            if name in entry
        }
        return {"pages": entry["pages"], **kept}

    return {
        "gold": report["gold"],
        "pages": report["pages"],
        "bootstrap": report["bootstrap"],
        "systems": {
            name: {f: totals[f] for f in FIELDS} for name, totals in report["systems"].items()
        },
        "intervals": report["intervals"],
        "vs_trafilatura": report["vs_trafilatura"],
        "per_publisher": {pub: means(e) for pub, e in report["per_publisher"].items()},
        "per_language": {lang: means(e) for lang, e in report["per_language"].items()},
    }


def _dumps(value: Any, level: int = 0, width: int = 100) -> str:
    """Indented JSON that keeps any value fitting in `width` columns on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or not value or 2 * level + len(flat) <= width:
        return flat
    pad, end = "  " * (level + 1), "  " * level
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dumps(v, level + 1, width)}"
                 for k, v in value.items()]  # fmt: skip
        return "{\n" + ",\n".join(items) + f"\n{end}}}"
    return "[\n" + ",\n".join(pad + _dumps(v, level + 1, width) for v in value) + f"\n{end}]"


def dumps_baseline(baseline: dict[str, Any]) -> str:
    """Short JSON, with one line per publisher and per language so a diff names what moved."""
    groups = ("per_publisher", "per_language")
    lines = []
    for key, value in baseline.items():
        if key in groups:
            rows = [f"    {_dumps(g)}: {_dumps(e, width=10**6)}" for g, e in value.items()]
            body = "{\n" + ",\n".join(rows) + "\n  }" if rows else "{}"
        else:
            body = _dumps(value, 1)
        lines.append(f"  {_dumps(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


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
        help="a committed report or baseline: exit 1 if a Broadsheet score fell below it",
    )
    ev.add_argument(
        "--write-baseline",
        type=Path,
        metavar="PATH",
        help="write a compact baseline (totals, per publisher, per language; no pages) to gate on",
    )
    ev.add_argument("--limit", type=int, metavar="N", help="only the first N pages")
    return ev


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}"


def _signed(v: Any) -> str:
    return "–" if v is None else f"{v:+.3f}"


def _span(iv: list[float] | None, signed: bool = False) -> str:
    show = _signed if signed else _fmt
    return "" if iv is None else f"[{show(iv[0])}, {show(iv[1])}]"


def print_report(report: dict[str, Any]) -> None:
    """The totals with their intervals and differences to bare trafilatura, the same per
    language, then the publishers where Broadsheet is weakest."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    systems, intervals = report["systems"], report.get("intervals", {})
    vs = report.get("vs_trafilatura", {})
    boot = report.get("bootstrap", {})
    caption = "accurate: Broadsheet's extract.mode accurate; bare: bare trafilatura"
    t = Table(title=f"{report['pages']} pages from {report['gold']}", caption=caption)
    t.add_column("score")
    ours = [n for n in ("broadsheet", "broadsheet_accurate") if n in systems]
    bare = systems.get(BASELINE_SYSTEM)
    short = {"broadsheet": "Broadsheet", "broadsheet_accurate": "accurate"}
    for name in ours:
        t.add_column(f"{short[name]} [95%]" if name == "broadsheet" else short[name],
                     justify="right")  # fmt: skip
    if bare is not None:
        t.add_column("bare", justify="right")
        for name in (n for n in ours if n in vs):
            t.add_column(f"{short[name]} − bare [95%]", justify="right")
    for f in (*FIELDS, "pages_per_s"):
        row = [f]
        for name in ours:
            cell = _fmt(systems[name].get(f))
            if name == "broadsheet" and intervals.get(name, {}).get(f):
                cell += f" {_span(intervals[name][f])}"
            row.append(cell)
        if bare is not None:
            row.append(_fmt(bare.get(f)))
            for name in (n for n in ours if n in vs):
                d = vs[name].get(f, {})
                row.append(f"{_signed(d.get('diff'))} {_span(d.get('interval'), signed=True)}")
        t.add_row(*row)
    console.print(t)
    if boot:
        console.print(
            f"intervals: {boot['level']:.0%} percentile bootstrap over pages ({boot['resamples']} "
            f"resamples, seed {boot['seed']}); differences paired: both systems on the same "
            "resampled pages. An interval that excludes 0 is a difference the pages support."
        )
    console.print(
        f"speed: Broadsheet at {report['speed_ratio']}x bare trafilatura's pages/s, "
        f"its accurate mode at {report.get('speed_ratio_accurate')}x"
    )
    langs = report.get("per_language", {})
    by_size = sorted(langs, key=lambda lang: -langs[lang]["pages"])
    _print_groups(console, [(lang, langs[lang]) for lang in by_size], "language")
    pubs = {p: e for p, e in report["per_publisher"].items() if "broadsheet" in e}
    weakest = sorted(pubs, key=lambda p: pubs[p]["broadsheet"]["body_f1"] or 0.0)[:10]
    _print_groups(console, [(p, pubs[p]) for p in weakest],
                  "publisher", "weakest publishers (Broadsheet body F1)")  # fmt: skip


def _print_groups(
    console: Any, groups: list[tuple[str, dict[str, Any]]], key: str, title: str = ""
) -> None:
    """One row per group: Broadsheet's mean per score, its difference to bare trafilatura, and
    under it the difference's interval (groups of `MIN_PAGES` pages or more)."""
    from rich.table import Table

    if not groups:
        return
    fields = _LANGUAGE_FIELDS if key == "language" else _PUBLISHER_FIELDS
    t = Table(title=title or f"per {key}: Broadsheet, its difference to bare trafilatura")
    t.add_column(key)
    t.add_column("pages", justify="right")
    for f in fields:
        t.add_column(f, justify="right")
    for name, entry in groups:
        if "broadsheet" not in entry:
            continue
        cells = []
        for f in fields:
            d = entry.get("vs_trafilatura", {}).get("broadsheet", {}).get(f, {})
            cell = _fmt(entry["broadsheet"].get(f))
            if d.get("diff") is not None:
                cell += f" {_signed(d['diff'])}"
            if d.get("interval"):
                cell += f"\n{_span(d['interval'], signed=True)}"
            cells.append(cell)
        t.add_row(name, str(entry["pages"]), *cells)
    console.print(t)


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
    write_baseline: Path | None = getattr(args, "write_baseline", None)
    if write_baseline:
        write_baseline.write_text(dumps_baseline(compact(report)), encoding="utf-8")
    if baseline is not None:
        fell = regressions(report, baseline)
        for line in fell:
            print(f"regression: {line}", file=sys.stderr)  # noqa: T201
        if fell:
            return EXIT_REGRESSION
    return EXIT_OK
