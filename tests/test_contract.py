from __future__ import annotations

from dataclasses import fields

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
