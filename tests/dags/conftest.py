"""An embedded Airflow for the DAG tests: SQLite metadata DB in a temporary AIRFLOW_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def dags_test_lake(airflow_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example night written by `dag.test()` (Airflow's in-process runner), many shards:
    the reference the scheduler and Celery paths must reproduce."""
    from datetime import UTC, datetime

    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import EXAMPLES

    lake = tmp_path_factory.mktemp("dags-test") / "lake"
    os.environ["BROADSHEET_LAKE"] = str(lake)
    try:
        nightly = DagBag(dag_folder=str(REPO / "dags")).get_dag("broadsheet_nightly")
        conf = {"sources_file": str(EXAMPLES / "sources.yaml"), "files_per_shard": 3}
        run = nightly.test(logical_date=datetime(2026, 11, 20, 2, tzinfo=UTC), run_conf=conf)
    finally:
        os.environ.pop("BROADSHEET_LAKE", None)
    assert run.state == "success"
    return lake
