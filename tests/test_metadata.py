"""Choosing titles, dates and authors by evidence (pipeline.metadata); invented pages only."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from pipeline.metadata import (
    AUTHORS_SOURCES,
    DATE_SOURCES,
    TITLE_SOURCES,
    PageMeta,
    choose_authors,
    choose_date,
    choose_title,
    is_site_name,
    page_meta,
    strip_site_name,
    url_day,
)

_BODY = "<p>" + "Words of the story in a paragraph of its own. " * 8 + "</p>"
_URL = "https://harborledger.example/news/a"


def _ld(fields: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", {fields}}}</script>'


def _meta(head: str, body: str = _BODY) -> PageMeta:
    return page_meta(load_html(f"<html><head>{head}</head><body>{body}</body></html>"))


def _og(title: str) -> str:
    return f'<meta property="og:title" content="{title}">'


# -- titles ----------------------------------------------------------------------------------------


def test_a_headline_cut_with_an_ellipsis_loses_to_the_whole_one() -> None:
    meta = _meta(
        _ld('"headline": "Council approves the harbour plan. Mayor: a good day for the ci…"')
        + _og("Council approves the harbour plan. Mayor: a good day for the city"),
    )
    assert choose_title(meta, None, None, _URL) == (
        "Council approves the harbour plan. Mayor: a good day for the city",
        "og:title",
    )


def test_an_ellipsis_every_source_shares_is_part_of_the_headline() -> None:
    meta = _meta(
        _og("Screens: three films, two plays…")
        + "<title>Screens: three films, two plays… - Culture</title>"
    )
    assert choose_title(meta, None, None, _URL)[0] == "Screens: three films, two plays…"


def test_a_site_name_that_is_the_headline_does_not_reject_the_headline() -> None:
    headline = "Veteran sailors restore the old lighthouse"
    meta = _meta(
        f'<meta name="application-name" content="{headline}">{_og(headline)}'
        '<meta property="og:site_name" content="Harbor Ledger">',
        '<h1 class="brand">Morning Show</h1><h1 class="headline">' + headline + "</h1>" + _BODY,
    )
    assert headline not in meta.site_names
    assert meta.h1 == headline  # the h1 marked as the headline, not the brand's
    assert choose_title(meta, None, None, _URL) == (headline, "og:title")


def test_a_logo_h1_is_not_the_headline() -> None:
    meta = _meta("", '<h1><a href="/">Harbor Ledger</a></h1><article><h1>Pier reopens</h1>'
                 + _BODY + "</article>")  # fmt: skip
    assert meta.h1 == "Pier reopens"
    meta = _meta("", '<h1><a href="/">Harbor Ledger home</a></h1><div><h1>Pier reopens</h1></div>')
    assert meta.h1 == "Pier reopens"


def test_a_headline_that_names_the_domain_is_not_a_site_name() -> None:
    for title in (
        "Inside the Harborledger newsroom rebuild",
        "Harborledger ATF ships to every customer",
    ):
        assert not is_site_name(title, [], _URL)
        assert strip_site_name(f"{title} - a long read", [], _URL) == f"{title} - a long read"
    # while the outlet's own name beside a headline still goes
    assert strip_site_name("Pier reopens - Harborledger Online", [], _URL) == "Pier reopens"


def test_without_json_ld_the_headline_most_sources_say_wins_and_the_h1_breaks_ties() -> None:
    shown = "Seven things ferry crews know about storms"
    meta = _meta(
        _og("Ferry crews on storms") + f'<meta name="twitter:title" content="{shown}">',
        f"<article><h1>{shown}</h1>{_BODY}</article>",
    )
    assert choose_title(meta, None, None, _URL) == (shown, "h1")
    meta = _meta(_og("Ferry crews on storms"), f"<article><h1>{shown}</h1>{_BODY}</article>")
    assert choose_title(meta, None, None, _URL) == (shown, "h1")


def test_a_kicker_or_a_tail_goes_when_og_title_gives_the_headline_alone() -> None:
    meta = _meta(_ld('"headline": "Storm season: Ferry crews brace for winter"')
                 + _og("Ferry crews brace for winter"))  # fmt: skip
    assert choose_title(meta, None, None, _URL) == ("Ferry crews brace for winter", "og:title")
    meta = _meta(_ld('"headline": "Ferry crews brace for winter in a hard season"')
                 + _og("Ferry crews brace for winter"))  # fmt: skip
    assert choose_title(meta, None, None, _URL)[0] == "Ferry crews brace for winter"
    # a number that starts the headline is no kicker
    meta = _meta(_ld('"headline": "6 ferries that brave the winter"')
                 + _og("ferries that brave the winter"))  # fmt: skip
    assert choose_title(meta, None, None, _URL)[0] == "6 ferries that brave the winter"


def test_an_entity_escaped_twice_is_read() -> None:
    meta = _meta(
        '<meta property="og:title" content="Crew &amp;amp;#039;saves&amp;amp;#039; the pier">'
    )
    assert meta.og_title == "Crew 'saves' the pier"


# -- dates -----------------------------------------------------------------------------------------


def test_a_list_of_items_dates_the_article_by_its_own_item() -> None:
    teaser = (
        '<div itemscope itemtype="https://schema.org/Article"><p>Other story</p>'
        '<meta itemprop="datePublished" content="2015-01-02T16:00:31Z"></div>'
    )
    article = (
        '<div itemscope itemtype="https://schema.org/Article"><h1>Pier reopens</h1>'
        '<meta itemprop="datePublished" content="2014-12-16T11:45:00-05:00">' + _BODY * 3 + "</div>"
    )
    meta = _meta("", teaser + article)
    assert choose_date(meta, None, None) == ("2014-12-16T11:45:00-05:00", "itemprop")


def test_json_ld_wrapped_in_cdata_is_read() -> None:
    ld = (
        '<script type="application/ld+json">//<![CDATA[\n{"@type": "NewsArticle", '
        '"headline": "Pier reopens", "datePublished": "2024-12-06T22:00:40Z"}\n//]]></script>'
    )
    meta = _meta(ld + '<meta property="article:published_time" content="2024-12-07T12:43:39Z">')
    assert choose_date(meta, None, None) == ("2024-12-06T22:00:40+00:00", "json-ld")
    assert meta.headline == "Pier reopens"


def test_an_iso_date_with_a_two_digit_year_puts_the_year_first() -> None:
    meta = _meta('<meta property="article:published_time" content="14-12-29">')
    assert choose_date(meta, None, None) == ("2014-12-29", "meta:article:published_time")


def test_the_day_in_the_url_outvotes_a_declared_value_on_another_day() -> None:
    meta = _meta(
        '<meta property="article:published_time" content="2015-01-02T16:00:31+00:00">',
        '<article><time datetime="2014-12-16T11:45:00-05:00">16 Dec</time>' + _BODY + "</article>",
    )
    url = "https://harborledger.example/2014/12/16/pier-reopens/"
    assert url_day(url) is not None and url_day(url).isoformat() == "2014-12-16"  # type: ignore[union-attr]
    assert choose_date(meta, None, None, url=url) == ("2014-12-16T11:45:00-05:00", "time")
    # with no such evidence the declared meta value stands
    assert choose_date(meta, None, None)[1] == "meta:article:published_time"


def test_day_and_month_are_read_the_way_the_url_and_the_fetch_allow() -> None:
    meta = _meta('<meta name="pubdate" content="04/03/2025 10:00">')
    url = "https://harborledger.example/2025/03/04/pier/"
    assert choose_date(meta, None, None, url=url) == ("2025-03-04T10:00:00", "meta:pubdate")
    # no URL day: the reading that is not after the fetch
    assert choose_date(meta, None, "2025-03-05T08:00:00") == ("2025-03-04T10:00:00", "meta:pubdate")


def test_the_publishers_clock_is_kept_as_declared() -> None:
    day = _meta('<meta property="article:published_time" content="2024-01-29">')
    assert choose_date(day, None, None)[0] == "2024-01-29"  # a day stays a day
    naive = _meta('<meta property="article:published_time" content="2024-01-29T23:30:00">')
    assert choose_date(naive, None, None)[0] == "2024-01-29T23:30:00"  # no offset invented
    local = _meta('<meta property="article:published_time" content="2024-01-29T23:30:00+01:00">')
    assert choose_date(local, None, None)[0] == "2024-01-29T23:30:00+01:00"  # not UTC


# -- authors ---------------------------------------------------------------------------------------


def test_parsely_page_tag_names_the_authors() -> None:
    tag = '<meta name="parsely-page" content=\'{"title": "Pier", "author": "Mara Quill"}\'>'
    assert choose_authors(_meta(tag), ["Quill Com"], None, _URL) == (("Mara Quill",), "meta")


def test_an_affiliation_after_a_person_is_not_an_author() -> None:
    tag = '<meta name="author" content="Mara Quill, Northeast Harbor Media Group">'
    assert choose_authors(_meta(tag), [], None, _URL) == (("Mara Quill",), "meta")
    tag = '<meta name="author" content="Mara Quill, The Harbor Dealer">'
    assert choose_authors(_meta(tag), [], None, _URL) == (("Mara Quill",), "meta")
    # an organisation alone stays: it is the byline
    tag = '<meta name="author" content="Harbor Media Group">'
    assert choose_authors(_meta(tag), [], None, _URL) == (("Harbor Media Group",), "meta")


def test_degrees_roles_and_calendar_words_are_not_names() -> None:
    assert choose_authors(_meta(""), ["Tom Reede", "MA"], None, _URL)[0] == ("Tom Reede",)
    assert choose_authors(_meta(""), ["Tom Reede Games Editor"], None, _URL)[0] == ("Tom Reede",)
    found = ["Tom Reede", "Staff Writer", "Tuesday", "January"]
    assert choose_authors(_meta(""), found, None, _URL)[0] == ("Tom Reede",)


def test_a_by_line_class_with_an_underscore_is_a_byline() -> None:
    body = '<div class="by_line_date">by Tia Marsh, Staff Writer | October 29, 2014</div>' + _BODY
    assert choose_authors(_meta("", body), [], None, _URL) == (("Tia Marsh",), "byline")


# -- vocabularies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        "",
        _ld('"headline": "Pier reopens", "datePublished": "2024-01-29", "author": "Mara Quill"'),
        _og("Pier reopens") + '<meta name="pubdate" content="2024-01-29">',
    ],
)
def test_sources_come_from_the_closed_vocabularies(head: str) -> None:
    meta = _meta(head, "<h1>Pier reopens</h1>" + _BODY)
    assert choose_title(meta, None, None, _URL)[1] in TITLE_SOURCES
    assert choose_date(meta, None, None, url=_URL)[1] in DATE_SOURCES
    assert choose_authors(meta, [], None, _URL)[1] in AUTHORS_SOURCES
    assert choose_title(_meta(""), None, None, _URL) == (None, "none")
    assert choose_date(_meta(""), None, None) == (None, "none")
    assert choose_authors(_meta(""), [], None, _URL) == ((), "none")


def test_north_american_generic_zones_follow_daylight_saving() -> None:
    """The zone "ET" is EST in winter and EDT in summer: read without a warning, not naive."""
    import warnings

    from pipeline.metadata import read_date

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        winter = read_date("Jan 29, 2024 11:45 PM ET", "meta")
        summer = read_date("Jul 29, 2024 11:45 PM PT", "meta")
    assert winter is not None and winter.iso() == "2024-01-29T23:45:00-05:00"
    assert summer is not None and summer.iso() == "2024-07-29T23:45:00-07:00"
