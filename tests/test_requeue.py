"""`broadsheet requeue` and `broadsheet report`: quarantined inputs come back after a fix."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.cli import main
from pipeline.records import REASONS
from pipeline.requeue import input_file
from tests.test_gate import _page

DAY = "2026-11-20"


def _sql(lake: Path, q: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(q).fetchall()
    finally:
        con.close()


@pytest.fixture
def night(tmp_path: Path) -> tuple[Path, Path]:
    """Five good pages, two short ones (quarantined as too_short at min_words 60), one JSONL
    line that is not JSON."""
    html = tmp_path / "in" / "pages"
    html.mkdir(parents=True)
    for i in range(5):
        (html / f"{i}.html").write_text(_page("alpha", i, 0))
    short = "<html><body><article><h1>Brief</h1><p>{}</p></article></body></html>"
    words = " ".join(f"word{i}" for i in range(40))
    (html / "short-a.html").write_text(short.format("Harbour news in brief: " + words))
    (html / "short-b.html").write_text(short.format("Market news in brief: " + words))
    jl = tmp_path / "in" / "wire.jsonl"
    jl.write_text(
        '{"url": "https://w.example/1", "text": "' + " ".join(["news"] * 70) + '"}\nnot json\n'
    )
    cfg = {
        "lake": str(tmp_path / "lake"),
        "validate": {"min_words": 60},
        "sources": [
            {"name": "alpha", "type": "html", "path": str(html)},
            {"name": "wire", "type": "jsonl", "path": str(jl)},
        ],
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["ingest", "--config", str(path), "--date", DAY, "--no-progress"]) == 0
    return path, tmp_path / "lake"


def _set_min_words(path: Path, n: int) -> None:
    cfg = yaml.safe_load(path.read_text())
    cfg["validate"]["min_words"] = n
    path.write_text(yaml.safe_dump(cfg))


def test_requeue_after_a_fix_moves_inputs_without_double_counting(
    night: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, lake = night
    before = _sql(lake, "SELECT source, reason, count(*) FROM quarantine GROUP BY 1, 2 ORDER BY 1")
    assert before == [("alpha", "too_short", 2), ("wire", "bad_json", 1)]
    assert _sql(lake, "SELECT count(*) FROM articles") == [(6,)]
    # Nothing fixed yet: requeue keeps them quarantined, once.
    args = ["requeue", "--config", str(path), "--date", DAY, "--reason", "too_short", "--json"]
    assert main(args) == 0
    assert _sql(lake, "SELECT count(*) FROM quarantine") == [(3,)]
    assert _sql(lake, "SELECT count(*) FROM articles") == [(6,)]
    # The rule is relaxed: the two short pages come back as articles, the JSONL line stays.
    _set_min_words(path, 30)
    capsys.readouterr()
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_source"]["alpha"] == {
        "inputs": 7, "written": 7, "duplicates": 0, "quarantined": 0, "skipped": 0
    }  # fmt: skip
    assert _sql(lake, "SELECT source, reason FROM quarantine") == [("wire", "bad_json")]
    titles = _sql(lake, "SELECT count(*), count(DISTINCT article_id) FROM articles")
    assert titles == [(8, 8)]
    # Inputs are accounted for once: articles + quarantine + duplicates == what was read.
    assert _sql(
        lake,
        "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM quarantine) "
        "+ (SELECT count(*) FROM duplicates)",
    ) == [(9,)]
    # Again: nothing left with that reason.
    assert main(args) == 0
    assert "nothing to requeue" in capsys.readouterr().err
    runs = _sql(lake, "SELECT message FROM runs WHERE message IS NOT NULL ORDER BY started_at")
    assert runs == [("requeue of 2 quarantined input(s) with reason too_short",)] * 2


def test_requeue_of_a_deleted_input_stays_quarantined(night: tuple[Path, Path]) -> None:
    path, lake = night
    (path.parent / "in" / "pages" / "short-a.html").unlink()
    _set_min_words(path, 30)
    assert main(["requeue", "--config", str(path), "--date", DAY, "--source", "alpha"]) == 0
    [(ref, reason, msg)] = _sql(
        lake, "SELECT input_ref, reason, message FROM quarantine WHERE source = 'alpha'"
    )
    assert (
        str(ref).endswith("short-a.html") and reason == "unreadable" and "No such file" in str(msg)
    )
    assert _sql(lake, "SELECT count(*) FROM articles WHERE source = 'alpha'") == [(6,)]


def test_requeue_rejects_unknown_reasons(night: tuple[Path, Path]) -> None:
    path, _ = night
    assert main(["requeue", "--config", str(path), "--date", DAY, "--reason", "nope"]) == 2
    assert "too_short" in REASONS


def test_report_command_and_run_report_html(
    night: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, lake = night
    capsys.readouterr()
    assert main(["report", "--lake", str(lake), "--date", DAY, "--json"]) == 0
    [run] = json.loads(capsys.readouterr().out)
    # The JSONL article has no headline: one in six is over the 10% ceiling, a warning.
    assert run["checks"] == "warnings"
    [warning] = run["warnings"]
    assert warning.startswith("title_null_rate") and "1 of 6 unexpected" in warning
    page = Path(run["report"])
    html = page.read_text()
    for heading in ("Articles per source", "Language mix", "Quarantine rate by source",
                    "Duplicate rate by source", "Text length (words)", "Expectations"):  # fmt: skip
        assert heading in html
    assert "<svg" in html and "unique_article_id" in html
    assert Path(run["data_docs"]).exists() and Path(run["validation"]).exists()
    index = (lake / "reports" / "index.html").read_text()
    assert run["run_id"] in index
    assert main(["report", "--lake", str(lake), "--date", "2020-01-01"]) == 1


@pytest.mark.parametrize(
    ("ref", "fmt", "file"),
    [
        ("/d/a.jsonl.gz:12", "jsonl", "/d/a.jsonl.gz"),
        ("/d/digest.txt#3", "text", "/d/digest.txt"),
        ("s3://b/c.warc.gz@1234", "warc", "s3://b/c.warc.gz"),
        ("/d/x.warc.gz@0+512", "warc", "/d/x.warc.gz"),
        ("/d/page#1.html", "html", "/d/page#1.html"),
    ],
)
def test_input_file_of_a_reference(ref: str, fmt: str, file: str) -> None:
    assert input_file(ref, fmt) == file


def test_requeue_of_a_date_without_quarantine_is_a_no_op(tmp_path: Path) -> None:
    from pipeline.config import build_config
    from pipeline.requeue import requeue

    cfg = build_config(
        {"lake": str(tmp_path / "l"), "sources": [{"name": "a", "type": "html", "path": "x"}]}
    )
    assert requeue(cfg, date(2026, 1, 1)) is None
