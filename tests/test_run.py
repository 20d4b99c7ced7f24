from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline.config import Config, ExtractConfig, ValidateConfig, build_config
from pipeline.document import (
    IN_FLIGHT_PER_WORKER,
    DocWork,
    Outcome,
    Result,
    outcomes,
    process_doc,
)
from pipeline.normalize import NormalizeContext
from pipeline.pool import WorkerPool
from pipeline.publish import publish_run
from pipeline.records import RawDoc, Rejected
from pipeline.run import process_shard
from pipeline.shards import RunInfo, Shard, plan_shards
from tests.conftest import article_html

CTX = NormalizeContext("r", datetime(2026, 1, 1, tzinfo=UTC), "1.0.0")


def _docs(n: int, pulled: list[int]) -> Iterator[RawDoc]:
    for i in range(n):
        pulled.append(i)
        yield RawDoc("s", f"d{i}", "text", text=f"Title {i}\n\n" + "word " * 60)


def _outcomes(
    docs: Iterator[RawDoc], workers: int, work: DocWork, job: object = None
) -> Iterator[Outcome]:
    pool = WorkerPool(workers) if workers > 0 else None
    try:
        for outcome, _ in outcomes(docs, work, pool, job):  # type: ignore[arg-type]
            yield outcome
    finally:
        if pool is not None:
            pool.close()


@pytest.mark.parametrize("workers", [0, 2])
def test_parallel_map_keeps_order_and_reads_only_a_bounded_window_ahead(workers: int) -> None:
    pulled: list[int] = []
    consumed = 0
    work = DocWork(ExtractConfig(), ValidateConfig(min_words=10), CTX)
    for outcome in _outcomes(_docs(200, pulled), workers, work):
        assert outcome.input_ref == f"d{consumed}"
        consumed += 1
        # Memory stays bounded: the reader is never more than a small window ahead.
        assert len(pulled) - consumed <= max(1, workers) * IN_FLIGHT_PER_WORKER
    assert consumed == 200


def crash_on_d5(doc: RawDoc, work: DocWork) -> Result:
    """Stands in for a page that segfaults the parser: the worker process dies."""
    if doc.input_ref == "d5":
        os._exit(3)
    return process_doc(doc, work)


def hang_on_d3(doc: RawDoc, work: DocWork) -> Result:
    """Stands in for a parser stuck in C code: SIGALRM blocked, so the soft timer cannot fire."""
    if doc.input_ref == "d3":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(120)
    return process_doc(doc, work)


def test_a_document_that_hangs_its_worker_is_killed_and_quarantined() -> None:
    pulled: list[int] = []
    work = DocWork(ExtractConfig(timeout_s=0.5), ValidateConfig(min_words=10), CTX)
    t = time.monotonic()
    out = list(_outcomes(_docs(12, pulled), 2, work, hang_on_d3))
    # Killed at the hard limit (2 x 0.5 s + 5 s, as the README says), not before it and not
    # waited out (120 s). The upper bound stays loose on purpose: worker start-ups on a loaded
    # machine take seconds; the lower bound cannot flake.
    elapsed = time.monotonic() - t
    assert work.hard_limit_s == 2 * 0.5 + 5
    assert work.hard_limit_s <= elapsed < 60
    assert [o.input_ref for o in out] == [f"d{i}" for i in range(12)]
    stuck = [o for o in out if isinstance(o, Rejected)]
    assert [(o.input_ref, o.reason) for o in stuck] == [("d3", "timeout")]
    assert "hung on this document for over 6s; killed" in stuck[0].message


def test_a_document_that_kills_its_worker_is_quarantined_and_the_run_goes_on() -> None:
    pulled: list[int] = []
    work = DocWork(ExtractConfig(), ValidateConfig(min_words=10), CTX)
    out = list(_outcomes(_docs(30, pulled), 2, work, crash_on_d5))
    assert [o.input_ref for o in out] == [f"d{i}" for i in range(30)]
    dead = [o for o in out if isinstance(o, Rejected)]
    assert [(o.input_ref, o.reason) for o in dead] == [("d5", "extractor_error")]
    assert "worker process died" in dead[0].message


def test_plan_shards_packs_small_sources_together_and_cuts_by_size_and_count(
    tmp_path: Path,
) -> None:
    for name, n in (("a", 3), ("b", 2)):
        (tmp_path / name).mkdir()
        for i in range(n):
            (tmp_path / name / f"p{i}.html").write_text(article_html())
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "big.jsonl").write_text('{"text": "x"}\n' * 150_000)  # 2.1 MB
    (tmp_path / "dumps" / "small.jsonl").write_text("{}\n")
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "sources": [
                {"name": "a", "type": "html", "paths": [str(tmp_path / "a")]},
                {"name": "b", "type": "html", "paths": [str(tmp_path / "b")]},
                {"name": "dumps", "type": "jsonl", "paths": [str(tmp_path / "dumps")]},
            ],
        }
    )

    def layout(shards: list[Shard]) -> list[list[tuple[str, int]]]:
        assert [s.index for s in shards] == list(range(len(shards)))
        return [[(p.source, len(p.paths)) for p in s.parts] for s in shards]

    # Small inputs share a shard across sources; a file past the budget starts a new one.
    assert layout(plan_shards(cfg, None, shard_mb=1)) == [
        [("a", 3), ("b", 2)],
        [("dumps", 1)],
        [("dumps", 1)],
    ]
    assert layout(plan_shards(cfg, None, files_per_shard=2)) == [
        [("a", 2)],
        [("a", 1), ("b", 1)],
        [("b", 1), ("dumps", 1)],
        [("dumps", 1)],
    ]
    one = plan_shards(cfg, None)
    assert layout(one) == [[("a", 3), ("b", 2), ("dumps", 2)]]
    assert Shard.from_dict(one[0].as_dict()) == one[0]
    # Input order: sources as configured, files sorted.
    assert [Path(p).name for p in one[0].parts[2].paths] == ["big.jsonl", "small.jsonl"]


def test_the_example_night_is_one_shard() -> None:
    """A small night pays one task start-up under a scheduler, not one per source and file."""
    from pipeline.config import load_config
    from tests.conftest import EXAMPLES

    cfg = load_config(EXAMPLES / "sources.yaml")
    [shard] = plan_shards(cfg)
    assert shard.sources == [s.name for s in cfg.sources]


def _html_source(tmp_path: Path, pages: list[tuple[str, str, list[str]]], min_words: int) -> Config:
    """A lake config over one html source made of (title, url, paragraphs) pages."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i, (title, url, paras) in enumerate(pages):
        (inputs / f"p{i}.html").write_text(article_html(title=title, url=url, paragraphs=paras))
    return build_config(
        {
            "lake": str(tmp_path / "lake"),
            "sources": [{"name": "h", "type": "html", "paths": [str(inputs)]}],
            "validate": {"min_words": min_words},
        }
    )


def test_shards_run_separately_give_the_same_lake_as_one_process(tmp_path: Path) -> None:
    """What the mapped Airflow tasks do: shards in any order, then one publish."""
    paras = [
        "A long enough paragraph about the harbour board and its plans for the winter "
        "season, which residents discussed at length on Tuesday evening."
    ] * 3
    pages = [(f"T{i % 3}", f"https://h.example/{i % 3}", paras) for i in range(6)]
    cfg = _html_source(tmp_path, pages, min_words=10)
    run = RunInfo.new(date(2026, 11, 20))
    shards = plan_shards(cfg, None, files_per_shard=2)
    results = [process_shard(cfg, s, run) for s in reversed(shards)]  # order must not matter
    summary = publish_run(cfg, run, results, ["h"])
    # Same text everywhere: one article, five duplicates, whichever shard finished first.
    assert (summary.inputs, summary.written, summary.duplicates) == (6, 1, 5)
    import duckdb

    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    [(ref,)] = con.execute("SELECT input_ref FROM articles").fetchall()
    assert ref.endswith("p0.html")
    pointers = con.execute("SELECT DISTINCT duplicate_of FROM duplicates").fetchall()
    kept = con.execute("SELECT article_id FROM articles").fetchall()
    assert pointers == kept
    # Three shards' chunks are compacted into one file per partition.
    dup_files = list((tmp_path / "lake/duplicates").glob("ingest_date=*/source=h/*.parquet"))
    assert len(dup_files) == 1


def test_same_url_in_two_shards_is_written_once(tmp_path: Path) -> None:
    """The same page captured twice (an update), landing in different shards."""
    pages = [
        (
            "Same page",
            "https://h.example/story",
            [f"This is the {w} of the story, long enough."] * 2,
        )
        for w in ("first version", "updated version")
    ]
    cfg = _html_source(tmp_path, pages, min_words=5)
    run = RunInfo.new(date(2026, 11, 20))
    shards = plan_shards(cfg, None, files_per_shard=1)
    assert len(shards) == 2
    summary = publish_run(cfg, run, [process_shard(cfg, s, run) for s in shards], ["h"])
    assert (summary.written, summary.duplicates) == (1, 1)
    import duckdb

    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    rows = con.execute("SELECT input_ref FROM articles").fetchall()
    assert [r[0].rsplit("/", 1)[1] for r in rows] == ["p0.html"]
    dup = con.execute("SELECT input_ref, match, duplicate_of FROM duplicates").fetchall()
    assert [(d[0].rsplit("/", 1)[1], d[1]) for d in dup] == [("p1.html", "canonical_url")]


def test_publish_refuses_a_partial_night_and_can_be_retried(tmp_path: Path) -> None:
    """A publish that finds less staged than the shards reported must not replace anything."""
    from pipeline.lake import LakeError

    pages = [
        (
            f"S{i}",
            f"https://h.example/{i}",
            [f"Story {i} is long enough to be kept, with words."] * 3,
        )
        for i in range(3)
    ]
    cfg = _html_source(tmp_path, pages, min_words=5)
    run = RunInfo.new(date(2026, 11, 20))
    shards = plan_shards(cfg, None, files_per_shard=1)
    results = [process_shard(cfg, s, run) for s in shards]
    lost = tmp_path / "lake" / "_staging" / run.run_id / "shards" / "000001"
    moved_away = tmp_path / "shard1"
    lost.rename(moved_away)
    with pytest.raises(LakeError, match="incomplete"):
        publish_run(cfg, run, results, ["h"])
    assert not (tmp_path / "lake" / "articles").exists()
    # The staging is still there for a retry (as Airflow retries the publish task).
    moved_away.rename(lost)
    summary = publish_run(cfg, run, results, ["h"])
    assert summary.written == 3


def test_publish_refuses_counts_that_do_not_add_up(tmp_path: Path) -> None:
    """An input that is in no table and not counted as skipped is a bug: nothing is published."""
    from pipeline.lake import LakeError

    pages = [
        (f"S{i}", f"https://h.example/{i}", [f"Story {i} has words enough."] * 3) for i in range(2)
    ]
    cfg = _html_source(tmp_path, pages, min_words=5)
    run = RunInfo.new(date(2026, 11, 20))
    results = [process_shard(cfg, s, run) for s in plan_shards(cfg)]
    results[0].counts("h").inputs += 1  # read, but accounted for nowhere
    with pytest.raises(LakeError, match="counts do not reconcile"):
        publish_run(cfg, run, results, ["h"])
    assert not (tmp_path / "lake" / "articles").exists()
    results[0].counts("h").inputs -= 1
    assert publish_run(cfg, run, results, ["h"]).written == 2


def test_remote_warcs_are_shards_of_their_own(tmp_path: Path) -> None:
    """A listed CC-NEWS WARC (about 1 GB, size unknown before reading) is never packed."""
    listing = tmp_path / "warc.paths"
    listing.write_text("crawl/a.warc.gz\ncrawl/b.warc.gz\ncrawl/c.warc.gz\n")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p.html").write_text(article_html())
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "sources": [
                {"name": "p", "type": "html", "paths": [str(tmp_path / "pages")]},
                {
                    "name": "cc",
                    "type": "warc",
                    "paths": [str(listing)],
                    "base": "https://cc.example/",
                },
            ],
        }
    )
    layout = [[(p.source, list(p.paths)) for p in s.parts] for s in plan_shards(cfg)]
    assert layout[1:] == [
        [("cc", [f"https://cc.example/crawl/{n}.warc.gz"])] for n in ("a", "b", "c")
    ]
    assert [src for src, _ in layout[0]] == ["p"]
