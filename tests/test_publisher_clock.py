"""The publisher's clock (contract 1.4.0): the day a page is dated in its own time survives the
conversion to UTC, and each record says where its title, date and authors came from."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.config import build_config
from pipeline.extract import DUMP, INPUT
from pipeline.lake import Lake
from pipeline.normalize import PRECISIONS, publisher_clock
from pipeline.run import run_ingest
from tests.conftest import article_html

NIGHT = date(2026, 12, 1)
BERLIN = ZoneInfo("Europe/Berlin")


def test_an_offset_keeps_the_publishers_day_and_the_exact_instant() -> None:
    c = publisher_clock("2026-12-01T00:30:00+01:00")
    assert c is not None
    assert c.instant == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert (c.local_date, c.offset_minutes, c.precision) == (date(2026, 12, 1), 60, "instant")
    c = publisher_clock("Mon, 30 Nov 2026 21:15:00 -0500")
    assert c is not None and c.instant == datetime(2026, 12, 1, 2, 15, tzinfo=UTC)
    assert (c.local_date, c.offset_minutes) == (date(2026, 11, 30), -300)


def test_a_day_alone_stays_that_day_in_any_zone() -> None:
    for tz in (UTC, BERLIN, ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Auckland")):
        c = publisher_clock("2026-11-30", tz)
        assert c is not None and c.precision == "day" and c.offset_minutes is None
        assert c.local_date == date(2026, 11, 30)
        assert c.instant == datetime(2026, 11, 30, tzinfo=tz).astimezone(UTC)
    c = publisher_clock("30 November 2026", BERLIN)
    assert c is not None and (c.local_date, c.precision) == (date(2026, 11, 30), "day")


def test_a_time_without_offset_is_local_time_in_the_sources_zone() -> None:
    c = publisher_clock("2026-11-30T23:45:00", BERLIN)
    assert c is not None and c.precision == "local_time" and c.offset_minutes is None
    assert c.local_date == date(2026, 11, 30)
    assert c.instant == datetime(2026, 11, 30, 22, 45, tzinfo=UTC)
    # A time written without seconds is still a time (it used to become midnight).
    c = publisher_clock("Nov 30, 2026 11:45 PM")
    assert c is not None and c.precision == "local_time"
    assert c.instant == datetime(2026, 11, 30, 23, 45, tzinfo=UTC)


def test_nothing_is_invented() -> None:
    for value in (None, "", "soon", "November 2026", "30 November", "2026-13-45", "x" * 200):
        assert publisher_clock(value) is None


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-14 * 4, max_value=14 * 4),
)
def test_any_declared_offset_round_trips(local: datetime, quarters: int) -> None:
    """Whatever the offset, the record keeps the wall-clock day and the offset as declared,
    and the instant is the same moment."""
    tz = timezone(timedelta(minutes=15 * quarters))
    declared = local.replace(microsecond=0, tzinfo=tz)
    c = publisher_clock(declared.isoformat())
    assert c is not None
    assert c.local_date == declared.date()
    assert c.offset_minutes == 15 * quarters
    assert c.instant == declared.astimezone(UTC)
    assert c.precision in PRECISIONS


# -- end to end: the columns, one SQL filter, provenance -------------------------------------


def _inputs(root: Path) -> Path:
    html = root / "html"
    html.mkdir(parents=True)
    # Dated after midnight in Berlin: the previous day in UTC.
    (html / "late.html").write_text(
        article_html(
            "Night ferry crews stay on",
            "https://harbor.example/news/late",
            date="2026-12-01T00:30:00+01:00",
        )  # fmt: skip
    )
    market = [
        "The market square reopened on Monday after eight months of paving work, and the "
        "first stalls were set up before dawn by traders who had waited all year for it.",
        "The council said the new surface drains better in winter storms, while traders asked "
        "for more shade and for the loading bays to stay open until noon on market days.",
    ]
    (html / "day.html").write_text(
        article_html(
            "Market square reopens",
            "https://harbor.example/news/day",
            paragraphs=market,
            date="2026-11-30",
        )  # fmt: skip
    )
    text = root / "text"
    text.mkdir()
    body = "\n\n".join(
        f"Paragraph {i} of the wire story follows the council's budget debate in detail, "
        "with quotes from members on both sides of the vote and the mayor's reply to them."
        for i in range(3)
    )
    (text / "wire.txt").write_text(
        "URL: https://wire.example/story/1\nDate: 2026-11-30T23:50:00-05:00\n"
        f"Authors: Ana Ruiz\n\nCouncil passes the budget after a long night\n\n{body}\n"
    )
    jsonl = root / "jsonl"
    jsonl.mkdir()
    rec = {"url": "https://feed.example/a", "title": "Feed item", "published_at": "2026-11-30",
           "text": body.replace("wire", "feed")}  # fmt: skip
    (jsonl / "feed.jsonl").write_text(json.dumps(rec) + "\n")
    return root


def _config(root: Path, lake: Path) -> object:
    return build_config(
        {
            "lake": str(lake),
            "sources": [
                {
                    "name": "harbor",
                    "type": "html",
                    "path": str(root / "html"),
                    "timezone": "Europe/Berlin",
                },
                {"name": "dumps", "type": "text", "path": str(root / "text")},
                {"name": "feed", "type": "jsonl", "path": str(root / "jsonl")},
            ],  # fmt: skip
            "validate": {"min_words": 20},
        }
    )


def test_the_lake_keeps_the_publishers_day_offset_and_provenance(tmp_path: Path) -> None:
    root = _inputs(tmp_path / "in")
    s = run_ingest(_config(root, tmp_path / "lake"), NIGHT)  # type: ignore[arg-type]
    assert (s.written, s.quarantined) == (4, 0), s
    con = Lake(tmp_path / "lake").connect()
    rows = con.execute(
        "SELECT source, title, published_at, published_date, published_offset_minutes, "
        "published_precision, title_source, date_source, authors_source FROM articles "
        "ORDER BY source, title"
    ).fetchall()
    by_title = {r[1]: r for r in rows}
    late = by_title["Night ferry crews stay on"]
    assert late[2] == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert late[3:6] == (date(2026, 12, 1), 60, "instant")
    # Taken from the page's markup, and saying from where.
    assert all(v and v not in (INPUT, DUMP) for v in late[6:]), late
    day = by_title["Market square reopens"]
    # A day alone in a Berlin source: midnight Berlin, and still the 30th.
    assert day[2] == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert day[3:6] == (date(2026, 11, 30), None, "day")
    wire = by_title["Council passes the budget after a long night"]
    assert wire[3:6] == (date(2026, 11, 30), -300, "instant")
    assert wire[6:] == (DUMP, DUMP, DUMP)
    feed = by_title["Feed item"]
    assert feed[3:6] == (date(2026, 11, 30), None, "day")
    assert feed[6:] == (INPUT, INPUT, None)  # no authors: no provenance for them
    # "Published on 30 November in the publisher's time" is one filter; the UTC day is not it.
    local = con.execute(
        "SELECT title FROM articles WHERE published_date = DATE '2026-11-30' ORDER BY title"
    ).fetchall()
    assert [t for (t,) in local] == ["Council passes the budget after a long night",
                                     "Feed item", "Market square reopens"]  # fmt: skip
    utc = con.execute(
        "SELECT count(*) FROM articles WHERE published_at::DATE = DATE '2026-11-30'"
    ).fetchone()
    assert utc is not None and utc[0] != 3
    con.close()


def test_an_upgrade_adds_new_columns_to_nights_written_before_them(tmp_path: Path) -> None:
    """pandas takes a dataset's columns from its first file: a night written under 1.3.0
    would hide 1.4.0's columns from `pd.read_parquet` until `catalog --upgrade` adds them."""
    root = _inputs(tmp_path / "in")
    lake = tmp_path / "lake"
    run_ingest(_config(root, lake), NIGHT)  # type: ignore[arg-type]
    new_cols = ["published_date", "published_offset_minutes", "published_precision",
                "title_source", "date_source", "authors_source"]  # fmt: skip
    # An older night, as 1.3.0 wrote it: the same rows without the new columns.
    src = next((lake / "articles" / f"ingest_date={NIGHT}").rglob("*.parquet"))
    old_dir = lake / "articles" / "ingest_date=2026-11-01" / "source=harbor"
    old_dir.mkdir(parents=True)
    pq.write_table(pq.read_table(src).drop_columns(new_cols), old_dir / "part-00000.parquet")
    assert not set(new_cols) & set(pd.read_parquet(lake / "articles").columns)
    assert main(["catalog", "--lake", str(lake), "--upgrade"]) == 0
    frame = pd.read_parquet(lake / "articles")
    assert set(new_cols) <= set(frame.columns)
    old = frame[frame["ingest_date"].astype(str) == "2026-11-01"]
    assert len(old) > 0 and old["published_date"].isna().all()
    new = frame[frame["ingest_date"].astype(str) == NIGHT.isoformat()]
    assert new["published_date"].notna().all()
    schema = pq.read_schema(old_dir / "part-00000.parquet")
    assert schema.field("published_date").type == pa.date32()
    # Nothing else was touched: the rows of the old night are the rows it had.
    assert len(old) == pq.read_metadata(src).num_rows


def test_provenance_values_are_the_documented_vocabulary(example_lake: Path) -> None:
    """Every provenance value the example night wrote is one the code declares and the README
    documents; the night uses more than one, so the columns are not constant."""
    import re

    from pipeline.metadata import AUTHORS_SOURCES, DATE_SOURCES, TITLE_SOURCES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Provenance", 1)[1].split("\n### ", 1)[0]
    documented = set(re.findall(r"`([a-z][a-z0-9_:.<>-]*)`", section))
    declared = {
        "title_source": {*TITLE_SOURCES, INPUT, DUMP} - {"none"},
        "date_source": {*DATE_SOURCES, INPUT, DUMP} - {"none"},
        "authors_source": {*AUTHORS_SOURCES, INPUT, DUMP} - {"none"},
    }
    con = Lake(example_lake).connect()
    for column, allowed in declared.items():
        seen = {v for (v,) in con.execute(f"SELECT DISTINCT {column} FROM articles").fetchall()}
        assert seen - {None} <= allowed, (column, seen - allowed)
        assert len(seen - {None}) >= 2, (column, seen)
        for value in allowed:
            name = "meta:<name>" if value.startswith("meta:") else value
            assert name in documented, f"{column} value {value} undocumented"
    con.close()
