"""`workers: 1`, the default, is one isolated worker: a page that crashes or hangs the document
chain takes a worker down, never the night. `workers: 0` runs the chain here, unisolated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pipeline import cli
from pipeline.config import ConfigError, build_config
from tests.conftest import REPO, article_html

DAY = date(2026, 11, 20)
SEGFAULT, HANG = "BROADSHEET-TEST-SEGFAULT", "BROADSHEET-TEST-HANG"

# Loaded by every Python process of the test's night (the CLI and its workers alike): the
# extractor segfaults on one page and hangs in C code (SIGALRM blocked) on another, as a parser
# can. Whichever process runs the chain meets them.
BAD_PARSER = f"""
import os, resource, signal, time
import pipeline.extract as _x

_real = _x.extract

def extract(doc, cfg):
    html = doc.html or b""
    if b"{SEGFAULT}" in html:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file in the test's folder
        os.kill(os.getpid(), signal.SIGSEGV)
    if b"{HANG}" in html:
        signal.pthread_sigmask(signal.SIG_BLOCK, {{signal.SIGALRM}})
        time.sleep(300)
    return _real(doc, cfg)

_x.extract = extract
"""


def _story(i: int, marker: str = "") -> str:
    paras = [
        f"Story {i}: the harbour board met on Tuesday to discuss the winter timetable of the "
        f"ferries, which residents of the islands have asked to change for years. {marker}",
        f"Councillors said the new timetable for route {i} would add two crossings in the "
        "morning and one late in the evening, paid for by the regional transport budget.",
        "Fishermen welcomed the plan but asked that the inner basin stay open for their boats "
        "during the busiest weeks of the season, when the quay is crowded before dawn.",
    ]
    return article_html(
        title=f"Ferry timetable story {i}", url=f"https://h.example/{i}", paragraphs=paras
    )


def test_a_default_night_quarantines_pages_that_crash_or_hang_and_writes_the_rest(
    tmp_path: Path,
) -> None:
    """The CLI with the default config: a page that segfaults the parser (and its copy,
    extracted after all once the first became no record) and one that hangs it in C code are
    quarantined with their reason; the other pages are written and the counts reconcile.
    Run in the parent, either page would kill or hang the whole night."""
    pages = tmp_path / "in"
    pages.mkdir()
    for i in range(4):
        (pages / f"good-{i}.html").write_text(_story(i))
    (pages / "crash-1.html").write_text(_story(10, SEGFAULT))
    (pages / "crash-2.html").write_text(_story(10, SEGFAULT))  # same bytes: a known input
    (pages / "hang.html").write_text(_story(11, HANG))
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BAD_PARSER)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "lake": str(tmp_path / "lake"),
                # The hard limit is 2 x 0.5 + 5 = 6 s; no `workers`: the default.
                "extract": {"timeout_s": 0.5},
                "validate": {"batch_checks": False},
                "sources": [{"name": "h", "type": "html", "path": str(pages)}],
            }
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", "--config", str(sources)]
    cmd += ["--date", str(DAY), "--json", "--no-progress"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=150)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["workers"] == 1
    assert (summary["status"], summary["inputs"], summary["written"]) == ("published", 7, 4)
    assert (summary["quarantined"], summary["duplicates"], summary["skipped"]) == (3, 0, 0)
    assert summary["by_reason"] == {"extractor_error": 2, "timeout": 1}

    con = duckdb.connect()
    lake = tmp_path / "lake"
    rows = con.execute(
        "SELECT input_ref, stage, reason, message FROM read_parquet(?)",
        [str(lake / "quarantine" / "**" / "*.parquet")],
    ).fetchall()
    held = {Path(ref).name: (stage, reason, message) for ref, stage, reason, message in rows}
    assert {name: h[:2] for name, h in held.items()} == {
        "crash-1.html": ("extract", "extractor_error"),
        "crash-2.html": ("extract", "extractor_error"),
        "hang.html": ("extract", "timeout"),
    }
    assert "worker process died" in held["crash-1.html"][2]
    assert "worker process died" in held["crash-2.html"][2]
    assert "hung on this document for over 6s; killed" in held["hang.html"][2]
    written = con.execute(
        "SELECT input_ref FROM read_parquet(?)", [str(lake / "articles" / "**" / "*.parquet")]
    ).fetchall()
    assert sorted(Path(r[0]).name for r in written) == [f"good-{i}.html" for i in range(4)]
    [(workers,)] = con.execute(
        "SELECT workers FROM read_parquet(?)", [str(lake / "runs" / "**" / "*.parquet")]
    ).fetchall()
    assert workers == 1


def test_workers_0_runs_the_chain_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For embedding and debugging: no worker process, and the run row says so."""
    from pipeline import document, pool
    from pipeline.run import run_ingest

    pages = tmp_path / "in"
    pages.mkdir()
    for i in range(3):
        (pages / f"p{i}.html").write_text(_story(i))
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "workers": 0,
            "validate": {"batch_checks": False},
            "sources": [{"name": "h", "type": "html", "path": str(pages)}],
        }
    )

    def no_worker(*a: Any, **k: Any) -> Any:
        raise AssertionError("a worker process was started")

    pids: list[int] = []
    real = document.extract

    def extract_here(doc: Any, ecfg: Any) -> Any:
        pids.append(os.getpid())
        return real(doc, ecfg)

    monkeypatch.setattr(pool, "Worker", no_worker)
    monkeypatch.setattr(document, "extract", extract_here)
    s = run_ingest(cfg, DAY)
    assert (s.status, s.written, s.workers) == ("published", 3, 0)
    assert pids == [os.getpid()] * 3
    [(workers,)] = duckdb.execute(
        "SELECT workers FROM read_parquet(?)",
        [str(tmp_path / "lake" / "runs" / "**" / "*.parquet")],
    ).fetchall()
    assert workers == 0


def test_workers_accepts_0_in_the_file_and_on_the_command_line(tmp_path: Path) -> None:
    one = [{"name": "h", "type": "html", "path": str(tmp_path)}]
    assert build_config({"sources": one}).workers == 1
    assert build_config({"sources": one, "workers": 0}).workers == 0
    with pytest.raises(ConfigError, match="workers"):
        build_config({"sources": one, "workers": -1})
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"workers": 3, "sources": one}))

    def workers(*argv: str) -> int:
        cfg, _ = cli._ingest_config(cli._parser().parse_args(["ingest", *argv]))
        return cfg.workers

    assert workers(str(tmp_path)) == 1
    assert workers(str(tmp_path), "--workers", "0") == 0
    assert workers("--config", str(sources)) == 3
    assert workers("--config", str(sources), "--workers", "0") == 0
    for command in ("requeue", "reextract"):
        argv = [command, "--config", str(sources), "--date", "2026-11-20", "--workers", "0"]
        assert cli._parser().parse_args(argv).workers == 0


@pytest.mark.parametrize("bad", ["-1", "257", "two"])
def test_a_worker_count_out_of_range_is_a_usage_mistake(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flag overrides the file without its validation: a negative count would otherwise
    run the chain unisolated without a word."""
    with pytest.raises(SystemExit) as exit_:
        cli._parser().parse_args(["ingest", str(tmp_path), "--workers", bad])
    assert exit_.value.code == cli.EXIT_USAGE
    assert "not a worker count from 0 to 256" in capsys.readouterr().err
