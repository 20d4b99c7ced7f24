"""The lake opens with each ecosystem's one-line default reader (README, "Read the lake from
Python"): partition keys are in the path only, so no reader meets a column twice."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.config import build_config
from pipeline.lake import Lake
from pipeline.normalize import make_article_id
from pipeline.run import run_ingest
from tests.conftest import article_html

NIGHTS = (date(2026, 11, 20), date(2026, 11, 21))
TABLES = ("articles", "quarantine", "duplicates", "runs")


def _page(i: int, source: str) -> str:
    paras = [
        f"Story {i} from {source} begins with a council meeting about the harbour and its "
        f"future, which residents of district {i} followed through the long evening session.",
        f"Officials said the decision on item {i} would be reviewed next spring after a public "
        "consultation, and that money for the work had already been set aside this year.",
    ]
    return article_html(title=f"Story {i}", url=_url(i), paragraphs=paras)


def _url(i: int) -> str:
    return f"https://harbor.example/news/{i}"


def _aid(i: int) -> str:
    return make_article_id(_url(i), "")


def _night(root: Path, night: int) -> dict[str, Path]:
    """harbor: two articles and a stub (quarantined); wire: one article and a copy of
    harbor's first (a duplicate). Night 2 has new stories only."""
    base = 10 * night
    folders = {"harbor": root / f"n{night}" / "harbor", "wire": root / f"n{night}" / "wire"}
    for f in folders.values():
        f.mkdir(parents=True)
    (folders["harbor"] / "a.html").write_text(_page(base + 1, "harbor"))
    (folders["harbor"] / "b.html").write_text(_page(base + 2, "harbor"))
    stub = article_html(title="Stub", url=f"{_url(base + 9)}", paragraphs=["Too short."])
    (folders["harbor"] / "c.html").write_text(stub)
    (folders["wire"] / "a.html").write_text(_page(base + 3, "wire"))
    (folders["wire"] / "b.html").write_text(_page(base + 1, "harbor"))
    return folders


# What the two nights publish: (ingest_date, source) -> article ids.
EXPECTED = {
    (str(NIGHTS[n]), src): sorted(_aid(10 * n + i) for i in ids)
    for n in range(2)
    for src, ids in (("harbor", (1, 2)), ("wire", (3,)))
}


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readers")
    for n, day in enumerate(NIGHTS):
        folders = _night(root / "in", n)
        cfg = build_config(
            {
                "lake": str(root / "lake"),
                "sources": [
                    {"name": name, "type": "html", "paths": [str(path)]}
                    for name, path in folders.items()
                ],
                "validate": {"min_words": 20, "batch_checks": False},
            }
        )
        summary = run_ingest(cfg, day)
        assert (summary.written, summary.duplicates, summary.quarantined) == (3, 1, 1)
    return root / "lake"


def _by_partition(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        out.setdefault((str(r["ingest_date"]), r["source"]), []).append(r["article_id"])
    return {k: sorted(v) for k, v in out.items()}


def _check_rows(tables: dict[str, list[dict[str, Any]]]) -> None:
    """The same rows whichever reader read them: ids per partition, keys from the path."""
    assert _by_partition(tables["articles"]) == EXPECTED
    dup = [(str(r["ingest_date"]), r["source"], r["duplicate_of"]) for r in tables["duplicates"]]
    assert sorted(dup) == [(str(d), "wire", _aid(10 * n + 1)) for n, d in enumerate(NIGHTS)]
    quarantined = sorted((str(r["ingest_date"]), r["source"]) for r in tables["quarantine"])
    assert quarantined == [(str(d), "harbor") for d in NIGHTS]
    assert sorted(str(r["ingest_date"]) for r in tables["runs"]) == [str(d) for d in NIGHTS]
    assert all(r["status"] == "published" for r in tables["runs"])


def test_no_file_holds_a_partition_key(lake: Path) -> None:
    files = list(lake.glob("*/ingest_date=*/**/*.parquet"))
    assert len(files) >= 10
    for f in files:
        assert not {"source", "ingest_date"} & set(pq.read_schema(f).names), f


def test_pandas_read_parquet(lake: Path) -> None:
    import pandas as pd

    frames = {t: pd.read_parquet(lake / t) for t in TABLES}
    _check_rows({t: f.to_dict("records") for t, f in frames.items()})
    art = frames["articles"]
    # pandas' own idiom for a partition key: a categorical of its values.
    assert isinstance(art["source"].dtype, pd.CategoricalDtype)
    assert isinstance(art["ingest_date"].dtype, pd.CategoricalDtype)
    assert str(art["published_at"].dtype) == "datetime64[us, UTC]"
    assert art["word_count"].dtype == "int64"
    assert isinstance(frames["runs"]["ingest_date"].dtype, pd.CategoricalDtype)


def test_pyarrow_parquet_read_table(lake: Path) -> None:
    tables = {t: pq.read_table(lake / t) for t in TABLES}
    _check_rows({t: tb.to_pylist() for t, tb in tables.items()})
    schema = tables["articles"].schema
    assert schema.field("source").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("ingest_date").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("authors").type == pa.list_(pa.field("item", pa.string(), False))


def test_pyarrow_dataset_hive(lake: Path) -> None:
    import pyarrow.dataset as ds

    tables = {t: ds.dataset(lake / t, partitioning="hive").to_table() for t in TABLES}
    _check_rows({t: tb.to_pylist() for t, tb in tables.items()})
    schema = tables["articles"].schema
    assert schema.field("source").type == pa.string()
    assert schema.field("ingest_date").type == pa.string()
    assert schema.field("word_count").type == pa.int64()


def test_polars_scan_parquet(lake: Path) -> None:
    import polars as pl

    frames = {
        t: pl.scan_parquet(f"{lake}/{t}/**/*.parquet", hive_partitioning=True).collect()
        for t in TABLES
    }
    _check_rows({t: f.to_dicts() for t, f in frames.items()})
    art = frames["articles"]
    assert art.schema["source"] == pl.String
    assert art.schema["ingest_date"] == pl.Date
    assert art.schema["published_at"] == pl.Datetime("us", "UTC")
    assert frames["runs"].schema["ingest_date"] == pl.Date


def test_huggingface_datasets(lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`datasets` reads the files' columns only (it does not parse Hive paths): the rows and
    ids, with the partition keys absent rather than clashing."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    got = {}
    for t in TABLES:
        files = str(lake / t / "**" / "*.parquet")
        got[t] = datasets.load_dataset(
            "parquet", data_files=files, split="train", cache_dir=str(tmp_path / "hf" / t)
        )
    art = got["articles"]
    assert sorted(art["article_id"]) == sorted(i for ids in EXPECTED.values() for i in ids)
    assert "source" not in art.features and "ingest_date" not in art.features
    assert art.features["article_id"] == datasets.Value("string")
    assert art.features["word_count"] == datasets.Value("int64")
    assert art.features["published_at"] == datasets.Value("timestamp[us, tz=UTC]")
    assert got["duplicates"].num_rows == 2 and got["quarantine"].num_rows == 2
    assert sorted(got["runs"]["status"]) == ["published", "published"]


def test_duckdb_read_parquet_hive(lake: Path) -> None:
    con = duckdb.connect()
    tables = {}
    for t in TABLES:
        rel = con.sql(
            f"SELECT * FROM read_parquet('{lake}/{t}/**/*.parquet', hive_partitioning = true)"
        )
        tables[t] = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
        if t == "articles":
            types = dict(zip(rel.columns, (str(x) for x in rel.types), strict=True))
    _check_rows(tables)
    assert types["ingest_date"] == "DATE" and types["source"] == "VARCHAR"
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"


def test_catalog_types_partition_keys_and_keeps_the_contract(lake: Path) -> None:
    """The catalog's views: `source` a VARCHAR, as the contract says, `ingest_date` a DATE."""
    con = Lake(lake).connect()
    try:
        for t in TABLES:
            rel = con.sql(f"SELECT * FROM {t}")
            rows = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
            assert rows
            types = dict(zip(rel.columns, (str(x) for x in rel.types), strict=True))
            assert types["ingest_date"] == "DATE"
            if t != "runs":
                assert types["source"] == "VARCHAR"
        got = con.execute("SELECT ingest_date::VARCHAR, source, article_id FROM articles")
        assert (
            _by_partition(
                [{"ingest_date": d, "source": s, "article_id": a} for d, s, a in got.fetchall()]
            )
            == EXPECTED
        )
    finally:
        con.close()


def _old_layout(lake: Path, dest: Path) -> Path:
    """A copy of the lake as the previous release wrote it: `source` also in the files."""
    shutil.copytree(lake, dest)
    for f in dest.glob("*/ingest_date=*/source=*/*.parquet"):
        t = pq.read_table(f)
        source = f.parent.name.split("=", 1)[1]
        t = t.add_column(min(5, t.num_columns), "source", pa.array([source] * t.num_rows))
        pq.write_table(t, f)
    for f in dest.glob("runs/ingest_date=*/*.parquet"):  # and `versions` was a map
        t = pq.read_table(f)
        at = t.schema.get_field_index("package_versions")
        maps = [[(v["name"], v["version"]) for v in vs] for vs in t["package_versions"].to_pylist()]
        typ = pa.map_(pa.string(), pa.string())
        pq.write_table(t.set_column(at, pa.field("versions", typ), pa.array(maps, typ)), f)
    return dest


def test_an_old_layout_lake_is_read_by_the_catalog_and_upgraded(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Partitions written before the keys left the files: the catalog reads them as they are
    (union_by_name), and `broadsheet catalog --upgrade` rewrites them so pandas reads them."""
    import pandas as pd

    old = _old_layout(lake, tmp_path / "old")
    with pytest.raises(pa.ArrowTypeError):
        pd.read_parquet(old / "articles")
    assert main(["catalog", "--lake", str(old)]) == 0
    con = Lake(old).connect()
    rows = con.execute("SELECT ingest_date::VARCHAR, source, article_id FROM articles").fetchall()
    con.close()
    keys = ("ingest_date", "source", "article_id")
    assert _by_partition([dict(zip(keys, r, strict=True)) for r in rows]) == EXPECTED
    capsys.readouterr()
    assert main(["catalog", "--lake", str(old), "--upgrade"]) == 0
    assert "files rewritten" in capsys.readouterr().out
    assert not [
        f for f in old.glob("*/ingest_date=*/**/*.parquet") if "source" in pq.read_schema(f).names
    ]
    frame = pd.read_parquet(old / "articles")
    assert _by_partition(frame.to_dict("records")) == EXPECTED
    runs = pq.read_table(old / "runs")
    assert "versions" not in runs.column_names
    assert runs.schema.field("package_versions").type == pa.list_(
        pa.struct([("name", pa.string()), ("version", pa.string())])
    )
    assert all(
        any(v["name"] == "duckdb" for v in vs) for vs in runs["package_versions"].to_pylist()
    )


def test_a_copied_lake_is_queried_where_it_lands(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """catalog.duckdb paths are relative to the lake: a copy answers from its own files once
    the original is gone, through `broadsheet sql` and `Lake.connect()` at once, and through
    a plain DuckDB after `broadsheet catalog` has recorded the new place."""
    original = shutil.copytree(lake, tmp_path / "original")
    Lake(original).refresh_catalog()
    moved = Path(shutil.copytree(original, tmp_path / "elsewhere" / "lake"))
    shutil.rmtree(original)
    query = "SELECT ingest_date::VARCHAR AS d, source, article_id FROM articles"
    capsys.readouterr()
    assert main(["sql", "--lake", str(moved), "--format", "json", query]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert _by_partition([{"ingest_date": r["d"], **r} for r in rows]) == EXPECTED
    con = Lake(moved).connect()
    assert con.execute("SELECT sum(size)::INT FROM stories").fetchall() == [(6,)]
    con.close()
    plain = duckdb.connect(str(moved / "catalog.duckdb"), read_only=True)
    with pytest.raises(duckdb.IOException):  # it still records the original's place
        plain.execute("SELECT count(*) FROM articles").fetchall()
    plain.close()
    assert main(["catalog", "--lake", str(moved)]) == 0
    with duckdb.connect(str(moved / "catalog.duckdb"), read_only=True) as plain:
        assert plain.execute("SELECT count(*) FROM articles").fetchall() == [(6,)]
        assert plain.execute("SELECT count(*) FROM runs").fetchall() == [(2,)]
