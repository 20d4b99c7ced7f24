"""`type: files`: files and folders of mixed shapes, each file read by the reader its suffix names
(what `broadsheet ingest PATH...` makes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.config import FilesSource
from pipeline.records import InputFormat
from pipeline.sources import files, html, jsonl, text
from pipeline.sources.registry import Item, ReadContext, SourceType


def locations(src: FilesSource) -> Iterator[str]:
    return (files.ref_of(p) for p in files.discover(src.paths, "files"))


def input_format(_src: FilesSource, location: str) -> InputFormat:
    shape = files.shape_of(Path(location))
    return shape if shape is not None else "html"


def read_location(src: FilesSource, ref: str, ctx: ReadContext) -> Iterator[Item]:
    fmt = input_format(src, ref)
    if fmt == "warc":
        from pipeline.sources import warc  # its stack (warcio, httpx, pyarrow) when a WARC is read

        yield from warc.read_location(src, ref, ctx)
    elif fmt == "html":
        yield from html.read_location(src, ref, ctx)
    elif fmt == "text":
        yield from text.read_location(src, ref, ctx)
    else:
        yield from jsonl.read_location(src, ref, ctx)


SOURCE = SourceType(
    type="files",
    config=FilesSource,
    discover=locations,
    read=read_location,
    input_format=input_format,
    archive=files.holds_many,
)
