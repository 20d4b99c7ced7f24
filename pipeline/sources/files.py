"""Finding input files and opening them safely: regular files only, inside the input roots, read
in bounded blocks (gzip and zstd included) under a per-input deadline and a decompression cap.

Input references are strings that Parquet can store and `requeue` can turn back into the exact
file: `ref_of` escapes what is not printable UTF-8 in a path, `path_of` undoes it.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import logging
import os
import re
import stat
import time
import zlib
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import zstandard

from pipeline.config import WARC_SUFFIXES
from pipeline.records import Reason

log = logging.getLogger(__name__)

Shape = Literal["html", "text", "jsonl", "warc"]

_SUFFIXES: dict[str, Shape] = {
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_COMPRESSIONS = (".gz", ".zst")

# Reading that makes no progress (nothing yielded) for this long stops; the input is quarantined
# as `timeout`. Readers restart the clock after each item they hand on.
READ_DEADLINE_S = 60.0
# Decompressed blocks handed to the line and article splitters.
CHUNK = 1 << 20
# Past this many decompressed bytes, output above MAX_RATIO times the compressed bytes read is a
# decompression bomb, not a dump: news text compresses 3-10x; repeated bytes 1000x and more.
RATIO_FLOOR = 16 << 20
MAX_RATIO = 200


# -- input references ---------------------------------------------------------------------------

_ESCAPE = re.compile(r"[%\x00-\x1f\x7f\udc80-\udcff]")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def _escaped(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    return f"%{code - 0xDC00 if code >= 0xDC00 else code:02X}"


def ref_of(path: str | os.PathLike[str]) -> str:
    """The input_ref of a local file: its path as UTF-8, undecodable bytes, control characters
    and '%' itself percent-escaped, so any file name can be written and found again."""
    text = os.fsencode(path).decode("utf-8", "surrogateescape")
    return _ESCAPE.sub(_escaped, text)


def path_of(ref: str) -> Path:
    """The file an input_ref (or a local location) made by `ref_of` names: the exact bytes."""
    out = bytearray()
    pos = 0
    for m in _PERCENT.finditer(ref):
        out += ref[pos : m.start()].encode("utf-8", "surrogatepass")
        out.append(int(m.group(1), 16))
        pos = m.end()
    out += ref[pos:].encode("utf-8", "surrogatepass")
    return Path(os.fsdecode(bytes(out)))


# -- finding the files --------------------------------------------------------------------------


def _split_suffix(path: Path) -> tuple[str, str]:
    """('.html', '.gz') for page.html.gz; ('.html', '') for page.html."""
    name = path.name.lower()
    for comp in _COMPRESSIONS:
        if name.endswith(comp):
            return Path(name[: -len(comp)]).suffix, comp
    return Path(name).suffix, ""


def shape_of(path: Path) -> Shape | None:
    if path.name.lower().endswith(WARC_SUFFIXES):
        return "warc"
    return _SUFFIXES.get(_split_suffix(path)[0])


def holds_many(_src: object, location: str) -> bool:
    """A file that is a unit of work on its own by its suffix (a WARC, a JSONL dump)."""
    return shape_of(Path(location)) in ("jsonl", "warc")


def discover(roots: Sequence[Path], wanted: str, suffixes: Sequence[str] = ()) -> Iterator[Path]:
    """Names under the roots (recursively, sorted, hidden names skipped) of a known shape.

    `wanted` is a shape, or "files" for every known shape; a reader of a shape this module
    does not know gives its `suffixes` (".csv": plain, .gz or .zst).
    A root given explicitly as a file is always read, whatever its suffix, when the source
    declares its shape; folders only yield names whose suffix matches. Nothing is opened here:
    `admit` decides, where the file is read, whether it may be (so requeues get the same
    check), and a refused name becomes a quarantine row rather than vanishing. Symlinked folders
    are not descended (inside the root their files are listed under their own folder); one that
    points outside the root is listed, to be refused and reported.
    """
    for root in roots:
        if root.is_file() or is_special(root):
            if wanted != "files" or shape_of(root) is not None:
                yield root
            else:
                log.warning("skipping file of unknown shape", extra={"path": ref_of(root)})
            continue
        if not root.is_dir():
            log.warning("input path does not exist", extra={"path": ref_of(root)})
            continue
        yield from walk(root, wanted, suffixes)


def is_special(path: Path) -> bool:
    """Exists but is neither a file nor a folder (FIFO, socket, device), or is a symlink loop."""
    try:
        os.stat(path)
    except OSError as e:
        return e.errno == errno.ELOOP
    return not (path.is_file() or path.is_dir())


def walk(root: Path, wanted: str, suffixes: Sequence[str] = ()) -> Iterator[Path]:
    """The names of `discover` under one folder; symlinked folders out of it listed too."""

    def warn(e: OSError) -> None:
        log.warning("folder not readable", extra={"path": ref_of(e.filename or root)})

    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, onerror=warn):
        names = []
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if (
                not d.startswith((".", "_"))
                and os.path.islink(full)
                and not _inside(os.path.realpath(full), real_root)
            ):
                names.append(d)  # listed so that reading reports it (outside_root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames + names):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if name in names or _matches(path, wanted, suffixes):
                yield path


def _matches(path: Path, wanted: str, suffixes: Sequence[str]) -> bool:
    if suffixes:
        return _split_suffix(path)[0] in suffixes
    shape = shape_of(path)
    return shape is not None and wanted in ("files", shape)


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: Reason
    message: str


def admit(path: Path, roots: Sequence[Path]) -> Refusal | None:
    """None when `path` may be opened: a regular file (symlinks followed only within the input
    root that holds it), or a file named as a root itself. Nothing is opened to decide."""
    here = os.path.abspath(path)
    named = any(here == os.path.abspath(r) for r in roots)
    if not named:
        holders = [r for r in roots if _inside(here, os.path.abspath(r))]
        if not holders:
            return Refusal("outside_root", "not under any input path of the source")
        real = os.path.realpath(path)
        if not any(_inside(real, os.path.realpath(r)) for r in holders):
            return Refusal(
                "outside_root", f"symlink to {ref_of(real)}, outside the input folder: not followed"
            )
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return Refusal("outside_root", "symlink loop: not followed")
        return Refusal("unreadable", f"cannot open: {type(e).__name__}: {e.strerror}")
    if not stat.S_ISREG(st.st_mode):
        return Refusal("special_file", f"{_kind(st.st_mode)}, not a regular file: never opened")
    return None


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "a special file"


# -- opening and reading ------------------------------------------------------------------------


class TooLarge(Exception):
    pass


class NotRegular(Exception):
    """The path is a FIFO, socket, device or folder: never read from."""


class ReadTimeout(Exception):
    """Reading one input made no progress within the deadline."""


# What a damaged file raises while being read: each becomes a quarantined input, not a crash.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, zstandard.ZstdError)


class Deadline:
    """A per-input clock: reading that makes no progress for `seconds` is stopped."""

    __slots__ = ("_at", "seconds")

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = READ_DEADLINE_S if seconds is None else seconds
        self._at = 0.0
        self.restart()

    def restart(self) -> None:
        self._at = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self._at:
            raise ReadTimeout(f"reading made no progress for {self.seconds:g} s")


def open_regular(path: Path | str) -> io.FileIO:
    """The file opened for reading, or NotRegular: a FIFO or device is never blocked on (opened
    non-blocking, checked, then switched back)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(f"{_kind(mode)}, not a regular file: never read")
        os.set_blocking(fd, True)
        return io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise


class Guarded(io.RawIOBase):
    """A raw stream that checks the deadline on every read and counts the bytes it gave."""

    def __init__(self, raw: IO[bytes] | io.RawIOBase, deadline: Deadline | None) -> None:
        super().__init__()
        self._raw = raw
        self._deadline = deadline
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._raw.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._raw.seek(offset, whence))

    def tell(self) -> int:
        return int(self._raw.tell())

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._deadline is not None:
            self._deadline.check()
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.consumed += n
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


@contextlib.contextmanager
def opened(
    path: Path, deadline: Deadline | None = None
) -> Iterator[tuple[io.BufferedIOBase, Guarded]]:
    """The decompressed content (chosen by suffix) and the guard on the file under it, which
    counts the compressed bytes read; both closed on exit. The caller bounds how much it reads."""
    guard = Guarded(open_regular(path), deadline)
    try:
        with _decompressing(path, guard) as fh:
            yield fh, guard
    finally:
        guard.close()


def _decompressing(path: Path, guard: Guarded) -> io.BufferedIOBase:
    _, comp = _split_suffix(path)
    raw = io.BufferedReader(guard, buffer_size=1 << 16)
    if comp == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if comp == ".zst":
        return io.BufferedReader(_Zstd(raw), buffer_size=1 << 16)
    return raw


class _Zstd(io.RawIOBase):
    """zstd frames decompressed a small piece at a time (bounded memory for any ratio), one
    after the other; a stream that ends inside a frame raises EOFError, as gzip does."""

    _PIECE = 2048  # compressed bytes per step: at most ~64 MB out, however repetitive

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._obj = zstandard.ZstdDecompressor().decompressobj()
        self._fed = False
        self._out = b""
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._at >= len(self._out):
            data = self._raw.read(self._PIECE)
            if not data:
                if self._fed and not self._obj.eof:
                    raise EOFError("zstd stream ended inside a frame (file cut short)")
                return 0
            self._out, self._at = self._feed(data), 0
        n = min(len(b), len(self._out) - self._at)
        b[:n] = self._out[self._at : self._at + n]
        self._at += n
        return n

    def _feed(self, data: bytes) -> bytes:
        parts = []
        while data:
            if self._obj.eof:  # the next frame
                self._obj = zstandard.ZstdDecompressor().decompressobj()
            self._fed = True
            parts.append(self._obj.decompress(data))
            data = self._obj.unused_data if self._obj.eof else b""
        return b"".join(parts)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def read_capped(path: Path, max_bytes: int, deadline: Deadline | None = None) -> bytes:
    """The whole (decompressed) file, or TooLarge past max_bytes: no decompression bombs."""
    with opened(path, deadline) as (fh, _):
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"more than {max_bytes} bytes after decompression")
    return data


def chunks(path: Path, deadline: Deadline, size: int = CHUNK) -> Generator[bytes, None, None]:
    """The decompressed content in blocks, under the deadline; TooLarge for a decompression bomb.

    Close the iterator (or exhaust it) to close the file.
    """
    compressed = _split_suffix(path)[1] != ""
    with opened(path, deadline) as (fh, guard):
        out = 0
        while True:
            deadline.check()
            # read1: what one step decompresses, so a file cut short still gives what came before.
            block = fh.read1(size)
            if not block:
                return
            out += len(block)
            if compressed and out > RATIO_FLOOR and out > MAX_RATIO * max(guard.consumed, 1):
                raise TooLarge(
                    f"decompression bomb: {out} bytes out of {guard.consumed} compressed "
                    f"(over {MAX_RATIO}x)"
                )
            yield block


_NONSPACE = re.compile(rb"[^ \t\n\r\f\v]")


def lines(blocks: Iterable[bytes], max_line: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line holding more than whitespace; None for such a line
    longer than max_line bytes (without its newline), which is dropped unread. Runs of blank
    lines cost no Python steps, and the result does not depend on where the blocks are cut."""
    nl_before = 0  # newlines before the start of `buf`
    buf = b""
    # Inside an over-long line, dropped until its end: its number, and whether it is still
    # blank so far (then it is reported only once something shows up before its end).
    long_no = 0
    long_blank = False
    for block in blocks:
        if long_no:
            nl = block.find(b"\n")
            part = block if nl < 0 else block[:nl]
            if long_blank and _NONSPACE.search(part):
                yield long_no, None
                long_blank = False
            if nl < 0:
                continue
            nl_before, long_no = long_no, 0
            block = block[nl + 1 :]
        buf = buf + block if buf else block
        end = buf.rfind(b"\n") + 1
        pos = 0
        while True:
            m = _NONSPACE.search(buf, pos, end)
            if m is None:
                break
            start = max(buf.rfind(b"\n", pos, m.start()) + 1, pos)
            stop = buf.find(b"\n", m.start(), end)
            number = nl_before + buf.count(b"\n", pos, start) + 1
            yield number, (buf[start : stop + 1] if stop - start <= max_line else None)
            nl_before = number
            pos = stop + 1
        nl_before += buf.count(b"\n", pos, end)
        buf = buf[end:]
        if len(buf) > max_line:
            long_no, long_blank = nl_before + 1, not _NONSPACE.search(buf)
            if not long_blank:
                yield long_no, None
            buf = b""
    if not long_no and _NONSPACE.search(buf):
        yield nl_before + 1, buf
