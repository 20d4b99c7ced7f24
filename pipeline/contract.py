"""The record contract: schemas/article.schema.json, and the Arrow schema derived from it.

Deriving the Parquet schema from the JSON Schema (instead of writing both by hand) is what keeps
the two from drifting; tests/test_contract.py checks the derivation against the record type.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.records import Article

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


@cache
def article_json_schema() -> dict[str, Any]:
    path = SCHEMAS_DIR / "article.schema.json"
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    # Installed as a wheel: the schema ships inside the package data.
    text = resources.files("pipeline").joinpath("article.schema.json").read_text("utf-8")
    packaged: dict[str, Any] = json.loads(text)
    return packaged


def schema_version() -> str:
    return str(article_json_schema()["x-schema-version"])


def _arrow_type(name: str, spec: dict[str, Any]) -> tuple[pa.DataType, bool]:
    types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    nullable = "null" in types
    kinds = [t for t in types if t != "null"]
    if len(kinds) != 1:
        raise ValueError(f"{name}: one non-null JSON type expected, got {types}")
    kind = kinds[0]
    if kind == "string":
        fmt = spec.get("format")
        if fmt == "date-time":
            return pa.timestamp("us", tz="UTC"), nullable
        if fmt == "date":
            return pa.date32(), nullable
        return pa.string(), nullable
    if kind == "integer":
        return pa.int64(), nullable
    if kind == "number":
        return pa.float64(), nullable
    if kind == "boolean":
        return pa.bool_(), nullable
    if kind == "array":
        item, _ = _arrow_type(f"{name}[]", spec["items"])
        return pa.list_(pa.field("item", item, nullable=False)), nullable
    if kind == "object":
        members = []
        for key, sub in spec["properties"].items():
            typ, sub_nullable = _arrow_type(f"{name}.{key}", sub)
            members.append(pa.field(key, typ, nullable=sub_nullable))
        return pa.struct(members), nullable
    raise ValueError(f"{name}: JSON type {kind!r} has no Arrow mapping")


@cache
def article_arrow_schema() -> pa.Schema:
    """Arrow schema of LAKE/articles, field for field from the JSON Schema, in its order."""
    js = article_json_schema()
    out = []
    for name, spec in js["properties"].items():
        typ, nullable = _arrow_type(name, spec)
        out.append(pa.field(name, typ, nullable=nullable))
    meta = {b"broadsheet.schema_version": schema_version().encode()}
    return pa.schema(out, metadata=meta)


# Article fields that travel between stages but are not columns of the lake.
INTERNAL_FIELDS = frozenset({"boilerplate_removed", "signature"})

CONTRACT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Article) if f.name not in INTERNAL_FIELDS
)


def article_row(a: Article) -> dict[str, Any]:
    """The contract fields of an article as Python values (datetimes stay datetimes)."""
    return {name: getattr(a, name) for name in CONTRACT_FIELDS}


def article_json(a: Article) -> dict[str, Any]:
    """The article as JSON Schema sees it: ISO strings for instants, lists for tuples."""
    out: dict[str, Any] = {}
    for name in CONTRACT_FIELDS:
        v = getattr(a, name)
        if isinstance(v, datetime):
            v = v.isoformat().replace("+00:00", "Z")
        elif isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, tuple):
            v = list(v)
        out[name] = v
    return out
