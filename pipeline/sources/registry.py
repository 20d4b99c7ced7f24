"""The source registry: one entry per `type:` of the sources file, saying how its inputs are found
and read. Callers ask the registry (`pipeline.sources.REGISTRY.of(src)`), never which config
class a source is; each reader module declares its entry, `pipeline.sources` lists them.

`pipeline.sources` names each type's reader module without importing it (`Declared`): a module
is imported the first time a source of its type is looked at, so planning a night of local files
does not pay for the WARC, HTTP and object-store stacks.
"""

from __future__ import annotations

import builtins
import importlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pipeline.records import InputFormat, RawDoc, Rejected, Skipped
from pipeline.sources import files

if TYPE_CHECKING:
    from pipeline.sources.web import WebContext

log = logging.getLogger(__name__)

Item = RawDoc | Rejected | Skipped


class _Source(Protocol):
    @property
    def name(self) -> str: ...


S = TypeVar("S", bound=_Source)


@dataclass(slots=True)
class ReadContext:
    """What reading one shard's inputs of a source needs from the run."""

    max_bytes: int  # per input, after decompression (extract.max_bytes)
    # How long reading one input may go without progress (files.READ_DEADLINE_S).
    deadline_s: float | None = None
    # The fetch state, raw archive and time budget of a web source's shard.
    web: WebContext | None = None
    # Causes of refused inputs already logged: warned once each, counted in the run summary.
    warned: set[str] = field(default_factory=set)

    def refusal(
        self, source: str, ref: str, path: Path, fmt: InputFormat, roots: Sequence[Path]
    ) -> Rejected | None:
        """None when the local file may be opened (`files.admit`); else its quarantine row."""
        refused = files.admit(path, roots)
        if refused is None:
            return None
        if refused.reason not in self.warned:
            self.warned.add(refused.reason)
            log.warning(
                "input refused, quarantined",
                extra={"source": source, "input_ref": ref, "reason": refused.reason},
            )
        return Rejected(source, ref, fmt, "read", refused.reason, refused.message)


@dataclass(frozen=True, slots=True)
class SourceType(Generic[S]):
    """One input shape. Give `read` (one input at a time: whatever it raises for one input is
    that input's quarantine row, and the next is read) or `read_shard` (all of a shard's inputs
    together, as a web source fetches them)."""

    type: str  # the `type:` of the sources file
    config: builtins.type[S]  # its model in pipeline.config (a member of the SourceConfig union)
    # Every input location, in the stable order shards and "first seen wins" rely on.
    discover: Callable[[S], Iterable[str]]
    # The `input_format` of the records read from a location.
    input_format: InputFormat | Callable[[S, str], InputFormat]
    read: Callable[[S, str, ReadContext], Iterator[Item]] | None = None
    read_shard: Callable[[S, Sequence[str], ReadContext], Iterator[Item]] | None = None
    # A location that is a unit of work of its own (a WARC, a JSONL dump, a feed), not one page.
    archive: bool | Callable[[S, str], bool] = False
    # Fetched over HTTP(S) by Broadsheet: read within a run's web context (fetch state, archive).
    is_web: bool = False

    def __post_init__(self) -> None:
        if (self.read is None) == (self.read_shard is None):
            raise TypeError(f"source type {self.type!r}: give exactly one of read, read_shard")

    def format_of(self, src: S, location: str) -> InputFormat:
        fmt = self.input_format
        return fmt(src, location) if callable(fmt) else fmt

    def is_archive(self, src: S, location: str) -> bool:
        archive = self.archive
        return archive(src, location) if callable(archive) else archive

    def read_locations(self, src: S, locations: Iterable[str], ctx: ReadContext) -> Iterator[Item]:
        """The items of these locations of one source, in order; never raises for an input."""
        if self.read_shard is not None:
            yield from self.read_shard(src, list(locations), ctx)
            return
        assert self.read is not None
        for loc in locations:
            try:
                yield from self.read(src, loc, ctx)
            except Exception as e:  # a reader bug must cost one input, not the night
                msg = f"reader error: {type(e).__name__}: {e}"
                yield Rejected(src.name, loc, self.format_of(src, loc), "read", "unreadable", msg)


@dataclass(frozen=True, slots=True)
class Declared:
    """A source type as the registry knows it before its reader module is imported: the module
    holds the `SourceType` as `attr`."""

    type: str
    config: builtins.type[Any]
    module: str
    attr: str = "SOURCE"

    def load(self) -> SourceType[Any]:
        entry = getattr(importlib.import_module(self.module), self.attr)
        if not isinstance(entry, SourceType) or (entry.type, entry.config) != (
            self.type,
            self.config,
        ):
            raise TypeError(f"{self.module}.{self.attr} is not the source type {self.type!r}")
        return entry


class Registry:
    """The registered source types, found by config class (or by `type:` name). A declared
    type's reader module is imported when the type is first asked for; a `SourceType` given
    as it is (tests do) is its own declaration."""

    def __init__(self, entries: Iterable[Declared | SourceType[Any]]) -> None:
        self._by_type: dict[str, Declared | SourceType[Any]] = {}
        self._by_config: dict[type[Any], str] = {}
        for e in entries:
            if e.type in self._by_type or e.config in self._by_config:
                raise ValueError(f"source type {e.type!r} registered twice")
            self._by_type[e.type] = e
            self._by_config[e.config] = e.type

    def of(self, src: object) -> SourceType[Any]:
        try:
            type_ = self._by_config[type(src)]
        except KeyError:
            raise LookupError(f"no reader registered for {type(src).__name__}") from None
        return self.named(type_)

    def named(self, type_: str) -> SourceType[Any]:
        entry = self._by_type[type_]
        if isinstance(entry, Declared):
            entry = self._by_type[type_] = entry.load()
        return entry

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self._by_type)
