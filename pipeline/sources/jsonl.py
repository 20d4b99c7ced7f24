"""JSONL dumps exported by other tools: one JSON object per line, fields found by a mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import JsonlFields
from pipeline.records import Hints, RawDoc, Rejected, excerpt
from pipeline.sources.files import READ_ERRORS, open_binary

_CHUNK = 1 << 16


def _lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line longer than max_bytes, skipped unread."""
    with open_binary(path) as fh:
        lineno = 0
        while True:
            line = fh.readline(max_bytes + 1)
            if not line:
                return
            lineno += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                # Drain the rest of the over-long line in bounded chunks.
                while True:
                    rest = fh.readline(_CHUNK)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield lineno, None
            else:
                yield lineno, line


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
    except (ValueError, UnicodeDecodeError) as e:
        return Rejected(source, ref, "jsonl", "read", "bad_json", str(e)[:300], excerpt(line))
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


def read(path: Path, source: str, f: JsonlFields, max_bytes: int) -> Iterator[RawDoc | Rejected]:
    lineno = 0
    try:
        for lineno, line in _lines(path, max_bytes):
            ref = f"{path}:{lineno}"
            if line is None:
                yield Rejected(
                    source, ref, "jsonl", "read", "too_large", f"line over {max_bytes} bytes"
                )
            elif line.strip():
                yield parse_line(source, ref, line, f)
    except READ_ERRORS as e:
        # Lines before the damage were already yielded; the rest of the file is one loss.
        yield Rejected(
            source,
            f"{path}:{lineno + 1}",
            "jsonl",
            "read",
            "unreadable",
            f"{type(e).__name__} after line {lineno}: {e}",
        )
