"""Record-level validation against the contract (schemas/article.schema.json)."""

from __future__ import annotations

from functools import cache

import jsonschema
from jsonschema import Draft202012Validator

from pipeline.config import ValidateConfig
from pipeline.contract import article_json, article_json_schema
from pipeline.records import Article, Rejected


@cache
def _validator() -> Draft202012Validator:
    schema = article_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _describe(err: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in err.absolute_path) or "(record)"
    return f"{where}: {err.message}"[:500]


def validate_article(a: Article, cfg: ValidateConfig) -> Article | Rejected:
    """The article if it keeps the contract and the configured bounds, else its quarantine."""
    if a.word_count < cfg.min_words:
        return Rejected(
            a.source,
            a.input_ref,
            a.input_format,
            "validate",
            "too_short",
            f"{a.word_count} words is under validate.min_words={cfg.min_words}",
            a.text[:2000],
        )
    errors = sorted(_validator().iter_errors(article_json(a)), key=lambda e: list(e.path))
    if errors:
        msg = "; ".join(_describe(e) for e in errors[:3])
        return Rejected(
            a.source,
            a.input_ref,
            a.input_format,
            "validate",
            "schema_violation",
            msg,
            a.text[:2000],
        )
    return a
