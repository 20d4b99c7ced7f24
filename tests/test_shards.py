"""One configuration per run: what `begin` records is what every later step reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pipeline.config import ConfigError, load_config
from pipeline.publish import publish_run
from pipeline.run import process_shard
from pipeline.shards import CONFIG_DIR, RunInfo, plan_shards, record_config, run_config
from tests.conftest import article_html

DAY = date(2026, 11, 20)


def corpus(folder: Path, slugs: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        paras = [
            f"The {slug} report opens with the harbour board's vote on the breakwater, taken "
            "late on Tuesday after a long debate in a crowded hall near the docks.",
            f"Members said the {slug} plan would be costed again in spring, and that the "
            "contractors had been asked to keep the old pier open during the works.",
        ]
        url = f"https://harbor.example/news/{slug}"
        (folder / f"{slug}.html").write_text(article_html(f"Story {slug}", url, paras))
    return folder


def sources_file(tmp_path: Path, folder: str, min_words: int) -> dict[str, Any]:
    """Write the sources file; returns what it holds, for editing."""
    data = {
        "lake": str(tmp_path / "lake"),
        "validate": {"min_words": min_words, "batch_checks": False},
        "sources": [{"name": "harbor", "type": "html", "path": folder}],
    }
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(data))
    return data


def test_a_run_reads_the_configuration_it_began_with_not_the_edited_file(tmp_path: Path) -> None:
    corpus(tmp_path / "first", ["alpha", "bravo"])
    corpus(tmp_path / "second", ["charlie", "delta", "echo"])
    path = tmp_path / "sources.yaml"
    sources_file(tmp_path, "first", 20)

    # begin: the run's identity and its configuration, recorded in the lake
    began = load_config(path)
    run = record_config(began, RunInfo.new(DAY))
    assert run.config_sha256 == began.fingerprint() and run.lake == began.lake
    assert RunInfo.from_dict(run.as_dict()) == run  # what travels as XCom names it

    sources_file(tmp_path, "second", 10_000)  # edited while the night runs
    assert load_config(path).fingerprint() != run.config_sha256

    # plan, process and publish, each reading the run's configuration as the DAG's tasks do
    shards = plan_shards(run_config(run), ["harbor"])
    results = [process_shard(run_config(run), s, run) for s in shards]
    summary = publish_run(run_config(run), run, results, ["harbor"])
    assert (summary.written, summary.quarantined) == (2, 0)
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    try:
        urls = con.execute("SELECT url FROM articles ORDER BY 1").fetchall()
        [(sha,)] = con.execute("SELECT config_sha256 FROM runs").fetchall()
    finally:
        con.close()
    assert [u.rsplit("/", 1)[-1] for (u,) in urls] == ["alpha", "bravo"]
    assert sha == run.config_sha256
    snapshot = tmp_path / "lake" / CONFIG_DIR / f"{sha}.json"
    assert snapshot.read_bytes() == began.snapshot()  # still there for whoever asks later


def test_a_missing_or_tampered_snapshot_fails_loudly(tmp_path: Path) -> None:
    corpus(tmp_path / "first", ["alpha"])
    sources_file(tmp_path, "first", 20)
    run = record_config(load_config(tmp_path / "sources.yaml"), RunInfo.new(DAY))
    snapshot = tmp_path / "lake" / CONFIG_DIR / f"{run.config_sha256}.json"
    original = snapshot.read_bytes()

    # Still a valid configuration, only not the one the run recorded.
    snapshot.write_bytes(original.replace(b'"min_words": 20', b'"min_words": 21'))
    with pytest.raises(ConfigError, match="does not match the run's fingerprint"):
        run_config(run)
    snapshot.unlink()
    with pytest.raises(ConfigError, match="snapshot of run .* is missing"):
        run_config(run)
    with pytest.raises(ConfigError, match="recorded no configuration snapshot"):
        run_config(RunInfo(run.run_id, run.ingest_date, run.started_at))

    # begin of the next run with the same configuration writes it whole again
    again = record_config(load_config(tmp_path / "sources.yaml"), RunInfo.new(DAY))
    assert again.config_sha256 == run.config_sha256 and snapshot.read_bytes() == original
    assert run_config(again).validate_.min_words == 20
