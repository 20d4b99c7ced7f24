"""End to end: the CLI on examples/, asserting on the Parquet and the DuckDB catalog."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from pipeline.cli import main
from tests.conftest import EXAMPLE_DATE, EXAMPLES

DATE = EXAMPLE_DATE


@pytest.fixture(scope="module")
def lake(example_lake: Path) -> Path:
    """The CLI's ingest of the example night (--workers 2), shared with the report tests."""
    return example_lake


def _sql(lake: Path, q: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return con.sql(q).fetchall()
    finally:
        con.close()


def test_accounting_matches_the_corpus_manifest(lake: Path) -> None:
    [(inputs, written, dups, quarantined, skipped)] = _sql(
        lake, "SELECT inputs, written, duplicates, quarantined, skipped FROM runs"
    )
    assert (inputs, written, dups, quarantined, skipped) == (55, 34, 4, 10, 7)
    assert _sql(lake, "SELECT count(*) FROM articles") == [(34,)]
    assert _sql(lake, "SELECT count(*) FROM duplicates") == [(4,)]
    assert _sql(lake, "SELECT count(*) FROM quarantine") == [(10,)]
    per_source = _sql(
        lake,
        "SELECT s.source, s.inputs = s.written + s.duplicates + s.quarantined + s.skipped "
        "FROM (SELECT unnest(by_source) AS s FROM runs) ORDER BY 1",
    )
    assert all(ok for _, ok in per_source) and len(per_source) == 9


def test_quarantine_reasons(lake: Path) -> None:
    rows = _sql(
        lake,
        "SELECT regexp_extract(input_ref, '[^/]+$'), stage, reason FROM quarantine ORDER BY 1",
    )
    got = {ref: (stage, reason) for ref, stage, reason in rows}
    assert got["binary.html"][1] in ("no_content", "too_short")
    assert got["empty.html"][1] == "no_content"
    assert got["truncated.html.gz"] == ("read", "unreadable")
    assert got["nav-only.html"][1] in ("no_content", "too_short")
    assert got["blank.txt"][1] == "no_content"
    assert got["wire.jsonl:3"] == ("read", "bad_json")
    assert got["wire.jsonl:7"] == ("read", "bad_json")
    assert got["wire.jsonl:9"] == ("read", "missing_field")
    # Crawled before its publication time: a record rule, not a crash.
    assert got["wire-2.jsonl.gz:2"] == ("validate", "bad_date")
    # The crawler died writing the last WARC record: that record alone is quarantined.
    [warc_ref] = [r for r in got if r.startswith("crawl-2026-11-24.warc.gz@")]
    assert got[warc_ref] == ("read", "truncated")
    assert all(m for (m,) in _sql(lake, "SELECT message FROM quarantine")), (
        "every quarantined input says why"
    )


def test_duplicates_point_at_written_records(lake: Path) -> None:
    rows = _sql(
        lake,
        "SELECT regexp_extract(d.input_ref, '[^/]+$'), d.match, "
        "regexp_extract(a.input_ref, '[^/]+$') FROM duplicates d "
        "JOIN articles a ON a.article_id = d.duplicate_of ORDER BY 1",
    )
    assert rows == [
        # The crawl found the ferry story again, byte for byte: settled before extraction by
        # its raw payload (same bytes, so the same content hash); the HTML source came first.
        ("crawl-2026-11-24.warc.gz@7467", "content_sha256", "ferry-workers-walk-out.html"),
        ("ferry-workers-walk-out.saved.html", "canonical_url", "ferry-workers-walk-out.html"),
        ("port-seawall-upgrade-syndicated.html", "content_sha256", "port-seawall-upgrade.html"),
        ("wire.jsonl:6", "canonical_url", "wire.jsonl:1"),
    ]


def test_records_are_normalized(lake: Path) -> None:
    assert _sql(lake, "SELECT count(DISTINCT article_id) FROM articles") == [(34,)]
    assert _sql(
        lake,
        "SELECT count(*) FROM articles WHERE canonical_url LIKE '%utm_%' OR url LIKE '%#%' "
        "AND canonical_url LIKE '%#%'",
    ) == [(0,)]
    langs = dict(_sql(lake, "SELECT language, count(*) FROM articles GROUP BY 1"))
    assert langs == {"en": 22, "de": 7, "fr": 4, "es": 1}
    # Paragraphs are separated by exactly one blank line; no furniture in the text dumps.
    assert _sql(
        lake,
        "SELECT count(*) FROM articles WHERE text LIKE '%\n\n\n%' OR text LIKE '% \n%' "
        "OR text ILIKE '%free articles%' OR text ILIKE '%subscribe to continue%'",
    ) == [(0,)]
    [(title, authors, published, desc)] = _sql(
        lake,
        "SELECT title, authors, published_at, description FROM articles "
        "WHERE input_ref LIKE '%bridge-closures-with-headers.txt'",
    )
    assert title and authors == ["Maria Okafor", "Tom Brandt"]
    assert published is not None and published.utcoffset().total_seconds() == 0  # type: ignore[attr-defined]
    # The French digest article has neither URL nor date: an id from content, no invented date.
    [(url, pub, aid)] = _sql(
        lake, "SELECT url, published_at, article_id FROM articles WHERE input_ref LIKE '%#3'"
    )
    assert url is None and pub is None and len(str(aid)) == 32


def test_ml_teams_can_read_the_parquet_directly(lake: Path) -> None:
    dataset = ds.dataset(lake / "articles", partitioning="hive", format="parquet")
    t = dataset.to_table(filter=ds.field("source") == "wire")
    assert t.num_rows == 11
    assert set(t.column("ingest_date").to_pylist()) == {DATE}


def test_rerun_is_idempotent_and_sql_command_works(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _sql(lake, "SELECT article_id, content_sha256, title FROM articles ORDER BY 1")
    code = main(
        [
            "ingest",
            "--config",
            str(EXAMPLES / "sources.yaml"),
            "--lake",
            str(lake),
            "--date",
            DATE,
            "--no-progress",
            "--workers",
            "1",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["written"], summary["duplicates"], summary["quarantined"]) == (34, 4, 10)
    after = _sql(lake, "SELECT article_id, content_sha256, title FROM articles ORDER BY 1")
    assert after == before
    assert (
        main(["sql", "--lake", str(lake), "--format", "json", "SELECT count(*) AS n FROM articles"])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [{"n": 34}]
