from __future__ import annotations

import importlib.metadata
import io
import json
import logging
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config, build_config
from tests.conftest import REPO, article_html


def _pages(folder: Path, n: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = [
            f"Paragraph {j} of story {i} has enough words to count as a body paragraph "
            "about the harbour, the council and the weather this week."
            for j in range(5)
        ]
        (folder / f"p{i}.html").write_text(
            article_html(title=f"Story {i}", url=f"https://h.example/{i}", paragraphs=paras)
        )


def test_paths_mode_with_source_name_and_json_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pages(tmp_path / "in")
    code = main(
        [
            "ingest",
            str(tmp_path / "in"),
            "--source",
            "harbor",
            "--lake",
            str(tmp_path / "lake"),
            "--date",
            "2026-11-20",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_source"] == {
        "harbor": {"inputs": 3, "written": 3, "duplicates": 0, "quarantined": 0, "skipped": 0}
    }
    assert (
        main(
            [
                "sql",
                "--lake",
                str(tmp_path / "lake"),
                "--format",
                "csv",
                "SELECT source, count(*) AS n FROM articles GROUP BY 1",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["source,n", "harbor,3"]


def test_bad_config_exits_2_with_the_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("sources:\n  - {name: Bad!, type: html, path: x}\n")
    assert main(["ingest", "--config", str(cfg)]) == 2
    assert "sources.0.name" in capsys.readouterr().err


def test_lake_that_is_a_file_exits_1_and_publishes_nothing(tmp_path: Path) -> None:
    _pages(tmp_path / "in", 1)
    not_a_dir = tmp_path / "lake"
    not_a_dir.write_text("oops")
    assert main(["ingest", str(tmp_path / "in"), "--lake", str(not_a_dir)]) == 1
    assert not_a_dir.read_text() == "oops"


def test_sql_errors_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pages(tmp_path / "in", 1)
    assert main(["ingest", str(tmp_path / "in"), "--lake", str(tmp_path / "lake")]) == 0
    assert main(["sql", "--lake", str(tmp_path / "lake"), "SELECT nope FROM articles"]) == 1
    assert "nope" in capsys.readouterr().err


# -- issue 16: a fast `broadsheet sql`, complete output, --version, --dry-run, progress, context


def _catalog(lake: Path, sql: str) -> Path:
    """A lake folder whose catalog holds what `sql` creates (what `broadsheet sql` opens)."""
    import duckdb

    lake.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(lake / "catalog.duckdb"))
    con.execute(sql)
    con.close()
    return lake


HEAVY = (
    "great_expectations",
    "airflow",
    "trafilatura",
    "pyarrow",
    "pandas",
    "pydantic",
    "pipeline.lake",
    "pipeline.config",
)


@pytest.mark.parametrize("argv", [["sql", "--lake", "LAKE", "SELECT 42 AS answer"], ["--version"]])
def test_fast_commands_import_no_heavy_module(tmp_path: Path, argv: list[str]) -> None:
    lake = _catalog(tmp_path / "lake", "CREATE TABLE runs (run_id VARCHAR)")
    argv = [str(lake) if a == "LAKE" else a for a in argv]
    code = (
        "import json, sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        f"    rc = main({argv!r})\n"
        "except SystemExit as e:\n"
        "    rc = e.code\n"
        f"heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))\n"
        "print(json.dumps({'rc': rc, 'heavy': heavy}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    *out, last = done.stdout.splitlines()
    assert json.loads(last) == {"rc": 0, "heavy": []}
    if argv[0] == "sql":
        assert out == ["answer", "------", "42"]


def test_version_is_the_installed_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"broadsheet {importlib.metadata.version('broadsheet')}\n"


RUN_ID = "20261201T183100Z-2f1a4a53"
WIDE = (
    "CREATE TABLE runs AS SELECT "
    + ", ".join(f"'value-{i}-of-a-wide-row' AS column_{i}" for i in range(20))
    + f", '{RUN_ID}' AS run_id, 'line one\nline two\tafter a tab' AS message, NULL AS nothing"
)


def test_piped_table_keeps_every_value_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = _catalog(tmp_path / "lake", WIDE)
    assert main(["sql", "--lake", str(lake), "SELECT * FROM runs"]) == 0
    head, rule, row = capsys.readouterr().out.splitlines()  # one line per row: nothing wraps
    cells = [c.strip() for c in row.split("|")]
    assert [c.strip() for c in head.split("|")][-3:] == ["run_id", "message", "nothing"]
    assert cells[:20] == [f"value-{i}-of-a-wide-row" for i in range(20)]
    assert cells[20:] == [RUN_ID, "line one\\nline two\\tafter a tab", ""]
    assert set(rule) == {"-", "+"}


def _visible(text: str) -> str:
    """Terminal output without box drawing and whitespace: what a reader can read off it."""
    return re.sub(r"[\s│┃┏┓┗┛┡┩└┘━─┳┻╇┼┬┴╋├┤]+", "", text)


def test_terminal_table_fits_the_width_and_cuts_nothing() -> None:
    from rich.console import Console

    from pipeline import sqlout

    url = "https://harbor.example/news/" + "-".join(["an-unbreakable-slug"] * 5)
    long_title = "A headline long enough to need wrapping in a narrow terminal, then " + url
    rows = [(RUN_ID, long_title, 3), (RUN_ID.replace("2f", "9c"), "short", None)]
    buf = io.StringIO()
    sqlout.write_terminal(["run_id", "title", "n"], rows, Console(file=buf, width=80))
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "run_id" in lines[1]  # a table, not one block per row
    body = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
    columns = ["".join(_visible(cells[j]) for cells in body) for j in range(3)]
    assert columns[0] == _visible(RUN_ID + RUN_ID.replace("2f", "9c"))
    assert columns[1] == _visible(long_title + "short")
    assert columns[2] == "3"


def test_terminal_too_narrow_for_the_columns_shows_one_block_per_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    lake = _catalog(tmp_path / "lake", WIDE)
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    [row] = con.execute("SELECT * FROM runs").fetchall()
    values = [str(v) for v in row if v is not None]
    con.close()
    out = Tty()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["sql", "--lake", str(lake), "SELECT * FROM runs"]) == 0
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # a terminal gets colours
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "row 1" in text
    for value in values:  # every value of the 23 columns, whole (wrapped at most)
        assert _visible(value) in _visible(text)


def test_csv_json_and_parquet_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    lake = _catalog(
        tmp_path / "lake",
        "CREATE TABLE articles AS SELECT * FROM (VALUES "
        "('wire', DATE '2026-11-25', ['A', 'B'], 1.5), ('harbor', NULL, [], NULL)) "
        "t(source, day, authors, score)",
    )
    query = "SELECT * FROM articles ORDER BY source"
    assert main(["sql", "--lake", str(lake), "--format", "json", query]) == 0
    text = capsys.readouterr().out
    rows = [
        {"source": "harbor", "day": None, "authors": [], "score": None},
        {"source": "wire", "day": "2026-11-25", "authors": ["A", "B"], "score": "1.5"},
    ]
    assert text == json.dumps(rows, indent=2) + "\n"
    assert main(["sql", "--lake", str(lake), "--format", "csv", query]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "source,day,authors,score",
        "harbor,,[],",
        'wire,2026-11-25,"[""A"", ""B""]",1.5',
    ]
    assert main(["sql", "--lake", str(lake), "--format", "parquet", query]) == 2
    assert "--output" in capsys.readouterr().err
    out = tmp_path / "result.parquet"
    argv = ["sql", "--lake", str(lake), "--format", "parquet", "--output", str(out), query]
    assert main(argv) == 0
    assert "2 rows written" in capsys.readouterr().err
    con = duckdb.connect()
    back = con.execute(f"SELECT source, authors FROM read_parquet('{out}') ORDER BY 1").fetchall()
    assert back == [("harbor", []), ("wire", ["A", "B"])]
    assert main([*argv[:-1], "SELECT nope FROM articles"]) == 1
    assert con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchall() == [(2,)]


def test_dry_run_plans_like_the_run_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.config import load_config
    from pipeline.shards import plan_shards
    from pipeline.sources.files import path_of

    sources = REPO / "examples" / "sources.yaml"
    lake = tmp_path / "lake"
    argv = ["ingest", "--config", str(sources), "--lake", str(lake), "--dry-run"]
    assert main([*argv, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    shards = plan_shards(load_config(sources, {"lake": str(lake)}))
    assert [s["parts"] for s in plan["shards"]] == [s.as_dict()["parts"] for s in shards]
    files: dict[str, list[str]] = {}
    for shard in shards:
        for part in shard.parts:
            files.setdefault(part.source, []).extend(part.paths)
    assert {name: r["inputs"] for name, r in plan["sources"].items()} == {
        name: len(paths) for name, paths in files.items()
    }
    assert {name: r["bytes"] for name, r in plan["sources"].items()} == {
        name: sum(path_of(p).stat().st_size for p in paths) for name, paths in files.items()
    }
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "harbor-ledger" in table and "nothing read, nothing written" in table
    assert not lake.exists()


def test_dry_run_exits_as_the_run_does_for_missing_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("sources:\n  - {name: gone, type: html, path: no-such-folder}\n")
    for extra in (["--dry-run"], []):
        assert main(["ingest", "--config", str(cfg), "--lake", str(tmp_path / "lake"), *extra]) == 2
        assert "no-such-folder" in capsys.readouterr().err
    assert not (tmp_path / "lake").exists()


def test_a_mistyped_source_holds_back_that_source_alone_in_the_dry_run_and_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing path in one source, an invalid entry in another: the dry run says both would
    be held back (exit 1, as the run), and the run publishes the good source and holds back
    the others, naming why."""
    good = tmp_path / "in"
    good.mkdir()
    words = " ".join(f"word{i}" for i in range(80))
    (good / "a.html").write_text(f"<html><body><article><p>{words}.</p></article></body></html>")
    cfg = tmp_path / "s.yaml"
    cfg.write_text(
        "validate: {min_words: 20, batch_checks: false}\n"
        "sources:\n"
        f"  - {{name: good, type: html, path: {good}}}\n"
        "  - {name: gone, type: html, path: no-such-folder}\n"
        "  - {name: zoned, type: html, path: in, timezone: Europe/Berln}\n"
    )
    argv = [
        "ingest",
        "--config",
        str(cfg),
        "--lake",
        str(tmp_path / "lake"),
        "--date",
        "2026-11-20",
    ]
    assert main([*argv, "--dry-run", "--json"]) == 1
    out = capsys.readouterr()
    held = json.loads(out.out)["held_back"]
    assert held == {
        "gone": f"input paths that do not exist: {tmp_path / 'no-such-folder'}",
        "zoned": "invalid configuration: sources.2.timezone: unknown time zone 'Europe/Berln'",
    }
    assert not (tmp_path / "lake").exists()
    assert main([*argv, "--json", "--no-progress"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "partial" and summary["written"] == 1
    assert sorted(summary["held_back"]) == ["gone", "zoned"]
    assert summary["held_back"]["zoned"].endswith("unknown time zone 'Europe/Berln'; not read")
    # Asked for by name, the invalid source is a usage error that says why.
    assert main([*argv, "--source", "zoned", "--no-progress"]) == 2
    assert "zoned: invalid configuration: sources.2.timezone" in capsys.readouterr().err


READERS_NOT_NEEDED = ("httpx", "warcio", "fastwarc", "trafilatura", "pyarrow", "pipeline.normalize")


def test_dry_run_of_file_sources_imports_only_their_readers(tmp_path: Path) -> None:
    """Planning reads no input: a night of local files must not import the WARC, HTTP,
    object-store and extraction stacks (seconds of a dry run, and of the DAG's plan task)."""
    _pages(tmp_path / "html", 2)
    _pages(tmp_path / "mixed", 1)
    (tmp_path / "mixed" / "crawl.warc.gz").write_bytes(b"")  # listed, not read, when planning
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "a.txt").write_text("Title\n\nBody words.\n")
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "w.jsonl").write_text('{"url": "https://w.example/1", "text": "x"}\n')
    cfg = tmp_path / "s.yaml"
    cfg.write_text(
        f"lake: {tmp_path / 'lake'}\nsources:\n"
        + "".join(
            f"  - {{name: {kind}-src, type: {kind}, path: {tmp_path / folder}}}\n"
            for kind, folder in (("html", "html"), ("files", "mixed"), ("text", "text"))
        )
        + f"  - {{name: wire, type: jsonl, path: {tmp_path / 'wire'}, fields: {{url: url}}}}\n"
    )
    argv = ["ingest", "--config", str(cfg), "--dry-run", "--json"]
    code = (
        "import json, sys\n"
        "from pipeline.cli import main\n"
        f"rc = main({argv!r})\n"
        f"loaded = sorted(m for m in sys.modules if m.startswith({READERS_NOT_NEEDED!r}))\n"
        "print(json.dumps({'rc': rc, 'loaded': loaded}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    *out, last = done.stdout.splitlines()
    assert json.loads(last) == {"rc": 0, "loaded": []}, done.stderr
    plan = json.loads("\n".join(out))
    assert {name: r["inputs"] for name, r in plan["sources"].items()} == {
        "html-src": 2,
        "files-src": 2,
        "text-src": 1,
        "wire": 1,
    }


def _quick_config(lake: Path, sources: list[dict[str, object]]) -> Config:
    """One worker, no batch gate: the run's reading and chain, without the slow parts."""
    data = {"lake": str(lake), "workers": 1, "validate": {"batch_checks": False}}
    return build_config({**data, "sources": sources})


def test_progress_counts_planned_files_of_a_known_total(tmp_path: Path) -> None:
    from pipeline.run import RunProgress, run_ingest

    _pages(tmp_path / "in", 3)
    (tmp_path / "in" / "two.txt").write_text(
        "First headline\n\n" + "A body line with words enough. " * 20 + "\n\n=====\n\n"
        "Second headline\n\n" + "Another body line with words. " * 20 + "\n"
    )
    cfg = _quick_config(
        tmp_path / "lake", [{"name": "harbor", "type": "files", "paths": [str(tmp_path / "in")]}]
    )
    seen: list[RunProgress] = []

    def record(p: RunProgress) -> None:
        seen.append(RunProgress(p.inputs, p.files_done, p.files_total))

    run_ingest(cfg, date(2026, 11, 20), on_progress=record)
    assert seen[0] == RunProgress(0, 0, 4)
    assert seen[-1] == RunProgress(5, 4, 4)  # 4 files, 5 documents (two in the dump)
    done = [p.files_done for p in seen]
    assert done == sorted(done) and set(done) == {0, 1, 2, 3, 4}


def _damaged_warc(path: Path) -> Path:
    from tests.warcgen import Writer, news_page

    w = Writer(path)
    for n in range(4):
        w.response(news_page(n))
    w.close()
    data = bytearray(path.read_bytes())
    mid = (w.offsets[1] + w.offsets[2]) // 2
    data[mid : mid + 64] = b"\x00" * 64  # garbage inside the second record
    path.write_bytes(bytes(data))
    return path


class _Records(logging.Handler):
    def __init__(self) -> None:
        from pipeline.logcontext import ContextFilter

        super().__init__(logging.WARNING)
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_warning_while_reading_a_damaged_input_names_source_and_file(tmp_path: Path) -> None:
    from pipeline.run import run_ingest

    warcs = tmp_path / "crawl"
    warcs.mkdir()
    bad = _damaged_warc(warcs / "b-damaged.warc.gz")
    (warcs / "a-empty.warc.gz").write_bytes(b"")  # read first: the context moves on from it
    cfg = _quick_config(tmp_path / "lake", [{"name": "cc", "type": "warc", "path": str(warcs)}])
    handler = _Records()
    logging.getLogger("pipeline").addHandler(handler)
    try:
        run_ingest(cfg, date(2026, 11, 20))
    finally:
        logging.getLogger("pipeline").removeHandler(handler)
    reading = [r for r in handler.records if r.name.startswith("pipeline.sources")]
    assert reading, "the damaged WARC logged no warning"
    assert {(r.source, r.input_ref) for r in reading} == {("cc", str(bad))}  # type: ignore[attr-defined]
    assert " [source=cc input_ref=" in reading[0].where  # type: ignore[attr-defined]
    # Outside reading (the publish), records say nothing they do not know.
    assert not [r for r in handler.records if r.name == "pipeline.publish" and r.source]  # type: ignore[attr-defined]


def test_task_log_handlers_show_the_tags_in_the_message_during_a_shard(tmp_path: Path) -> None:
    """Airflow's task log renders only the message: the DAG's `process` task wraps the shard in
    `tags_in_messages`, so a warning there still names its source and file."""
    from pipeline.logcontext import tags_in_messages
    from pipeline.run import run_ingest
    from pipeline.sources.files import ref_of

    warcs = tmp_path / "crawl"
    warcs.mkdir()
    bad = _damaged_warc(warcs / "100%-damaged.warc.gz")
    cfg = _quick_config(tmp_path / "lake", [{"name": "cc", "type": "warc", "path": str(warcs)}])
    lines: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(message)s"))  # knows nothing of `where`
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    logger = logging.getLogger("pipeline")
    logger.addHandler(handler)
    try:
        with tags_in_messages(logger):
            run_ingest(cfg, date(2026, 11, 20))
        assert not handler.filters
        logging.getLogger("pipeline.sources.warc").warning("after the shard")
    finally:
        logger.removeHandler(handler)
    tagged = [ln for ln in lines if ln.endswith(f" [source=cc input_ref={ref_of(bad)}]")]
    assert tagged and all(ln.count("[source=") <= 1 for ln in lines)  # tagged once
    assert lines[-1] == "after the shard"


def test_warning_in_the_document_chain_names_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline import document
    from pipeline.records import RawDoc

    def noisy(doc: RawDoc, cfg: object) -> object:
        logging.getLogger("pipeline.extract").warning("odd markup")
        return doc.reject("extract", "no_content", "nothing")

    monkeypatch.setattr(document, "extract", noisy)
    doc = RawDoc("wire", "jsonl/a.jsonl:7", "jsonl", html=b"<p>x</p>")
    handler = _Records()
    logging.getLogger("pipeline").addHandler(handler)
    try:
        document.process_doc(doc, document.DocWork(None, None, None))  # type: ignore[arg-type]
    finally:
        logging.getLogger("pipeline").removeHandler(handler)
    [record] = handler.records
    assert (record.source, record.input_ref) == ("wire", "jsonl/a.jsonl:7")  # type: ignore[attr-defined]


def _ingest_one_source(
    tmp_path: Path, workers: int, source: str
) -> subprocess.CompletedProcess[str]:
    """`broadsheet ingest` of one source (a YAML flow mapping), batch checks off; must exit 0."""
    cfg = tmp_path / "s.yaml"
    cfg.write_text(
        f"lake: lake\nworkers: {workers}\nvalidate: {{batch_checks: false}}\n"
        f"sources:\n  - {source}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ingest", "--config", str(cfg), "--no-progress"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_cli_log_lines_name_source_and_file(tmp_path: Path) -> None:
    warcs = tmp_path / "crawl"
    warcs.mkdir()
    bad = _damaged_warc(warcs / "damaged.warc.gz")
    done = _ingest_one_source(tmp_path, 1, f"{{name: cc, type: warc, path: {warcs}}}")
    warned = [line for line in done.stderr.splitlines() if " WARNING " in line]
    assert warned and all(f"[source=cc input_ref={bad}]" in line for line in warned)


def test_cli_log_lines_from_worker_processes_name_source_and_file(tmp_path: Path) -> None:
    """With --workers 2 the document chain runs in worker processes: what it logs about a
    damaged page still reaches the terminal at its level, naming the source and the file."""
    import random

    pages = tmp_path / "pages"
    _pages(pages, 2)
    bad = pages / "garbage.html"
    bad.write_bytes(random.Random(8).randbytes(20_000))  # as tests/hostile.py's junk page
    done = _ingest_one_source(tmp_path, 2, f"{{name: harbor, type: html, path: {pages}}}")
    tagged = f"[source=harbor input_ref={bad}]"
    warned = [ln for ln in done.stderr.splitlines() if re.search(r" (WARNING|ERROR) ", ln)]
    assert [ln for ln in warned if tagged in ln], done.stderr


def test_sql_piped_into_a_reader_that_stops_early_exits_quietly(tmp_path: Path) -> None:
    lake = _catalog(tmp_path / "lake", "CREATE TABLE t AS SELECT range AS n FROM range(300000)")
    argv = ["sql", "--lake", str(lake), "--format", "csv", "SELECT n FROM t ORDER BY n"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"n\n"  # then stop reading, as `| head -1` does
    proc.stdout.close()
    err = proc.stderr.read()
    assert (proc.wait(), err) == (0, b"")
