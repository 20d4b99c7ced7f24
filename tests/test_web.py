"""Web sources against a real HTTP server on 127.0.0.1: feeds, sitemaps, faults, politeness."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.config import build_config
from pipeline.fetch import FetchError, check_url
from pipeline.run import run_ingest
from pipeline.shards import plan_shards
from pipeline.sources import warc
from pipeline.sources.feeds import FeedError, parse_feed
from tests.newsite import Site, serve

DAY = date(2026, 11, 20)
FAST = {
    "allow_private": True,
    "min_delay_s": 0,
    "retries": 1,
    "backoff_s": 0.05,
    "connect_timeout_s": 1,
    "read_timeout_s": 1,
    "total_timeout_s": 1.5,
    "max_bytes": 1_000_000,
    "per_host_concurrency": 8,
    "concurrency": 8,
}


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as s:
        yield s


def _cfg(tmp_path: Path, sources: list[dict[str, Any]]) -> Any:
    return build_config(
        {"lake": str(tmp_path / "lake"), "validate": {"min_words": 20}, "sources": sources}
    )


def _feed(site: Site, **fetch: Any) -> dict[str, Any]:
    return {
        "name": "ledger",
        "type": "feed",
        "urls": [f"{site.base}/feed.xml"],
        "fetch": {**FAST, **fetch},
    }


def _sql(tmp_path: Path, q: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(q).fetchall()
    finally:
        con.close()


def test_feed_night_lands_articles_and_quarantines_every_fault(site: Site, tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, [_feed(site)])
    t = time.monotonic()
    s = run_ingest(cfg, DAY)
    elapsed = time.monotonic() - t
    assert s.reconciles()
    written = {
        r[0].rsplit("/", 1)[-1].split("?")[0] for r in _sql(tmp_path, "SELECT url FROM articles")
    }
    assert written == {"alpha", "bravo", "flaky", "limited", "reserved-1", "noai"}
    got = {
        ref.rsplit("/", 1)[-1]: (reason, msg)
        for ref, reason, msg in _sql(tmp_path, "SELECT input_ref, reason, message FROM quarantine")
    }
    assert got["drip"][0] == "fetch_error" and "TotalTimeout" in got["drip"][1]
    assert got["hang"][0] == "fetch_error" and "Timeout" in got["hang"][1]
    assert got["loop-a"][0] == "fetch_error" and "loop" in got["loop-a"][1]
    assert got["away"][0] == "blocked_url"  # a redirect to another loopback port
    assert got["huge"][0] == "too_large" and "Content-Length" in got["huge"][1]
    assert got["bomb"][0] == "too_large" and "decompression" in got["bomb"][1]
    assert got["gone"] == ("http_error", "HTTP 404")
    assert len(got) == 7
    assert dict(s.by_skip) == {"robots_disallowed": 1, "not_html": 1}
    assert (s.inputs, s.written, s.quarantined, s.skipped) == (15, 6, 7, 2)
    # Politeness and safety, from the server's own log.
    assert site.requested("/private/secret") == 0, "robots.txt disallows it"
    assert site.requested("/robots.txt") == 1, "robots.txt is cached per host"
    assert site.requested("/news/flaky") == 2 and site.requested("/news/limited") == 2
    assert site.requested("/news/bravo") == 1, "tracking parameters do not make a new URL"
    assert all("BroadsheetBot" in h.get("User-Agent", "") for _, _, h in site.log)
    assert elapsed < 30
    # Reuse signals are per-record fields.
    rows = dict(
        (u.rsplit("/", 1)[-1].split("?")[0], (tdm, ai, noai))
        for u, tdm, ai, noai in _sql(
            tmp_path, "SELECT url, tdm_reserved, robots_ai_disallowed, noai FROM articles"
        )
    )
    assert rows["reserved-1"] == (True, True, False)
    assert rows["noai"] == (False, True, True)
    assert rows["alpha"] == (False, True, False)
    # Hints from the feed fill what the page lacks; fetched_at is the fetch time.
    [(fetched, inp)] = _sql(
        tmp_path,
        "SELECT fetched_at IS NOT NULL, input_format FROM articles WHERE url LIKE '%alpha'",
    )
    assert fetched and inp == "web"


def test_second_night_fetches_nothing_unchanged(site: Site, tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, [_feed(site)])
    run_ingest(cfg, DAY)
    before = len(site.log)
    s2 = run_ingest(cfg, date(2026, 11, 21))
    night2 = site.log[before:]
    # robots.txt is read again each night (rules change); the feed with a conditional GET.
    assert [p for _, p, _ in night2] == ["/robots.txt", "/feed.xml"]
    assert night2[1][2].get("If-None-Match") == site.etag  # answered 304 Not Modified
    assert (s2.inputs, s2.written) == (0, 0)
    # New items appear: only they are fetched; the old ones are `unchanged`.
    site.etag = '"feed-v2"'
    site.feed_items = ["/news/alpha", "/news/echo", "/news/bravo?utm_campaign=x"]
    before = len(site.log)
    s3 = run_ingest(cfg, date(2026, 11, 22))
    fetched = [p for _, p, _ in site.log[before:] if p.startswith("/news/")]
    assert fetched == ["/news/echo"]
    assert (s3.written, dict(s3.by_skip)) == (1, {"unchanged": 2})


def test_sitemaps_from_a_home_page_with_lookback_and_raw_round_trip(
    site: Site, tmp_path: Path
) -> None:
    src = {"name": "maps", "type": "sitemap", "urls": [f"{site.base}/"], "fetch": FAST}
    cfg = _cfg(tmp_path, [src])
    s = run_ingest(cfg, DAY)
    titles = dict(_sql(tmp_path, "SELECT regexp_extract(url, '[^/]+$'), title FROM articles"))
    assert set(titles) == {"charlie", "delta"}  # archive-old is outside the look-back window
    assert site.requested("/news/archive-old") == 0
    assert site.requested("/sitemap_index.xml") == 1, "the index that lists itself is read once"
    assert s.written == 2
    # Every response was archived raw; the WARC reader reads it back (round trip).
    [raw] = (tmp_path / "lake" / "raw" / "ingest_date=2026-11-20" / "source=maps").glob("*.warc.gz")
    wsrc = build_config(
        {"sources": [{"name": "maps", "type": "warc", "paths": [str(raw)]}]}
    ).sources[0]
    items = list(warc.read(str(raw), wsrc, 10**7))  # type: ignore[arg-type]
    docs = [i.hints.url for i in items if type(i).__name__ == "RawDoc"]
    assert sorted(u.rsplit("/", 1)[-1] for u in docs) == ["charlie", "delta"]
    skipped = sorted(getattr(i, "reason", "") for i in items if type(i).__name__ == "Skipped")
    assert skipped.count("not_html") >= 3  # robots.txt, tdmrep.json, sitemaps


def test_reextract_rebuilds_a_night_without_the_network(site: Site, tmp_path: Path) -> None:
    from pipeline.reextract import reextract

    cfg = _cfg(tmp_path, [_feed(site)])
    first = run_ingest(cfg, DAY)
    before = _sql(tmp_path, "SELECT article_id, title, tdm_reserved FROM articles ORDER BY 1")
    n_requests = len(site.log)
    again = reextract(cfg, DAY)
    assert len(site.log) == n_requests, "reextract never touches the network"
    assert (
        _sql(tmp_path, "SELECT article_id, title, tdm_reserved FROM articles ORDER BY 1") == before
    )
    assert (again.written, again.quarantined, again.skipped) == (
        first.written,
        first.quarantined,
        first.skipped,
    )
    # The fetch state survived: the next night is still incremental.
    assert _sql(tmp_path, "SELECT count(*) FROM fetch_state WHERE kind = 'article'")[0][0] >= 6


def test_time_budget_bounds_the_shard(site: Site, tmp_path: Path) -> None:
    site.feed_items = ["/news/hang", "/news/drip"] + [f"/news/s{i}" for i in range(12)]
    cfg = _cfg(
        tmp_path,
        [_feed(site, time_budget_s=1.0, concurrency=2, per_host_concurrency=2, min_delay_s=0.1)],
    )
    t = time.monotonic()
    s = run_ingest(cfg, DAY)
    assert time.monotonic() - t < 15
    assert s.reconciles() and s.by_skip["time_budget"] >= 5
    assert s.inputs == 14


def test_unsafe_feed_xml_is_refused(site: Site, tmp_path: Path) -> None:
    src = {"name": "bad", "type": "feed", "urls": [f"{site.base}/feed-entities.xml"], "fetch": FAST}
    s = run_ingest(_cfg(tmp_path, [src]), DAY)
    [(reason, msg)] = _sql(tmp_path, "SELECT reason, message FROM quarantine")
    assert reason == "bad_record" and "EntitiesForbidden" in msg
    assert s.written == 0 and site.requested("/news/alpha") == 0
    with pytest.raises(FeedError):
        parse_feed(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss>&e;</rss>', "")


def test_private_addresses_are_refused_unless_the_source_allows_them(
    site: Site, tmp_path: Path
) -> None:
    for url in (
        "http://127.0.0.1/x",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://192.168.0.1/",
        "http://localhost/",
    ):
        with pytest.raises(FetchError) as err:
            check_url(url, allow_private=False)
        assert err.value.reason == "blocked_url", url
    for url in ("file:///etc/passwd", "ftp://example.com/", "gopher://x/"):
        with pytest.raises(FetchError):
            check_url(url, allow_private=True)
    fetch = dict(FAST, allow_private=False)
    s = run_ingest(_cfg(tmp_path, [_feed(site, **fetch)]), DAY)
    assert dict(s.by_reason) == {"blocked_url": 1} and site.log == []


def test_each_feed_host_is_one_unit_of_work_and_url_lists_are_batched_by_host(
    tmp_path: Path,
) -> None:
    urls = tmp_path / "urls.txt"
    hosts = ["n.example"] * 3 + ["m.example", "a.example"]  # a.example: the first feed's host
    urls.write_text("\n".join(f"https://{h}/a/{i}" for i, h in enumerate(hosts)) + "\n# comment\n")
    cfg = _cfg(
        tmp_path,
        [
            {
                "name": "feeds",
                "type": "feed",
                "urls": ["https://a.example/rss", "https://b.example/atom"],
            },
            {"name": "list", "type": "urls", "paths": [str(urls)]},
        ],
    )
    shards = plan_shards(cfg, files_per_shard=2)
    # A host's seeds are never split (n.example's 3 URLs), and join its feed's shard.
    assert [[(p.source, len(p.paths)) for p in s.parts] for s in shards] == [
        [("feeds", 1), ("list", 1)], [("feeds", 1)], [("list", 3)], [("list", 1)]
    ]  # fmt: skip


def test_requeue_refetches_failed_urls_and_cli_reextract(site: Site, tmp_path: Path) -> None:
    import yaml

    from pipeline.cli import main

    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "lake": str(tmp_path / "lake"),
                "validate": {"min_words": 20},
                "sources": [_feed(site)],
            }
        )
    )
    args = ["--config", str(sources), "--date", "2026-11-20"]
    assert main(["ingest", *args, "--no-progress"]) == 0
    site.gone = False  # the publisher fixed the page
    before = len(site.log)
    assert main(["requeue", *args, "--reason", "http_error"]) == 0
    news = [p for _, p, _ in site.log[before:] if p.startswith("/news/")]
    assert news == ["/news/gone"], "a requeue fetches only the requeued URLs"
    assert _sql(tmp_path, "SELECT count(*) FROM articles WHERE url LIKE '%/gone'") == [(1,)]
    assert _sql(tmp_path, "SELECT count(*) FROM quarantine WHERE reason = 'http_error'") == [(0,)]
    before = len(site.log)
    assert main(["reextract", *args]) == 0
    assert len(site.log) == before
    assert _sql(tmp_path, "SELECT count(*) FROM articles") == [(7,)]
    assert main(["reextract", "--config", str(sources), "--date", "2020-01-01"]) == 1


def test_fetch_state_older_than_the_window_is_forgotten(site: Site, tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, [_feed(site, state_window_days=30)])
    run_ingest(cfg, DAY)
    site.etag = '"feed-v9"'
    site.feed_items = ["/news/alpha"]
    before = len(site.log)
    soon = run_ingest(cfg, date(2026, 12, 1))
    assert dict(soon.by_skip) == {"unchanged": 1}
    later = run_ingest(cfg, date(2027, 1, 15))  # 56 days on: alpha is outside the window
    assert later.written == 0 and later.duplicates == 1  # fetched again, found as a duplicate
    assert [p for _, p, _ in site.log[before:] if p.startswith("/news/")] == ["/news/alpha"]
