"""The night goes on, and nothing is lost or overwritten without being asked for.

Ordinary mistakes (a typo in a path, an emptied folder, two runs of one night at once, Ctrl-C)
must never replace published data or leave the lake half-written.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.config import Config, build_config
from pipeline.lake import LakeError
from pipeline.publish import publish_run
from pipeline.run import process_shard, run_ingest
from pipeline.shards import RunInfo, plan_shards
from tests.conftest import REPO, article_html

DAY = date(2026, 11, 20)


def _pages(folder: Path, n: int, tag: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = [
            f"Story {i}{tag} opens with the harbour board debating item {i} of its long agenda "
            "for most of an evening session in the old customs house by the water.",
            f"Residents quoted about item {i}{tag} said the ferry timetable mattered more to "
            "them than the parking plan, and asked for another hearing before any vote.",
        ]
        html = article_html(f"Story {i}{tag}", f"https://h.example/{tag}{i}", paras)
        (folder / f"{i:04d}.html").write_text(html)
    return folder


def _cfg(tmp_path: Path, folder: Path, **extra: object) -> Config:
    return build_config(
        {
            "lake": str(tmp_path / "lake"),
            "validate": {"min_words": 20},
            "sources": [{"name": "harbor", "type": "html", "path": str(folder)}],
            **extra,
        }
    )


def _data(lake: Path) -> dict[str, str]:
    """Every data file of the lake with its hash (run rows and the catalog aside)."""
    return {
        p.relative_to(lake).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for t in ("articles", "duplicates", "quarantine", "near_index")
        for p in sorted((lake / t).rglob("*.parquet"))
    }


def _cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_a_typo_or_an_emptied_folder_never_replaces_a_published_night(tmp_path: Path) -> None:
    folder = _pages(tmp_path / "in", 4)
    lake = tmp_path / "lake"
    sources = tmp_path / "sources.yaml"

    def write_sources(path: Path) -> None:
        sources.write_text(
            f"lake: {lake}\nvalidate: {{min_words: 20}}\n"
            f"sources:\n  - name: harbor\n    type: html\n    path: {path}\n"
        )

    write_sources(folder)
    first = _cli("ingest", "--config", str(sources), "--date", str(DAY))
    assert first.returncode == 0, first.stderr
    before = _data(lake)
    assert len(before) >= 1

    # A typo: the path does not exist. An error naming it, nothing touched.
    write_sources(tmp_path / "inn")
    typo = _cli("ingest", "--config", str(sources), "--date", str(DAY))
    assert typo.returncode == 2
    assert f"harbor: {tmp_path / 'inn'}" in typo.stderr
    assert _data(lake) == before

    # The folder exists but is empty (a failed sync): the published night is kept.
    empty = tmp_path / "empty"
    empty.mkdir()
    write_sources(empty)
    out = _cli("ingest", "--config", str(sources), "--date", str(DAY))
    assert out.returncode == 1
    assert "0 inputs from" in out.stderr and str(empty) in out.stderr
    assert _data(lake) == before

    # Asked for explicitly, the empty night replaces it.
    forced = _cli("ingest", "--config", str(sources), "--date", str(DAY), "--allow-empty")
    assert forced.returncode == 0, forced.stderr
    assert not any(k.startswith("articles/") for k in _data(lake))


def test_a_typo_in_one_sources_path_holds_it_back_and_the_others_publish(
    tmp_path: Path,
) -> None:
    a, b, c = (_pages(tmp_path / x, 3, x) for x in "abc")
    lake = tmp_path / "lake"
    sources = tmp_path / "sources.yaml"

    def write_sources(beta: list[Path], gamma: Path) -> None:
        srcs = [
            {"name": "alpha", "type": "html", "path": str(a)},
            {"name": "beta", "type": "html", "path": [str(p) for p in beta]},
            {"name": "gamma", "type": "html", "path": str(gamma)},
        ]
        cfg = {"lake": str(lake), "validate": {"min_words": 20}, "sources": srcs}
        sources.write_text(yaml.safe_dump(cfg))

    # A first night in which gamma's path is mistyped: held back although it has nothing
    # published to keep (a green first night would hide the typo), the others publish.
    write_sources([b], tmp_path / "cc")
    first = _cli("ingest", "--config", str(sources), "--date", str(DAY), "--json")
    assert first.returncode == 1, first.stderr
    out = yaml.safe_load(first.stdout)
    assert out["status"] == "partial"
    assert list(out["held_back"]) == ["gamma"]
    assert f"input paths that do not exist: {tmp_path / 'cc'}" in out["held_back"]["gamma"]
    assert {n: v["written"] for n, v in out["by_source"].items() if v["written"]} == {
        "alpha": 3,
        "beta": 3,
    }

    # The path fixed: a full night. Then beta's second path is mistyped: none of beta is read
    # (its first path alone would replace its partition with part of its data) and what it
    # published is kept byte for byte, while alpha and gamma publish their new pages.
    write_sources([b], c)
    assert _cli("ingest", "--config", str(sources), "--date", str(DAY)).returncode == 0
    beta_before = {k: v for k, v in _data(lake).items() if "source=beta" in k}
    assert beta_before
    _pages(a, 5, "a")
    _pages(b, 5, "b")
    write_sources([b, tmp_path / "b2"], c)
    typo = _cli("ingest", "--config", str(sources), "--date", str(DAY), "--json")
    assert typo.returncode == 1, typo.stderr
    out = yaml.safe_load(typo.stdout)
    assert list(out["held_back"]) == ["beta"]
    assert "published partition of 2026-11-20 (3 rows) was kept" in out["held_back"]["beta"]
    assert out["by_source"]["beta"]["inputs"] == 0
    assert out["by_source"]["alpha"]["written"] == 5
    assert {k: v for k, v in _data(lake).items() if "source=beta" in k} == beta_before


def test_an_empty_source_beside_healthy_ones_is_held_back_and_the_rest_publishes(
    tmp_path: Path,
) -> None:
    a, b = _pages(tmp_path / "a", 3, "a"), _pages(tmp_path / "b", 3, "b")
    srcs = [
        {"name": "alpha", "type": "html", "path": str(a)},
        {"name": "beta", "type": "html", "path": str(b)},
    ]
    cfg = build_config(
        {"lake": str(tmp_path / "lake"), "validate": {"min_words": 20}, "sources": srcs}
    )
    assert run_ingest(cfg, DAY).written == 6
    for p in b.iterdir():
        p.unlink()
    _pages(a, 4, "a")
    s = run_ingest(cfg, DAY)
    assert s.status == "partial" and list(s.held_back) == ["beta"]
    assert s.by_source["alpha"].written == 4
    parts = _data(tmp_path / "lake")
    assert any("source=beta" in k for k in parts if k.startswith("articles/"))


def test_of_two_runs_of_one_night_the_later_publish_is_refused(tmp_path: Path) -> None:
    """Run A stages its shards; run B of the same night publishes meanwhile; A must not
    silently replace B's rows (the mapped-task path: shards, then a separate publish)."""
    folder = _pages(tmp_path / "in", 3)
    cfg = _cfg(tmp_path, folder)
    run_a = RunInfo.new(DAY)
    results = [process_shard(cfg, s, run_a) for s in plan_shards(cfg)]
    time.sleep(0.01)
    _pages(folder, 5)
    b = run_ingest(cfg, DAY)
    assert b.written == 5
    after_b = _data(tmp_path / "lake")
    with pytest.raises(LakeError, match=f"run {b.run_id} published harbor"):
        publish_run(cfg, run_a, results, ["harbor"])
    assert _data(tmp_path / "lake") == after_b
    # A later run of the night, started after B, publishes normally.
    assert run_ingest(cfg, DAY).status == "published"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_says_so_in_one_line_and_leaves_the_lake_as_it_was(
    tmp_path: Path, sig: signal.Signals
) -> None:
    folder = _pages(tmp_path / "in", 3)
    lake = tmp_path / "lake"
    assert run_ingest(_cfg(tmp_path, folder), DAY).written == 3
    before = _data(lake)
    _pages(folder, 400, "x")
    # Small row groups: the shard writes its first staged file after 20 pages, so the signal
    # lands mid-extraction (with the default, the first file appears only as the shard ends,
    # and on a loaded machine the signal could then arrive after the publish).
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "lake": str(lake),
                "validate": {"min_words": 20},
                "lake_options": {"row_group_rows": 20},
                "sources": [{"name": "harbor", "type": "html", "path": str(folder)}],
            }
        )
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", "--config", str(sources)]
    cmd += ["--date", str(DAY), "--workers", "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    staged = lake / "_staging"
    while not (staged.exists() and any(staged.rglob("*.parquet"))):  # mid-run: shards writing
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines == ["interrupted: nothing published, the lake is as it was (run recorded)"]
    assert _data(lake) == before
    assert not list(staged.glob("*"))
    statuses = [
        pq.read_table(p).column("status")[0].as_py()
        for p in sorted((lake / "runs").rglob("*.parquet"))
    ]
    assert sorted(statuses) == ["interrupted", "published"]
