"""Record-level validation: the contract (schemas/article.schema.json) plus configured bounds.

A record that fails is quarantined with the rule it broke (`rule: ...` at the start of the
message); it is never written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

import jsonschema
from jsonschema import Draft202012Validator

from pipeline.config import ValidateConfig
from pipeline.contract import article_json, article_json_schema
from pipeline.iso639 import LANGUAGE_CODES
from pipeline.records import Article, Reason, Rejected


@cache
def _validator() -> Draft202012Validator:
    schema = article_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _floor(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _describe(err: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in err.absolute_path) or "(record)"
    return f"{where}: {err.message}"[:500]


def _url_ok(url: str | None) -> bool:
    if url is None:
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check(a: Article, cfg: ValidateConfig) -> tuple[Reason, str] | None:
    """The first rule the record breaks, as (reason, message), or None."""
    if a.word_count < cfg.min_words:
        return "too_short", f"rule min_words: {a.word_count} words < {cfg.min_words}"
    if a.title is not None and len(a.title) > cfg.max_title_chars:
        return "too_long", f"rule max_title_chars: {len(a.title)} > {cfg.max_title_chars}"
    if len(a.text) > cfg.max_text_chars:
        return "too_long", f"rule max_text_chars: {len(a.text)} > {cfg.max_text_chars}"
    if a.published_at is not None:
        ref = a.fetched_at or a.ingested_at
        latest = ref + timedelta(minutes=cfg.future_skew_minutes)
        if a.published_at > latest:
            return "bad_date", (
                f"rule future_skew_minutes: published_at {a.published_at.isoformat()} is after "
                f"{'fetched_at' if a.fetched_at else 'ingested_at'} {ref.isoformat()} "
                f"+ {cfg.future_skew_minutes} min"
            )
        if a.published_at < _floor(cfg.earliest_published):
            return "bad_date", (
                f"rule earliest_published: published_at {a.published_at.isoformat()} is before "
                f"{cfg.earliest_published}"
            )
    for name in ("url", "canonical_url"):
        if not _url_ok(getattr(a, name)):
            return "schema_violation", f"rule url: {name} is not an absolute http(s) URL"
    if a.language is not None and a.language not in LANGUAGE_CODES:
        return "schema_violation", f"rule language: {a.language!r} is not an ISO 639 code"
    errors = sorted(_validator().iter_errors(article_json(a)), key=lambda e: list(e.path))
    if errors:
        return "schema_violation", "rule schema: " + "; ".join(_describe(e) for e in errors[:3])
    return None


def validate_article(a: Article, cfg: ValidateConfig) -> Article | Rejected:
    """The article if it keeps the contract and the configured bounds, else its quarantine."""
    broken = check(a, cfg)
    if broken is None:
        return a
    reason, message = broken
    return Rejected(
        a.source, a.input_ref, a.input_format, "validate", reason, message[:1000], a.text[:2000]
    )
