"""HTML pages, one article per file (.html, .htm, optionally gzipped)."""

from __future__ import annotations

from pathlib import Path

from pipeline.records import RawDoc, Rejected
from pipeline.sources.files import READ_ERRORS, TooLarge, read_capped


def read(path: Path, source: str, max_bytes: int) -> RawDoc | Rejected:
    ref = str(path)
    try:
        data = read_capped(path, max_bytes)
    except TooLarge as e:
        return Rejected(source, ref, "html", "read", "too_large", str(e))
    except READ_ERRORS as e:
        return Rejected(source, ref, "html", "read", "unreadable", f"{type(e).__name__}: {e}")
    return RawDoc(source=source, input_ref=ref, input_format="html", html=data)
