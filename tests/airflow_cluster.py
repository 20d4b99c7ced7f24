"""A real Airflow in the background for tests: its own AIRFLOW_HOME, metadata database, ports.

The scheduler path (scheduler, dag-processor, api-server; task processes started by the
executor's supervisor) is the one production runs, and the one `airflow dags test` does not
exercise: task processes there have no metadata-database connection and a different
`__main__`. `AirflowCluster` starts it with the LocalExecutor on SQLite by default; the Celery
test passes its own executor settings and adds its workers with `start("celery", "worker", ...)`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import REPO

AIRFLOW = Path(sys.executable).parent / "airflow"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AirflowCluster:
    def __init__(self, home: Path, extra_env: dict[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # Tests trigger runs themselves: no clock schedule, and no unpause calls needed.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "BROADSHEET_SCHEDULE": "none",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(48),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "600",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        self.env.update(extra_env or {})
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def airflow(self, *args: str, check: bool = True, timeout: float = 300) -> str:
        out = subprocess.run(
            [str(AIRFLOW), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and out.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def migrate(self) -> None:
        self.airflow("db", "migrate")

    def start(self, *args: str, name: str | None = None) -> None:
        name = name or "-".join(args)
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 - lives with the process
        self.procs[name] = subprocess.Popen(
            [str(AIRFLOW), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() takes the whole group, task processes included
        )

    def start_local(self) -> None:
        self.start("api-server", "--port", str(self.port))
        self.start("scheduler")
        self.start("dag-processor")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the metadata database (SQLite here); polling through the CLI costs seconds a
        call, since every `airflow` command imports Airflow."""
        con = sqlite3.connect(f"file:{self.home / 'airflow.db'}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # tables not there yet
            return []
        finally:
            con.close()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if self.query("SELECT 1 FROM dag WHERE dag_id = ? AND is_stale = 0", dag_id):
                return
            time.sleep(1)
        raise TimeoutError(f"{dag_id} was not parsed in {timeout}s\n{self.logs()}")

    def trigger(self, dag_id: str, conf: dict[str, Any], logical_date: str) -> str:
        run_id = f"test__{logical_date}__{secrets.token_hex(3)}"
        self.airflow(
            "dags",
            "trigger",
            dag_id,
            "--conf",
            json.dumps(conf),
            "--run-id",
            run_id,
            "--logical-date",
            logical_date,
        )
        return run_id

    def wait_for_run(self, dag_id: str, run_id: str | None, timeout: float) -> tuple[str, str]:
        """(run_id, state) of the run (`None`: the DAG's first run) once it has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            rows = self.query(
                "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id", dag_id
            )
            for rid, state in rows:
                if (run_id is None or rid == run_id) and state in ("success", "failed"):
                    return str(rid), str(state)
            time.sleep(1)
        raise TimeoutError(f"{dag_id} {run_id} did not end in {timeout}s\n{self.logs()}")

    def task_states(self, dag_id: str, run_id: str) -> dict[tuple[str, int], str]:
        """(task_id, map_index) -> state."""
        rows = self.query(
            "SELECT task_id, map_index, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
            dag_id,
            run_id,
        )
        return {(t, int(m)): str(s) for t, m, s in rows}

    def task_logs(self) -> str:
        """Every task log of this home, concatenated (what the tasks printed and logged)."""
        parts = []
        for p in sorted((self.home / "logs").rglob("*.log")):
            with contextlib.suppress(OSError):
                parts.append(f"== {p.relative_to(self.home)}\n{p.read_text(errors='replace')}")
        return "\n".join(parts)

    def _check_alive(self) -> None:
        for name, p in self.procs.items():
            if p.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {p.returncode}\n{self.logs()}")

    def logs(self, tail: int = 4000) -> str:
        out = []
        for name in self.procs:
            text = (self.home / f"{name}.log").read_text(errors="replace")
            out.append(f"--- {name} (last {tail} chars)\n{text[-tail:]}")
        return "\n".join(out)

    def stop(self) -> None:
        for p in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        self.procs = {}
