"""Skipping inputs the lake or the shard already holds, before extraction (pipeline.skip)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline import document
from pipeline.config import Config, build_config
from pipeline.lake import Lake
from pipeline.records import RawDoc
from pipeline.run import run_ingest
from pipeline.skip import KnownInputs, PriorIndex
from tests.warcgen import Page, Writer, news_page

NIGHT1, NIGHT2 = date(2026, 11, 20), date(2026, 11, 21)


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The URLs the extractor is called on; seen only where the chain runs in the test's
    process (`_cfg(..., in_process=True)`), not in a worker's."""
    calls: Counter[str] = Counter()
    real = document.extract

    def counting(doc: RawDoc, cfg: Any) -> Any:
        calls[doc.hints.url or doc.input_ref] += 1
        return real(doc, cfg)

    monkeypatch.setattr(document, "extract", counting)
    return calls


def _warc(path: Path, pages: list[Page]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    w = Writer(path)
    w.warcinfo()
    for p in pages:
        w.response(p)
    w.close()
    return path


def _cfg(tmp_path: Path, warc: Path, *, in_process: bool = False, **extract: Any) -> Config:
    """`in_process`: workers 0, for the tests that count the extractor's calls here."""
    return build_config(
        {
            "lake": str(tmp_path / "lake"),
            **({"workers": 0} if in_process else {}),
            "validate": {"batch_checks": False},
            "extract": extract,
            "sources": [{"name": "cc", "type": "warc", "paths": [str(warc)]}],
        }
    )


def _sql(tmp_path: Path, query: str) -> list[tuple[Any, ...]]:
    con = Lake(tmp_path / "lake").connect()
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_a_recrawl_night_does_not_extract_what_the_first_night_published(
    tmp_path: Path, extracted: Counter[str]
) -> None:
    night1 = _warc(tmp_path / "n1" / "a.warc.gz", [news_page(i) for i in range(1, 7)])
    s1 = run_ingest(_cfg(tmp_path, night1, in_process=True), NIGHT1)
    assert (s1.written, s1.duplicates) == (6, 0)
    assert sum(extracted.values()) == 6
    ids1 = dict(_sql(tmp_path, "SELECT url, article_id FROM articles"))

    # Night 2 re-crawls stories 3..6 (one of them changed since) and finds 7 and 8 new.
    changed = news_page(4)
    changed = Page(changed.url, changed.body.replace(b"begins", b"now begins"))
    pages = [news_page(3), changed, news_page(5), news_page(6), news_page(7), news_page(8)]
    night2 = _warc(tmp_path / "n2" / "a.warc.gz", pages)
    extracted.clear()
    s2 = run_ingest(_cfg(tmp_path, night2, in_process=True), NIGHT2)

    assert s2.reconciles()
    assert (s2.inputs, s2.written, s2.duplicates, s2.quarantined, s2.skipped) == (7, 2, 4, 0, 1)
    assert set(extracted) == {news_page(7).url, news_page(8).url}  # only the new pages
    dups = _sql(
        tmp_path,
        "SELECT url, article_id, duplicate_of, match, previous_run, content_sha256 "
        "FROM duplicates WHERE ingest_date = DATE '2026-11-21' ORDER BY url",
    )
    assert [d[0] for d in dups] == [news_page(i).url for i in (3, 4, 5, 6)]
    shas = dict(_sql(tmp_path, "SELECT url, content_sha256 FROM articles"))
    for url, aid, dup_of, match, previous, sha in dups:
        assert dup_of == aid == ids1[url]
        assert (match, previous, sha) == ("canonical_url", True, shas[url])
    assert _sql(tmp_path, "SELECT count(*) FROM articles")[0][0] == 8


def test_force_extract_extracts_everything_with_the_same_outcome(
    tmp_path: Path, extracted: Counter[str]
) -> None:
    pages = [news_page(i) for i in range(1, 5)]
    run_ingest(_cfg(tmp_path, _warc(tmp_path / "n1" / "a.warc.gz", pages)), NIGHT1)
    extracted.clear()
    night2 = _warc(tmp_path / "n2" / "a.warc.gz", pages)
    s = run_ingest(_cfg(tmp_path, night2, in_process=True, skip_known=False), NIGHT2)
    assert sum(extracted.values()) == 4
    assert (s.written, s.duplicates) == (0, 4)
    rows = _sql(tmp_path, "SELECT DISTINCT match, previous_run FROM duplicates")
    assert rows == [("canonical_url", True)]


def test_repeats_within_a_night_are_settled_by_what_the_first_one_became(
    tmp_path: Path, extracted: Counter[str]
) -> None:
    one, two = news_page(1), news_page(2)
    stub = Page("https://harbor.example/news/tiny", b"<html><body><p>Too short.</p></body></html>")
    pages = [
        one,
        stub,
        Page("https://mirror.example/copy-of-1", one.body),  # same bytes, another URL
        Page(one.url + "?utm_source=feed", two.body),  # same canonical URL, other bytes
        stub,  # the first one was quarantined: extracted again, quarantined again
        two,
    ]
    warc = _warc(tmp_path / "w" / "a.warc.gz", pages)
    s = run_ingest(_cfg(tmp_path, warc, in_process=True), NIGHT1)
    assert s.reconciles()
    assert (s.written, s.duplicates, s.quarantined) == (2, 2, 2)
    assert extracted == {one.url: 1, stub.url: 2, two.url: 1}
    rows = _sql(tmp_path, "SELECT url, duplicate_of, match FROM duplicates ORDER BY url")
    first = _sql(tmp_path, f"SELECT article_id FROM articles WHERE url = '{one.url}'")[0][0]
    assert rows == [
        ("https://harbor.example/news/story-1?utm_source=feed", first, "canonical_url"),
        ("https://mirror.example/copy-of-1", first, "content_sha256"),
    ]


def test_the_prior_index_finds_ids_exactly_and_only_earlier_nights(tmp_path: Path) -> None:
    ids = [f"{i:030x}00" for i in (5, 1, 9)]  # NUL bytes at the end are data too
    shas = [f"{i:062x}00" for i in (50, 10, 90)]
    idx = PriorIndex(ids, shas)
    assert [idx.get(a) for a in ids] == shas
    assert idx.get(f"{2:032x}") is None and idx.get(f"{5:032x}") is None
    assert PriorIndex([], []).get(ids[0]) is None

    night = _warc(tmp_path / "n1" / "a.warc.gz", [news_page(1)])
    run_ingest(_cfg(tmp_path, night), NIGHT1)
    lake = Lake(tmp_path / "lake")
    assert len(PriorIndex.of_lake(lake, NIGHT2, 7)) == 1
    assert len(PriorIndex.of_lake(lake, NIGHT1, 7)) == 0  # the night itself never counts
    assert len(PriorIndex.of_lake(lake, date(2026, 12, 20), 7)) == 0  # outside the window
    k = KnownInputs(PriorIndex.of_lake(lake, NIGHT2, 7))
    doc = RawDoc("cc", "x@1", "warc", html=b"<html></html>", hints=news_hints(1))
    assert not isinstance(k.check(doc), RawDoc)


def news_hints(n: int) -> Any:
    from pipeline.records import Hints

    return Hints(url=news_page(n).url + "#section")


def test_known_inputs_pass_the_worker_pool_in_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    one = news_page(1)
    first = [one, news_page(2)]
    run_ingest(_cfg(tmp_path, _warc(tmp_path / "n1" / "a.warc.gz", first)), NIGHT1)
    again = [news_page(3), one, Page("https://mirror.example/x", news_page(3).body), news_page(4)]
    cfg = _cfg(tmp_path, _warc(tmp_path / "n2" / "a.warc.gz", again))
    with caplog.at_level(logging.INFO, logger="pipeline.run"):
        s = run_ingest(cfg.model_copy(update={"workers": 2}), NIGHT2)
    assert s.reconciles()
    shards = [r for r in caplog.records if r.getMessage() == "shard processed"]
    assert sum(getattr(r, "known_not_extracted", 0) for r in shards) == 2
    assert (s.written, s.duplicates) == (2, 2)
    rows = _sql(
        tmp_path,
        "SELECT url, match, previous_run FROM duplicates WHERE ingest_date = DATE '2026-11-21' "
        "ORDER BY url",
    )
    assert rows == [
        (one.url, "canonical_url", True),
        ("https://mirror.example/x", "content_sha256", False),
    ]
