"""Re-process quarantined inputs once the rule or the extractor is fixed: `broadsheet requeue`.

A requeue is a run like any other for the (ingest_date, source) partitions it touches: what those
partitions already hold is carried over unchanged (first, so it wins deduplication), the selected
quarantined inputs are read again from where they were and processed with tonight's code and
config, and the partitions are replaced atomically. An input is therefore in `articles`,
`duplicates` or `quarantine` exactly once, however many times it is requeued, and the new run row
describes the partitions after the requeue.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import Config, UrlsSource
from pipeline.lake import Lake, part_of
from pipeline.publish import RunShell, RunSummary
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.run import process_shard
from pipeline.shards import RunInfo, Shard, is_web, select_sources

log = logging.getLogger(__name__)

_SUFFIX = {
    "jsonl": re.compile(r":\d+$"),
    "text": re.compile(r"#\d+$"),
    "warc": re.compile(r"@[\d+]+$"),
}


def input_file(input_ref: str, input_format: str) -> str:
    """The file an input reference points into (path:line, path#n, file@offset, path)."""
    pattern = _SUFFIX.get(input_format)
    return pattern.sub("", input_ref) if pattern else input_ref


def _selected(
    lake: Lake, day: date, sources: Sequence[str], reasons: Sequence[str] | None
) -> dict[str, list[tuple[str, str]]]:
    """(input_ref, input_format) of the quarantined inputs to requeue, per source, in order."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in lake.files("quarantine"):
        d, source = part_of(path)
        if d != day or source not in sources:
            continue
        with lake.storage.fs.open_input_file(path) as fh:
            t = pq.read_table(fh, columns=["input_ref", "input_format", "reason"])
        for ref, fmt, reason in zip(
            *(t.column(c).to_pylist() for c in t.column_names), strict=True
        ):
            if reasons is None or reason in reasons:
                out[source].append((ref, fmt))
    return out


def without_refs(refs: set[str]) -> Callable[[str, pa.Table], pa.Table]:
    """A carry-over filter dropping these quarantine rows (the requeued inputs)."""

    def keep(table: str, t: pa.Table) -> pa.Table:
        if table != "quarantine" or not refs:
            return t
        return t.filter(pc.invert(pc.is_in(t.column("input_ref"), pa.array(sorted(refs)))))

    return keep


def requeue(
    cfg: Config,
    day: date,
    *,
    only_sources: Sequence[str] | None = None,
    reasons: Sequence[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RunSummary | None:
    """Re-process the quarantined inputs of `day` (of these sources and reasons), or None when
    there is nothing to requeue. Raises LakeError, leaving the lake as it was, if it cannot
    publish."""
    lake = Lake(cfg.lake)
    names = [s.name for s in select_sources(cfg, only_sources)]
    picked = _selected(lake, day, names, reasons)
    if not any(picked.values()):
        return None
    sources = [n for n in names if picked.get(n)]
    total = sum(len(v) for v in picked.values())
    message = f"requeue of {total} quarantined input(s)" + (
        f" with reason {', '.join(reasons)}" if reasons else ""
    )
    run = RunInfo.new(day)
    with RunShell(cfg, run, sources, message=message) as shell:
        for source in sources:
            refs = picked[source]
            shell.carry_over(source, without_refs({ref for ref, _ in refs}))
            files = list(dict.fromkeys(input_file(ref, fmt) for ref, fmt in refs))
            shard = Shard.of(shell.next_index, source, files)
            # Web inputs are URLs: a requeue fetches them again, as a URL list.
            run_cfg = _as_url_list(cfg, source)
            shell.add(process_shard(run_cfg, shard, run, keep=_only(dict(refs), source)))
        log.info("requeue staged", extra={"run_id": run.run_id, "inputs": total})
        return shell.publish()


def _as_url_list(cfg: Config, source: str) -> Config:
    """For a web source, the same source as a list of URLs (same fetch rules): its quarantined
    inputs are URLs, fetched again whatever listed them."""
    src = select_sources(cfg, [source])[0]
    if not is_web(src):
        return cfg
    as_urls = UrlsSource(
        name=src.name,
        type="urls",
        urls=("https://requeue.invalid/",),  # replaced by the shard's URLs
        timezone=src.timezone,
        filters=src.filters,
        fetch=src.fetch,
    )
    sources = tuple(as_urls if s.name == source else s for s in cfg.sources)
    return cfg.model_copy(update={"sources": sources})


def _only(
    wanted: dict[str, str], source: str
) -> Callable[[Iterator[RawDoc | Rejected | Skipped]], Iterator[RawDoc | Rejected | Skipped]]:
    """Keep the requeued inputs of a re-read file; account for those that are gone."""

    def keep(items: Iterator[RawDoc | Rejected | Skipped]) -> Iterator[Any]:
        seen: set[str] = set()
        for item in items:
            if item.input_ref in wanted and item.input_ref not in seen:
                seen.add(item.input_ref)
                yield item
        for ref in sorted(set(wanted) - seen):
            msg = "requeued input not found where it was read (moved, changed or deleted)"
            yield Rejected(source, ref, wanted[ref], "read", "unreadable", msg)  # type: ignore[arg-type]

    return keep
