"""The DAG files: cheap to parse, the right shape, and a real run with Airflow's own runner."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import EXAMPLES, REPO, german_only_suites

# One worker holds the embedded Airflow and the dags-test lake both modules compare against.
pytestmark = pytest.mark.xdist_group("airflow")

DAGS = REPO / "dags"


def _probe(code: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# The pipeline and what it imports: none of it may be loaded when a DAG file is parsed.
HEAVY = (
    "pipeline",
    "trafilatura",
    "duckdb",
    "pyarrow",
    "great_expectations",
    "pandas",
    "numpy",
    "lxml",
    "warcio",
    "ftfy",
    "py3langid",
    "rich",
    "zstandard",
    "protego",
)


@pytest.mark.parametrize("name", ["broadsheet_nightly.py", "broadsheet_training_export.py"])
def test_dag_file_imports_only_airflow_sdk_and_the_standard_library(name: str) -> None:
    """Parsing costs what the file imports. Its module-level imports are `airflow.sdk` and the
    standard library only, and parsing it loads none of the pipeline's stack. (The parse time is
    measured by benchmarks/bench_dag_parse.py, not asserted: a bound on seconds flakes on a
    loaded machine.)"""
    tree = ast.parse((DAGS / name).read_text())
    top = set()
    for node in tree.body:  # module level only: tasks import the pipeline inside themselves
        if isinstance(node, ast.Import):
            top |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top.add(node.module)
    foreign = sorted(
        m
        for m in top
        if m.split(".")[0] not in sys.stdlib_module_names
        and m.split(".")[0] != "__future__"
        and not (m == "airflow.sdk" or m.startswith("airflow.sdk."))
    )
    assert foreign == [], f"{name} imports at module level: {foreign}"
    result = _probe(
        "import json, runpy, sys\n"
        # Airflow's own import cost is paid once per dag-processor, not per DAG file.
        "from airflow.sdk import Asset, Param, dag, get_current_context, task\n"
        "before = set(sys.modules)\n"
        f"runpy.run_path({str(DAGS / name)!r})\n"
        "print(json.dumps({'loaded': sorted(set(sys.modules) - before)}))\n"
    )
    loaded = [str(m) for m in result["loaded"]]  # type: ignore[attr-defined]
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_broadsheet_sources_sets_the_default_sources_file(tmp_path: Path) -> None:
    os.environ["BROADSHEET_SOURCES"] = str(tmp_path / "nightly.yaml")
    try:
        result = _probe(
            "import json, runpy\n"
            f"ns = runpy.run_path({str(DAGS / 'broadsheet_nightly.py')!r})\n"
            "print(json.dumps({'default': ns['DEFAULT_SOURCES']}))\n"
        )
    finally:
        os.environ.pop("BROADSHEET_SOURCES")
    assert result["default"] == str(tmp_path / "nightly.yaml")


def test_dag_structure(airflow_db: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    nightly = bag.get_dag("broadsheet_nightly")
    assert nightly is not None
    assert {t.task_id for t in nightly.tasks} == {"begin", "plan", "process", "publish", "verdict"}
    assert nightly.max_active_runs == 1 and nightly.catchup is False
    assert nightly.dagrun_timeout is not None
    assert nightly.timetable.expression == "0 2 * * *"
    process = nightly.get_task("process")
    assert process.retries == 2 and process.retry_exponential_backoff
    assert "MappedOperator" in type(process).__name__
    publish = nightly.get_task("publish")
    assert [a.name for a in publish.outlets] == ["broadsheet_articles"]
    assert set(nightly.params.keys()) >= {"sources_file", "ingest_date", "sources"}
    verdict = nightly.get_task("verdict")
    assert verdict.upstream_task_ids == {"publish"}
    verdict.python_callable({"held_back": {}})  # a whole night: green
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="published without 1 source"):
        verdict.python_callable({"held_back": {"beta": "0 inputs from /in/beta; kept"}})
    consumer = bag.get_dag("broadsheet_training_export")
    assert consumer is not None
    assert "broadsheet_articles" in str(consumer.timetable.asset_condition)


def _articles(lake: Path, day: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT article_id, content_sha256, source FROM articles WHERE ingest_date = ? "
            "ORDER BY 1",
            [day],
        ).fetchall()
    finally:
        con.close()


def test_nightly_dag_end_to_end(dags_test_lake: Path, tmp_path: Path) -> None:
    """dag.test(): the full run, then the consumer, an identical re-run and a second night."""
    from airflow.dag_processing.dagbag import DagBag

    lake = tmp_path / "lake"
    shutil.copytree(dags_test_lake, lake)  # the fixture's lake stays the reference
    os.environ["BROADSHEET_LAKE"] = str(lake)
    try:
        bag = DagBag(dag_folder=str(DAGS))
        nightly = bag.get_dag("broadsheet_nightly")
        conf = {"sources_file": str(EXAMPLES / "sources.yaml"), "files_per_shard": 3}
        first = _articles(dags_test_lake, "2026-11-20")
        assert len(first) == 34

        # A re-run of the night replaces it with the same rows.
        again = nightly.test(logical_date=datetime(2026, 11, 20, 2, tzinfo=UTC), run_conf=conf)
        assert again.state == "success"
        assert _articles(lake, "2026-11-20") == first

        # The consumer runs on the Asset event the publish task emitted.
        crun = bag.get_dag("broadsheet_training_export").test(
            logical_date=datetime(2026, 11, 20, 3, tzinfo=UTC)
        )
        assert crun.state == "success"
        exported = lake / "exports" / "training" / "ingest_date=2026-11-20"
        lines = {p.stem: len(p.read_text().splitlines()) for p in exported.glob("*.jsonl")}
        assert lines == {"en": 22, "de": 7, "fr": 4, "es": 1}

        nxt = nightly.test(logical_date=datetime(2026, 11, 21, 2, tzinfo=UTC), run_conf=conf)
        assert nxt.state == "success"
        con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
        days = con.execute("SELECT DISTINCT ingest_date::VARCHAR FROM runs ORDER BY 1").fetchall()
        # The second night saw the same corpus: everything is a duplicate of night one.
        dup = con.execute(
            "SELECT count(*), bool_and(previous_run) FROM duplicates "
            "WHERE ingest_date = '2026-11-21'"
        ).fetchone()
        written = con.execute(
            "SELECT count(*) FROM articles WHERE ingest_date = '2026-11-21'"
        ).fetchone()
        con.close()
        # Two runs of 2026-11-20 (the fixture's and the re-run), one of 2026-11-21.
        assert days == [("2026-11-20",), ("2026-11-21",)]
        assert dup == (38, True) and written == (0,)
    finally:
        os.environ.pop("BROADSHEET_LAKE", None)


def _night_of(cfg: dict[str, object], tmp_path: Path) -> Any:
    """The nightly DAG run by `dag.test()` on a sources file of `cfg`, for 2026-11-20."""
    import yaml
    from airflow.dag_processing.dagbag import DagBag

    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump(cfg))
    os.environ["BROADSHEET_LAKE"] = str(cfg["lake"])
    try:
        nightly = DagBag(dag_folder=str(DAGS)).get_dag("broadsheet_nightly")
        return nightly.test(
            logical_date=datetime(2026, 11, 20, 2, tzinfo=UTC),
            run_conf={"sources_file": str(sources)},
        )
    finally:
        os.environ.pop("BROADSHEET_LAKE", None)


def test_critical_expectation_fails_the_publish_task_without_retry(
    airflow_db: Path, tmp_path: Path
) -> None:
    """A night the gate refuses: the publish task fails once (no retry), nothing is published."""
    suites = german_only_suites(tmp_path / "suites")
    cfg = {
        "lake": str(tmp_path / "lake"),
        "validate": {"suite_dir": str(suites)},
        "sources": [
            {"name": "harbor", "type": "html", "path": str(EXAMPLES / "html" / "harborledger")}
        ],
    }
    run = _night_of(cfg, tmp_path)
    assert run.state == "failed"
    states = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    assert states["publish"] == ("failed", 1)
    lake = tmp_path / "lake"
    assert (
        not list((lake / "articles").rglob("*.parquet")) if (lake / "articles").exists() else True
    )
    [report] = (lake / "reports" / "ingest_date=2026-11-20").glob("run-*/validation.json")
    data = json.loads(report.read_text())
    assert data["status"] == "failed" and data["critical_failures"][0].startswith("german_only")


def test_a_mistyped_source_path_is_held_back_and_the_night_publishes_the_rest(
    airflow_db: Path, tmp_path: Path
) -> None:
    """One source's path does not exist, another's entry does not validate: plan leaves them
    out, the others publish, and `verdict` turns the run red naming why (a failed `begin` or
    `plan` would have cost every source the night)."""
    lake = tmp_path / "lake"
    cfg = {
        "lake": str(lake),
        "sources": [
            {"name": "harbor", "type": "html", "path": str(EXAMPLES / "html" / "harborledger")},
            {"name": "valley", "type": "html", "path": str(tmp_path / "valleycourrier")},
            {"name": "zoned", "type": "html", "path": str(EXAMPLES), "timezone": "Europe/Berln"},
        ],
    }
    run = _night_of(cfg, tmp_path)
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["plan"] == states["publish"] == "success"
    assert states["verdict"] == "failed"
    con = duckdb.connect()
    try:
        written = con.execute(
            "SELECT source, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY 1",
            [str(lake / "articles" / "**" / "*.parquet")],
        ).fetchall()
        [(status, held)] = con.execute(
            "SELECT status, warnings FROM read_parquet(?)",
            [str(lake / "runs" / "**" / "*.parquet")],
        ).fetchall()
    finally:
        con.close()
    assert [name for name, n in written] == ["harbor"] and written[0][1] > 0
    assert status == "partial"
    why = f"input paths that do not exist: {tmp_path / 'valleycourrier'}; nothing of it was read"
    bad = "invalid configuration: sources.2.timezone: unknown time zone 'Europe/Berln'; not read"
    assert held == [f"held back valley: {why}", f"held back zoned: {bad}"]


@pytest.mark.parametrize("after_begin", ["edit the sources file", "tamper with the snapshot"])
def test_every_task_reads_the_configuration_begin_recorded(
    airflow_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after_begin: str
) -> None:
    """The sources file edited right after `begin`: plan, process and publish still run with
    the first configuration. A snapshot that is not the one begin recorded fails the run at
    `plan`, once (no retry), rather than falling back to the file."""
    from airflow.dag_processing.dagbag import DagBag

    import pipeline.shards
    from pipeline.config import load_config
    from tests.test_shards import corpus, sources_file

    corpus(tmp_path / "first", ["alpha", "bravo"])
    corpus(tmp_path / "second", ["charlie", "delta", "echo"])
    path = tmp_path / "sources.yaml"
    sources_file(tmp_path, "first", 20)
    first = load_config(path).fingerprint()
    record = pipeline.shards.record_config

    def begin_then_change(cfg: object, run: object) -> object:
        run = record(cfg, run)  # type: ignore[arg-type]
        if after_begin == "edit the sources file":
            sources_file(tmp_path, "second", 10_000)  # other inputs, and none long enough
        else:
            snapshot = tmp_path / "lake" / "_config" / f"{first}.json"
            snapshot.write_bytes(
                snapshot.read_bytes().replace(b'"min_words": 20', b'"min_words": 21')
            )
        return run

    monkeypatch.setattr(pipeline.shards, "record_config", begin_then_change)
    monkeypatch.delenv("BROADSHEET_LAKE", raising=False)
    nightly = DagBag(dag_folder=str(DAGS)).get_dag("broadsheet_nightly")
    run = nightly.test(
        logical_date=datetime(2026, 11, 20, 2, tzinfo=UTC), run_conf={"sources_file": str(path)}
    )
    states = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    lake = tmp_path / "lake"
    if after_begin == "tamper with the snapshot":
        assert run.state == "failed" and states["plan"] == ("failed", 1)
        assert not (lake / "articles").exists()
        return
    assert run.state == "success"
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        urls = con.execute("SELECT url FROM articles ORDER BY 1").fetchall()
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()
        [(sha,)] = con.execute("SELECT config_sha256 FROM runs").fetchall()
    finally:
        con.close()
    assert [u.rsplit("/", 1)[-1] for (u,) in urls] == ["alpha", "bravo"]
    assert quarantined == (0,) and sha == first != load_config(path).fingerprint()
