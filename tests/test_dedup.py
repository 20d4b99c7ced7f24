from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from pipeline.dedup import ExactDeduper
from pipeline.normalize import content_sha256, make_article_id
from pipeline.records import Article, Duplicate


def _article(url: str | None, text: str) -> Article:
    sha = content_sha256(text)
    return Article(
        article_id=make_article_id(url, sha),
        url=url,
        canonical_url=url,
        domain=None,
        source="s",
        sitename=None,
        title=None,
        description=None,
        authors=(),
        published_at=None,
        modified_at=None,
        language=None,
        language_score=None,
        text=text,
        word_count=len(text.split()),
        categories=(),
        tags=(),
        image_url=None,
        content_sha256=sha,
        duplicate_of=None,
        input_format="html",
        input_ref="x",
        fetched_at=None,
        ingested_at=datetime(2026, 1, 1, tzinfo=UTC),
        run_id="r",
        extractor="t",
        schema_version="1.0.0",
    )


def test_same_url_or_same_text_is_a_duplicate_of_the_first() -> None:
    d = ExactDeduper()
    a = _article("https://a.example/1", "alpha")
    assert d(a) is a
    same_url = d(_article("https://a.example/1", "alpha, edited"))
    same_text = d(_article("https://b.example/2", "alpha"))
    assert isinstance(same_url, Duplicate) and same_url.duplicate_of == a.article_id
    assert same_url.match == "canonical_url"
    assert isinstance(same_text, Duplicate) and same_text.duplicate_of == a.article_id
    assert same_text.match == "content_sha256"
    fresh = _article("https://c.example/3", "beta")
    assert d(fresh) is fresh


def test_chains_resolve_to_the_kept_record() -> None:
    d = ExactDeduper()
    a = _article("https://a.example/1", "alpha")
    b = _article("https://a.example/1", "beta")  # A's URL, new text
    c = _article("https://c.example/3", "beta")  # B's text, new URL
    d(a)
    out_b, out_c = d(b), d(c)
    assert isinstance(out_b, Duplicate) and isinstance(out_c, Duplicate)
    assert out_b.duplicate_of == out_c.duplicate_of == a.article_id


def test_texts_without_urls_dedupe_by_content() -> None:
    d = ExactDeduper()
    first = d(_article(None, "same words"))
    second = d(_article(None, "same words"))
    assert isinstance(first, Article) and isinstance(second, Duplicate)


@given(st.lists(st.tuples(st.sampled_from(["u1", "u2", "u3", None]), st.sampled_from("abcd"))))
def test_the_first_record_with_a_url_or_text_wins_and_the_rest_point_at_it(
    items: list[tuple[str | None, str]],
) -> None:
    """Against a model of the rule: a record is kept iff no earlier record had its canonical URL
    or its text; otherwise it points (by URL first) at the kept record of the first that did."""
    d = ExactDeduper()
    seen: list[tuple[str | None, str, str]] = []  # (url, text, the kept id it resolves to)
    kept_keys: set[str] = set()
    for url, text in items:
        a = _article(f"https://x.example/{url}" if url else None, text)
        by_url = [k for u, _, k in seen if a.url is not None and u == a.url]
        by_text = [k for _, t, k in seen if t == text]
        out = d(replace(a))
        if by_url:
            assert isinstance(out, Duplicate) and (out.match, out.duplicate_of) == (
                "canonical_url",
                by_url[0],
            )
        elif by_text:
            assert isinstance(out, Duplicate) and (out.match, out.duplicate_of) == (
                "content_sha256",
                by_text[0],
            )
        else:
            assert out is a or out == a, "a record with a new URL and a new text is kept"
            for key in (a.url, text):
                assert key not in kept_keys, "two kept records share a URL or a text"
                if key is not None:
                    kept_keys.add(key)
        seen.append((a.url, text, out.duplicate_of if isinstance(out, Duplicate) else a.article_id))
