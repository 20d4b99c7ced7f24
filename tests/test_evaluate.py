"""`broadsheet eval`: scoring functions, and the gold set in examples/gold as a regression gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.evaluate import (
    authors_match,
    body_scores,
    date_match,
    evaluate,
    regressions,
    title_scores,
)
from tests.conftest import EXAMPLES

GOLD = EXAMPLES / "gold"


def test_body_scores_are_bag_of_words() -> None:
    p, r, f = body_scores("the cat sat on the mat", "the cat sat")
    assert (p, r) == (3 / 6, 1.0) and f == pytest.approx(2 * 0.5 / 1.5)
    assert body_scores("", "gold text") == (0.0, 0.0, 0.0)
    assert body_scores("Same WORDS here.", "same words here") == (1.0, 1.0, 1.0)


def test_title_author_and_date_matching() -> None:
    assert title_scores("  Ferry   strike ", "Ferry strike") == (1.0, 1.0)
    assert title_scores("Ferry strike | Ledger", "Ferry strike") == (0.0, 1.0)
    assert authors_match(["Maria  Okafor", "tom brandt"], ["Tom Brandt", "Maria Okafor"]) == 1.0
    assert authors_match(["Maria Okafor"], ["Maria Okafor", "Tom Brandt"]) == 0.0
    # With an offset: the same instant; naive or day-only: the same calendar day somewhere.
    assert date_match("2026-11-20T12:30:00+00:00", "2026-11-20T07:30:00-05:00") == 1.0
    assert date_match("2026-11-20T12:30:00+00:00", "2026-11-20T08:30:00-05:00") == 0.0
    assert date_match("2026-11-20T23:30:00+00:00", "2026-11-21") == 1.0
    assert date_match("2026-11-20", "2026-11-20T07:30:00-05:00") == 1.0
    assert date_match(None, "2026-11-20") == 0.0 and date_match(None, None) == 1.0


def test_gold_set_regression_gate() -> None:
    """Broadsheet must not fall below the committed baseline, nor below bare trafilatura."""
    report = evaluate(GOLD)
    baseline = json.loads((GOLD / "baseline.json").read_text())
    assert report["pages"] == baseline["pages"] == 8
    assert regressions(report, baseline) == []
    ours, theirs = report["systems"]["broadsheet"], report["systems"]["trafilatura"]
    for field in ("body_f1", "title_exact", "authors", "date"):
        assert ours[field] >= theirs[field], field
    assert len(report["per_publisher"]) == 7  # two Harbor Ledger pages


def test_regressions_are_reported_and_the_cli_exits_1(tmp_path: Path) -> None:
    baseline = json.loads((GOLD / "baseline.json").read_text())
    baseline["systems"]["broadsheet"]["title_exact"] = 1.5  # unreachable: any run falls short
    fake = tmp_path / "baseline.json"
    fake.write_text(json.dumps(baseline))
    out = tmp_path / "report.json"
    assert main(["eval", str(GOLD), "--baseline", str(fake), "--report", str(out)]) == 1
    assert json.loads(out.read_text())["systems"]["broadsheet"]["title_exact"] <= 1.0
    assert main(["eval", str(GOLD), "--baseline", str(GOLD / "baseline.json")]) == 0
    assert main(["eval", str(tmp_path)]) == 2
