"""Every warning-level expectation of the shipped suites fires on a batch built to break it,
and only it: a batch that is clean in every other way passes every other check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from pipeline.config import ValidateConfig
from pipeline.gate import load_suite, run_suites

N = 100
CFG = ValidateConfig()


def _articles() -> pd.DataFrame:
    """A night of 100 articles every expectation of `articles.json` is happy with."""
    return pd.DataFrame(
        {
            "article_id": [f"{i:032x}" for i in range(N)],
            "source": ["alpha"] * N,
            "title": [f"Council votes on item {i} of its agenda" for i in range(N)],
            "published_at": pd.to_datetime(["2026-11-20T10:00:00Z"] * N),
            "language": ["en"] * N,
            "input_format": ["html"] * N,
            "word_count": [400] * N,
            "schema_version": ["1.4.0"] * N,
            "text_chars": [2400] * N,
            "title_chars": [36] * N,
            "has_authors": [1] * N,
        }
    )


def _sources() -> pd.DataFrame:
    """One source and the run, both in line with their recent nights."""
    row = {
        "inputs": 100,
        "written": 100,
        "quarantined": 0,
        "quarantine_share": 0.0,
        "extraction_failure_share": 0.0,
        "history_nights": 7,
        "written_vs_median": 1.0,
        "null_published_delta": 0.0,
        "empty_authors_delta": 0.0,
        "mean_words_ratio": 1.0,
    }
    run = {**row, "quarantine_share": None, "null_published_delta": None}
    run |= {"empty_authors_delta": None, "mean_words_ratio": None}
    return pd.DataFrame([{"scope": "source", "source": "alpha", **row}, {"scope": "run", **run}])


def _set(column: str, value: Any, share: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The first `share` of the rows get `value` in `column`."""

    def breaker(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df[column] = df[column].astype(object)
        df.loc[: int(len(df) * share) - 1, column] = value
        return df

    return breaker


def _source_row(column: str, value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def breaker(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[df["scope"] == "source", column] = value
        return df

    return breaker


# name -> (suite, how to break a clean batch of that suite for this expectation alone)
BREAKERS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.DataFrame]]] = {
    "articles_not_empty": ("articles", lambda df: df.iloc[0:0]),
    "title_null_rate": ("articles", _set("title", None, 0.2)),  # ceiling 10%
    "published_at_null_rate": ("articles", _set("published_at", None, 0.5)),  # ceiling 40%
    "authors_empty_rate": ("articles", _set("has_authors", 0, 0.7)),  # ceiling 60%
    "language_null_rate": ("articles", _set("language", None, 0.05)),  # ceiling 2%
    "word_count_median": ("articles", _set("word_count", 50, 1.0)),  # median 80..3000
    "word_count_tails": ("articles", _set("word_count", 10, 0.1)),  # 95% within 20..20000
    "title_length": ("articles", _set("title_chars", 400, 0.05)),  # 98% within 5..300
    "source_yield_drift": ("sources", _source_row("written_vs_median", 0.3)),  # 0.5x..2x
    "source_date_drift": ("sources", _source_row("null_published_delta", 0.4)),  # +25 points
    "source_author_drift": ("sources", _source_row("empty_authors_delta", 0.4)),  # +25 points
    "source_length_drift": ("sources", _source_row("mean_words_ratio", 3.0)),  # 0.5x..2x
}
CLEAN = {"articles": _articles, "sources": _sources}


def _warnings_in_suites() -> set[str]:
    return {
        e["meta"]["name"]
        for suite in ("articles", "sources")
        for e in load_suite(suite, CFG)["expectations"]
        if e["severity"] == "warning"
    }


def test_every_warning_of_the_suites_has_a_batch_that_breaks_it() -> None:
    assert set(BREAKERS) == _warnings_in_suites()


def test_clean_batches_pass_every_check() -> None:
    checks, _ = run_suites({name: make() for name, make in CLEAN.items()}, CFG)
    assert [c.name for c in checks if not c.success] == []
    expected = sum(len(load_suite(s, CFG)["expectations"]) for s in CLEAN)
    assert len(checks) == expected == 20


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_each_warning_fires_on_its_own_batch_and_stays_a_warning(name: str) -> None:
    suite, breaker = BREAKERS[name]
    checks, _ = run_suites({suite: breaker(CLEAN[suite]())}, CFG)
    failed = [(c.name, c.severity) for c in checks if not c.success]
    assert failed == [(name, "warning")]
