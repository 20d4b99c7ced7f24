from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from pipeline.config import Filters
from pipeline.filters import article_verdict, filter_input, language_verdict, url_verdict
from pipeline.records import Article, Hints, RawDoc, Skipped

F = Filters(
    domains=("www.Harbor.example",),  # stored bare: harbor.example
    exclude_domains=("ads.harbor.example",),
    url_patterns=(r"/news/",),
    exclude_url_patterns=(r"/live/",),
    languages=("de",),
)


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://harbor.example/news/a", None),
        ("https://WWW.Harbor.Example./news/a", None),  # the site's own aliases
        ("https://city.harbor.example/news/a", None),  # subdomains belong to the domain
        ("https://ads.harbor.example/news/a", "domain_filtered"),
        ("https://other.example/news/a", "domain_filtered"),
        ("https://notharbor.example/news/a", "domain_filtered"),
        ("not a url", "domain_filtered"),  # no host to check against a domain list
        ("https://harbor.example/sport/a", "url_filtered"),
        ("https://harbor.example/news/live/a", "url_filtered"),
        (None, None),  # no URL: nothing to judge
    ],
)
def test_url_verdict(url: str | None, verdict: str | None) -> None:
    assert url_verdict(url, F) == verdict


def test_language_verdict() -> None:
    assert language_verdict("de", F) is None
    assert language_verdict("en", F) == "language_filtered"
    assert language_verdict(None, F) == "language_filtered"
    assert language_verdict(None, Filters()) is None


def _doc(url: str | None) -> RawDoc:
    return RawDoc("s", "in/1.html", "html", html=b"<html>", hints=Hints(url=url))


def test_filter_input_skips_on_the_url_the_input_gave() -> None:
    kept = _doc("https://harbor.example/news/a")
    assert filter_input(kept, F) is kept
    assert filter_input(_doc("https://other.example/news/a"), F) == Skipped(
        "s", "in/1.html", "domain_filtered"
    )
    assert filter_input(_doc(None), F) == _doc(None)  # judged after extraction instead
    assert filter_input(_doc("https://other.example/"), Filters()) == _doc("https://other.example/")


def _article(url: str | None, language: str | None) -> Article:
    return Article(
        article_id="0" * 32, url=url, canonical_url=url, domain=None, source="s", sitename=None,
        title=None, description=None, authors=(), published_at=None, modified_at=None,
        language=language, language_score=None, text="t", word_count=1, categories=(), tags=(),
        image_url=None, content_sha256="0" * 64, duplicate_of=None, input_format="html",
        input_ref="in/1.html", fetched_at=None, ingested_at=datetime(2026, 1, 1, tzinfo=UTC),
        run_id="r", extractor="t", schema_version="1.4.0",
    )  # fmt: skip


def test_article_verdict_judges_what_extraction_revealed() -> None:
    elsewhere = _article("https://other.example/news/a", "de")
    # The input gave no URL: the page's own URL is judged now.
    assert article_verdict(_doc(None), elsewhere, F) == "domain_filtered"
    # The input gave one: it was judged before extraction and is not judged twice.
    assert article_verdict(_doc("https://harbor.example/news/a"), elsewhere, F) is None
    # Then the detected language.
    english = replace(elsewhere, url="https://harbor.example/news/a", language="en")
    assert article_verdict(_doc(None), english, F) == "language_filtered"
    assert article_verdict(_doc(None), replace(english, language="de"), F) is None
