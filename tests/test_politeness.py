"""Politeness across workers: one host's requests never come from two shards at once, and
robots.txt and tdmrep.json are read once per run, whichever worker needs them."""

from __future__ import annotations

import http.server
import multiprocessing
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Config, FetchConfig, build_config
from pipeline.fetch import Fetcher, netloc
from pipeline.shards import RunInfo, Shard, ShardResult, plan_shards, seed_host
from tests.conftest import article_html

DAY = date(2026, 11, 20)
MIN_DELAY = 0.4
# Arrival times seen by the server wobble by connection set-up and a loaded machine; a
# second worker on the same host sends at the same rate again, so its gaps fall far below.
SLACK = 0.1
LATENCY = 0.15  # every article answers this late: two requests in flight would overlap
POLITE = {
    "allow_private": True,
    "min_delay_s": MIN_DELAY,
    "per_host_concurrency": 1,
    "concurrency": 4,
    "retries": 0,
    "connect_timeout_s": 5,
    "read_timeout_s": 5,
    "total_timeout_s": 10,
    "time_budget_s": 120,
}


@dataclass
class Hosts:
    """Loopback sites on 127.0.0.2, 127.0.0.3, ... (distinct hosts to the planner and the
    fetcher), one request log for all: (host, path, arrived, answered), monotonic seconds."""

    bases: list[str] = field(default_factory=list)
    log: list[tuple[str, str, float, float]] = field(default_factory=list)
    feeds: dict[str, list[str]] = field(default_factory=dict)  # "/feed-1.xml" -> article URLs
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, base: str, path: str | None = None) -> list[tuple[float, float]]:
        host = base.split("://", 1)[1]
        return sorted((t0, t1) for h, p, t0, t1 in self.log if h == host and path in (None, p))


class _Handler(http.server.BaseHTTPRequestHandler):
    hosts: Hosts
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        arrived = time.monotonic()
        host = self.headers.get("Host", "")
        base = f"http://{host}"
        path = self.path
        ctype, status = "text/html; charset=utf-8", 200
        if path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
        elif path == "/.well-known/tdmrep.json":
            body, ctype = b"[]", "application/json"
        elif path in self.hosts.feeds:
            items = "".join(
                f"<item><title>{u}</title><link>{u}</link></item>" for u in self.hosts.feeds[path]
            )
            body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
            ctype = "application/rss+xml"
        elif path.startswith("/news/"):
            time.sleep(LATENCY)
            slug = path.rsplit("/", 1)[-1]
            paras = [
                f"Story {slug} from {host} begins with the council meeting on item {slug}, "
                "where residents spoke for an hour about the plans for their streets.",
                f"The {slug} vote followed late in the evening, and officials said the minutes "
                "would be published next week together with the committee's report.",
            ]
            body = article_html(f"Story {slug} {host}", base + path, paras).encode()
        else:
            body, status = b"no such page", 404
        answered = time.monotonic()  # before the answer leaves: the next request comes later
        with self.hosts.lock:
            self.hosts.log.append((host, path, arrived, answered))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(n: int) -> Iterator[Hosts]:
    hosts = Hosts()
    handler = type("Handler", (_Handler,), {"hosts": hosts})
    servers = [http.server.ThreadingHTTPServer((f"127.0.0.{i + 2}", 0), handler) for i in range(n)]
    for s in servers:
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True).start()
    hosts.bases = [f"http://127.0.0.{i + 2}:{s.server_address[1]}" for i, s in enumerate(servers)]
    try:
        yield hosts
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    with serve(2) as h:
        yield h


def _cfg(tmp_path: Path, sources: list[dict[str, Any]]) -> Config:
    validate = {"min_words": 20, "batch_checks": False}
    return build_config({"lake": str(tmp_path / "lake"), "validate": validate, "sources": sources})


def _worker(cfg: Config, shard: Shard, run: RunInfo, start: Any, out: Any) -> None:
    """One worker machine: its own process, its own fetchers, the shared lake."""
    from pipeline.run import process_shard

    start.wait(120)  # every worker imported: they fetch at the same time, as under Celery
    out.put(process_shard(cfg, shard, run).as_dict())


def _run_as_workers(cfg: Config, shards: list[Shard], run: RunInfo) -> list[ShardResult]:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(len(shards)), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(cfg, s, run, start, out)) for s in shards]
    for p in procs:
        p.start()
    try:
        results = [ShardResult.from_dict(out.get(timeout=180)) for _ in shards]
    finally:
        for p in procs:
            p.join(30)
    assert all(p.exitcode == 0 for p in procs)
    return results


def _in_flight(spans: list[tuple[float, float]]) -> int:
    events = sorted([(t0, 1) for t0, _ in spans] + [(t1, -1) for _, t1 in spans])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def test_one_host_is_fetched_by_one_worker_at_the_configured_rate(
    hosts: Hosts, tmp_path: Path
) -> None:
    a, b = hosts.bases
    hosts.feeds = {
        "/feed-1.xml": [f"{a}/news/f1-{i}" for i in range(3)],
        "/feed-2.xml": [f"{a}/news/f2-{i}" for i in range(3)],
    }
    listed = [f"{a}/news/l1", f"{a}/news/l2", f"{b}/news/l3", f"{b}/news/l4", f"{b}/news/l5"]
    cfg = _cfg(
        tmp_path,
        [
            {"name": "wire", "type": "feed", "urls": [f"{a}/feed-1.xml", f"{a}/feed-2.xml"]}
            | {"fetch": POLITE},
            {"name": "list", "type": "urls", "urls": listed, "fetch": POLITE},
        ],
    )
    # Cut as before (a shard per feed, URL lists in batches of 2), host a would be in 4 shards.
    shards = plan_shards(cfg, files_per_shard=2)
    where: dict[str, set[int]] = {}
    for s in shards:
        for part in s.parts:
            for seed in part.paths:
                where.setdefault(seed_host(seed), set()).add(s.index)
    assert where == {"127.0.0.2": {0}, "127.0.0.3": {1}}

    run = RunInfo.new(DAY)
    results = _run_as_workers(cfg, shards, run)

    for base in (a, b):
        spans = hosts.requests(base)
        starts = [t0 for t0, _ in spans]
        gaps = [round(y - x, 3) for x, y in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= MIN_DELAY - SLACK, (base, gaps)
        assert _in_flight(spans) == 1, base
        assert len(hosts.requests(base, "/robots.txt")) == 1
        assert len(hosts.requests(base, "/.well-known/tdmrep.json")) == 1
    assert len(hosts.requests(a, None)) == 2 + 2 + 6 + 2 and len(hosts.requests(b)) == 2 + 3

    from pipeline.publish import publish_run

    summary = publish_run(cfg, run, results, ["wire", "list"])
    assert (summary.written, summary.quarantined, summary.skipped) == (11, 0, 0)


def test_robots_and_tdmrep_are_read_once_per_run_whichever_shard_asks(
    hosts: Hosts, tmp_path: Path
) -> None:
    """A shard run again in the same run (an Airflow retry, maybe on another worker) reads the
    run's robots.txt and tdmrep.json, not the site's; the next run asks the site again."""
    from pipeline.run import process_shard

    a, b = hosts.bases
    fast = POLITE | {"min_delay_s": 0}
    urls = [f"{a}/news/one", f"{b}/news/two"]
    cfg = _cfg(tmp_path, [{"name": "list", "type": "urls", "urls": urls, "fetch": fast}])
    [shard] = plan_shards(cfg)
    run = RunInfo.new(DAY)
    process_shard(cfg, shard, run)
    asked = len(hosts.log)
    again = process_shard(cfg, shard, run)
    assert again.counts("list").written == 2
    assert sorted(p for _, p, _, _ in hosts.log[asked:]) == ["/news/one", "/news/two"]
    site_files = ("/robots.txt", "/.well-known/tdmrep.json")
    for base in (a, b):
        assert [len(hosts.requests(base, p)) for p in site_files] == [1, 1], base

    process_shard(cfg, shard, RunInfo.new(DAY))  # another run reads them afresh
    for base in (a, b):
        assert [len(hosts.requests(base, p)) for p in site_files] == [2, 2], base


def test_the_delay_holds_between_fetchers_of_one_process(hosts: Hosts) -> None:
    """A shard's sources (and the CLI's shards) fetch one after another, each with its own
    fetcher: the second waits out the first one's delay."""
    a = hosts.bases[0]
    cfg = FetchConfig(**{**POLITE, "min_delay_s": 1.0})
    for slug in ("first", "second"):
        fetcher = Fetcher(cfg, private_ok=frozenset({netloc(a)}))
        try:
            fetcher.get(f"{a}/news/{slug}", check_robots=False)
        finally:
            fetcher.close()
    (first, _), (second, _) = hosts.requests(a)
    assert second - first >= 1.0 - SLACK
