"""The worker pool: clean under any host, and a broken pool fails the run, not the documents."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import ExtractConfig, ValidateConfig
from pipeline.document import DocWork, outcomes
from pipeline.normalize import NormalizeContext
from pipeline.pool import FAILURES_IN_A_ROW, PoolError, WorkerPool
from pipeline.records import Article, RawDoc
from tests.conftest import REPO

CTX = NormalizeContext("r", datetime(2026, 1, 1, tzinfo=UTC), "1.0.0")
WORK = DocWork(ExtractConfig(), ValidateConfig(min_words=10), CTX)


def _docs(n: int) -> list[RawDoc]:
    return [RawDoc("s", f"d{i}", "text", text=f"Title {i}\n\n" + "word " * 60) for i in range(n)]


def where_am_i(doc: RawDoc, work: DocWork) -> tuple[Any, tuple[float, ...]]:
    """What a worker sees of its host: its main module and whether Airflow is loaded."""
    main = sys.modules["__main__"]
    seen = {
        "pid": os.getpid(),
        "airflow": "airflow" in sys.modules,
        "mp_main": "__mp_main__" in sys.modules,
        "main_file": getattr(main, "__file__", None),
    }
    return seen, (0.0, 0.0, 0.0, 0.0)


def always_raises(doc: RawDoc, work: DocWork) -> Any:
    raise RuntimeError("Could not parse SQLAlchemy URL from given URL string")


HOST = """
    import json, os, sys
    # A host whose __main__ must never run twice: Airflow's task runner is such a host (its
    # entry script initialises Airflow, and task processes have no metadata database).
    if __name__ != "__main__":
        open({marker!r}, "a").write(f"re-executed in {{os.getpid()}} as {{__name__}}\\n")
        raise SystemExit("the host's __main__ was re-executed in a worker")
    import airflow  # noqa: F401  (the host has Airflow loaded, as a task process does)
    # ...and its children inherit no usable metadata database, as task processes' do.
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = "airflow-db-not-allowed:///"
    sys.path.insert(0, {repo!r})
    from tests.test_pool import WORK, _docs, where_am_i
    from pipeline.document import outcomes
    from pipeline.pool import WorkerPool
    pool = WorkerPool(2)
    try:
        seen = [o for o, _ in outcomes(_docs(8), WORK, pool, where_am_i)]
        real = [type(o).__name__ for o, _ in outcomes(_docs(4), WORK, pool)]
    finally:
        pool.close()
    print(json.dumps({{"seen": seen, "real": real, "host": os.getpid()}}))
"""


def test_workers_never_run_the_hosts_main_nor_import_airflow(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    host = tmp_path / "host.py"
    host.write_text(textwrap.dedent(HOST.format(marker=str(marker), repo=str(REPO))))
    env = {**os.environ, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/af.db"}
    out = subprocess.run(
        [sys.executable, str(host)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert not marker.exists()
    seen = result["seen"]
    assert len(seen) == 8
    assert {s["airflow"] for s in seen} == {False}
    assert {s["mp_main"] for s in seen} == {False}
    assert len({s["pid"] for s in seen}) == 2 and result["host"] not in {s["pid"] for s in seen}
    assert {s["main_file"] for s in seen} == {str(REPO / "pipeline" / "worker.py")}
    assert result["real"] == ["Article"] * 4


def test_a_pool_whose_workers_cannot_start_fails_with_their_traceback(tmp_path: Path) -> None:
    """The job's module is importable here but not in the workers (as Airflow's settings were
    not): the pool raises instead of quarantining every document."""
    pkg = tmp_path / "vanishing_job.py"
    pkg.write_text(
        "def job(doc, work):\n    raise AssertionError('never called')\n", encoding="utf-8"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import vanishing_job  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    pkg.unlink()
    pool = WorkerPool(2)
    try:
        with pytest.raises(PoolError) as err:
            list(outcomes(_docs(5), WORK, pool, vanishing_job.job))
    finally:
        pool.close()
        sys.modules.pop("vanishing_job", None)
    assert "could not start" in str(err.value)
    assert "ModuleNotFoundError: No module named 'vanishing_job'" in str(err.value)


def test_documents_failing_the_same_way_in_a_row_fail_the_pool() -> None:
    pool = WorkerPool(2)
    done: list[Any] = []
    try:
        with pytest.raises(PoolError) as err:
            for outcome, _ in outcomes(_docs(40), WORK, pool, always_raises):
                done.append(outcome)
    finally:
        pool.close()
    # It stops at the threshold, not after quarantining the whole night.
    assert len(done) == FAILURES_IN_A_ROW - 1
    assert f"{FAILURES_IN_A_ROW} documents in a row" in str(err.value)
    assert "Could not parse SQLAlchemy URL" in str(err.value)


def test_a_job_that_raises_on_one_document_quarantines_only_that_document() -> None:
    pool = WorkerPool(2)
    try:
        out = [o for o, _ in outcomes(_docs(12), WORK, pool, raise_on_d4)]
    finally:
        pool.close()
    assert [o.input_ref for o in out] == [f"d{i}" for i in range(12)]
    bad = [o for o in out if not isinstance(o, Article)]
    assert [(o.input_ref, o.reason) for o in bad] == [("d4", "extractor_error")]  # type: ignore[union-attr]
    assert "ValueError: odd page" in bad[0].message  # type: ignore[union-attr]


def warns_on_d2(doc: RawDoc, work: DocWork) -> Any:
    """A job that logs, as the document chain does, about the document it is on."""
    from pipeline import logcontext

    with logcontext.about(doc.source, doc.input_ref):
        if doc.input_ref == "d2":
            logging.getLogger("pipeline.extract").warning("odd markup, %d%% kept", 40)
            logging.getLogger("pipeline.extract").debug("below the host's level: not sent")
    return where_am_i(doc, work)


def test_a_workers_warning_is_logged_here_at_its_level_with_its_document() -> None:
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = seen.append  # type: ignore[method-assign]
    logger = logging.getLogger("pipeline")
    logger.addHandler(handler)
    pool = WorkerPool(2)
    try:
        assert len(list(outcomes(_docs(6), WORK, pool, warns_on_d2))) == 6
        deadline = time.monotonic() + 10  # the worker's stderr is read by a thread
        while not [r for r in seen if r.name == "pipeline.extract"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pool.close()
        logger.removeHandler(handler)
    [record] = [r for r in seen if r.name == "pipeline.extract"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "odd markup, 40% kept"
    assert (record.source, record.input_ref) == ("s", "d2")  # type: ignore[attr-defined]
    assert record.worker_pid != os.getpid()  # type: ignore[attr-defined]


def raise_on_d4(doc: RawDoc, work: DocWork) -> Any:
    if doc.input_ref == "d4":
        raise ValueError("odd page")
    from pipeline.document import process_doc

    return process_doc(doc, work)


BROKEN_WORKERS = """
import os, sys
if "pipeline.worker" in sys.orig_argv:  # only the pool's workers, not the CLI itself
    sys.stderr.write("Traceback (most recent call last):\\n  ...\\n"
                     "sqlalchemy.exc.ArgumentError: Could not parse SQLAlchemy URL\\n")
    sys.stderr.flush()
    os._exit(1)
"""


def test_cli_night_whose_workers_cannot_start_fails_and_publishes_nothing(tmp_path: Path) -> None:
    import duckdb

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BROKEN_WORKERS)
    lake = tmp_path / "lake"
    cmd = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "ingest",
        str(REPO / "examples" / "html" / "harborledger"),
        "--lake",
        str(lake),
        "--date",
        "2026-11-25",
        "--workers",
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "nothing was published" in out.stderr
    assert "Could not parse SQLAlchemy URL" in out.stderr  # the worker's own last words
    assert not list(lake.glob("articles/**/*.parquet"))
    con = duckdb.connect()
    [(status, message)] = con.execute(
        "SELECT status, message FROM read_parquet(?)", [str(lake / "runs" / "*" / "*.parquet")]
    ).fetchall()
    assert status == "failed" and "Could not parse SQLAlchemy URL" in message
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "report",
            "--lake",
            str(lake),
            "--date",
            "2026-11-25",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    assert ": failed, checks not run" in report.stdout
    assert "Could not parse SQLAlchemy URL" in report.stdout

    env["PYTHONPATH"] = str(REPO)  # the environment mended: the same night publishes
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
    assert again.returncode == 0, again.stderr[-3000:]
    assert list(lake.glob("articles/**/*.parquet"))


# -- warm-up (issue 19) ----------------------------------------------------------------------------


def warm_marker(work: DocWork, path: str) -> None:
    """A warm-up that leaves a mark: which process ran it, before which items."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"warm {os.getpid()}\n")


def item_marker(doc: RawDoc, work: DocWork, path: str) -> tuple[Any, tuple[float, ...]]:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"item {os.getpid()}\n")
    return doc.input_ref, (0.0, 0.0, 0.0, 0.0)


def warm_fails(work: DocWork, path: str) -> None:
    raise RuntimeError("no model here")


def _marked_run(marks: Path, workers: int, docs: int, warm: Any) -> list[Any]:
    """What a pool with this warm-up returns for `docs` items that each leave a mark."""
    pool = WorkerPool(workers)
    try:
        pool.configure(item_marker, WORK, str(marks), warm=warm)
        return [r[0] for _, r in pool.imap(_docs(docs), lambda _: True, 30)]
    finally:
        pool.close()


def test_each_worker_warms_up_once_before_its_first_item(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    assert _marked_run(marks, 2, 10, warm_marker) == [f"d{i}" for i in range(10)]
    by_pid: dict[str, list[str]] = {}
    for line in marks.read_text(encoding="utf-8").splitlines():
        kind, pid = line.split()
        by_pid.setdefault(pid, []).append(kind)
    assert len(by_pid) == 2 and os.getpid() not in map(int, by_pid)
    for kinds in by_pid.values():
        assert kinds[0] == "warm" and kinds.count("warm") == 1


def test_a_failed_warm_up_costs_nothing_but_itself(tmp_path: Path) -> None:
    assert _marked_run(tmp_path / "marks", 1, 3, warm_fails) == ["d0", "d1", "d2"]


def test_the_document_warm_up_runs_the_whole_chain() -> None:
    """What it is for: the language model and the validator loaded before the first page."""
    from pipeline import normalize
    from pipeline.document import warm_up

    normalize._identifier.cache_clear()
    out = warm_up(DocWork(ExtractConfig(mode="fast"), ValidateConfig(), CTX))
    assert isinstance(out, Article) and out.language == "en" and out.word_count > 100
    assert normalize._identifier.cache_info().currsize == 1
