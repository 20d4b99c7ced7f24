"""HTML pages, one article per file (.html, .htm, optionally gzipped or zstd-compressed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.config import FilesSource, HtmlSource
from pipeline.records import RawDoc, Rejected
from pipeline.sources import files
from pipeline.sources.files import (
    READ_ERRORS,
    Deadline,
    NotRegular,
    ReadTimeout,
    TooLarge,
    read_capped,
    ref_of,
)
from pipeline.sources.registry import ReadContext, SourceType


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


def locations(src: HtmlSource) -> Iterator[str]:
    return (ref_of(p) for p in files.discover(src.paths, "html"))


def read_location(
    src: HtmlSource | FilesSource, ref: str, ctx: ReadContext
) -> Iterator[RawDoc | Rejected]:
    path = files.path_of(ref)
    refused = ctx.refusal(src.name, ref, path, "html", src.paths)
    yield read(path, src.name, ctx.max_bytes, ref, ctx.deadline_s) if refused is None else refused


SOURCE = SourceType(
    type="html",
    config=HtmlSource,
    discover=locations,
    read=read_location,
    input_format="html",
    archive=files.holds_many,
)
