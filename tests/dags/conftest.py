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
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ)
    yield _HOME
