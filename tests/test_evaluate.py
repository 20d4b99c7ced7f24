"""`broadsheet eval`: scoring functions with known values, the command line, and the gold set in
examples/gold as a regression gate (Broadsheet must not fall below the committed baseline)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import evaluate as ev
from pipeline.cli import main as cli_main
from pipeline.evaluate import (
    authors_match,
    body_scores,
    date_match,
    evaluate,
    language_match,
    regressions,
    title_scores,
)
from tests.conftest import EXAMPLES, SHARED

GOLD = EXAMPLES / "gold"
CORPUS = SHARED / "corpus" / "html"
BASELINE = json.loads((GOLD / "baseline.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gold_report() -> dict[str, Any]:
    return evaluate(GOLD)


# -- scoring ---------------------------------------------------------------------------------------


def test_body_scores_are_bag_of_words() -> None:
    p, r, f = body_scores("the cat sat on the mat", "the cat sat")
    assert (p, r) == (3 / 6, 1.0) and f == pytest.approx(2 * 0.5 / 1.5)
    assert body_scores("", "gold text") == (0.0, 0.0, 0.0)
    assert body_scores("Same WORDS here.", "same words here") == (1.0, 1.0, 1.0)
    # Multiset: a word found twice in the gold counts twice, not more.
    p, r, _ = body_scores("yes yes yes", "yes yes no no")
    assert (p, r) == (2 / 3, 2 / 4)


def test_body_scores_compare_what_a_reader_sees() -> None:
    # Decomposed umlauts, soft hyphens and zero-width spaces are not word boundaries.
    gold = "Su\u0308dtiroler Helikopter\u00adlande\u200bplatz"
    assert body_scores("Südtiroler Helikopterlandeplatz", gold) == (1.0, 1.0, 1.0)


def test_title_scores() -> None:
    assert title_scores("  Ferry   strike ", "Ferry strike") == (1.0, 1.0)
    assert title_scores("Ferry strike | Ledger", "Ferry strike") == (0.0, 1.0)
    assert title_scores("Ferry\u00a0strike", "Ferry strike\u200b") == (1.0, 1.0)
    assert title_scores("Bridge closes", "Ferry strike") == (0.0, 0.0)
    assert title_scores(None, "Ferry strike") == (0.0, 0.0)


def test_authors_match() -> None:
    assert authors_match(["Maria  Okafor", "tom brandt"], ["Tom Brandt", "Maria Okafor"]) == 1.0
    assert authors_match(["Maria Okafor"], ["Maria Okafor", "Tom Brandt"]) == 0.0
    assert authors_match([], []) == 1.0


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        # Both with a time and an offset: the same instant, within a minute.
        ("2026-11-20T12:30:00+00:00", "2026-11-20T07:30:00-05:00", 1.0),
        ("2026-11-20T12:30:00+00:00", "2026-11-20T08:30:00-05:00", 0.0),
        # A naive expectation: the same calendar day in some zone.
        ("2026-11-20T23:30:00+00:00", "2026-11-21", 1.0),
        ("2026-11-20T23:30:00+00:00", "2026-11-21T09:00:00", 1.0),
        ("2026-11-18T23:30:00+00:00", "2026-11-21", 0.0),
        # A day-only prediction: the expected day.
        ("2026-11-20", "2026-11-20T07:30:00-05:00", 1.0),
        ("2026-11-19", "2026-11-20T07:30:00-05:00", 0.0),
        (None, "2026-11-20", 0.0),
        (None, None, 1.0),
        ("not a date", "2026-11-20", 0.0),
    ],
)
def test_date_match(predicted: str | None, gold: str | None, expected: float) -> None:
    assert date_match(predicted, gold) == expected


def test_language_match() -> None:
    assert language_match("de", "de-CH") == 1.0
    assert language_match("en", "de") == 0.0
    assert language_match(None, "de") == 0.0
    assert language_match("de", None) is None  # not annotated: not scored


def test_regressions_overall_and_per_publisher() -> None:
    base = {
        "systems": {"broadsheet": {"body_f1": 0.9, "title_exact": 0.8, "language": None}},
        "per_publisher": {"A": {"broadsheet": {"body_f1": 1.0, "date": 1.0}}},
    }
    same = {
        "systems": {"broadsheet": {"body_f1": 0.897, "title_exact": 0.9, "language": 0.5}},
        "per_publisher": {"A": {"broadsheet": {"body_f1": 0.999, "date": 1.0}}},
    }
    assert regressions(same, base) == []  # within the tolerance, or better
    worse = {
        "systems": {"broadsheet": {"body_f1": 0.85, "title_exact": 0.8}},
        "per_publisher": {"A": {"broadsheet": {"body_f1": 1.0, "date": 0.0}}},
    }
    assert regressions(worse, base) == [
        "body_f1: 0.85 < baseline 0.9",
        "A: date: 0.0 < baseline 1.0",
    ]


# -- the gold set as a regression gate -------------------------------------------------------------


def test_gold_set_does_not_fall_below_baseline(gold_report: dict[str, Any]) -> None:
    """The gate: no Broadsheet score, overall or per publisher, below examples/gold/baseline.json.
    After a deliberate change, re-run `broadsheet eval examples/gold --report
    examples/gold/baseline.json` and commit the new baseline with the change."""
    assert gold_report["pages"] == BASELINE["pages"] == 10
    assert regressions(gold_report, BASELINE) == []


def test_gold_set_beats_bare_trafilatura(gold_report: dict[str, Any]) -> None:
    ours, theirs = gold_report["systems"]["broadsheet"], gold_report["systems"]["trafilatura"]
    for field in ("body_f1", "title_exact", "authors", "date"):
        assert ours[field] >= theirs[field], field
    assert ours["title_exact"] == ours["authors"] == ours["date"] == ours["language"] == 1.0
    assert len(gold_report["per_publisher"]) == 9  # two Harbor Ledger pages
    assert gold_report["speed_ratio"] is not None and gold_report["speed_ratio"] > 0
    assert gold_report["broadsheet_sources"]["date"]  # where each field came from
    assert {row["id"] for row in gold_report["per_page"]} >= {"lakeside-nightbus"}


# -- the command line ------------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="broadsheet")
    ev.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_main_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raised = json.loads(json.dumps(BASELINE))
    raised["systems"]["broadsheet"]["title_exact"] = 1.5  # unreachable: any run falls short
    fake = tmp_path / "baseline.json"
    fake.write_text(json.dumps(raised))
    out = tmp_path / "report.json"
    args = _parse(["eval", str(GOLD), "--baseline-file", str(fake), "--report", str(out)])
    assert ev.main(args) == ev.EXIT_REGRESSION
    assert "regression: title_exact" in capsys.readouterr().err
    assert json.loads(out.read_text())["systems"]["broadsheet"]["title_exact"] <= 1.0
    args = _parse(["eval", str(GOLD), "--limit", "2", "--baseline-file", str(tmp_path / "no")])
    assert ev.main(args) == ev.EXIT_USAGE
    assert ev.main(_parse(["eval", str(tmp_path)])) == ev.EXIT_USAGE
    assert ev.main(_parse(["eval", str(GOLD), "--limit", "0"])) == ev.EXIT_USAGE


def test_cli_eval_against_the_committed_baseline() -> None:
    assert cli_main(["eval", str(GOLD), "--baseline", str(GOLD / "baseline.json")]) == 0


# -- the development corpus, when it is there ------------------------------------------------------


@pytest.mark.skipif(not (CORPUS / "index.jsonl").is_file(), reason="no ../shared/corpus")
def test_corpus_sample_broadsheet_beats_bare_trafilatura() -> None:
    report = evaluate(CORPUS, limit=16)
    ours, theirs = report["systems"]["broadsheet"], report["systems"]["trafilatura"]
    assert report["pages"] == 16
    for field in ("title_exact", "authors", "date"):
        assert ours[field] >= theirs[field], field
    assert ours["body_f1"] >= theirs["body_f1"] - 0.01
