"""JSONL dumps exported by other tools: one JSON object per line, fields found by a mapping."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import FilesSource, JsonlFields, JsonlSource
from pipeline.records import Hints, RawDoc, Rejected, excerpt
from pipeline.sources import files
from pipeline.sources.files import (
    READ_ERRORS,
    Deadline,
    NotRegular,
    ReadTimeout,
    TooLarge,
    chunks,
    lines,
    ref_of,
)
from pipeline.sources.registry import ReadContext, SourceType


def _get(obj: dict[str, Any], dotted: str | None) -> Any:
    if not dotted:
        return None
    cur: Any = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _str(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v or None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    return None


def _strs(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,) if v.strip() else ()
    if isinstance(v, list):
        return tuple(x for x in v if isinstance(x, str) and x.strip())
    return ()


def _hints(obj: dict[str, Any], f: JsonlFields) -> Hints:
    authors = _get(obj, f.authors)
    return Hints(
        url=_str(_get(obj, f.url)),
        title=_str(_get(obj, f.title)),
        description=_str(_get(obj, f.description)),
        published_at=_str(_get(obj, f.published_at)),
        modified_at=_str(_get(obj, f.modified_at)),
        authors=_strs(authors),
        sitename=_str(_get(obj, f.sitename)),
        language=_str(_get(obj, f.language)),
        categories=_strs(_get(obj, f.categories)),
        tags=_strs(_get(obj, f.tags)),
        image_url=_str(_get(obj, f.image_url)),
        fetched_at=_str(_get(obj, f.fetched_at)),
    )


def parse_line(source: str, ref: str, line: bytes, f: JsonlFields) -> RawDoc | Rejected:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        msg = f"{type(e).__name__}: {str(e)[:300]}"
        return Rejected(source, ref, "jsonl", "read", "bad_json", msg, excerpt(line))
    if not isinstance(obj, dict):
        return Rejected(
            source,
            ref,
            "jsonl",
            "read",
            "bad_json",
            f"expected a JSON object, got {type(obj).__name__}",
            excerpt(line),
        )
    html, text = _get(obj, f.html), _get(obj, f.text)
    for name, value in (("html", html), ("text", text)):
        if value is not None and not isinstance(value, str):
            return Rejected(
                source,
                ref,
                "jsonl",
                "read",
                "bad_field",
                f"field {getattr(f, name)!r} must be a string, got {type(value).__name__}",
                excerpt(line),
            )
    hints = _hints(obj, f)
    if html and html.strip():
        return RawDoc(source, ref, "jsonl", html=html.encode("utf-8"), hints=hints)
    if text and text.strip():
        return RawDoc(source, ref, "jsonl", text=text, hints=hints)
    return Rejected(
        source,
        ref,
        "jsonl",
        "read",
        "missing_field",
        f"neither {f.html!r} nor {f.text!r} holds content",
        excerpt(line),
    )


def read(
    path: Path,
    source: str,
    f: JsonlFields,
    max_bytes: int,
    ref: str | None = None,
    deadline_s: float | None = None,
) -> Iterator[RawDoc | Rejected]:
    """One item per non-blank line (`file:line`); whatever ends the file early (damage, a bomb,
    no progress) is one quarantine row for the next line, and the lines before it are kept."""
    base = ref_of(path) if ref is None else ref
    deadline = Deadline(deadline_s)
    lineno = 0
    blocks = chunks(path, deadline)
    try:
        with contextlib.closing(blocks):
            for lineno, line in lines(blocks, max_bytes):
                item_ref = f"{base}:{lineno}"
                if line is None:
                    msg = f"line over {max_bytes} bytes"
                    yield Rejected(source, item_ref, "jsonl", "read", "too_large", msg)
                else:
                    yield _parsed(source, item_ref, line, f)
                deadline.restart()
    except Exception as e:  # any failure of one file is one row, not the night's end
        yield _failure(source, f"{base}:{lineno + 1}", lineno, e)


def _parsed(source: str, ref: str, line: bytes, f: JsonlFields) -> RawDoc | Rejected:
    try:
        return parse_line(source, ref, line, f)
    except Exception as e:  # a line the mapping cannot handle is that line's row
        msg = f"{type(e).__name__}: {str(e)[:300]}"
        return Rejected(source, ref, "jsonl", "read", "bad_json", msg, excerpt(line))


def _failure(source: str, ref: str, lineno: int, e: Exception) -> Rejected:
    where = f"after line {lineno}"
    if isinstance(e, TooLarge):
        return Rejected(source, ref, "jsonl", "read", "too_large", f"{e} ({where})")
    if isinstance(e, ReadTimeout):
        msg = f"{e} ({where}); the rest of the file is skipped"
        return Rejected(source, ref, "jsonl", "read", "timeout", msg)
    if isinstance(e, NotRegular):
        return Rejected(source, ref, "jsonl", "read", "special_file", str(e))
    what = "" if isinstance(e, READ_ERRORS) else "reader error: "
    msg = f"{what}{type(e).__name__} {where}: {e}"
    return Rejected(source, ref, "jsonl", "read", "unreadable", msg)


def locations(src: JsonlSource) -> Iterator[str]:
    return (ref_of(p) for p in files.discover(src.paths, "jsonl"))


def read_location(
    src: JsonlSource | FilesSource, ref: str, ctx: ReadContext
) -> Iterator[RawDoc | Rejected]:
    path = files.path_of(ref)
    refused = ctx.refusal(src.name, ref, path, "jsonl", src.paths)
    if refused is not None:
        yield refused
        return
    yield from read(path, src.name, src.fields, ctx.max_bytes, ref, ctx.deadline_s)


SOURCE = SourceType(
    type="jsonl",
    config=JsonlSource,
    discover=locations,
    read=read_location,
    input_format="jsonl",
    archive=True,
)
