"""The `broadsheet` command: argument parsing and terminal output only."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Each command imports what it needs in its handler: `broadsheet sql` and `--version` must not
# pay for pydantic, pyarrow, pandas or the extraction stack (tests/test_cli.py checks).
if TYPE_CHECKING:
    import duckdb

    from pipeline.config import Config
    from pipeline.run import RunProgress
    from pipeline.shards import Shard

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a process ended by Ctrl-C


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


def _workers(value: str) -> int:
    """--workers: checked here, as the sources file's `workers` is (a flag is not re-validated
    with the file, and a negative count would quietly run the chain unisolated)."""
    try:
        n = int(value)
    except ValueError:
        n = -1
    if not 0 <= n <= 256:
        raise argparse.ArgumentTypeError(f"not a worker count from 0 to 256: {value!r}")
    return n


WORKERS_HELP = "worker processes for extraction (default 1; 0: in this process, not isolated)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="broadsheet",
        description="Turn news dumps into a validated, deduplicated Parquet lake.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    p.add_argument("--version", action=_Version, help="print the installed version and exit")
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
    ing.add_argument("--workers", type=_workers, help=WORKERS_HELP)
    ing.add_argument("--json", action="store_true", help="print the run summary as JSON")
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")
    ing.add_argument(
        "--allow-empty",
        action="store_true",
        help="let a source with no inputs replace a night it published before",
    )
    ing.add_argument(
        "--dry-run",
        action="store_true",
        help="plan the night (inputs and shards by source) without reading or writing anything",
    )
    ing.add_argument(
        "--force-extract",
        action="store_true",
        help="extract every input, even those whose URL or raw bytes the lake already holds",
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
    rq.add_argument("--workers", type=_workers, help=WORKERS_HELP)
    rq.add_argument("--json", action="store_true", help="print the run summary as JSON")

    rx = sub.add_parser(
        "reextract", help="rebuild a night of web sources from its raw captures (offline)"
    )
    rx.add_argument("--config", type=Path, required=True, help="sources file (YAML)")
    rx.add_argument("--lake", help="lake folder or s3://bucket/prefix (default: config's)")
    rx.add_argument("--date", type=_date, required=True, help="ingest date YYYY-MM-DD")
    rx.add_argument("--source", action="append", dest="sources", metavar="NAME")
    rx.add_argument("--workers", type=_workers, help=WORKERS_HELP)
    rx.add_argument("--json", action="store_true", help="print the run summary as JSON")

    from pipeline.evaluate import add_parser as add_eval_parser

    add_eval_parser(sub)

    rep = sub.add_parser("report", help="where the run reports and validation pages of a date are")
    rep.add_argument("--lake", default="lake", help="lake folder or s3://bucket/prefix")
    rep.add_argument("--date", type=_date, required=True, help="ingest date YYYY-MM-DD")
    rep.add_argument("--json", action="store_true")

    exp = sub.add_parser("export", help="write one ingest date's articles, one file per language")
    exp.add_argument("--lake", default="lake", help="lake folder or s3://bucket/prefix")
    exp.add_argument("--date", type=_date, required=True, help="ingest date YYYY-MM-DD")
    exp.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl")
    exp.add_argument("--by", choices=("language",), default="language", help="one file per ...")
    exp.add_argument("--out", type=Path, help="folder (default: LAKE/exports/training)")
    exp.add_argument("--min-words", type=int, default=0, help="only articles this long")

    cat = sub.add_parser("catalog", help="rebuild the lake's catalog.duckdb (a moved lake)")
    cat.add_argument("--lake", default="lake", help="lake folder")
    cat.add_argument(
        "--upgrade",
        action="store_true",
        help="first rewrite files that still hold partition keys (lakes before 2026-12)",
    )

    sql = sub.add_parser("sql", help="query the lake's DuckDB catalog")
    sql.add_argument("query")
    sql.add_argument("--lake", default="lake", help="lake folder or s3://bucket/prefix")
    sql.add_argument(
        "--format",
        choices=("table", "csv", "json", "parquet"),
        default="table",
        help="table: fitted to the terminal, plain and complete off one (default)",
    )
    sql.add_argument("--output", type=Path, metavar="FILE", help="write here (parquet: required)")
    return p


class _Version(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("broadsheet")
        except PackageNotFoundError:
            found = "unknown (not installed)"
        print(f"broadsheet {found}")
        parser.exit()


def _ingest_config(args: argparse.Namespace) -> tuple[Config, list[str] | None]:
    from pipeline.config import (
        WARC_NAMES,
        ConfigError,
        build_config,
        load_config,
        source_name_for,
    )

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
        "sources": [{"name": name, "type": kind, "paths": [str(p) for p in args.paths]}],
    }
    if args.workers is not None:  # 0 included: in this process
        data["workers"] = args.workers
    return build_config(data), None


def _ingest(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from pipeline.config import ConfigError

    err = Console(stderr=True, soft_wrap=True)
    try:
        cfg, only = _ingest_config(args)
    except ConfigError as e:
        err.print(f"[red]error:[/red] {e}")
        return EXIT_USAGE
    day = args.date or datetime.now(UTC).date()
    if args.dry_run:
        return _dry_run(cfg, only, day, args.json, err)

    from pipeline.lake import LakeError
    from pipeline.run import run_ingest

    show_progress = err.is_terminal and not args.no_progress and not args.json
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    task = progress.add_task("ingest", total=None, counts="")

    def tick(p: RunProgress) -> None:
        # The total is the planned input files (known for file sources), so the ETA is too.
        files = f"{p.files_done}/{p.files_total} files · " if p.files_total is not None else ""
        done = p.files_done if p.files_total is not None else p.inputs
        progress.update(
            task, total=p.files_total, completed=done, counts=f"{files}{p.inputs} inputs"
        )

    if args.allow_empty:
        cfg = cfg.model_copy(update={"allow_empty": True})
    if args.force_extract:
        extract = cfg.extract.model_copy(update={"skip_known": False})
        cfg = cfg.model_copy(update={"extract": extract})
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


@dataclass
class _Planned:
    """One source's part of a planned night."""

    type: str
    web: bool  # its inputs are seeds (feeds, sitemaps, URLs), fetched during the run
    inputs: int = 0  # files (web: seeds)
    bytes: int = 0  # of the local files, as stored
    remote: int = 0  # files on an object store or a web server: size unknown until read
    shards: list[int] = field(default_factory=list)


def _dry_run(cfg: Config, only: list[str] | None, day: date, as_json: bool, err: Any) -> int:
    """Plan the night with the real run's planner (`plan_shards`), reading no input and leaving
    the lake alone. It exits as the real run would: 2 when no source could be read, 1 when
    some would be held back (input paths that do not exist, an entry that does not validate)."""
    from pipeline.config import ConfigError
    from pipeline.shards import is_web, missing_inputs, plan_shards, select_sources

    try:
        selected = select_sources(cfg, only)
        shards = plan_shards(cfg, [s.name for s in selected])
    except ConfigError as e:
        err.print(f"[red]error:[/red] {e}")
        return EXIT_USAGE
    except (ValueError, OSError) as e:
        err.print(f"[red]error:[/red] {e}")
        return EXIT_FAILED
    held = {
        n: "input paths that do not exist: " + ", ".join(p)
        for n, p in missing_inputs(selected).items()
    }
    if not only:
        held.update(cfg.rejected_sources)
    sources = {s.name: _Planned(s.type, is_web(s)) for s in selected}
    plan = []
    for shard in shards:
        size = 0
        for part in shard.parts:
            row = sources[part.source]
            row.shards.append(shard.index)
            row.inputs += len(part.paths)
            for path in part.paths:
                n = _input_bytes(path, row.web)
                row.bytes += n or 0
                row.remote += n is None and not row.web
                size += n or 0
        plan.append({**shard.as_dict(), "bytes": size})
    if as_json:
        head = {"ingest_date": day.isoformat(), "lake": cfg.lake, "dry_run": True}
        by_source = {name: asdict(r) for name, r in sources.items()}
        out = {**head, "sources": by_source, "shards": plan, "held_back": held}
        print(json.dumps(out, indent=2))
    else:
        _print_plan(sources, shards, day, cfg.lake)
    for name, why in held.items():
        err.print(f"[red]would be held back[/red] {name}: {why}")
    return EXIT_FAILED if held else EXIT_OK


def _input_bytes(location: str, web: bool) -> int | None:
    """Bytes of a planned local input as stored; None for a remote file or a web seed."""
    import os

    from pipeline.sources.files import path_of

    if web or "://" in location:
        return None
    try:
        return os.stat(path_of(location)).st_size
    except OSError:  # listed but gone or unreadable: the real run quarantines it
        return 0


def _print_plan(
    sources: dict[str, _Planned], shards: Sequence[Shard], day: date, lake: str
) -> None:
    import os

    from rich.console import Console
    from rich.table import Table

    out = Console()
    t = Table(title=f"plan · ingest_date={day} · {len(shards)} shard(s) · dry run")
    for col in ("source", "type", "inputs", "bytes", "shards"):
        t.add_column(col, justify="right" if col in ("inputs", "bytes") else "left")
    for name, r in sources.items():
        size = _human_bytes(r.bytes) + (f" + {r.remote} remote" if r.remote else "")
        t.add_row(
            name,
            r.type,
            f"{r.inputs} {'seed' if r.web else 'file'}{'' if r.inputs == 1 else 's'}",
            "-" if r.web else size,
            _ranges(r.shards),
        )
    total = sum(r.inputs for r in sources.values())
    size = _human_bytes(sum(r.bytes for r in sources.values()))
    t.add_row("[bold]total", "", str(total), size, "")
    out.print(t)
    shown = lake if "://" in lake else os.path.normpath(lake)
    out.print(f"nothing read, nothing written; the run would publish to {shown}")


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000:
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def _ranges(indexes: Sequence[int]) -> str:
    """[0, 1, 2, 5] -> "0-2, 5"."""
    out: list[str] = []
    for i in sorted(set(indexes)):
        if out and i == int(out[-1].rsplit("-", 1)[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{i}"
        else:
            out.append(str(i))
    return ", ".join(out)


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
    from pipeline.config import ConfigError, load_config
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


def _export(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.export import export_by_language, output_dir
    from pipeline.lake import Lake, LakeError

    try:
        counts = export_by_language(args.lake, args.date, args.format, args.out, args.min_words)
    except (LakeError, OSError, duckdb.Error) as e:
        print(f"export failed: {e}", file=sys.stderr)
        return EXIT_FAILED
    if not counts:
        print(f"no articles published for {args.date}", file=sys.stderr)
    for stem, n in sorted(counts.items()):
        print(f"{stem}\t{n}")
    print(f"total\t{sum(counts.values())}")
    print(f"written to {output_dir(Lake(args.lake), args.date, args.out)}", file=sys.stderr)
    return EXIT_OK


def _catalog(args: argparse.Namespace) -> int:
    from pipeline.lake import Lake, LakeError

    lake = Lake(args.lake)
    if not lake.storage.exists(lake.storage.root):
        print(f"error: no lake at {lake.uri}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with lake.locked():
            upgraded = lake.upgrade_layout() if args.upgrade else 0
            lake.refresh_catalog()
    except (LakeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAILED
    if args.upgrade:
        print(f"{upgraded} files rewritten to the current layout and contract")
    where = lake.catalog_path if lake.storage.local else "none on object stores (use sql)"
    print(f"catalog: {where}")
    return EXIT_OK


def _sql(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline import sqlout

    if args.format == "parquet" and args.output is None:
        print("error: --format parquet writes a file: give --output FILE", file=sys.stderr)
        return EXIT_USAGE
    try:
        con = _open_catalog(args.lake)
    except (LookupError, OSError, duckdb.Error) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.format == "parquet":
            n = sqlout.write_parquet(con, args.query, args.output)
            print(f"{n} rows written to {args.output}", file=sys.stderr)
            return EXIT_OK
        cursor = con.execute(args.query)
        if cursor.description is None:  # a statement without a result
            return EXIT_OK
        columns = [d[0] for d in cursor.description]
        rows = sqlout.rows(cursor)
        if args.output is not None:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                _write_result(args.format, columns, rows, fh)
        else:
            _write_result(args.format, columns, rows, sys.stdout)
            sys.stdout.flush()
    except BrokenPipeError:  # the reader (`| head`) has all it wanted
        _stdout_to_devnull()
        return EXIT_OK
    except (duckdb.Error, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()
    return EXIT_OK


def _open_catalog(location: str) -> duckdb.DuckDBPyConnection:
    """The lake's DuckDB catalog, read-only. A local one is opened with DuckDB alone: importing
    `pipeline.lake` (pyarrow, pandas) would cost seconds; an object-store lake has no catalog
    file, so `Lake.connect` registers its tables. LookupError: no catalog."""
    import duckdb

    if "://" in location and not location.startswith("file://"):  # as `Storage` tells them
        from pipeline.lake import Lake, LakeError

        try:
            return Lake(location).connect()
        except LakeError as e:
            raise LookupError(str(e)) from None
    catalog = Path(location.removeprefix("file://")).resolve() / "catalog.duckdb"
    if not catalog.exists():
        raise LookupError(f"no catalog at {catalog}; run `broadsheet ingest`")
    con = duckdb.connect(str(catalog), read_only=True)
    # Views read below lake_root(), where the catalog was built; a moved or copied lake
    # answers from its own files (as Lake.connect does). Old catalogs have no lake_root().
    root = catalog.parent.as_posix()
    try:
        [(recorded,)] = con.execute("SELECT lake_root()").fetchall()
    except duckdb.Error:
        return con
    if recorded != root:
        quoted = "'" + root.replace("'", "''") + "'"
        con.execute(f"CREATE OR REPLACE TEMP MACRO lake_root() AS {quoted}")
    return con


def _write_result(fmt: str, columns: list[str], rows: Any, out: Any) -> None:
    from pipeline import sqlout

    if fmt == "csv":
        sqlout.write_csv(columns, rows, out)
    elif fmt == "json":
        sqlout.write_json(columns, rows, out)
    elif out.isatty():
        from rich.console import Console

        sqlout.write_terminal(columns, rows, Console(file=out))
    else:  # a pipe, a file, a log: never squeezed to a width
        sqlout.write_plain(columns, rows, out)


def _stdout_to_devnull() -> None:
    """After a broken pipe: nothing more reaches the reader, and exit must not fail flushing."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    from pipeline.logcontext import ContextFilter

    args = _parser().parse_args(argv)
    # Each record says which source and input it is about (` [source=… input_ref=…]`).
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s%(where)s: %(message)s")
    )
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler]
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
    if args.command == "catalog":
        return _catalog(args)
    if args.command == "export":
        return _export(args)
    if args.command == "reextract":
        return _reextract(args)
    if args.command == "eval":
        from pipeline import evaluate

        return evaluate.main(args)
    return _sql(args)


if __name__ == "__main__":
    sys.exit(main())
