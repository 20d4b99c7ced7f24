from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.textdump import parse_text_article
from tests.conftest import SHARED

SEED = SHARED / "seeds" / "000_ab7f095dadc793db.txt"

FIXTURE = """\
URL: https://harbor.example/news/ferry?utm_source=rss
Date: 2026-11-20T07:30:00-05:00
Authors: Maria Okafor; Tom Brandt

Ferry crews walk out over overtime rules

The strike halts service to the outer islands for the first time since 2009.

Jane Doe/Harbor Ledger
Commuters wait at the North Pier on Friday morning.

• A weekly digest of island news, delivered to your inbox.

Ferry crews walked off the job at 5 a.m. Friday, halting service to the outer islands for the first time since 2009, the union said.

The dispute centres on a proposal to lengthen winter shifts without additional overtime pay, which the union says is unsafe.

Island schools announced they would close, and the regional hospital arranged water taxis for staff, Reuters reports.

You've read 3 of 5 free articles. Subscribe to continue.
Unlimited digital access $9/month.

Share this article
"""


def test_self_written_seed_shaped_article() -> None:
    a = parse_text_article(FIXTURE)
    assert a.headers["url"].startswith("https://harbor.example/news/ferry")
    assert a.headers["authors"] == "Maria Okafor; Tom Brandt"
    assert a.title == "Ferry crews walk out over overtime rules"
    assert a.description == (
        "The strike halts service to the outer islands for the first time since 2009."
    )
    # The standfirst is the description and the first paragraph, as for HTML pages.
    assert len(a.paragraphs) == 4 and a.paragraphs[0] == a.description
    assert a.paragraphs[1].startswith("Ferry crews walked off the job")
    assert a.paragraphs[-1].endswith("Reuters reports.")
    joined = "\n".join(a.paragraphs)
    for junk in (
        "Jane Doe/Harbor Ledger",
        "North Pier on Friday",
        "weekly digest",
        "free art",
        "$9/month",
        "Share this",
    ):
        assert junk not in joined
    assert a.boilerplate_removed >= 4


def test_no_dek_keeps_the_short_first_paragraph_as_body() -> None:
    raw = (
        "Garage closes after 60 years\n\nThe garage on Main Street closed on Saturday.\n\n"
        "Owner Sam Reyes said rising costs made it impossible to keep the doors open, and that "
        "he would now spend more time with his grandchildren in the valley.\n"
    )
    a = parse_text_article(raw)
    assert a.description is None
    assert a.paragraphs[0] == "The garage on Main Street closed on Saturday."


def test_header_like_first_line_that_is_not_a_header_block() -> None:
    a = parse_text_article("Update: council votes tonight\n\nThe council meets at 7 p.m.\n")
    assert a.title == "Update: council votes tonight" and a.headers == {}


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not present")
def test_seed_article_keeps_the_standfirst_and_all_eleven_body_paragraphs_in_order() -> None:
    a = parse_text_article(SEED.read_text(encoding="utf-8"))
    assert a.title == "NATO Libya mission will end on Oct. 31"
    assert a.description is not None and a.description.startswith("NATO voted today to end")
    assert len(a.paragraphs) == 12 and a.paragraphs[0] == a.description
    assert a.paragraphs[1].startswith(
        "NATO voted today to end its Libya mission on Oct. 31, although"
    )
    assert a.paragraphs[-1].endswith("CNN reports.")
    # Every body paragraph of the file survives verbatim, in the file's order.
    source = SEED.read_text(encoding="utf-8")
    positions = [source.index(p) for p in a.paragraphs]
    assert positions == sorted(positions)
    joined = "\n".join(a.paragraphs)
    for junk in (
        "Benoit Tessier/Reuters",
        "Flight deck crew",
        "A daily summary",
        "free articles",
        "$11/month",
        "Get unlimited",
        "of stories this month",
    ):
        assert junk not in joined


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not present")
def test_seed_article_through_the_whole_pipeline(tmp_path: Path) -> None:
    import duckdb

    from pipeline.cli import main

    ids = []
    for n in (1, 2):  # two lakes, as on two machines: the same stable id
        lake = tmp_path / f"lake{n}"
        assert main(["ingest", str(SEED), "--source", "seed", "--lake", str(lake)]) == 0
        con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
        [(aid, title, desc, text, published, url, lang)] = con.execute(
            "SELECT article_id, title, description, text, published_at, url, language FROM articles"
        ).fetchall()
        ids.append(aid)
    assert ids[0] == ids[1]
    assert title == "NATO Libya mission will end on Oct. 31" and desc.startswith("NATO voted")
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 12 and paragraphs[-1].endswith("CNN reports.")
    assert paragraphs[0] == desc  # the standfirst leads the body
    assert published is None and url is None and lang == "en"


# -- issue 15: any text, parsed in bounded time ---------------------------------------------------

_PIECES = st.sampled_from(
    ["\n", "\n\n", " \t\n", "\r\n", "URL: x\n", "Date:", " " * 50, "Headline", "Body text. ", "="]
    + ["• ", "Share this article", "Jane Doe/Agency\n", "Subscribe to continue.", "\f", "\x00"]
)


@settings(max_examples=60, deadline=None)
@given(raw=st.one_of(st.text(max_size=2000), st.lists(_PIECES, max_size=80).map("".join)))
@example(raw="0\n\nSHARE THIS\n\x08\n\x08")  # control-only lines beside a footer line
def test_any_text_parses_without_raising(raw: str) -> None:
    t0 = time.monotonic()
    a = parse_text_article(raw)
    assert time.monotonic() - t0 < 2
    assert all(p.strip() for p in a.paragraphs)


@pytest.mark.timeout(60)
def test_floods_of_blank_lines_and_long_blank_headers_parse_in_bounded_time() -> None:
    t0 = time.monotonic()
    assert parse_text_article("\n" * 10_000_000).paragraphs == ()
    # Blank runs between blocks are one separator, however long.
    a = parse_text_article("Headline\n" + " \n" * 2_000_000 + "First paragraph of the body.")
    assert (a.title, a.paragraphs) == ("Headline", ("First paragraph of the body.",))
    assert time.monotonic() - t0 < 2, "a Python step per blank line"
    # Blanks inside a header value (a lazy regex was quadratic on them: minutes at this size).
    t0 = time.monotonic()
    b = parse_text_article("URL: https://x" + " " * 200_000 + "y\n\nHeadline\n\nBody.")
    assert b.headers == {"url": "https://x" + " " * 200_000 + "y"} and b.title == "Headline"
    assert time.monotonic() - t0 < 2


# -- issue 17: one body policy for text dumps and HTML pages (docs/body-policy.md) -------------

_HEAD = "Ferry strike halts island service"
_DEK = "Crews walked out at dawn over winter shifts, stranding commuters on three islands."
_DATELINE = "HARBOR CITY (AP) —"
_P1 = (
    "Ferry crews walked off the job at 5 a.m. Friday, halting service to the outer islands "
    "for the first time since 2009, the union said."
)
_P2 = (
    "The dispute centres on a proposal to lengthen winter shifts without additional overtime "
    "pay, which the union says is unsafe for crews and passengers alike."
)
_NOTICE = "Copyright 2026 The Associated Press. All rights reserved."
_LICENCE = "This material may not be published, broadcast, rewritten or redistributed."


def _article_from(doc: object) -> tuple[list[str], str | None]:
    from datetime import UTC, datetime

    from pipeline.config import ExtractConfig
    from pipeline.extract import extract
    from pipeline.normalize import NormalizeContext, to_article
    from pipeline.records import Article, Extracted

    ex = extract(doc, ExtractConfig())  # type: ignore[arg-type]
    assert isinstance(ex, Extracted)
    art = to_article(ex, NormalizeContext("r", datetime(2026, 11, 25, tzinfo=UTC), "1.0.0"))
    assert isinstance(art, Article)
    return art.text.split("\n\n"), art.description


def test_html_page_and_text_dump_of_one_story_get_the_same_body() -> None:
    """Standfirst first, a dateline on a line of its own joined to the prose it opens, agency
    credits and the wire copyright and licence lines gone: whichever shape the story came in."""
    from pipeline.records import Hints, RawDoc

    html = f"""<html><head><title>{_HEAD}</title><meta name="description" content="{_DEK}">
    </head><body><article><h1>{_HEAD}</h1><p class="standfirst">{_DEK}</p>
    <figure><img src="p.jpg"><figcaption>Commuters wait at the pier. © AFP</figcaption></figure>
    <p>{_DATELINE}</p><p>{_P1}</p><p>{_P2}</p><p>(AP)</p><p>{_NOTICE} {_LICENCE}</p>
    </article></body></html>"""
    dump = (
        f"{_HEAD}\n\n{_DEK}\n\n© AFP\nCommuters wait at the pier.\n\n{_DATELINE}\n\n{_P1}\n\n"
        f"{_P2}\n\n(AP)\n\n{_NOTICE}\n{_LICENCE}\n"
    )
    want = [_DEK, f"{_DATELINE} {_P1}", _P2]
    page = RawDoc("s", "a.html", "html", html=html.encode(), hints=Hints(url="https://h.example/a"))
    assert _article_from(page) == (want, _DEK)
    assert _article_from(RawDoc("s", "a.txt", "text", text=dump)) == (want, _DEK)


def test_a_dateline_that_starts_prose_stays_with_it() -> None:
    raw = f"{_HEAD}\n\nBERLIN (dpa) – Die Regierung hat am Montag die Fährpläne geändert.\n"
    a = parse_text_article(raw)
    assert a.paragraphs == ("BERLIN (dpa) – Die Regierung hat am Montag die Fährpläne geändert.",)


def test_a_credit_takes_its_caption_but_never_the_prose_after_it() -> None:
    prose = " ".join([_P1, _P2])  # 48 words: body text that lost its blank line, not a caption
    a = parse_text_article(f"{_HEAD}\n\nJane Doe/Harbor Ledger\n{prose}\n\n{_P2}\n")
    assert a.paragraphs == (prose, _P2) and a.boilerplate_removed == 1
    b = parse_text_article(f"{_HEAD}\n\nJane Doe/Harbor Ledger\nCommuters at the pier.\n\n{_P2}\n")
    assert b.paragraphs == (_P2,)


def test_a_wrapped_line_that_begins_like_furniture_stays_in_its_paragraph() -> None:
    wrapped = (
        "The new timetable for the island ferries will be\n"
        "Published on 12 March 2026 by the ministry, officials said.\n"
        "Share this article"
    )
    a = parse_text_article(f"{_HEAD}\n\n{_P1}\n\n{wrapped}\n")
    assert a.paragraphs == (
        _P1,
        "The new timetable for the island ferries will be Published on 12 March 2026 by the "
        "ministry, officials said.",
    )
    assert a.boilerplate_removed == 1  # the share prompt alone
