"""HTML pages, one article per file (.html, .htm, optionally gzipped or zstd-compressed)."""

from __future__ import annotations

from pathlib import Path

from pipeline.records import RawDoc, Rejected
from pipeline.sources.files import (
    READ_ERRORS,
    Deadline,
    NotRegular,
    ReadTimeout,
    TooLarge,
    read_capped,
    ref_of,
)


def read(
    path: Path,
    source: str,
    max_bytes: int,
    ref: str | None = None,
    deadline_s: float | None = None,
) -> RawDoc | Rejected:
    """The page's bytes (at most max_bytes after decompression), or its one quarantine row."""
    ref = ref_of(path) if ref is None else ref
    try:
        data = read_capped(path, max_bytes, Deadline(deadline_s))
    except TooLarge as e:
        return Rejected(source, ref, "html", "read", "too_large", str(e))
    except ReadTimeout as e:
        return Rejected(source, ref, "html", "read", "timeout", str(e))
    except NotRegular as e:
        return Rejected(source, ref, "html", "read", "special_file", str(e))
    except READ_ERRORS as e:
        return Rejected(source, ref, "html", "read", "unreadable", f"{type(e).__name__}: {e}")
    except Exception as e:  # any other failure of one page is that page's row, not the night's
        msg = f"reader error: {type(e).__name__}: {e}"
        return Rejected(source, ref, "html", "read", "unreadable", msg)
    return RawDoc(source=source, input_ref=ref, input_format="html", html=data)
