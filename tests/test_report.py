"""Run reports: offline, small, and every run listed in the index, including those that failed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline import run as run_mod
from pipeline.config import build_config
from pipeline.pool import PoolError
from pipeline.publish import RunFailed
from pipeline.run import run_ingest
from tests.conftest import article_html

DAY = date(2026, 11, 20)
# What would make a page blank offline: styles, scripts, fonts or images from the network.
ASSET_URL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
    re.IGNORECASE,
)


def test_reports_of_a_real_night_load_nothing_from_the_network(example_lake: Path) -> None:
    pages = sorted((example_lake / "reports").rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not ASSET_URL.search(html), f"{page} loads an asset from the network"
        assert "http://" not in html and "https://" not in html, page
    names = {p.name for p in pages}
    assert {"index.html", "report.html", "validation.html"} <= names


def test_a_nights_reports_stay_under_a_megabyte_per_run(example_lake: Path) -> None:
    runs = sorted((example_lake / "reports").glob("ingest_date=*/run-*"))
    assert runs
    shared = sum(p.stat().st_size for p in (example_lake / "reports").glob("*") if p.is_file())
    for run in runs:
        size = sum(p.stat().st_size for p in run.rglob("*") if p.is_file())
        assert size + shared < 1_000_000, f"{run.name}: {size + shared} bytes"
        names = {p.name for p in run.iterdir()}
        assert {"validation.json", "validation.html", "report.html"} <= names


def test_validation_page_shows_great_expectations_results(example_lake: Path) -> None:
    import json

    [run] = sorted((example_lake / "reports").glob("ingest_date=*/run-*"))[:1]
    data = json.loads((run / "validation.json").read_text())
    html = (run / "validation.html").read_text()
    for name, suite in data["great_expectations"].items():
        assert f"suite {name}" in html
        stats = suite["statistics"]
        met = f"{stats['successful_expectations']} of {stats['evaluated_expectations']}"
        assert met in html
        for r in suite["results"]:
            assert f"<code>{r['expectation_config']['type']}</code>" in html


def _night(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        url = f"https://harbor.example/news/{i}"
        paras = [f"Story {i}: the harbour commission met again on a wet evening in town."] * 6
        (folder / f"{i}.html").write_text(article_html(f"Story {i}", url, paras))
    return folder


def _cfg(tmp_path: Path) -> Any:
    return build_config(
        {
            "lake": str(tmp_path / "lake"),
            "workers": 1,
            "validate": {"min_words": 20, "batch_checks": False},
            "sources": [{"name": "harbor", "type": "html", "path": str(tmp_path / "in")}],
        }
    )


@pytest.mark.parametrize(
    ("fault", "status", "cause"),
    [
        (PoolError("8 documents in a row failed the same way"), "failed", "worker pool failed"),
        (KeyboardInterrupt(), "interrupted", "interrupted before the publish"),
    ],
)
def test_runs_that_did_not_publish_are_in_the_index_with_their_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: BaseException, status: str, cause: str
) -> None:
    _night(tmp_path / "in", 2)
    cfg = _cfg(tmp_path)
    ok = run_ingest(cfg, DAY)
    index = tmp_path / "lake" / "reports" / "index.html"
    assert ok.run_id in index.read_text()

    def broken(*a: Any, **k: Any) -> Any:
        raise fault

    monkeypatch.setattr(run_mod, "process_shard", broken)
    with pytest.raises((RunFailed, KeyboardInterrupt)):
        run_ingest(cfg, DAY)
    html = index.read_text()
    rows = [r for r in html.split("<tr>") if status in r]
    assert len(rows) == 1, html
    assert cause in rows[0] and (str(fault) or cause) in rows[0]
    assert ok.run_id in html  # the published run is still listed


def test_a_first_night_that_fails_is_listed_without_a_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _night(tmp_path / "in", 1)

    def broken(*a: Any, **k: Any) -> Any:
        raise PoolError("workers could not start")

    monkeypatch.setattr(run_mod, "process_shard", broken)
    with pytest.raises(RunFailed):
        run_ingest(_cfg(tmp_path), DAY)
    assert not (tmp_path / "lake" / "catalog.duckdb").exists()
    html = (tmp_path / "lake" / "reports" / "index.html").read_text()
    assert "workers could not start" in html and "failed" in html
