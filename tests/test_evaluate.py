"""`broadsheet eval`: scoring functions with known values, the command line, and the gold set in
examples/gold as a regression gate (Broadsheet must not fall below the committed baseline)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import evaluate as ev
from pipeline.cli import main as cli_main
from pipeline.evaluate import (
    FIELDS,
    MIN_PAGES,
    authors_match,
    body_scores,
    date_match,
    evaluate,
    interval,
    language_match,
    load_gold,
    paired_difference,
    regressions,
    resample_indices,
    summarize,
    title_scores,
)
from tests.conftest import EXAMPLES, REPO, SHARED

GOLD = EXAMPLES / "gold"
CORPUS = SHARED / "corpus" / "html"
# benchmarks/gold/build_gold.py --out ../gold-independent (docs/eval.md)
INDEPENDENT = REPO.parent / "gold-independent"
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


def test_regressions_per_language_and_on_other_pages() -> None:
    base = {
        "pages": 3,
        "systems": {"broadsheet": {"body_f1": 0.9}},
        "per_language": {"de": {"pages": 2, "broadsheet": {"language": 1.0, "date": 0.5}}},
    }
    now = {
        "pages": 3,
        "systems": {"broadsheet": {"body_f1": 0.9}},
        "per_language": {"de": {"pages": 2, "broadsheet": {"language": 0.5, "date": 0.5}}},
    }
    assert regressions(now, base) == ["language de: language: 0.5 < baseline 1.0"]
    # A run on other pages (--limit, a gold folder that lost pages) is not comparable.
    assert regressions({**now, "pages": 2, "per_language": {}}, base) == ["pages: 2 != baseline 3"]


# -- uncertainty -----------------------------------------------------------------------------------


def test_interval_of_all_ones_is_the_point_one() -> None:
    assert interval([1.0] * 40, resample_indices(40)) == [1.0, 1.0]
    # Unscored pages (None: authors not annotated) neither count nor drag the mean down.
    assert interval([1.0, None] * 20, resample_indices(40)) == [1.0, 1.0]
    assert interval([None] * 8, resample_indices(8)) is None


def test_interval_of_a_coin_contains_half_and_narrows_with_more_pages() -> None:
    def width(n: int) -> float:
        low, high = interval([1.0, 0.0] * (n // 2), resample_indices(n))
        assert low < 0.5 < high
        return high - low

    few, many = width(20), width(400)
    # The standard error falls with the square root of the pages: 20x the pages, ~1/4.5 wide.
    assert 0.3 < few < 0.55
    assert 0.05 < many < few / 3


def test_intervals_are_reproducible() -> None:
    values = [0.3, 0.9, 1.0, 0.0, 0.75, 0.6, 0.95, 0.2, 1.0, 0.5] * 3
    first = interval(values, resample_indices(len(values)))
    assert interval(values, resample_indices(len(values))) == first
    assert interval(values, resample_indices(len(values), seed=1)) != first


def test_paired_difference_of_identical_systems_is_exactly_zero() -> None:
    scores = [0.3, 0.9, 1.0, 0.0, 0.75, 0.6, 0.95, None, 1.0, 0.5] * 3
    idx = resample_indices(len(scores))
    assert paired_difference(scores, scores, idx) == {"diff": 0.0, "interval": [0.0, 0.0]}
    # Pairing: a constant gain on every page is certain, however much the pages vary.
    worse = [None if s is None else s - 0.1 for s in scores]
    assert paired_difference(scores, worse, idx) == {"diff": 0.1, "interval": [0.1, 0.1]}
    assert paired_difference(scores, worse, None) == {"diff": 0.1}  # a small group: no interval


def _rows(values: list[float | None]) -> list[dict[str, float | None]]:
    return [dict.fromkeys(FIELDS, v) for v in values]


def test_summarize_gives_intervals_from_min_pages_on() -> None:
    ours, bare = [1.0, 0.0, 1.0, 1.0, 0.5], [0.0, 0.0, 1.0, 0.5, 0.5]
    big = summarize({"broadsheet": _rows(ours), "trafilatura": _rows(bare)})
    assert big["pages"] == MIN_PAGES == 5
    assert big["broadsheet"]["body_f1"] == 0.7 and big["trafilatura"]["date"] == 0.4
    low, high = big["intervals"]["broadsheet"]["title_exact"]
    assert 0.0 < low < 0.7 < high <= 1.0
    gain = big["vs_trafilatura"]["broadsheet"]["authors"]
    assert gain["diff"] == 0.3 and gain["interval"][0] <= 0.3 <= gain["interval"][1]
    small = summarize({"broadsheet": _rows(ours[:4]), "trafilatura": _rows(bare[:4])})
    assert "intervals" not in small
    assert small["vs_trafilatura"]["broadsheet"]["date"] == {"diff": 0.375}


def test_gold_language_from_the_index_then_the_expectation(tmp_path: Path) -> None:
    """Pages are grouped by the index's language, else the expectation's, else "und"."""
    expected = json.loads((GOLD / "harbor-ferry.expected.json").read_text(encoding="utf-8"))
    rows = []
    for i, (in_index, in_expected) in enumerate(
        [("de-CH", "en"), (None, "fr"), (None, None), ("", "pt_BR")]
    ):
        exp = {k: v for k, v in expected.items() if k != "language"}
        if in_expected:
            exp["language"] = in_expected
        (tmp_path / f"p{i}.expected.json").write_text(json.dumps(exp), encoding="utf-8")
        row = {
            "id": f"p{i}",
            "publisher": "P",
            "url": expected["url"],
            "crawled_at": None,
            "html_file": str(GOLD / "harbor-ferry.html.gz"),  # an absolute path joins as itself
            "expected_file": f"p{i}.expected.json",
        }
        if in_index is not None:
            row["language"] = in_index
        rows.append(json.dumps(row))
    (tmp_path / "index.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert [p.language for p in load_gold(tmp_path)] == ["de", "fr", "und", "pt"]


# -- the gold set as a regression gate -------------------------------------------------------------


def test_gold_set_does_not_fall_below_baseline(gold_report: dict[str, Any]) -> None:
    """The gate: no Broadsheet score, overall or per publisher, below examples/gold/baseline.json.
    After a deliberate change, re-run `broadsheet eval examples/gold --write-baseline
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


def test_gold_report_has_intervals_differences_and_languages(gold_report: dict[str, Any]) -> None:
    ours, bare = gold_report["systems"]["broadsheet"], gold_report["systems"]["trafilatura"]
    assert gold_report["bootstrap"]["resamples"] >= 1000
    for name in ("broadsheet", "broadsheet_accurate", "trafilatura"):
        low, high = gold_report["intervals"][name]["body_f1"]
        assert low <= gold_report["systems"][name]["body_f1"] <= high
    assert gold_report["intervals"]["broadsheet"]["title_exact"] == [1.0, 1.0]
    for name in ("broadsheet", "broadsheet_accurate"):
        gain = gold_report["vs_trafilatura"][name]["title_exact"]
        assert gain["diff"] == round(
            gold_report["systems"][name]["title_exact"] - bare["title_exact"], 4
        )
        assert 0.0 < gain["interval"][0] <= gain["diff"] <= gain["interval"][1]
    assert gold_report["vs_trafilatura"]["broadsheet"]["body_f1"]["diff"] == pytest.approx(
        ours["body_f1"] - bare["body_f1"], abs=1e-4
    )
    langs = gold_report["per_language"]
    assert {k: v["pages"] for k, v in langs.items()} == {"en": 7, "de": 2, "fr": 1}
    assert langs["en"]["intervals"]["broadsheet"]["language"] == [1.0, 1.0]
    assert "interval" in langs["en"]["vs_trafilatura"]["broadsheet"]["authors"]
    assert "intervals" not in langs["de"]  # under MIN_PAGES: point values only
    assert langs["de"]["vs_trafilatura"]["broadsheet"]["title_exact"] == {"diff": 0.5}
    harbor = gold_report["per_publisher"]["Harbor Ledger"]
    assert harbor["pages"] == 2 and "diff" in harbor["vs_trafilatura"]["broadsheet"]["body_f1"]
    assert {row["language"] for row in gold_report["per_page"]} == {"en", "de", "fr"}


def test_print_report_shows_intervals_differences_and_languages(
    gold_report: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    ev.print_report(gold_report)
    out = capsys.readouterr().out
    assert "Broadsheet − bare [95%]" in out and "accurate − bare [95%]" in out
    title = gold_report["vs_trafilatura"]["broadsheet"]["title_exact"]
    assert f"{title['diff']:+.3f} [{title['interval'][0]:+.3f}, {title['interval'][1]:+.3f}]" in out
    assert "per language" in out
    assert "│ en       │     7 │" in out


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


def test_write_baseline_then_gate_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--write-baseline writes what --baseline-file gates on; a run that scores lower exits 1."""
    written = tmp_path / "baseline.json"
    gold = ["eval", str(GOLD), "--limit", "4"]
    assert ev.main(_parse([*gold, "--write-baseline", str(written)])) == ev.EXIT_OK
    text = written.read_text(encoding="utf-8")
    baseline = json.loads(text)
    assert "per_page" not in baseline and "pages_per_s" not in baseline["systems"]["broadsheet"]
    assert '\n    "Harbor Ledger": {"pages": 2, "broadsheet": {"body_f1": ' in text  # one line each
    assert set(baseline["per_language"]) == {"en", "de"}
    assert baseline["per_publisher"]["Harbor Ledger"]["broadsheet"]["title_exact"] == 1.0
    assert baseline["vs_trafilatura"]["broadsheet"]["body_f1"]["diff"] > 0
    assert ev.main(_parse([*gold, "--baseline-file", str(written)])) == ev.EXIT_OK
    real = ev.broadsheet

    def loses_titles(page: ev.Page, cfg: Any = None) -> ev.Prediction:
        return dataclasses.replace(real(page, cfg), title=None)

    monkeypatch.setattr(ev, "broadsheet", loses_titles)
    capsys.readouterr()
    assert ev.main(_parse([*gold, "--baseline-file", str(written)])) == ev.EXIT_REGRESSION
    err = capsys.readouterr().err
    assert "regression: title_exact: 0.0 < baseline 1.0" in err
    assert "regression: Harbor Ledger: title_exact" in err
    assert "regression: language de: title_exact" in err


def test_evaluate_runs_a_subset_of_systems() -> None:
    report = evaluate(GOLD, limit=2, systems=("broadsheet",))
    assert list(report["systems"]) == ["broadsheet"] and report["vs_trafilatura"] == {}
    assert report["speed_ratio"] is None and report["broadsheet_sources"]["title"]
    with pytest.raises(ValueError, match="unknown systems"):
        evaluate(GOLD, limit=1, systems=("broadsheet", "newspaper"))


# -- the development corpus, when it is there ------------------------------------------------------


@pytest.mark.skipif(not (CORPUS / "index.jsonl").is_file(), reason="no ../shared/corpus")
def test_corpus_sample_broadsheet_beats_bare_trafilatura() -> None:
    report = evaluate(CORPUS, limit=16)
    ours, theirs = report["systems"]["broadsheet"], report["systems"]["trafilatura"]
    assert report["pages"] == 16
    for field in ("title_exact", "authors", "date"):
        assert ours[field] >= theirs[field], field
    assert ours["body_f1"] >= theirs["body_f1"] - 0.01


# -- the external gold sets as regression gates, when they are there -------------------------------


@pytest.mark.parametrize(
    ("gold", "baseline"),
    [
        pytest.param(CORPUS, "baseline-dev-corpus.json", id="dev-corpus"),
        pytest.param(INDEPENDENT, "baseline-independent.json", id="independent"),
    ],
)
def test_external_gold_set_does_not_fall_below_its_baseline(gold: Path, baseline: str) -> None:
    """The gate on benchmarks/gold/baseline-*.json (`--write-baseline`, docs/eval.md); skipped
    where the gold folder is absent (neither set is committed)."""
    if not (gold / "index.jsonl").is_file():
        pytest.skip(f"no gold set at {gold}")
    base = json.loads((REPO / "benchmarks" / "gold" / baseline).read_text(encoding="utf-8"))
    report = evaluate(gold, systems=("broadsheet",))  # the gate needs only Broadsheet's scores
    assert regressions(report, base) == []
