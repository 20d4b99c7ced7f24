"""Web sources over whole nights: failures fetched again, junk counted, re-runs identical."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.config import build_config
from pipeline.fetch import MAX_URL_CHARS
from pipeline.requeue import requeue
from pipeline.run import run_ingest
from pipeline.sources.web import FAILED_STATUS
from tests.newsite import Site, junk_sitemap_lines, serve
from tests.test_web import FAST

DAY = date(2026, 11, 20)
NIGHT2 = DAY + timedelta(days=1)


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as s:
        yield s


def _cfg(tmp_path: Path, sources: list[dict[str, Any]]) -> Any:
    """Without the batch gate: these tests are about what is fetched and written, and the gate
    (Great Expectations, seconds to import) has tests of its own."""
    validate = {"min_words": 20, "batch_checks": False}
    return build_config({"lake": str(tmp_path / "lake"), "validate": validate, "sources": sources})


def _sql(tmp_path: Path, q: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(q).fetchall()
    finally:
        con.close()


def _slug(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_failed_fetches_are_fetched_again_next_night_and_by_requeue(
    site: Site, tmp_path: Path
) -> None:
    faults = ["reset", "cut", "stall", "mangled", "bulky"]
    urls = [f"{site.base}/news/{p}" for p in [*faults, "alpha"]]
    fetch = FAST | {"read_timeout_s": 0.5}  # /news/stall answers after 1.5 s
    cfg = _cfg(tmp_path, [{"name": "list", "type": "urls", "urls": urls, "fetch": fetch}])
    first = run_ingest(cfg, DAY)
    got = {_slug(r): why for r, why in _sql(tmp_path, "SELECT input_ref, reason FROM quarantine")}
    assert got == dict.fromkeys(faults[:4], "fetch_error") | {"bulky": "too_large"}
    assert (first.written, first.quarantined) == (1, 5)
    # The fetch state says which fetches failed: none of them counts as fetched.
    state = _sql(tmp_path, "SELECT url, status FROM fetch_state WHERE kind = 'article'")
    assert {_slug(u): s for u, s in state} == dict.fromkeys(faults, FAILED_STATUS) | {"alpha": 200}

    # The next night fetches them all again (and they fail again); alpha is unchanged.
    before = {p: site.requested(f"/news/{p}") for p in [*faults, "alpha"]}
    second = run_ingest(cfg, NIGHT2)
    assert {p: site.requested(f"/news/{p}") > before[p] for p in [*faults, "alpha"]} == (
        dict.fromkeys(faults, True) | {"alpha": False}
    )
    assert (second.written, second.quarantined, dict(second.by_skip)) == (0, 5, {"unchanged": 1})

    site.faulty = False  # the network and the publisher recovered: a requeue gets them
    again = requeue(cfg, NIGHT2, reasons=["fetch_error", "too_large"])
    assert again is not None and (again.written, again.quarantined) == (5, 0)
    night2 = _sql(tmp_path, f"SELECT url FROM articles WHERE ingest_date = DATE '{NIGHT2}'")
    assert sorted(_slug(u) for (u,) in night2) == sorted(faults)


def test_every_junk_line_and_link_is_an_input_with_a_reason(site: Site, tmp_path: Path) -> None:
    long_line = f"{site.base}/news/" + "z" * MAX_URL_CHARS
    junk = [
        "not a url",
        "www.example.com/news/no-scheme",
        "ftp://ledger.example/pub/file",
        "javascript:alert(1)",
        "http://[::1",
        "http://ledger.example:99999/",
        "http://exa mple.com/a",
        "http:///no-host",
        "\x00\x01\x02binary",
        "http://ledger.example/caf\ufffd",  # written below as bytes that are not UTF-8
        long_line,
    ]
    text = "\n".join(
        [
            f"\ufeff{site.base}/news/alpha",  # a byte-order mark before the first URL
            "",
            "# a comment is not an input",
            f"   {site.base}/news/bravo   ",
            *junk,
            f"{site.base}/news/alpha",  # listed twice: one input
        ]
    )
    urls = tmp_path / "urls.txt"
    urls.write_bytes(text.encode("utf-8").replace("\ufffd".encode(), b"\xe9"))
    web = {"fetch": FAST}
    cfg = _cfg(
        tmp_path,
        [
            {"name": "list", "type": "urls", "paths": [str(urls)], **web},
            {"name": "junkfeed", "type": "feed", "urls": [f"{site.base}/feed-junk.xml"], **web},
            {
                "name": "junkmap",
                "type": "sitemap",
                "urls": [f"{site.base}/sitemap-junk.txt"],
                "include_undated": True,
                **web,
            },
        ],
    )
    s = run_ingest(cfg, DAY)
    # Every entry listed is an input; the valid ones are written, the junk is quarantined.
    counts = {k: (c.inputs, c.written, c.quarantined, c.skipped) for k, c in s.by_source.items()}
    assert counts == {
        "list": (2 + len(junk), 2, len(junk), 0),
        "junkfeed": (5, 2, 3, 0),  # golf, hotel; mailto:, javascript:, ftp: (no-link entry: none)
        "junkmap": (5, 2, 3, 0),  # india, juliet; ftp:, "not a url", javascript:
    }
    assert s.reconciles() and dict(s.by_reason) == {"bad_url": len(junk) + 6}
    rows = _sql(tmp_path, "SELECT source, input_ref, reason, message FROM quarantine")
    refs = {(src, ref) for src, ref, _, _ in rows}
    cut = long_line[: MAX_URL_CHARS + 1]
    expected_list = {j for j in junk if j != long_line} | {cut}
    assert {ref for src, ref in refs if src == "list"} == expected_list
    assert {ref for src, ref in refs if src == "junkmap"} == set(junk_sitemap_lines(site)) - {
        f"{site.base}/news/india",
        f"{site.base}/news/juliet",
    }
    assert {ref for src, ref in refs if src == "junkfeed"} == {
        "mailto:desk@ledger.example",
        "javascript:void(0)",
        "ftp://ledger.example/pub/story.txt",
    }
    why = {ref: msg for _, ref, _, msg in rows}
    assert why[cut] == f"longer than {MAX_URL_CHARS} characters"
    assert why["ftp://ledger.example/pub/file"] == "scheme 'ftp' is not http(s)"
    assert why["http://ledger.example/caf\ufffd"] == "bytes that are not UTF-8"
    written = {(src, _slug(u)) for src, u in _sql(tmp_path, "SELECT source, url FROM articles")}
    assert written == {
        ("list", "alpha"),
        ("list", "bravo"),
        ("junkfeed", "golf"),
        ("junkfeed", "hotel"),
        ("junkmap", "india"),
        ("junkmap", "juliet"),
    }
    assert not any(p.startswith("/news/zzz") for p in site.paths()), "junk is never requested"


def test_a_rerun_of_a_night_writes_the_same_rows(site: Site, tmp_path: Path) -> None:
    """Two web sources listing the same pages, the night run twice: each run fetches the same
    and writes the same articles, duplicates and quarantine rows."""
    site.feed_items = ["/news/alpha", "/news/bravo", "/news/lima", "/news/gone"]
    cfg = _cfg(
        tmp_path,
        [
            {
                "name": "list",
                "type": "urls",
                "urls": [f"{site.base}/news/{p}" for p in ("alpha", "bravo", "kilo", "gone")],
                "fetch": FAST,
            },
            {"name": "ledger", "type": "feed", "urls": [f"{site.base}/feed.xml"], "fetch": FAST},
        ],
    )

    def night() -> tuple[Any, ...]:
        s = run_ingest(cfg, DAY)
        return (
            _sql(tmp_path, "SELECT article_id, source, url FROM articles ORDER BY 1, 2"),
            _sql(tmp_path, "SELECT article_id, source, duplicate_of FROM duplicates ORDER BY 1, 2"),
            _sql(tmp_path, "SELECT source, input_ref, reason FROM quarantine ORDER BY 1, 2"),
            {k: vars(c) for k, c in sorted(s.by_source.items())},
            dict(s.by_skip),
        )

    first = night()
    night1 = Counter(p for p in site.paths() if p.startswith("/news/"))
    before = len(site.log)
    again = night()
    night2 = Counter(p for p in site.paths()[before:] if p.startswith("/news/"))
    assert {_slug(u) for _, _, u in first[0]} == {"alpha", "bravo", "kilo", "lima"}
    assert len(first[1]) == 2 and len(first[2]) == 2  # alpha, bravo twice; gone twice (404)
    assert again == first
    assert night2 == night1, "the re-run asks for every page the first run asked for"
    assert night1["/news/alpha"] == 2 and night1["/news/lima"] == 1
