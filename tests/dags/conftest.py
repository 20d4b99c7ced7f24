"""An embedded Airflow for the DAG tests: SQLite metadata DB in a temporary AIRFLOW_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

# Airflow reads its configuration when first imported: set it before any test imports it.
_HOME = Path(tempfile.mkdtemp(prefix="broadsheet-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME}/airflow.db"


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[Path]:
    airflow = Path(sys.executable).parent / "airflow"
    out = subprocess.run(
        [str(airflow), "db", "migrate"], capture_output=True, text=True, env=os.environ
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    yield _HOME


NIGHT = "2026-11-20"


def dags_test(lake: Path, conf: dict[str, Any]) -> Path:
    """Run the nightly DAG for NIGHT with `dag.test()` (Airflow's in-process runner) into
    `lake`: the reference the scheduler and Celery paths must reproduce."""
    from datetime import UTC, datetime

    from airflow.dag_processing.dagbag import DagBag

    os.environ["BROADSHEET_LAKE"] = str(lake)
    try:
        nightly = DagBag(dag_folder=str(REPO / "dags")).get_dag("broadsheet_nightly")
        run = nightly.test(logical_date=datetime(2026, 11, 20, 2, tzinfo=UTC), run_conf=conf)
    finally:
        os.environ.pop("BROADSHEET_LAKE", None)
    assert run.state == "success"
    return lake


@pytest.fixture(scope="session")
def dags_test_lake(airflow_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example night written by `dag.test()`, many shards."""
    from tests.conftest import EXAMPLES

    lake = tmp_path_factory.mktemp("dags-test") / "lake"
    return dags_test(lake, {"sources_file": str(EXAMPLES / "sources.yaml"), "files_per_shard": 3})


# The WARC night: the example corpus plus a crawl of WARC_FILES files of WARC_PAGES pages each,
# cut at WARC_SHARD_MB so that every WARC file is a shard (a CC-NEWS night in small).
WARC_FILES, WARC_PAGES, WARC_SHARD_MB = 4, 250, 0.2


def write_warcs(folder: Path, files: int, pages: int, first: int = 0) -> list[Path]:
    """`files` gzipped WARC files of `pages` distinct news pages each, over a few hosts."""
    from tests.warcgen import Writer, news_page

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        w = Writer(folder / f"crawl-{first + f:03d}.warc.gz")
        w.warcinfo()
        for i in range(pages):
            n = (first + f) * 100_000 + i
            w.response(news_page(n, host=f"site{n % 7}.example"))
        w.close()
        paths.append(w.path)
    return paths


def sources_file(
    path: Path, lake: Path, extra: list[dict[str, Any]], examples: bool = True
) -> Path:
    """A sources file at `path`: the example corpus's sources (absolute paths) when `examples`,
    then `extra`, publishing into `lake`."""
    from tests.conftest import EXAMPLES

    base = yaml.safe_load((EXAMPLES / "sources.yaml").read_text())
    for src in base["sources"]:
        src["path"] = str(EXAMPLES / src["path"])
    base["sources"] = (base["sources"] if examples else []) + extra
    base["lake"] = str(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def warc_night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The WARC night's inputs: a folder with `crawl/` (the WARC files)."""
    folder = tmp_path_factory.mktemp("warc-night")
    write_warcs(folder / "crawl", WARC_FILES, WARC_PAGES)
    return folder


def warc_night_conf(warc_night: Path, lake: Path, name: str) -> dict[str, Any]:
    """Run conf for the WARC night publishing into `lake` (its own sources file, `name`)."""
    crawl = {"name": "cc-news", "type": "warc", "path": str(warc_night / "crawl")}
    path = sources_file(warc_night / f"{name}.yaml", lake, [crawl])
    return {"sources_file": str(path), "shard_mb": WARC_SHARD_MB}


@pytest.fixture(scope="session")
def dags_test_warc_lake(airflow_db: Path, warc_night: Path) -> Path:
    """The WARC night written by `dag.test()`."""
    lake = warc_night / "dags-test-lake"
    return dags_test(lake, warc_night_conf(warc_night, lake, "dags-test"))
