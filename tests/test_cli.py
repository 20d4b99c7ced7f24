from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import article_html


def _pages(folder: Path, n: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = [
            f"Paragraph {j} of story {i} has enough words to count as a body paragraph "
            "about the harbour, the council and the weather this week."
            for j in range(5)
        ]
        (folder / f"p{i}.html").write_text(
            article_html(title=f"Story {i}", url=f"https://h.example/{i}", paragraphs=paras)
        )


def test_paths_mode_with_source_name_and_json_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pages(tmp_path / "in")
    code = main(
        [
            "ingest",
            str(tmp_path / "in"),
            "--source",
            "harbor",
            "--lake",
            str(tmp_path / "lake"),
            "--date",
            "2026-11-20",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_source"] == {
        "harbor": {"inputs": 3, "written": 3, "duplicates": 0, "quarantined": 0, "skipped": 0}
    }
    assert (
        main(
            [
                "sql",
                "--lake",
                str(tmp_path / "lake"),
                "--format",
                "csv",
                "SELECT source, count(*) AS n FROM articles GROUP BY 1",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["source,n", "harbor,3"]


def test_bad_config_exits_2_with_the_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("sources:\n  - {name: Bad!, type: html, path: x}\n")
    assert main(["ingest", "--config", str(cfg)]) == 2
    assert "sources.0.name" in capsys.readouterr().err


def test_lake_that_is_a_file_exits_1_and_publishes_nothing(tmp_path: Path) -> None:
    _pages(tmp_path / "in", 1)
    not_a_dir = tmp_path / "lake"
    not_a_dir.write_text("oops")
    assert main(["ingest", str(tmp_path / "in"), "--lake", str(not_a_dir)]) == 1
    assert not_a_dir.read_text() == "oops"


def test_sql_errors_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pages(tmp_path / "in", 1)
    assert main(["ingest", str(tmp_path / "in"), "--lake", str(tmp_path / "lake")]) == 0
    assert main(["sql", "--lake", str(tmp_path / "lake"), "SELECT nope FROM articles"]) == 1
    assert "nope" in capsys.readouterr().err
