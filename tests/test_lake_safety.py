"""The lake's promises to concurrent and repeated writers: one writer at a time (the lock file),
staging left by dead runs swept once stale, and a same-date re-run that replaces its night
(articles, duplicates and quarantine alike) rather than adding to it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from pipeline.lake import STALE_STAGING_S, Lake
from pipeline.run import run_ingest
from tests.conftest import REPO
from tests.test_lake import DAY, _cfg, _corpus

HOLDER = """
import sys, time
from pathlib import Path
from pipeline.lake import Lake
with Lake(sys.argv[1]).locked():
    print("held", flush=True)
    release = Path(sys.argv[2])
    while not release.exists():
        time.sleep(0.02)
"""


def test_the_lock_file_serialises_writers_across_processes(tmp_path: Path) -> None:
    lake_dir, release = tmp_path / "lake", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lake_dir), str(release)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert (lake_dir / ".lock").is_file()
        entered = threading.Event()

        def second_writer() -> None:
            with Lake(str(lake_dir)).locked():
                entered.set()

        t = threading.Thread(target=second_writer, daemon=True)
        t.start()
        # While the other process holds the lock, this writer waits (a broken lock lets it in
        # at once, so a loaded machine cannot make this pass wrongly for long).
        assert not entered.wait(1.5), "a second writer got in while the lock was held"
        release.touch()
        assert entered.wait(60), "the writer never got the lock after it was released"
        t.join(10)
    finally:
        release.touch()
        holder.wait(30)


def _staged(lake: Path, run_id: str, age_s: float) -> Path:
    f = lake / "_staging" / run_id / "shards" / "0" / "articles" / "part-0.parquet"
    f.parent.mkdir(parents=True)
    f.write_bytes(b"staged rows")
    when = time.time() - age_s
    for p in (f, *f.parents):
        if p == lake:
            break
        os.utime(p, (when, when))
    return lake / "_staging" / run_id


def test_stale_staging_is_swept_and_live_staging_kept(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    dead = _staged(lake, "run-dead", STALE_STAGING_S + 3600)  # a run killed a day ago
    live = _staged(lake, "run-live", STALE_STAGING_S - 3600)  # shards still writing, slowly
    with Lake(str(lake)).locked():  # every writer recovers the lake first
        pass
    assert not dead.exists(), "staging of a dead run is swept"
    assert (live / "shards" / "0" / "articles" / "part-0.parquet").read_bytes() == b"staged rows"


def _rows(lake: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return {
            "articles": con.execute(
                "SELECT article_id, url, content_sha256 FROM articles ORDER BY 1"
            ).fetchall(),
            "duplicates": con.execute(
                "SELECT article_id, duplicate_of, match, previous_run, input_ref FROM duplicates "
                "ORDER BY input_ref"
            ).fetchall(),
            "quarantine": con.execute(
                "SELECT input_ref, reason FROM quarantine ORDER BY 1"
            ).fetchall(),
        }
    finally:
        con.close()


def test_a_same_date_rerun_replaces_duplicates_and_quarantine_too(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _corpus(inputs, 4)
    (inputs / "page900.html").write_text((inputs / "page000.html").read_text())  # a duplicate
    (inputs / "page901.html").write_text("<html><body><nav>Home</nav></body></html>")  # bad
    cfg = _cfg(tmp_path, inputs)
    first = run_ingest(cfg, DAY)
    before = _rows(tmp_path / "lake")
    second = run_ingest(cfg, DAY)
    after = _rows(tmp_path / "lake")
    counts = [(s.written, s.duplicates, s.quarantined) for s in (first, second)]
    assert counts == [(4, 1, 1), (4, 1, 1)]
    assert after == before
    assert [d[3] for d in after["duplicates"]] == [False], "not a duplicate of its own night"
    assert len(after["quarantine"]) == 1


def test_a_retried_publish_reports_the_night_its_first_attempt_committed(
    tmp_path: Path,
) -> None:
    """Airflow retries a failed publish task. When the first attempt died after the journal's
    commit point, opening the lake rolls its publish forward and consumes the staging: the
    retry reports that published night (same counts, report written) instead of failing with
    "staging incomplete" on a night that is in fact published."""
    from pipeline import storage as storage_mod
    from pipeline.publish import publish_run
    from pipeline.run import process_shard
    from pipeline.shards import RunInfo, plan_shards, record_config

    _corpus(tmp_path / "in", 4)
    cfg = _cfg(tmp_path, tmp_path / "in")
    run = record_config(cfg, RunInfo.new(DAY))
    results = [process_shard(cfg, s, run) for s in plan_shards(cfg, ["harbor"])]
    real, moves = os.replace, {"n": 0}

    def flaky(src: Any, dst: Any) -> None:
        if "_staging" in str(src) and "final" in str(src):
            moves["n"] += 1
            if moves["n"] == 2:
                raise OSError("disk went away")
        real(src, dst)

    storage_mod.os.replace = flaky  # type: ignore[assignment]
    try:
        try:
            publish_run(cfg, run, results, ["harbor"])
        except OSError:
            pass
        else:
            raise AssertionError("the first attempt should have failed mid-publish")
    finally:
        storage_mod.os.replace = real  # type: ignore[assignment]
    retry = publish_run(cfg, run, results, ["harbor"])
    assert (retry.status, retry.run_id, retry.inputs, retry.written) == (
        "published", run.run_id, 4, 4,
    )  # fmt: skip
    con = Lake(cfg.lake).connect()
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (4,)
    rows = con.execute("SELECT run_id, status FROM runs").fetchall()
    con.close()
    assert rows == [(run.run_id, "published")]
    report = tmp_path / "lake" / str(retry.report) / "report.html"
    assert report.is_file()
