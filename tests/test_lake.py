from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline import document
from pipeline import lake as lake_mod
from pipeline import staging as staging_mod
from pipeline import storage as storage_mod
from pipeline.config import Config, build_config
from pipeline.contract import article_arrow_schema
from pipeline.lake import Lake
from pipeline.run import run_ingest
from tests.conftest import article_html

DAY = date(2026, 11, 20)


def _corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = [
            f"Story number {i} begins with a council meeting about the harbour and its future, "
            f"which residents of district {i} followed closely through the long evening session.",
            f"Officials said the decision on item {i} would be reviewed next spring after a "
            "public consultation, and that money for the work had already been set aside.",
            f"Critics argued that plan {i} ignored the traffic problems on the coast road and "
            "asked for an independent study before any contract is signed by the council.",
        ]
        html = article_html(
            title=f"Council story {i}", url=f"https://harbor.example/news/{i}", paragraphs=paras
        )
        (folder / f"page{i:03d}.html").write_text(html)


def _cfg(tmp: Path, inputs: Path, name: str = "harbor", **extra: object) -> Config:
    data: dict[str, object] = {
        "lake": str(tmp / "lake"),
        "sources": [{"name": name, "type": "html", "paths": [str(inputs)]}],
        "validate": {"min_words": 20},
    }
    data.update(extra)
    return build_config(data)


def _snapshot(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name not in (".lock", "catalog.duckdb"):
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_publish_layout_schema_and_catalog(tmp_path: Path) -> None:
    _corpus(tmp_path / "in", 5)
    s = run_ingest(_cfg(tmp_path, tmp_path / "in"), DAY)
    assert (s.inputs, s.written, s.duplicates, s.quarantined) == (5, 5, 0, 0)
    part = tmp_path / "lake/articles/ingest_date=2026-11-20/source=harbor"
    files = list(part.glob("*.parquet"))
    assert len(files) == 1
    meta = pq.ParquetFile(files[0])
    # The contract's columns, less the partition key `source`, which is in the path only.
    file_schema = article_arrow_schema().remove(article_arrow_schema().get_field_index("source"))
    assert meta.schema_arrow.remove_metadata() == file_schema.remove_metadata()
    assert meta.metadata.row_group(0).column(0).compression == "ZSTD"
    # Long unique strings are stored plain (DuckDB scans them faster), short codes as dictionaries.
    rg = meta.metadata.row_group(0)
    encodings = {rg.column(i).path_in_schema: rg.column(i).encodings for i in range(rg.num_columns)}
    assert not any("DICTIONARY" in e for e in encodings["text"])
    assert any("DICTIONARY" in e for e in encodings["domain"])
    published = pq.read_table(files[0]).column("published_at").to_pylist()
    assert published == sorted(published)
    con = duckdb.connect(str(tmp_path / "lake/catalog.duckdb"), read_only=True)
    n, days = con.execute("SELECT count(*), min(ingest_date) FROM articles").fetchone() or (0, None)
    assert (n, str(days)) == (5, "2026-11-20")
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert con.execute("SELECT inputs, written FROM runs").fetchall() == [(5, 5)]


def test_rerun_same_day_replaces_instead_of_duplicating(tmp_path: Path) -> None:
    _corpus(tmp_path / "in", 4)
    cfg = _cfg(tmp_path, tmp_path / "in")
    first = run_ingest(cfg, DAY)
    second = run_ingest(cfg, DAY)
    con = duckdb.connect(str(tmp_path / "lake/catalog.duckdb"), read_only=True)
    ids = con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()
    assert len(ids) == 4 and len(set(ids)) == 4
    assert second.written == first.written == 4
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)


def test_next_night_recognises_articles_already_published(tmp_path: Path) -> None:
    _corpus(tmp_path / "in", 3)
    cfg = _cfg(tmp_path, tmp_path / "in")
    run_ingest(cfg, DAY)
    nxt = run_ingest(cfg, date(2026, 11, 21))
    assert (nxt.inputs, nxt.written, nxt.duplicates) == (3, 0, 3)
    con = duckdb.connect(str(tmp_path / "lake/catalog.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT d.duplicate_of = a.article_id, d.previous_run, d.match FROM duplicates d "
        "JOIN articles a ON a.article_id = d.duplicate_of"
    ).fetchall()
    assert rows == [(True, True, "canonical_url")] * 3
    # Re-running the first night still sees its own articles as originals.
    again = run_ingest(cfg, DAY)
    assert (again.written, again.duplicates) == (3, 0)


def test_crash_mid_run_leaves_lake_exactly_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corpus(tmp_path / "in", 6)
    # The interrupt is raised by the chain, patched here: it must run in this process.
    cfg = _cfg(tmp_path, tmp_path / "in", workers=0)
    run_ingest(cfg, DAY)
    before = _snapshot(tmp_path / "lake")
    calls = {"n": 0}
    real = document.validate_article

    def dying(*a: object, **k: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the OOM killer's cousin
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(document, "validate_article", dying)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(cfg, DAY)
    after = _snapshot(tmp_path / "lake")
    # Only the run's own row is new: it says the night was interrupted (and the reports index,
    # re-rendered to list it).
    [row] = [k for k in after if k not in before]
    assert row.startswith("runs/ingest_date=2026-11-20/run-")
    index = "reports/index.html"
    assert {k: v for k, v in after.items() if k not in (row, index)} == {
        k: v for k, v in before.items() if k != index
    }
    status = pq.read_table(tmp_path / "lake" / row).column("status").to_pylist()
    assert status == ["interrupted"]


def test_crash_during_publish_is_rolled_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corpus(tmp_path / "in", 3)
    cfg = _cfg(tmp_path, tmp_path / "in")
    run_ingest(cfg, DAY)
    _corpus(tmp_path / "in", 5)
    real = os.replace
    moves = {"n": 0}

    def flaky(src: object, dst: object) -> None:
        if "_staging" in str(src) and "final" in str(src):
            moves["n"] += 1
            if moves["n"] == 2:
                raise OSError("disk went away")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(storage_mod.os, "replace", flaky)
    with pytest.raises(OSError):
        run_ingest(cfg, DAY)
    monkeypatch.setattr(storage_mod.os, "replace", real)
    runs = tmp_path / "lake/runs/ingest_date=2026-11-20"
    # At the crash the second run's row (the journal's last move) is not there yet.
    assert len(list(runs.glob("run-*.parquet"))) == 1
    # The journal was committed: the next process to open the lake finishes the publish.
    assert list((tmp_path / "lake/_journal").glob("*.json"))
    with Lake(cfg.lake).locked():
        pass
    # Every move of the journal was done, the last one included, and the staging is gone.
    assert len(list(runs.glob("run-*.parquet"))) == 2
    assert not list((tmp_path / "lake/_staging").glob("*"))
    assert not (tmp_path / "lake/_trash").exists() or not any((tmp_path / "lake/_trash").iterdir())
    assert not (tmp_path / "lake/_journal").exists() or not any(
        (tmp_path / "lake/_journal").iterdir()
    )
    n = pq.read_table(tmp_path / "lake/articles/ingest_date=2026-11-20/source=harbor").num_rows
    assert n == 5


def test_empty_lake_catalog_has_typed_empty_tables(tmp_path: Path) -> None:
    lk = Lake(tmp_path / "lake")
    with lk.locked():
        lk.refresh_catalog()
    con = duckdb.connect(str(lk.catalog_path), read_only=True)
    cols = [r[0] for r in con.execute("DESCRIBE articles").fetchall()]
    assert "article_id" in cols and "ingest_date" in cols
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_unsafe_partition_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(lake_mod.LakeError):
        lake_mod.partition_rel("articles", DAY, "../../etc")


def test_final_files_are_cut_by_buffered_bytes_and_sorted_by_row_group(tmp_path: Path) -> None:
    """A night's partition is compacted in bounded memory: a file ends once its rows hold
    file_buffer_mb of data, even below rows_per_file, and each file is sorted as a whole
    though written one row group at a time."""
    from datetime import UTC, datetime

    import pyarrow as pa

    from pipeline.config import LakeConfig

    opts = LakeConfig(rows_per_file=10_000, file_buffer_mb=1, row_group_rows=7)
    stage = Lake(tmp_path / "lake").stage("r1", DAY, opts)
    stage.sources = ["big", "small"]
    comp = staging_mod._Compactor(stage, "quarantine")
    refs = [f"ref-{(i * 37) % 101:03d}" for i in range(101)]  # every ref once, shuffled
    now = datetime(2026, 11, 20, tzinfo=UTC)
    for start in range(0, 101, 10):  # chunks of 10 rows, as shards stage them
        rows = [
            {
                "source": "big" if i % 5 else "small",
                "input_ref": refs[i],
                "input_format": "text",
                "stage": "validate",
                "reason": "too_short",
                "message": "m",
                "raw_excerpt": chr(ord("a") + i % 26) * 60_000,
                "run_id": "r1",
                "ingested_at": now,
            }
            for i in range(start, min(start + 10, 101))
        ]
        comp.add(pa.Table.from_pylist(rows, schema=lake_mod.QUARANTINE_SCHEMA))
    comp.flush_all()
    seen: dict[str, list[str]] = {}
    for source in stage.sources:
        files = sorted(Path(stage.final_dir("quarantine", source)).glob("*.parquet"))
        for f in files:
            pf = pq.ParquetFile(f)
            assert all(
                pf.metadata.row_group(g).num_rows <= 7 for g in range(pf.metadata.num_row_groups)
            )
            got = pf.read().column("input_ref").to_pylist()
            # 60 kB rows: a file is cut past 1 MB (17 rows), so at most 17 + one chunk's 8
            assert got == sorted(got) and len(got) <= 25
            seen.setdefault(source, []).extend(got)
    assert sorted(seen["big"] + seen["small"]) == sorted(refs)
    assert len(list(Path(stage.final_dir("quarantine", "big")).glob("*.parquet"))) >= 4


def test_a_table_declared_once_in_the_registry_gets_its_files_and_catalog_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a table is one registry entry: listing, partition glob and the catalog follow."""
    import pyarrow as pa

    schema = pa.schema([pa.field("topic", pa.string()), pa.field("n", pa.int64())])
    entry = lake_mod.Table("topics", lambda: schema, staged=False, by_source=False)
    monkeypatch.setitem(lake_mod.TABLES_BY_NAME, "topics", entry)
    _corpus(tmp_path / "in", 2)
    run_ingest(_cfg(tmp_path, tmp_path / "in"), DAY)  # an ordinary lake first
    part = tmp_path / "lake" / "topics" / "ingest_date=2026-11-20"
    part.mkdir(parents=True)
    pq.write_table(pa.table({"topic": ["ferries"], "n": [3]}, schema=schema), part / "t.parquet")
    lake = Lake(tmp_path / "lake")
    assert [p.rsplit("/", 2)[-2:] for p in lake.files("topics")] == [
        ["ingest_date=2026-11-20", "t.parquet"]
    ]
    lake.refresh_catalog()
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT topic, n, ingest_date::VARCHAR FROM topics").fetchall()
        sql = "SELECT table_name FROM information_schema.tables"
        views = {r[0] for r in con.execute(sql).fetchall()}
    finally:
        con.close()
    assert row == [("ferries", 3, "2026-11-20")]
    assert {"articles", "duplicates", "quarantine", "fetch_state", "runs", "topics"} <= views
    assert "near_index" not in views  # declared out of the catalog


def test_catalog_keeps_a_numeric_source_name_a_string(tmp_path: Path) -> None:
    """`source` comes from the path: a source named like a number (or a date) is still the
    VARCHAR the contract says, not what DuckDB would guess from the folder name."""
    _corpus(tmp_path / "in", 2)
    run_ingest(_cfg(tmp_path, tmp_path / "in", name="2024"), DAY)
    con = Lake(tmp_path / "lake").connect()
    try:
        rows = con.execute("SELECT DISTINCT typeof(source), source FROM articles").fetchall()
        runs = con.execute("SELECT typeof(ingest_date) FROM runs").fetchall()
    finally:
        con.close()
    assert rows == [("VARCHAR", "2024")]
    assert runs == [("DATE",)]
