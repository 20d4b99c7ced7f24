"""The per-document chain, read -> extract -> normalize -> signals -> validate, in one place.

`process_doc` runs in worker processes (`pipeline.pool`); `outcomes` feeds a stream of inputs
through it, in order, in a pool or in this process.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline import logcontext, neardup, quality
from pipeline.config import DedupConfig, ExtractConfig, ValidateConfig
from pipeline.extract import extract
from pipeline.filters import article_verdict
from pipeline.normalize import NormalizeContext, to_article
from pipeline.pool import Failure, WorkerPool
from pipeline.records import Article, Extracted, Hints, RawDoc, Rejected, Skipped
from pipeline.skip import Known
from pipeline.validate import validate_article

Outcome = Article | Rejected | Skipped
Timings = tuple[float, float, float, float]
Result = tuple[Outcome, Timings]
STAGES = ("extract", "normalize", "signals", "validate")
NO_TIME: Timings = (0.0, 0.0, 0.0, 0.0)
# Documents queued per worker. Results come back in input order, so one slow page holds up the
# rest: a deep queue keeps the other workers busy meanwhile (a few MB of pages per worker).
IN_FLIGHT_PER_WORKER = 32


@dataclass(frozen=True)
class DocWork:
    """Everything the chain needs besides the document; sent once to each worker."""

    extract: ExtractConfig
    validate: ValidateConfig
    ctx: NormalizeContext
    dedup: DedupConfig | None = None

    @property
    def hard_limit_s(self) -> float:
        """Past this a worker is killed: the extractor's own timer could not fire (C code)."""
        return 2 * self.extract.timeout_s + 5


def process_doc(doc: RawDoc, work: DocWork) -> Result:
    """extract -> normalize -> signals -> validate for one document, with the seconds spent in
    each. Signals are the quality signals and, with `work.dedup`, the MinHash signature the
    publisher clusters near-duplicates with. What is logged meanwhile names the document.
    """
    with logcontext.about(doc.source, doc.input_ref):
        return _chain(doc, work)


def _chain(doc: RawDoc, work: DocWork) -> Result:
    t0 = time.perf_counter()
    ex = extract(doc, work.extract)
    t1 = time.perf_counter()
    if isinstance(ex, Rejected):
        return ex, (t1 - t0, 0.0, 0.0, 0.0)
    art = to_article(ex, work.ctx)
    t2 = time.perf_counter()
    if isinstance(art, Rejected):
        return art, (t1 - t0, t2 - t1, 0.0, 0.0)
    if doc.signals is not None:
        art = dataclasses.replace(art, **dataclasses.asdict(doc.signals))
    art = _enrich(art, ex, work.dedup)
    t3 = time.perf_counter()
    out = validate_article(art, work.validate)
    filters = work.ctx.filters.get(doc.source)
    if filters is not None and isinstance(out, Article):
        # URL filters ran before extraction when the input had a URL; here they see the
        # page's own URL, and the language filter the detected language.
        verdict = article_verdict(doc, out, filters)
        if verdict is not None:
            return Skipped(doc.source, doc.input_ref, verdict), (t1 - t0, t2 - t1, t3 - t2, 0.0)
    return out, (t1 - t0, t2 - t1, t3 - t2, time.perf_counter() - t3)


# A short article in the shape extraction expects: enough words for language identification.
_WARM_PAGE = (
    "<!DOCTYPE html>\n<html lang='en'><head><title>Harbour board backs breakwater rebuild</title>"
    "<meta name='author' content='Maria Okafor'>"
    "<meta property='article:published_time' content='2020-11-20T08:30:00+01:00'></head>"
    "<body><article><h1>Harbour board backs breakwater rebuild</h1>"
    + "".join(
        f"<p>The harbour board voted on {day} to rebuild the eastern breakwater before the winter "
        "storms, after engineers found that the old stones had shifted during the autumn tides "
        "and that the fishing fleet could no longer shelter behind it safely.</p>"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday")
    )
    + "</article></body></html>"
).encode()


def warm_up(work: DocWork) -> Outcome:
    """The chain once on a page of our own, in a worker before its first input: the language
    model (0.6 s to load), the extractor's lazy imports and the contract's validator are
    loaded while the parent reads, and not counted against the first pages."""
    doc = RawDoc(
        "warm-up",
        "warm-up",
        "html",
        html=_WARM_PAGE,
        hints=Hints(url="https://warm-up.invalid/harbour"),
        charset="utf-8",
    )
    return _chain(doc, work)[0]


def _enrich(art: Article, ex: Extracted, dcfg: DedupConfig | None) -> Article:
    q = quality.signals(art.text, art.boilerplate_removed)
    flags = quality.flags(
        q, art.text, art.word_count, ex.text, art.language, art.language_score, ex.language
    )
    sig = neardup.signature(art.text, dcfg) if dcfg is not None and dcfg.near else None
    return dataclasses.replace(
        art, story_id=art.article_id, quality=q, quality_flags=flags, signature=sig
    )


def start_pool(pool: WorkerPool, work: DocWork) -> None:
    """The pool's workers started on the chain now, warming up while the caller gets ready
    (the lake's index of known articles, the first file): `outcomes` then finds them ready."""
    pool.configure(process_doc, work, warm=warm_up)
    pool.spawn()


def outcomes(
    items: Iterable[RawDoc | Rejected | Skipped | Known],
    work: DocWork,
    pool: WorkerPool | None,
    job: Callable[[RawDoc, DocWork], Result] | None = None,
) -> Iterator[tuple[Outcome | Known, Timings]]:
    """Each input's outcome, in input order. Without a pool the chain runs here; with one, a
    document that kills or hangs its worker is quarantined alone and the rest go on (a broken
    pool raises `pool.PoolError`). `job` replaces `process_doc` (tests use it for crashes).
    What is not a document (a read failure, a skip, a known input) passes through as it is."""
    fn = job or process_doc
    if pool is None:
        for d in items:
            yield fn(d, work) if isinstance(d, RawDoc) else (d, NO_TIME)
        return
    pool.configure(fn, work, warm=warm_up if job is None else None)
    for doc, res in pool.imap(items, _is_doc, work.hard_limit_s):
        if res is None:
            yield doc, NO_TIME
        elif isinstance(res, Failure):
            yield _failed(doc, res), NO_TIME
        else:
            yield res


def process_one(doc: RawDoc, work: DocWork, pool: WorkerPool | None) -> Result:
    """One document outside the stream (a known input whose twin became no record), as
    isolated as the stream's: its twin may have been the page that crashed a worker."""
    if pool is None:
        return process_doc(doc, work)
    res = pool.one(doc, work.hard_limit_s)
    return (_failed(doc, res), NO_TIME) if isinstance(res, Failure) else res


def _is_doc(item: object) -> bool:
    return isinstance(item, RawDoc)


def _failed(doc: RawDoc, f: Failure) -> Rejected:
    if f.kind == "hung":
        return doc.reject("extract", "timeout", f.message)
    if f.kind == "raised":
        last = f.signature.split(": ", 1)[-1]
        return doc.reject("extract", "extractor_error", f"{f.message}: {last}"[:500])
    return doc.reject("extract", "extractor_error", f.message)
