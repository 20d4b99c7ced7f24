"""WARC and ARC files, one capture per record, read as a stream that survives damage.

Only HTTP responses with an HTML body become documents; every other record is counted as
skipped with its reason. A damaged record (cut short, bad framing, unparseable HTTP block) is
quarantined with `file@offset` as its input reference, and reading resumes at the next record
the format lets us find: the next gzip member for record-per-member files, the next `WARC/`
header line for plain ones. Records before the damage are never lost.

WARC files are read with fastwarc (resiliparse) while they are clean, and with warcio from the
first sign of damage on: each record fastwarc gives is held until the next one starts where a
record may start, so the record before any damage, and the last one of the file, are re-read by
the warcio path with its containment and end-of-file checks (README "Web archives").
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from fastwarc.stream_io import GzipReader
from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecord, WarcRecordType
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from pipeline.config import LISTING_SUFFIXES, WARC_SUFFIXES, FilesSource, Filters, WarcSource
from pipeline.filters import url_verdict
from pipeline.records import Hints, RawDoc, Rejected, Skipped, excerpt
from pipeline.sources import files
from pipeline.sources.registry import ReadContext, SourceType
from pipeline.sources.remote import join_location, open_location
from pipeline.web_util import HTML_TYPES, charset_of, is_html, media_type

log = logging.getLogger(__name__)

Item = RawDoc | Rejected | Skipped

_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_BLOCK = 1 << 20
# Listing lines longer than this are not paths.
_MAX_LISTING_LINE = 4096
UNSAFE = "unsafe-listing-entry:"
BROKEN = "unreadable-listing:"

# What a damaged file raises while warcio parses it.
_DAMAGE = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    IndexError,
    KeyError,
)


# -- finding the files ------------------------------------------------------------------------


def _is_listing(name: str) -> bool:
    return name.lower().endswith(LISTING_SUFFIXES)


def _is_warc(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def _listing_entries(listing: Path, base: str) -> Iterator[str]:
    n = 0
    blocks = files.chunks(listing, files.Deadline())
    try:
        with contextlib.closing(blocks):
            for n, raw in files.lines(blocks, _MAX_LISTING_LINE):
                line = (raw or b"").decode("utf-8", errors="replace").strip()
                if line.startswith("#"):
                    continue
                loc = join_location(base, line) if raw is not None else None
                if loc is None:
                    log.warning(
                        "unsafe entry in WARC listing",
                        extra={"listing": files.ref_of(listing), "line": n},
                    )
                    yield f"{UNSAFE}{files.ref_of(listing)}:{n}"
                else:
                    yield loc
    except Exception as e:  # a damaged listing ends with one quarantined entry, not the run
        log.warning(
            "WARC listing not readable to the end",
            extra={"listing": files.ref_of(listing), "line": n + 1, "error": repr(e)},
        )
        yield f"{BROKEN}{files.ref_of(listing)}:{n + 1}"


def locations(src: WarcSource) -> Iterator[str]:
    """Every WARC of the source, in a stable order: listings in their order, folders sorted.

    Local locations are input references (`files.ref_of`): any file name survives the trip
    through shards, quarantine and requeue.
    """
    count = 0
    for root in src.paths:
        if root.is_file():
            if _is_listing(root.name):
                found: Iterator[str] = _listing_entries(root, src.base or str(root.parent))
            else:
                found = iter([str(root)])
        elif root.is_dir():
            found = (str(p) for p in files.walk(root, "warc"))
        elif files.is_special(root):
            found = iter([str(root)])  # refused, with its reason, when read
        else:
            log.warning("input path does not exist", extra={"path": files.ref_of(root)})
            continue
        for loc in found:
            if src.max_files is not None and count >= src.max_files:
                return
            count += 1
            yield location_ref(loc)


def is_local(location: str) -> bool:
    """A file on this machine (a path or a file:// URL), not an object or a web resource."""
    return not location.startswith((UNSAFE, BROKEN)) and (
        "://" not in location or location.startswith("file://")
    )


def location_ref(location: str) -> str:
    """The location as an input reference: local paths escaped by `files.ref_of`."""
    if not is_local(location):
        return location
    if location.startswith("file://"):
        return "file://" + files.ref_of(location.removeprefix("file://"))
    return files.ref_of(location)


def local_path(location: str) -> Path:
    """The file a local location (made by `location_ref`) names."""
    return files.path_of(location.removeprefix("file://"))


# -- one record --------------------------------------------------------------------------------


class _Iterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, counting framing damage instead of printing it to stderr."""

    damaged = False

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        before = self.err_count
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                return super()._consume_blanklines()  # type: ignore[no-any-return]
        finally:
            if self.err_count != before:
                self.damaged = True


def _read_upto(stream: Any, limit: int) -> bytes:
    parts = []
    left = limit
    while left > 0:
        b = stream.read(min(left, 1 << 16))
        if not b:
            break
        parts.append(b)
        left -= len(b)
    return b"".join(parts)


def _header(rec: ArcWarcRecord, name: str) -> str | None:
    value = rec.rec_headers.get_header(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _fast_header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


# Record types the fast path skips as warcio would; any other type hands the file to warcio.
_NOT_RESPONSE = (
    WarcRecordType.warcinfo
    | WarcRecordType.request
    | WarcRecordType.metadata
    | WarcRecordType.resource
    | WarcRecordType.conversion
    | WarcRecordType.continuation
)


class _HandOver(Exception):
    """This record needs warcio's reading (damage, or HTTP encodings it decodes)."""


class _Reader:
    def __init__(
        self,
        location: str,
        source: str,
        max_bytes: int,
        src: WarcSource | FilesSource,
        deadline_s: float | None = None,
        fast: bool = True,
    ) -> None:
        self.location = location
        self.source = source
        self.max_bytes = max_bytes
        self.filters: Filters = src.filters
        self.only_ok = src.only_ok_status if isinstance(src, WarcSource) else True
        # ARC files are read as WARC; in WARC files, a record warcio could only parse as ARC
        # is garbage (any line of text passes for an ARC header).
        self.arc = location.lower().endswith((".arc", ".arc.gz"))
        # fastwarc reads WARC only; ARC files (and `fast=False`) go through warcio alone.
        self.fast = fast and not self.arc
        self.handed_over = False  # fastwarc gave the file to warcio before its end
        self.fast_records = 0  # records yielded from fastwarc's reading
        self.deadline = files.Deadline(deadline_s)
        # Where the record being read starts: the reference of a failure that ends the file.
        self.at: int | str = 0

    def ref(self, offset: int | str) -> str:
        return f"{self.location}@{offset}"

    def reject(
        self, offset: int | str, reason: Any, message: str, raw: bytes | None = None
    ) -> Rejected:
        return Rejected(
            self.source, self.ref(offset), "warc", "read", reason, message, excerpt(raw)
        )

    def convert(self, rec: ArcWarcRecord, offset: int | str) -> Item:
        """The document in this record, or why not; reads at most max_bytes of its body."""
        ref = self.ref(offset)
        rtype = rec.rec_type
        if rtype == "revisit":
            return Skipped(self.source, ref, "revisit")
        if rtype != "response":
            return Skipped(self.source, ref, "not_response")
        url = _header(rec, "WARC-Target-URI")
        if url:
            url = url.strip("<>").replace(" ", "%20")
        http = rec.http_headers
        if http is None or not (url or "").startswith(("http://", "https://")):
            return Skipped(self.source, ref, "not_http")
        verdict = url_verdict(url, self.filters)
        if verdict is not None:
            return Skipped(self.source, ref, verdict)
        status = http.get_statuscode()
        if not (http.protocol or "").upper().startswith("HTTP/") or not status.isdigit():
            line = f"{http.protocol} {http.statusline}"[:200]
            return self.reject(offset, "bad_record", f"unparseable HTTP status line: {line!r}")
        if self.only_ok and not status.startswith("2"):
            return Skipped(self.source, ref, "http_status")
        ctype = http.get_header("Content-Type")
        mime = media_type(ctype)
        if mime and mime not in HTML_TYPES:  # known before the body is read
            return Skipped(self.source, ref, "not_html")
        try:
            body = _read_upto(rec.content_stream(), self.max_bytes + 1)
        except _DAMAGE as e:
            # The HTTP payload cannot be decoded (bad chunking, bad Content-Encoding): the WARC
            # framing is intact, so only this record is lost.
            return self.reject(
                offset, "bad_record", f"undecodable HTTP body: {type(e).__name__}: {e}"
            )
        return self._document(offset, url, _header(rec, "WARC-Date"), ctype, body)

    def convert_fast(self, rec: WarcRecord, offset: int) -> Item:
        """`convert` for a record fastwarc parsed; raises _HandOver where warcio must judge."""
        ref = self.ref(offset)
        rtype = rec.record_type
        if rtype == WarcRecordType.revisit:
            return Skipped(self.source, ref, "revisit")
        if rtype & _NOT_RESPONSE:
            return Skipped(self.source, ref, "not_response")
        if rtype != WarcRecordType.response:
            raise _HandOver("unknown record type")
        url = _fast_header(rec.headers, "WARC-Target-URI")
        if url:
            url = url.strip("<>").replace(" ", "%20")
        if not (url or "").startswith(("http://", "https://")):
            return Skipped(self.source, ref, "not_http")
        if not rec.is_http:
            raise _HandOver("HTTP URL without an HTTP message")
        verdict = url_verdict(url, self.filters)
        if verdict is not None:
            return Skipped(self.source, ref, verdict)
        http = rec.http_headers
        status = http.status_code
        if status is None or not (http.status_line or "").upper().startswith("HTTP/"):
            raise _HandOver("HTTP status line")
        if self.only_ok and not 200 <= status < 300:
            return Skipped(self.source, ref, "http_status")
        ctype = http.get("Content-Type")
        mime = media_type(ctype)
        if mime and mime not in HTML_TYPES:
            return Skipped(self.source, ref, "not_html")
        encoding = (http.get("Content-Encoding") or "identity").strip().lower()
        if http.get("Transfer-Encoding") or encoding != "identity":
            raise _HandOver("HTTP transfer or content encoding")  # warcio decodes these
        body = _read_upto(rec.reader, self.max_bytes + 1)
        return self._document(offset, url, _fast_header(rec.headers, "WARC-Date"), ctype, body)

    def _document(
        self,
        offset: int | str,
        url: str | None,
        warc_date: str | None,
        ctype: str | None,
        body: bytes,
    ) -> Item:
        """The last steps, alike for both parsers: the size cap, the HTML sniff, the document."""
        ref = self.ref(offset)
        if len(body) > self.max_bytes:
            return self.reject(offset, "too_large", f"more than {self.max_bytes} bytes of body")
        if not is_html(ctype, body):
            return Skipped(self.source, ref, "not_html")
        return RawDoc(
            source=self.source,
            input_ref=ref,
            input_format="warc",
            html=body,
            hints=Hints(url=url, fetched_at=warc_date),
            charset=charset_of(ctype),
        )

    def _read_fast(self, fh: IO[bytes]) -> Iterator[Item]:
        """fastwarc while the file is clean, then warcio from the last record it vouched for.

        A record is yielded once the next one has started at a later record boundary (a gzip
        member start, or a later offset in a plain file); the last record, and the one before
        anything fastwarc cannot read, are read again by the warcio path, which checks the
        end of the file and contains the damage exactly as it does alone.
        """
        fh.seek(0)
        gzipped = fh.read(3) == _GZIP_MAGIC
        fh.seek(0)
        gz = GzipReader(fh) if gzipped else None
        it = FastIterator(gz if gz is not None else fh, parse_http=True)
        held: tuple[int, Item] | None = None
        resume = 0
        while True:
            try:
                rec = next(it)
                offset = gz.frame_start_position() if gz is not None else rec.stream_pos
                if offset is None or (held is not None and offset <= held[0]):
                    raise _HandOver("record boundary")  # e.g. a file gzipped as one member
                self.at = offset
                item = self.convert_fast(rec, offset)
                rec.reader.consume()
                if gz is not None and gz.frame_start_position() != offset:
                    # One record per gzip member: a record read past its member's end has a
                    # length that lies (warcio tells what it holds).
                    raise _HandOver("record runs past its gzip member")
            except files.ReadTimeout:
                raise
            except StopIteration:
                break
            except Exception as e:  # damage, or something only warcio reads: hand the rest over
                self.handed_over = True
                log.debug(
                    "WARC read by warcio from here",
                    extra={"file": self.location, "offset": held[0] if held else 0, "why": str(e)},
                )
                break
            if held is not None:
                yield held[1]
                self.fast_records += 1
                self.deadline.restart()
            held = (offset, item)
            resume = offset
        yield from self._read_from(fh, resume)

    def _convert(self, rec: ArcWarcRecord, offset: int | str) -> Item:
        try:
            return self.convert(rec, offset)
        except files.ReadTimeout:
            raise  # the file as a whole is stopped
        except Exception as e:  # whatever one record does wrong costs that record only
            return self.reject(offset, "bad_record", f"record not readable: {type(e).__name__}")

    @staticmethod
    def _framing_problem(rec: ArcWarcRecord) -> str | None:
        """Why a parsed record is not one (garbage that warcio took for a header), or None."""
        if rec.format != "warc":
            return "not a WARC record (a line of text taken for an ARC header)"
        if not rec.rec_headers.headers:
            # Blank lines where a header belongs: warcio yields an empty record that swallows
            # the rest of the member (or of a plain file), whatever it holds.
            return "blank lines where a WARC header was expected"
        length = rec.rec_headers.get_header("Content-Length")
        if not (isinstance(length, str) and length.strip().isdigit()):
            return "WARC header without a valid Content-Length"
        return None

    # -- the file ------------------------------------------------------------------------------

    def read(self) -> Iterator[Item]:
        if self.location.startswith(UNSAFE):
            msg = "listing entry refused: absolute, URL, '..', control characters or too long"
            yield Rejected(self.source, self.location, "warc", "read", "unreadable", msg)
            return
        if self.location.startswith(BROKEN):
            msg = "WARC listing not readable from this line on (damaged or not text; see the log)"
            yield Rejected(self.source, self.location, "warc", "read", "unreadable", msg)
            return
        try:
            fh = self._open()
        except files.NotRegular as e:
            yield self.reject(0, "special_file", str(e))
            return
        except Exception as e:  # missing, unreachable, refused: one row for the file
            yield self.reject(0, "unreadable", f"cannot open: {type(e).__name__}: {e}")
            return
        with fh:
            try:
                yield from self._read_fast(fh) if self.fast else self._read_from(fh)
            except files.ReadTimeout as e:
                yield self.reject(self.at, "timeout", f"{e}; the rest of the file is skipped")
            except Exception as e:  # a fault past the record-level handling ends the file
                msg = f"reader error: {type(e).__name__}: {e}; the rest of the file is skipped"
                yield self.reject(self.at, "unreadable", msg)

    def _open(self) -> IO[bytes]:
        if is_local(self.location):
            raw: Any = files.open_regular(local_path(self.location))
        else:
            raw = open_location(self.location)
        guard = files.Guarded(raw, self.deadline)
        return io.BufferedReader(guard, buffer_size=1 << 16)

    def _read_from(self, fh: IO[bytes], start: int = 0) -> Iterator[Item]:
        """warcio from `start` (a record start) to the end, containing damage."""
        emitted_in_file = 0
        while True:
            self.at = start
            fh.seek(start)
            gzipped = fh.read(3) == _GZIP_MAGIC
            fh.seek(start)
            it = _Iterator(fh, arc2warc=self.arc)
            it.damaged = False
            emitted = 0
            # Damage is never placed before `floor`: warcio's offsets can run backwards after a
            # record longer than its Content-Length inside a gzip member.
            floor = start
            bad_at: int | None = None
            error = ""
            gen = iter(it)
            while True:
                offset = it.offset
                self.at = max(offset, floor)
                try:
                    rec = next(gen)
                except StopIteration:
                    at = max(offset, floor)
                    loss = self._lost_tail(fh, at, gzipped)
                    if loss is not None:
                        yield self.reject(at, *loss)
                    return
                except _DAMAGE as e:
                    if "non-chunked" in str(e) and gzipped:
                        # The whole file (from `start`) is one gzip member: read it as one
                        # stream; offsets are then positions in the decompressed data.
                        yield from self._read_single_member(fh, start, emitted)
                        return
                    bad_at, error = (
                        max(offset, floor),
                        f"{type(e).__name__}: {str(e).strip()[:300]}",
                    )
                    break
                problem = self._framing_problem(rec)
                if problem is not None or offset < floor:
                    bad_at, error = max(offset, floor), problem or "record boundary lost"
                    break
                item = self._convert(rec, offset)
                try:
                    it.read_to_end()
                except _DAMAGE as e:
                    bad_at, error = offset, f"{type(e).__name__}: {str(e).strip()[:300]}"
                    break
                emitted += 1
                emitted_in_file += 1
                remaining = getattr(rec.raw_stream, "limit", 0)
                if isinstance(item, RawDoc) and remaining > 0:
                    yield self.reject(
                        offset,
                        "truncated",
                        f"record cut short: {remaining} of {rec.length} declared bytes missing",
                        item.html,
                    )
                elif it.damaged and (
                    isinstance(item, RawDoc)
                    or (isinstance(item, Skipped) and item.reason in ("not_http", "not_html"))
                ):
                    # A response whose length lies: what it holds cannot be told, nor skipped.
                    yield self.reject(
                        offset,
                        "truncated",
                        "record length does not match its Content-Length (the next record "
                        "does not start where declared)",
                        item.html if isinstance(item, RawDoc) else None,
                    )
                else:
                    yield item
                self.deadline.restart()
                floor = self.at = offset + 1  # a later failure never reuses a yielded ref
                if it.damaged and gzipped:
                    # The rest of this record's gzip member is not a record: go to the next one.
                    bad_at, error = None, ""
                    break
                it.damaged = False
            if bad_at is None:
                nxt = self._resync(fh, floor, gzipped)
                if nxt is None:
                    return
                start = nxt
                continue
            # Damage at bad_at: quarantine it and look for the next record after it.
            nxt = self._resync(fh, max(bad_at + 1, floor), gzipped)
            where = f"bytes {bad_at}-{nxt}" if nxt is not None else f"bytes {bad_at}-end"
            if bad_at == 0 and nxt is None and emitted_in_file == 0:
                yield self.reject(0, "bad_record", f"not a WARC/ARC file: {error}")
                return
            yield self.reject(bad_at, "bad_record", f"damaged WARC data ({where} skipped): {error}")
            self.deadline.restart()
            if nxt is None:
                return
            log.warning(
                "damaged WARC record skipped",
                extra={"file": self.location, "offset": bad_at, "resume": nxt},
            )
            start = nxt

    def _read_single_member(self, fh: IO[bytes], start: int, skip: int) -> Iterator[Item]:
        fh.seek(start)
        stream = gzip.GzipFile(fileobj=fh, mode="rb")
        it = _Iterator(stream, arc2warc=self.arc)
        it.damaged = False
        gen = iter(it)
        n = 0
        while True:
            offset = f"{start}+{it.offset}"
            self.at = offset
            try:
                rec = next(gen)
                problem = self._framing_problem(rec)
                item = self._convert(rec, offset) if n >= skip and problem is None else None
                if problem is None:
                    it.read_to_end()
            except StopIteration:
                return
            except _DAMAGE as e:
                yield self.reject(
                    offset, "bad_record", f"damaged WARC data: {type(e).__name__}: {e}"
                )
                return
            if problem is not None:
                yield self.reject(offset, "bad_record", f"damaged WARC data: {problem}")
                return
            n += 1
            if item is not None:
                yield item
                self.deadline.restart()

    def _lost_tail(self, fh: IO[bytes], pos: int, gzipped: bool) -> tuple[str, str] | None:
        """(reason, message) when the data from pos to the end, where warcio found no record,
        holds something (warcio stops silently at a cut gzip member or at bytes it cannot
        frame); None when it is empty or blank."""
        fh.seek(pos)
        if not gzipped:
            while block := fh.read(1 << 16):
                if block.strip():
                    return "bad_record", f"bytes {pos}-end hold no WARC record"
                self.deadline.check()
            return None
        d = zlib.decompressobj(31)
        fed = False
        while not d.eof:
            block = d.unconsumed_tail or fh.read(1 << 16)
            if not block:
                return (
                    ("truncated", f"file ends inside a gzip member (bytes {pos}-end)")
                    if fed
                    else None
                )
            fed = True
            try:
                d.decompress(block, 1 << 16)
            except zlib.error as e:
                return "bad_record", f"damaged gzip member at the end of the file: {e}"
            self.deadline.check()
        return None

    def _resync(self, fh: IO[bytes], pos: int, gzipped: bool) -> int | None:
        """The offset of the next record start at or after pos, or None."""
        needle = _GZIP_MAGIC if gzipped else b"WARC/1."
        carry = len(needle) + 1
        fh.seek(pos)
        base = pos
        prev = b""
        while True:
            block = fh.read(_SCAN_BLOCK)
            if not block:
                return None
            data = prev + block
            data_start = base - len(prev)
            i = data.find(needle)
            while i != -1:
                cand = data_start + i
                if cand >= pos and self._starts_record(fh, cand, gzipped):
                    return cand
                i = data.find(needle, i + 1)
            prev = data[-carry:]
            base += len(block)
            fh.seek(base)

    @staticmethod
    def _starts_record(fh: IO[bytes], pos: int, gzipped: bool) -> bool:
        here = fh.tell()
        try:
            if not gzipped:
                if pos == 0:
                    return True
                fh.seek(pos - 1)
                return fh.read(1) == b"\n"
            fh.seek(pos)
            head = fh.read(4096)
            try:
                out = zlib.decompressobj(31).decompress(head, 64)
            except zlib.error:
                return False
            return out.lstrip().startswith((b"WARC/", b"filedesc:", b"http"))
        finally:
            fh.seek(here)


def read(
    location: str,
    src: WarcSource | FilesSource,
    max_bytes: int,
    deadline_s: float | None = None,
    fast: bool = True,
) -> Iterator[Item]:
    """Stream the records of one WARC/ARC file (a location from `locations`, or an s3:// or
    http(s):// URL); never raises: every failure is a quarantine row. `fast=False` reads with
    warcio alone (the same items, more slowly)."""
    yield from _Reader(location, src.name, max_bytes, src, deadline_s, fast).read()


def read_many(locations_: Sequence[str], src: WarcSource, max_bytes: int) -> Iterator[Item]:
    for loc in locations_:
        yield from read(loc, src, max_bytes)


def roots(src: WarcSource | FilesSource) -> list[Path]:
    """The folders (and named files) local WARCs must stay within: listings add their base."""
    out = list(src.paths)
    if isinstance(src, WarcSource):
        for p in src.paths:
            if _is_listing(p.name):
                out.append(Path(src.base) if src.base and "://" not in src.base else p.parent)
    return out


def read_location(src: WarcSource | FilesSource, location: str, ctx: ReadContext) -> Iterator[Item]:
    """One WARC: a local one is admitted first (`files.admit`), a remote one read directly."""
    if is_local(location):
        refused = ctx.refusal(src.name, location, local_path(location), "warc", roots(src))
        if refused is not None:
            yield refused
            return
    yield from read(location, src, ctx.max_bytes, ctx.deadline_s)


SOURCE = SourceType(
    type="warc",
    config=WarcSource,
    discover=locations,
    read=read_location,
    input_format="warc",
    archive=True,
)
