"""The `broadsheet` command: argument parsing and terminal output only."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline.config import (
    WARC_NAMES,
    Config,
    ConfigError,
    build_config,
    load_config,
    source_name_for,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a process ended by Ctrl-C


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="broadsheet",
        description="Turn news dumps into a validated, deduplicated Parquet lake.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="read inputs and publish one ingest date")
    ing.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (html, txt, jsonl), or WARC files"
    )
    ing.add_argument("--config", type=Path, help="sources file (YAML)")
    ing.add_argument(
        "--lake", help="lake folder or s3://bucket/prefix (default: config's, else ./lake)"
    )
    ing.add_argument("--date", type=_date, help="ingest date YYYY-MM-DD (default: today, UTC)")
    ing.add_argument(
        "--source",
        action="append",
        dest="sources",
        metavar="NAME",
        help="with PATHs: the source name; with --config: run only these sources",
    )
    ing.add_argument("--workers", type=int, help="processes for extraction (default 1)")
    ing.add_argument("--json", action="store_true", help="print the run summary as JSON")
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")
    ing.add_argument(
        "--allow-empty",
        action="store_true",
        help="let a source with no inputs replace a night it published before",
    )

    rq = sub.add_parser(
        "requeue",
        help="re-process the quarantined inputs of an ingest date (after a fix)",
    )
    rq.add_argument("--config", type=Path, required=True, help="sources file (YAML)")
    rq.add_argument("--lake", help="lake folder or s3://bucket/prefix (default: config's)")
    rq.add_argument("--date", type=_date, required=True, help="ingest date YYYY-MM-DD")
    rq.add_argument("--source", action="append", dest="sources", metavar="NAME")
    rq.add_argument("--reason", action="append", dest="reasons", metavar="REASON")
    rq.add_argument("--workers", type=int, help="processes for extraction")
    rq.add_argument("--json", action="store_true", help="print the run summary as JSON")

    rx = sub.add_parser(
        "reextract", help="rebuild a night of web sources from its raw captures (offline)"
    )
    rx.add_argument("--config", type=Path, required=True, help="sources file (YAML)")
    rx.add_argument("--lake", help="lake folder or s3://bucket/prefix (default: config's)")
    rx.add_argument("--date", type=_date, required=True, help="ingest date YYYY-MM-DD")
    rx.add_argument("--source", action="append", dest="sources", metavar="NAME")
    rx.add_argument("--workers", type=int, help="processes for extraction")
    rx.add_argument("--json", action="store_true", help="print the run summary as JSON")

    from pipeline.evaluate import add_parser as add_eval_parser

    add_eval_parser(sub)

    rep = sub.add_parser("report", help="where the run reports and Data Docs of a date are")
    rep.add_argument("--lake", default="lake", help="lake folder or s3://bucket/prefix")
    rep.add_argument("--date", type=_date, required=True, help="ingest date YYYY-MM-DD")
    rep.add_argument("--json", action="store_true")

    sql = sub.add_parser("sql", help="query the lake's DuckDB catalog")
    sql.add_argument("query")
    sql.add_argument("--lake", default="lake", help="lake folder or s3://bucket/prefix")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return p


def _ingest_config(args: argparse.Namespace) -> tuple[Config, list[str] | None]:
    if args.config and args.paths:
        raise ConfigError("give either PATHs or --config, not both")
    if args.config:
        overrides = {"lake": args.lake, "workers": args.workers}
        return load_config(args.config, overrides), args.sources
    if not args.paths:
        raise ConfigError("nothing to ingest: give PATHs or --config sources.yaml")
    if args.sources and len(args.sources) > 1:
        raise ConfigError("with PATHs, --source names the one source they form")
    name = args.sources[0] if args.sources else source_name_for(args.paths[0])
    archives = [p.is_file() and p.name.lower().endswith(WARC_NAMES) for p in args.paths]
    if any(archives) and not all(archives):
        raise ConfigError("give WARC files (or warc.paths listings) apart from other inputs")
    kind = "warc" if all(archives) else "files"
    data: dict[str, Any] = {
        "lake": str(args.lake or "lake"),
        "workers": args.workers or 1,
        "sources": [{"name": name, "type": kind, "paths": [str(p) for p in args.paths]}],
    }
    return build_config(data), None


def _ingest(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.lake import LakeError
    from pipeline.run import run_ingest

    err = Console(stderr=True, soft_wrap=True)
    try:
        cfg, only = _ingest_config(args)
    except ConfigError as e:
        err.print(f"[red]error:[/red] {e}")
        return EXIT_USAGE
    day = args.date or datetime.now(UTC).date()
    show_progress = err.is_terminal and not args.no_progress and not args.json
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    task = progress.add_task("ingest", total=None, counts="")

    def tick(done: int) -> None:
        if done % 10 == 0:
            progress.update(task, completed=done, counts=f"{done} inputs")

    if args.allow_empty:
        cfg = cfg.model_copy(update={"allow_empty": True})
    try:
        with progress:
            summary = run_ingest(cfg, day, only_sources=only, on_progress=tick, gate_process=True)
    except ConfigError as e:  # inputs that do not exist: a typo, not a night
        err.print(f"[red]error:[/red] {e}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("interrupted: nothing published, the lake is as it was (run recorded)")
        return EXIT_INTERRUPTED
    except (LakeError, ValueError, OSError) as e:
        err.print(f"[red]run failed, nothing published:[/red] {e}")
        return EXIT_FAILED
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        _print_summary(summary, cfg)
    for name, why in summary.held_back.items():
        err.print(f"[red]held back[/red] {name}: {why}")
    return EXIT_FAILED if summary.held_back else EXIT_OK


def _print_summary(summary: Any, cfg: Config) -> None:
    from rich.console import Console
    from rich.table import Table

    from pipeline.lake import Lake

    out = Console()
    t = Table(title=f"run {summary.run_id} · ingest_date={summary.ingest_date} · {summary.status}")
    cols = ("inputs", "written", "duplicates", "quarantined", "skipped")
    t.add_column("source")
    for col in cols:
        t.add_column(col, justify="right")
    for name, c in sorted(summary.by_source.items()):
        held = " [red](held back)[/red]" if name in summary.held_back else ""
        t.add_row(name + held, *(str(getattr(c, col)) for col in cols))
    t.add_row("[bold]total", *(str(getattr(summary, col)) for col in cols))
    out.print(t)
    if summary.by_reason:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(summary.by_reason.items()))
        out.print(f"quarantined by reason: {reasons}")
    if summary.by_skip:
        skips = ", ".join(f"{k}={v}" for k, v in sorted(summary.by_skip.items()))
        out.print(f"skipped by reason: {skips}")
    out.print(f"boilerplate paragraphs removed: {summary.boilerplate_removed}")
    out.print(f"checks: {summary.checks}")
    for w in summary.warnings:
        out.print(f"  [yellow]warning[/yellow] {w}")
    if summary.report:
        out.print(f"report: {Lake(cfg.lake).storage.path(summary.report, 'report.html')}")
    wall = summary.timings.get("shard_wall", 0.0)
    out.print(f"lake: {Lake(cfg.lake).uri}  ({wall:.1f}s processing)")


def _rerun(args: argparse.Namespace, what: str, fn: Any) -> int:
    """A requeue or a re-extraction: a run over an existing night, printed like an ingest."""
    from pipeline.lake import LakeError

    try:
        cfg = load_config(args.config, {"lake": args.lake, "workers": args.workers})
        summary = fn(cfg)
    except (ConfigError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (LakeError, OSError) as e:
        print(f"{what} failed, nothing published: {e}", file=sys.stderr)
        return EXIT_FAILED
    if summary is None:
        print(f"nothing to {what}", file=sys.stderr)
        return EXIT_OK
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        _print_summary(summary, cfg)
    return EXIT_OK


def _requeue(args: argparse.Namespace) -> int:
    from pipeline.records import REASONS
    from pipeline.requeue import requeue

    bad = [r for r in args.reasons or [] if r not in REASONS]
    if bad:
        known = ", ".join(REASONS)
        print(f"error: unknown reason(s) {', '.join(bad)}; known: {known}", file=sys.stderr)
        return EXIT_USAGE
    return _rerun(
        args,
        "requeue",
        lambda cfg: requeue(cfg, args.date, only_sources=args.sources, reasons=args.reasons),
    )


def _reextract(args: argparse.Namespace) -> int:
    from pipeline.reextract import reextract

    return _rerun(
        args, "reextract", lambda cfg: reextract(cfg, args.date, only_sources=args.sources)
    )


def _report(args: argparse.Namespace) -> int:
    from pipeline.lake import Lake, LakeError
    from pipeline.report import runs_on

    try:
        runs = runs_on(Lake(args.lake), args.date)
    except (LakeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    if not runs:
        print(f"no runs for {args.date}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(runs, indent=2, default=str))
        return EXIT_OK
    for r in runs:
        print(f"run {r['run_id']}: {r['status']}, checks {r['checks']}")
        for key in ("report", "data_docs", "validation"):
            if r.get(key):
                print(f"  {key:<10} {r[key]}")
        for w in r.get("warnings") or []:
            print(f"  warning    {w}")
        if r.get("message"):
            print(f"  message    {r['message']}")
    return EXIT_OK


def _sql(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.lake import Lake, LakeError

    try:
        con = Lake(args.lake).connect()
    except (LakeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        rel = con.sql(args.query)
        if rel is None:
            return EXIT_OK
        cols = rel.columns
        rows = rel.fetchall()
    except duckdb.Error as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps([dict(zip(cols, r, strict=True)) for r in rows], default=str, indent=2))
    elif args.format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table(*cols)
        for r in rows:
            t.add_row(*("" if v is None else str(v) for v in r))
        Console().print(t)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # trafilatura logs every page it finds nothing in; the quarantine table already says so.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    # SIGTERM (a supervisor, `kill`) stops a run the way Ctrl-C does: nothing half-published.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("interrupted: nothing published, the lake is as it was", file=sys.stderr)
        return EXIT_INTERRUPTED


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "ingest":
        return _ingest(args)
    if args.command == "requeue":
        return _requeue(args)
    if args.command == "report":
        return _report(args)
    if args.command == "reextract":
        return _reextract(args)
    if args.command == "eval":
        from pipeline import evaluate

        return evaluate.main(args)
    return _sql(args)


if __name__ == "__main__":
    sys.exit(main())
