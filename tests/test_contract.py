from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from pipeline.contract import CONTRACT_FIELDS, article_arrow_schema, article_json_schema
from pipeline.records import REASONS, SKIP_REASONS, Article
from tests.conftest import REPO


def test_arrow_schema_follows_json_schema_field_for_field() -> None:
    js = article_json_schema()
    arrow = article_arrow_schema()
    assert arrow.names == list(js["properties"]) == list(CONTRACT_FIELDS)
    assert set(js["required"]) == set(js["properties"])
    assert arrow.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert arrow.field("authors").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    assert not arrow.field("article_id").nullable and arrow.field("title").nullable


def test_record_type_has_every_contract_field() -> None:
    names = [f.name for f in fields(Article)]
    assert names[: len(CONTRACT_FIELDS)] == list(CONTRACT_FIELDS)


def test_every_field_and_reason_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    for name in CONTRACT_FIELDS:
        assert f"`{name}`" in readme, f"data dictionary misses {name}"
    for reason in REASONS:
        assert f"`{reason}`" in readme, f"quarantine reason {reason} undocumented"
    for reason in SKIP_REASONS:
        assert f"| `{reason}` |" in readme, f"skip reason {reason} undocumented"


# -- contract stability -------------------------------------------------------------------------


def _releases() -> list[dict[str, object]]:
    import json

    files = sorted((REPO / "schemas" / "releases").glob("articles-*.json"))
    assert files, "schemas/releases holds the released Arrow schemas"
    out = [json.loads(f.read_text()) for f in files]
    return sorted(out, key=lambda r: tuple(int(x) for x in str(r["schema_version"]).split(".")))


def breaking_changes(old: list[dict[str, object]], new: pa.Schema) -> list[str]:
    """Columns removed, renamed or retyped (or made nullable) since a release."""
    problems = []
    current = {f.name: f for f in new}
    for f in old:
        name = str(f["name"])
        if name not in current:
            problems.append(f"{name}: removed or renamed")
        elif str(current[name].type) != f["type"]:
            problems.append(f"{name}: {f['type']} -> {current[name].type}")
        elif current[name].nullable and not f["nullable"]:
            problems.append(f"{name}: became nullable")
    return problems


def test_schema_is_compatible_with_the_last_release_unless_major_bumped() -> None:
    from pipeline.contract import schema_version

    last = _releases()[-1]
    now = schema_version()
    major_now, major_then = int(now.split(".")[0]), int(str(last["schema_version"]).split(".")[0])
    problems = breaking_changes(last["fields"], article_arrow_schema())  # type: ignore[arg-type]
    if major_now == major_then:
        assert not problems, f"breaking change without a major version bump: {problems}"
    new_cols = set(article_arrow_schema().names) - {f["name"] for f in last["fields"]}  # type: ignore[union-attr]
    if new_cols:
        assert now != last["schema_version"], f"new columns {new_cols} need a version bump"


def test_the_compatibility_check_catches_breaking_changes() -> None:
    fields = _releases()[-1]["fields"]
    schema = article_arrow_schema()
    renamed = schema.set(schema.get_field_index("title"), pa.field("headline", pa.string()))
    retyped = schema.set(schema.get_field_index("word_count"), pa.field("word_count", pa.int32()))
    loosened = schema.set(schema.get_field_index("text"), pa.field("text", pa.string(), True))
    assert breaking_changes(fields, renamed) == ["title: removed or renamed"]  # type: ignore[arg-type]
    assert breaking_changes(fields, retyped) == ["word_count: int64 -> int32"]  # type: ignore[arg-type]
    assert breaking_changes(fields, loosened) == ["text: became nullable"]  # type: ignore[arg-type]
    assert breaking_changes(fields, schema) == []  # type: ignore[arg-type]


def test_older_partitions_read_with_the_newer_schema(tmp_path: Path) -> None:
    """A partition written before a column was added reads with NULL in it (union_by_name)."""
    import duckdb
    import pyarrow.parquet as pq

    from pipeline.lake import Lake

    schema = article_arrow_schema()
    row = {f.name: None for f in schema}
    row.update(
        article_id="0" * 32, source="s", authors=[], text="t", word_count=1, categories=[], tags=[],
        content_sha256="0" * 64, input_format="html", input_ref="x", run_id="r", extractor="e",
        schema_version="1.0.0", ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
        story_id="0" * 32, near_duplicate=False, quality_flags=[],
        quality={"lines": 1, "punct_line_share": 1.0, "mean_word_length": 1.0,
                 "symbol_word_ratio": 0.0, "non_alpha_share": 0.0, "repeated_line_share": 0.0,
                 "boilerplate_removed": 0},
    )  # fmt: skip
    new = pa.Table.from_pylist([row], schema=schema)
    old = new.drop_columns(["language_score", "image_url"])  # as an older release wrote it
    for day, table in (("2026-11-01", old), ("2026-11-02", new)):
        d = tmp_path / "lake" / "articles" / f"ingest_date={day}" / "source=s"
        d.mkdir(parents=True)
        pq.write_table(table, d / "part-00000.parquet")
    Lake(tmp_path / "lake").refresh_catalog()
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT ingest_date::VARCHAR, language_score, image_url, word_count "
        "FROM articles ORDER BY 1"
    ).fetchall()
    assert rows == [("2026-11-01", None, None, 1), ("2026-11-02", None, None, 1)]


def test_each_release_is_compatible_with_the_one_before_within_a_major() -> None:
    releases = _releases()
    assert [r["schema_version"] for r in releases][:2] == ["1.0.0", "1.1.0"]
    for old, new in zip(releases, releases[1:], strict=False):
        if str(old["schema_version"]).split(".")[0] != str(new["schema_version"]).split(".")[0]:
            continue
        current = {str(f["name"]): f for f in new["fields"]}  # type: ignore[attr-defined]
        for f in old["fields"]:  # type: ignore[attr-defined]
            assert f["name"] in current, f"{f['name']} removed in {new['schema_version']}"
            assert current[f["name"]]["type"] == f["type"], f["name"]
            assert current[f["name"]]["nullable"] == f["nullable"] or f["nullable"], f["name"]


def test_quality_flags_are_the_contract_enum_and_documented_with_unique_names() -> None:
    from pipeline.quality import FLAGS

    enum = article_json_schema()["properties"]["quality_flags"]["items"]["enum"]
    assert enum == list(FLAGS)
    readme = (REPO / "README.md").read_text()
    for flag in FLAGS:
        assert f"| `{flag}` |" in readme, f"quality flag {flag} undocumented"
    clash = set(FLAGS) & (set(REASONS) | set(SKIP_REASONS))
    assert not clash, f"quality flags named like quarantine or skip reasons: {clash}"


def test_the_current_version_is_released_with_the_current_columns() -> None:
    from pipeline.contract import schema_version

    last = _releases()[-1]
    assert last["schema_version"] == schema_version()
    assert article_json_schema()["$id"].endswith("/" + schema_version())
    current = [
        {"name": f.name, "type": str(f.type), "nullable": f.nullable}
        for f in article_arrow_schema()
    ]
    assert last["fields"] == current
