"""`broadsheet export` and pipeline.export: per-language files of one night, replaced atomically."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import export
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.lake import Lake
from pipeline.run import run_ingest
from tests.conftest import EXAMPLES

NIGHT = date(2026, 11, 20)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus (en, de, fr, es) ingested by the real pipeline."""
    root = tmp_path_factory.mktemp("export") / "lake"
    cfg = load_config(EXAMPLES / "sources.yaml", {"lake": str(root), "workers": 1})
    validate = cfg.validate_.model_copy(update={"batch_checks": False})  # the gate is not tested
    assert run_ingest(cfg.model_copy(update={"validate_": validate}), NIGHT).written == 34
    return root


def _published(lake: Path, min_words: int = 0) -> dict[str, set[str]]:
    con = Lake(lake).connect()
    try:
        rows = con.execute(
            "SELECT language, article_id FROM articles WHERE ingest_date = ? AND word_count >= ?",
            [NIGHT, min_words],
        ).fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for lang, aid in rows:
        out.setdefault(lang, set()).add(aid)
    return out


def _dates(lake: Path) -> dict[str, tuple[str | None, str | None]]:
    con = Lake(lake).connect()
    try:
        rows = con.execute(
            "SELECT article_id, published_date, published_precision FROM articles "
            "WHERE ingest_date = ?",
            [NIGHT],
        ).fetchall()
    finally:
        con.close()
    return {aid: (d.isoformat() if d else None, p) for aid, d, p in rows}


def test_jsonl_one_file_per_language_with_every_article(lake: Path, tmp_path: Path) -> None:
    counts = export.export_by_language(lake, NIGHT, "jsonl", tmp_path)
    published = _published(lake)
    assert counts == {lang: len(ids) for lang, ids in published.items()}
    assert counts == {"en": 22, "de": 7, "fr": 4, "es": 1}
    folder = tmp_path / "ingest_date=2026-11-20"
    assert sorted(p.name for p in folder.iterdir()) == [f"{x}.jsonl" for x in sorted(counts)]
    for lang, ids in published.items():
        records = [json.loads(line) for line in (folder / f"{lang}.jsonl").read_text().splitlines()]
        assert {r["id"] for r in records} == ids
        assert [r["id"] for r in records] == sorted(ids)  # stable order: diffs between re-runs
        assert all(r["text"] for r in records)
        dated = [r["published_at"] for r in records if r["published_at"]]
        assert all(datetime.fromisoformat(d).tzinfo is not None for d in dated)
    # The date's precision travels with it: a day alone is not a midnight instant.
    exported = {
        r["id"]: (r["published_date"], r["published_precision"])
        for p in folder.iterdir()
        for r in map(json.loads, p.read_text().splitlines())
    }
    assert exported == _dates(lake)
    assert {p for _, p in exported.values()} >= {"day", "instant"}


def test_parquet_files_hold_the_same_records(lake: Path, tmp_path: Path) -> None:
    as_jsonl = export.export_by_language(lake, NIGHT, "jsonl", tmp_path)
    counts = export.export_by_language(lake, NIGHT, "parquet", tmp_path, min_words=0)
    assert counts == as_jsonl
    folder = tmp_path / "ingest_date=2026-11-20"
    for lang in counts:
        table = pq.read_table(folder / f"{lang}.parquet")
        assert table.schema.names == [
            "id",
            "url",
            "title",
            "text",
            "published_at",
            "published_date",
            "published_precision",
        ]
        lines = (folder / f"{lang}.jsonl").read_text().splitlines()
        assert table.column("id").to_pylist() == [json.loads(x)["id"] for x in lines]
        assert table.column("text").to_pylist() == [json.loads(x)["text"] for x in lines]


def test_rerun_replaces_the_dates_export(lake: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ingest_date=2026-11-20"
    export.export_by_language(lake, NIGHT, "jsonl", tmp_path)
    (folder / "xx.jsonl").write_text('{"id": "gone"}\n')  # a language no longer published
    (folder / ".en.jsonl.tmp").write_text("half a file from a killed export")
    (folder / "en.parquet").write_text("another format: not this export's to remove")
    before = (folder / "en.jsonl").read_text()

    counts = export.export_by_language(lake, NIGHT, "jsonl", tmp_path, min_words=200)
    published = _published(lake, min_words=200)
    assert counts == {lang: len(ids) for lang, ids in published.items()}
    assert sum(counts.values()) < 34
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{x}.jsonl" for x in counts] + ["en.parquet"])
    assert (folder / "en.jsonl").read_text() != before


def test_a_failed_export_leaves_the_previous_files_whole(
    lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export.export_by_language(lake, NIGHT, "jsonl", tmp_path)
    folder = tmp_path / "ingest_date=2026-11-20"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real_write = export._LanguageFile.write

    def write_then_fail(self: export._LanguageFile, batch: object) -> None:
        real_write(self, batch)  # type: ignore[arg-type]
        if self.name == "en":  # the disk fills up in the second language's file
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(export._LanguageFile, "write", write_then_fail)
    with pytest.raises(OSError, match="No space"):
        export.export_by_language(lake, NIGHT, "jsonl", tmp_path, min_words=200)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no tmp, nothing half


@pytest.mark.parametrize(
    ("value", "stem"),
    [
        ("en", "en"),
        ("pt-BR", "pt-br"),
        ("zh_Hant", "zh_hant"),
        (None, "und"),
        ("", "und"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "und"),
        ("de\x00\n", "de"),
        ("a" * 80, "a" * 32),
    ],
)
def test_language_values_become_safe_file_names(value: str | None, stem: str) -> None:
    assert export.language_file_name(value) == stem


def test_cli_export_prints_the_counts(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "export",
            "--lake",
            str(lake),
            "--date",
            "2026-11-20",
            "--format",
            "parquet",
            "--by",
            "language",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0
    assert printed.out.splitlines() == ["de\t7", "en\t22", "es\t1", "fr\t4", "total\t34"]
    assert str(out / "ingest_date=2026-11-20") in printed.err
    assert sorted(p.name for p in (out / "ingest_date=2026-11-20").iterdir()) == [
        "de.parquet",
        "en.parquet",
        "es.parquet",
        "fr.parquet",
    ]
    # The default place is in the lake; a night with nothing published exports nothing.
    assert main(["export", "--lake", str(lake), "--date", "2026-11-21"]) == 0
    assert "no articles published for 2026-11-21" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["export", "--lake", str(lake), "--date", "2026-11-20", "--format", "csv"])
    assert usage.value.code == 2
