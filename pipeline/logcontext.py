"""Which source and input a log record is about, without every reader passing them along.

Where a source and an input are being processed (a shard reading a file, the per-document
chain), the run sets them in a context variable; `ContextFilter` on a handler copies them onto
each record as `source` and `input_ref` (a record's own `extra=` values win) and formats them as
`where`, so a warning logged deep in a reader still names its file and source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
FIELDS = ("source", "input_ref")


@dataclass(slots=True)
class Where:
    """The source and input being processed; `input_ref` moves on as a reader reads its files."""

    source: str | None = None
    input_ref: str | None = None


_current: ContextVar[Where | None] = ContextVar("broadsheet_where", default=None)


def current() -> Where | None:
    return _current.get()


@contextmanager
def about(source: str | None, input_ref: str | None = None) -> Iterator[Where]:
    """Records logged inside the block are about this source and input."""
    where = Where(source, input_ref)
    token = _current.set(where)
    try:
        yield where
    finally:
        _current.reset(token)


def reading(items: Iterator[T], where: Where) -> Iterator[T]:
    """The items, with `where` in effect only while `items` is advanced.

    A generator runs in its consumer's context: setting the variable across a `yield` would tag
    what the consumer logs meanwhile (documents read earlier, still in the chain) too.
    """
    while True:
        token = _current.set(where)
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            _current.reset(token)
        yield item


def locations(
    paths: Iterable[str], where: Where, on_done: Callable[[], None] | None = None
) -> Iterator[str]:
    """The locations, moving `where.input_ref` to each as a reader takes it. A reader takes the
    next location once it is done with the previous one: `on_done` is called then."""
    for path in paths:
        where.input_ref = path
        yield path
        if on_done is not None:
            on_done()


class ContextFilter(logging.Filter):
    """Put `source`, `input_ref` and `where` (" [source=… input_ref=…]" or "") on every record a
    handler emits, from the record's own fields or else from the current context."""

    def filter(self, record: logging.LogRecord) -> bool:
        where = _current.get()
        shown = []
        for key in FIELDS:
            value = getattr(record, key, None)
            if value is None and where is not None:
                value = getattr(where, key)
            setattr(record, key, value)
            if value is not None:
                shown.append(f"{key}={value}")
        record.where = f" [{' '.join(shown)}]" if shown else ""
        return True


class TagMessages(ContextFilter):
    """`ContextFilter`, and the tags appended to the message itself, for handlers whose format
    does not show `where` (Airflow's task log renders the message and nothing it does not know)."""

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        where: str = getattr(record, "where", "")
        if where and not getattr(record, "where_in_message", False):
            # As getMessage() reads it: with arguments, a "%" of the tags must be doubled.
            record.msg = f"{record.msg}{where.replace('%', '%%') if record.args else where}"
            record.where_in_message = True  # a record shared by two such handlers: tagged once
        return True


@contextmanager
def tags_in_messages(logger: logging.Logger | None = None) -> Iterator[None]:
    """For the block, every record the handlers of `logger` (the root's by default) emit ends
    with ` [source=… input_ref=…]` when it is about a source or an input."""
    handlers = list((logger or logging.getLogger()).handlers)
    tag = TagMessages()
    for h in handlers:
        h.addFilter(tag)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(tag)
