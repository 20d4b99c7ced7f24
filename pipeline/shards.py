"""Shards: how a night is cut into units of work (one mapped task each), and a run's identity.

Cheap to import (the configuration only; readers are imported when a plan lists files), so the
DAG's `begin` and `plan` tasks do not pay for the extraction stack.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from pipeline.config import Config, ConfigError, SourceConfig, WebSource, config_from_snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardPart:
    """Some inputs of one source."""

    source: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Shard:
    """One unit of work (one mapped task): inputs of one or more sources, in input order.
    Small enough to travel as an XCom."""

    index: int
    parts: tuple[ShardPart, ...]

    @classmethod
    def of(cls, index: int, source: str, paths: Sequence[str]) -> Shard:
        return cls(index, (ShardPart(source, tuple(paths)),))

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.source for p in self.parts))

    def as_dict(self) -> dict[str, Any]:
        parts = [{"source": p.source, "paths": list(p.paths)} for p in self.parts]
        return {"index": self.index, "parts": parts}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Shard:
        parts = tuple(
            ShardPart(str(p["source"]), tuple(str(x) for x in p["paths"])) for p in d["parts"]
        )
        return cls(int(d["index"]), parts)


# A shard is cut at this many input bytes (as stored, compressed or not) or files_per_shard
# files, whichever comes first. Below it, sources share shards: a small night is one task,
# not one task start-up (seconds each under a scheduler) per source and file.
SHARD_MB = 64


def plan_shards(
    cfg: Config,
    only_sources: Sequence[str] | None = None,
    files_per_shard: int = 200,
    shard_mb: float = SHARD_MB,
) -> list[Shard]:
    """Split the selected sources into shards of bounded size, in input order.

    Input order (sources as configured, files sorted) is what makes "first seen wins"
    deduplication the same however the shards are executed. Web sources fetch within their
    shard and are cut by host (`_host_shards`): one host's seeds are never in two shards, so
    what a site's own seeds ask of it comes from one worker (links to other hosts: README,
    "Politeness across workers").
    """
    from pipeline.sources import source_files  # the readers: only once files are listed

    budget = shard_mb * 1e6
    shards: list[Shard] = []
    parts: list[ShardPart] = []
    files, size = 0, 0.0

    def cut() -> None:
        nonlocal parts, files, size
        if parts:
            shards.append(Shard(len(shards), tuple(parts)))
        parts, files, size = [], 0, 0.0

    selected = select_sources(cfg, only_sources)
    missing = check_inputs(selected)
    if missing:
        log.error("not read, input paths do not exist: %s", missing, extra={"missing": missing})
    selected = tuple(src for src in selected if src.name not in missing)
    web = [src for src in selected if is_web(src)]
    for src in selected:
        if is_web(src):
            if src is web[0]:  # every web source's shards, where the first one is listed
                cut()
                for hosts in _host_shards(web, files_per_shard):
                    shards.append(Shard(len(shards), hosts))
            continue
        for path in source_files(src):
            n = _size(path, budget)
            if parts and (files >= files_per_shard or size + n > budget):
                cut()
            if not parts or parts[-1].source != src.name:
                parts.append(ShardPart(src.name, ()))
            parts[-1] = ShardPart(src.name, (*parts[-1].paths, path))
            files, size = files + 1, size + n
    cut()
    return shards


class MissingInputs(ConfigError):
    """Configured input paths that do not exist: a typo or a moved folder, not an empty night."""


def missing_inputs(sources: Sequence[SourceConfig]) -> dict[str, list[str]]:
    """The configured local paths that do not exist, by source."""
    out: dict[str, list[str]] = {}
    for src in sources:
        gone = [str(p) for p in src.paths if "://" not in str(p) and not os.path.lexists(p)]
        if gone:
            out[src.name] = gone
    return out


def check_inputs(sources: Sequence[SourceConfig]) -> dict[str, list[str]]:
    """The sources with a path that does not exist, which the night leaves unread.

    One source's typo must not cost the others their night: such a source is not read at
    all (part of its paths would replace its partition with part of its data), and the
    publish holds it back, which keeps what it published and turns the run red. When no
    source is left to read, MissingInputs names every such path and nothing starts.
    """
    missing = missing_inputs(sources)
    if missing and len(missing) == len(sources):
        raise MissingInputs(
            "input paths that do not exist:\n  "
            + "\n  ".join(f"{name}: {p}" for name, paths in missing.items() for p in paths)
        )
    return missing


def seed_host(url: str) -> str:
    """The host a seed is fetched from, as shards are cut: lower case, no port, no final dot
    ("" for a seed that is not a URL: it is quarantined without a request)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def _host_shards(
    sources: Sequence[WebSource], files_per_shard: int
) -> Iterator[tuple[ShardPart, ...]]:
    """The web sources' seeds cut by host: every seed of a host (feeds, sitemaps, listed URLs,
    of any source) in one shard, in order of the host's first seed. A host with a feed or a
    sitemap is a shard of its own (its listing is fetched there); hosts of listed URLs only are
    packed up to `files_per_shard` seeds, never splitting a host, however many URLs it has."""
    from pipeline.sources import is_archive, source_files

    by_host: dict[str, list[tuple[int, str]]] = {}
    listing_hosts: set[str] = set()
    for i, src in enumerate(sources):
        for seed in source_files(src):
            host = seed_host(seed)
            by_host.setdefault(host, []).append((i, seed))
            if is_archive(src, seed):
                listing_hosts.add(host)

    def parts(seeds: list[tuple[int, str]]) -> tuple[ShardPart, ...]:
        # One part per source, in the sources' order: a source's seeds share its raw archive.
        return tuple(
            ShardPart(sources[i].name, tuple(seed for j, seed in seeds if j == i))
            for i in sorted({j for j, _ in seeds})
        )

    batch: list[tuple[int, str]] = []
    for host, seeds in by_host.items():
        if host in listing_hosts:
            if batch:
                yield parts(batch)
                batch = []
            yield parts(seeds)
            continue
        if batch and len(batch) + len(seeds) > files_per_shard:
            yield parts(batch)
            batch = []
        batch.extend(seeds)
    if batch:
        yield parts(batch)


def _size(path: str, budget: float) -> float:
    """Bytes of a local input; a remote one (a CC-NEWS WARC, ~1 GB) counts as a full shard."""
    if "://" in path:
        return budget
    from pipeline.sources.files import path_of

    try:
        return float(os.stat(path_of(path)).st_size)
    except OSError:  # listed but gone or unreadable: its reader quarantines it
        return 0.0


@dataclass(frozen=True)
class RunInfo:
    """Identity of one run, shared by all its shards and its publisher. `lake` and
    `config_sha256` name the configuration snapshot the run recorded (`record_config`)."""

    run_id: str
    ingest_date: date
    started_at: datetime
    lake: str | None = None
    config_sha256: str | None = None

    def as_dict(self) -> dict[str, str]:
        d = {
            "run_id": self.run_id,
            "ingest_date": self.ingest_date.isoformat(),
            "started_at": self.started_at.isoformat(),
        }
        if self.lake is not None and self.config_sha256 is not None:
            d |= {"lake": self.lake, "config_sha256": self.config_sha256}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, str]) -> RunInfo:
        return cls(
            d["run_id"],
            date.fromisoformat(d["ingest_date"]),
            datetime.fromisoformat(d["started_at"]),
            d.get("lake"),
            d.get("config_sha256"),
        )

    @classmethod
    def new(cls, ingest_date: date, run_id: str | None = None) -> RunInfo:
        now = datetime.now(UTC)
        return cls(run_id or new_run_id(now), ingest_date, now)


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


# Configuration snapshots, named by their sha256: LAKE/_config/<sha256>.json. Content-addressed,
# so nights with one configuration share a file, a task retried after the publish still finds
# it, and a run row's config_sha256 says where the configuration it ran with is.
CONFIG_DIR = "_config"


def record_config(cfg: Config, run: RunInfo) -> RunInfo:
    """Write the run's resolved configuration into the lake, once, at the start of the run; the
    RunInfo returned names it, and every later step reads it back with `run_config`."""
    from pipeline.storage import Storage

    st = Storage(cfg.lake)
    sha = cfg.fingerprint()
    path = st.path(CONFIG_DIR, f"{sha}.json")
    data = cfg.snapshot()
    try:
        current = st.read_bytes(path)
    except OSError:
        current = None
    if current != data:  # absent (or damaged): written whole, never in place
        st.makedirs(st.path(CONFIG_DIR))
        st.write_bytes_durably(path, data)
    return replace(run, lake=cfg.lake, config_sha256=sha)


def run_config(run: RunInfo) -> Config:
    """The configuration `run` recorded at its start, whatever the sources file says now.
    ConfigError when the run recorded none or the snapshot is missing or not the one recorded."""
    from pipeline.storage import Storage

    if run.lake is None or run.config_sha256 is None:
        raise ConfigError(f"run {run.run_id} recorded no configuration snapshot")
    st = Storage(run.lake)
    path = st.path(CONFIG_DIR, f"{run.config_sha256}.json")
    try:
        data = st.read_bytes(path)
    except OSError as e:
        raise ConfigError(
            f"configuration snapshot of run {run.run_id} is missing: {st.uri_of(path)}: {e}"
        ) from None
    return config_from_snapshot(data, run.config_sha256)


def select_sources(cfg: Config, names: Sequence[str] | None) -> tuple[SourceConfig, ...]:
    """The named sources of the file (all when none are named); ConfigError for a name that is
    not in it: a usage mistake (CLI exit 2, whichever command), not a failed night."""
    if not names:
        return cfg.sources
    known = {s.name: s for s in cfg.sources}
    invalid = [f"{n}: {cfg.rejected_sources[n]}" for n in names if n in cfg.rejected_sources]
    if invalid:
        raise ConfigError("\n".join(invalid))
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"unknown source(s): {', '.join(missing)}; known: {', '.join(known)}")
    return tuple(known[n] for n in names)


def is_web(src: SourceConfig) -> TypeGuard[WebSource]:
    """A source Broadsheet fetches itself (feeds, sitemaps, URL lists), as its registry entry
    says."""
    from pipeline.sources import REGISTRY  # the readers: only once a source is looked at

    return REGISTRY.of(src).is_web


@dataclass
class SourceCounts:
    inputs: int = 0
    written: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0


@dataclass
class ShardResult:
    """What one shard did, per source; travels from mapped tasks to the publisher as a dict."""

    index: int
    by_source: dict[str, SourceCounts] = field(default_factory=dict)
    by_reason: Counter[str] = field(default_factory=Counter)
    by_skip: Counter[str] = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    boilerplate_removed: int = 0

    def counts(self, source: str) -> SourceCounts:
        return self.by_source.setdefault(source, SourceCounts())

    @property
    def inputs(self) -> int:
        return sum(c.inputs for c in self.by_source.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "by_source": {k: vars(v) for k, v in self.by_source.items()},
            "by_reason": dict(self.by_reason),
            "by_skip": dict(self.by_skip),
            "timings": dict(self.timings),
            "boilerplate_removed": self.boilerplate_removed,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ShardResult:
        return cls(
            index=int(d["index"]),
            by_source={k: SourceCounts(**v) for k, v in d["by_source"].items()},
            by_reason=Counter(d["by_reason"]),
            by_skip=Counter(d.get("by_skip", {})),
            timings=defaultdict(float, d["timings"]),
            boilerplate_removed=int(d["boilerplate_removed"]),
        )
