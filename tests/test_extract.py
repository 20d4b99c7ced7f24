from __future__ import annotations

import time

import pytest

from pipeline import extract as extract_mod
from pipeline.config import ExtractConfig
from pipeline.extract import TRAFILATURA, extract
from pipeline.records import Extracted, Hints, RawDoc, Rejected
from tests.conftest import article_html


def _doc(html: str, **hints: object) -> RawDoc:
    return RawDoc("s", "ref", "html", html=html.encode(), hints=Hints(**hints))  # type: ignore[arg-type]


def test_html_extraction_with_metadata() -> None:
    out = extract(_doc(article_html()), ExtractConfig())
    assert isinstance(out, Extracted)
    assert out.extractor == TRAFILATURA and TRAFILATURA.startswith("trafilatura 2.")
    assert out.title == "Harbour board backs breakwater rebuild"
    assert out.published_at is not None and out.published_at.startswith("2026-11-20")
    assert out.authors == ("Maria Okafor",)
    assert out.sitename == "The Harbor Ledger"
    assert out.language == "en"
    assert "northern breakwater" in out.text and "Home" not in out.text


def test_hints_fill_gaps_but_do_not_override() -> None:
    html = "<html><body><article>" + "<p>Plain words in a paragraph here.</p>" * 20
    html += "</article></body></html>"
    out = extract(_doc(html, title="Hinted title", published_at="2026-11-01"), ExtractConfig())
    assert isinstance(out, Extracted)
    assert out.title == "Hinted title" and out.published_at == "2026-11-01"


def test_size_cap_quarantines_before_parsing() -> None:
    out = extract(_doc(article_html()), ExtractConfig(max_bytes=100))
    assert isinstance(out, Rejected) and out.reason == "too_large" and out.stage == "extract"


def test_hanging_extractor_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*a: object, **k: object) -> None:
        time.sleep(10)

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", hang)
    t = time.monotonic()
    out = extract(_doc(article_html()), ExtractConfig(timeout_s=0.3))
    assert time.monotonic() - t < 3
    assert isinstance(out, Rejected) and out.reason == "timeout"


def test_crashing_extractor_is_quarantined(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: object, **k: object) -> None:
        raise ValueError("lxml said no")

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", boom)
    out = extract(_doc(article_html()), ExtractConfig())
    assert isinstance(out, Rejected) and out.reason == "extractor_error"
    assert "lxml said no" in out.message


def test_page_without_article_text_is_no_content() -> None:
    page = "<html><head><title>Section</title></head><body><div></div></body></html>"
    out = extract(_doc(page), ExtractConfig())
    assert isinstance(out, Rejected) and out.reason == "no_content"
