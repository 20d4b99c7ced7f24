"""WARC and ARC files, one capture per record, read as a stream that survives damage.

Only HTTP responses with an HTML body become documents; every other record is counted as
skipped with its reason. A damaged record (cut short, bad framing, unparseable HTTP block) is
quarantined with `file@offset` as its input reference, and reading resumes at the next record
the format lets us find: the next gzip member for record-per-member files, the next `WARC/`
header line for plain ones. Records before the damage are never lost.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from pipeline.config import LISTING_SUFFIXES, WARC_SUFFIXES, Filters, WarcSource
from pipeline.filters import url_verdict
from pipeline.records import Hints, RawDoc, Rejected, Skipped, excerpt
from pipeline.sources.remote import join_location, open_location

log = logging.getLogger(__name__)

Item = RawDoc | Rejected | Skipped

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_BLOCK = 1 << 20
# Listing lines longer than this are not paths.
_MAX_LISTING_LINE = 4096
UNSAFE = "unsafe-listing-entry:"

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
    opener: Any = gzip.open if listing.name.lower().endswith(".gz") else open
    with opener(listing, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw[:_MAX_LISTING_LINE].decode("utf-8", errors="replace").strip()
            if not line or line.startswith("#"):
                continue
            loc = join_location(base, line)
            if loc is None:
                log.warning(
                    "unsafe entry in WARC listing", extra={"listing": str(listing), "line": n}
                )
                yield f"{UNSAFE}{listing}:{n}"
            else:
                yield loc


def locations(src: WarcSource) -> Iterator[str]:
    """Every WARC of the source, in a stable order: listings in their order, folders sorted."""
    count = 0
    for root in src.paths:
        if root.is_file():
            if _is_listing(root.name):
                found: Iterator[str] = _listing_entries(root, src.base or str(root.parent))
            else:
                found = iter([str(root)])
        elif root.is_dir():
            found = iter(_walk(root))
        else:
            log.warning("input path does not exist", extra={"path": str(root)})
            continue
        for loc in found:
            if src.max_files is not None and count >= src.max_files:
                return
            count += 1
            yield loc


def _walk(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        out.extend(
            os.path.join(dirpath, n)
            for n in sorted(filenames)
            if not n.startswith(".") and _is_warc(n)
        )
    return out


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


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'").lower() or None
    return None


def _looks_html(head: bytes) -> bool:
    h = head[:512].lstrip().lower()
    return h.startswith((b"<!doctype html", b"<html", b"<head", b"<!--"))


class _Reader:
    def __init__(self, location: str, source: str, max_bytes: int, src: WarcSource) -> None:
        self.location = location
        self.source = source
        self.max_bytes = max_bytes
        self.filters: Filters = src.filters
        self.only_ok = src.only_ok_status
        # ARC files are read as WARC; for WARC files, format sniffing per record would take
        # garbage for ARC headers.
        self.arc = location.lower().endswith((".arc", ".arc.gz"))

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
        ctype = (http.get_header("Content-Type") or "").strip()
        mime = ctype.split(";", 1)[0].strip().lower()
        if mime and mime not in _HTML_TYPES:
            return Skipped(self.source, ref, "not_html")
        try:
            body = _read_upto(rec.content_stream(), self.max_bytes + 1)
        except _DAMAGE as e:
            # The HTTP payload cannot be decoded (bad chunking, bad Content-Encoding): the WARC
            # framing is intact, so only this record is lost.
            return self.reject(
                offset, "bad_record", f"undecodable HTTP body: {type(e).__name__}: {e}"
            )
        if len(body) > self.max_bytes:
            return self.reject(offset, "too_large", f"more than {self.max_bytes} bytes of body")
        if not mime and not _looks_html(body):
            return Skipped(self.source, ref, "not_html")
        hints = Hints(url=url, fetched_at=_header(rec, "WARC-Date"))
        return RawDoc(
            source=self.source,
            input_ref=ref,
            input_format="warc",
            html=body,
            hints=hints,
            charset=_charset(ctype),
        )

    # -- the file ------------------------------------------------------------------------------

    def read(self) -> Iterator[Item]:
        if self.location.startswith(UNSAFE):
            msg = "listing entry refused: absolute, URL, '..' or control characters"
            yield Rejected(self.source, self.location, "warc", "read", "unreadable", msg)
            return
        try:
            fh = open_location(self.location)
        except (OSError, ValueError) as e:
            yield self.reject(0, "unreadable", f"cannot open: {type(e).__name__}: {e}")
            return
        with fh:
            yield from self._read_from(fh)

    def _read_from(self, fh: IO[bytes]) -> Iterator[Item]:
        start = 0
        while True:
            fh.seek(start)
            gzipped = fh.read(3) == _GZIP_MAGIC
            fh.seek(start)
            it = _Iterator(fh, arc2warc=self.arc)
            it.damaged = False
            emitted = 0
            bad_at: int | None = None
            error = ""
            gen = iter(it)
            while True:
                offset = it.offset
                try:
                    rec = next(gen)
                except StopIteration:
                    return
                except _DAMAGE as e:
                    if "non-chunked" in str(e) and gzipped:
                        # The whole file (from `start`) is one gzip member: read it as one
                        # stream; offsets are then positions in the decompressed data.
                        yield from self._read_single_member(fh, start, emitted)
                        return
                    bad_at, error = offset, f"{type(e).__name__}: {str(e).strip()[:300]}"
                    break
                item = self.convert(rec, offset)
                try:
                    it.read_to_end()
                except _DAMAGE as e:
                    bad_at, error = offset, f"{type(e).__name__}: {str(e).strip()[:300]}"
                    break
                emitted += 1
                remaining = getattr(rec.raw_stream, "limit", 0)
                if isinstance(item, RawDoc) and remaining > 0:
                    yield self.reject(
                        offset,
                        "truncated",
                        f"record cut short: {remaining} of {rec.length} declared bytes missing",
                        item.html,
                    )
                elif isinstance(item, RawDoc) and it.damaged:
                    yield self.reject(
                        offset,
                        "truncated",
                        "record length does not match its Content-Length (the next record "
                        "does not start where declared)",
                        item.html,
                    )
                else:
                    yield item
                it.damaged = False
            # Damage at bad_at: quarantine it and look for the next record after it.
            nxt = self._resync(fh, bad_at + 1, gzipped)
            where = f"bytes {bad_at}-{nxt}" if nxt is not None else f"bytes {bad_at}-end"
            yield self.reject(bad_at, "bad_record", f"damaged WARC data ({where} skipped): {error}")
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
            try:
                rec = next(gen)
                item = self.convert(rec, offset) if n >= skip else None
                it.read_to_end()
            except StopIteration:
                return
            except _DAMAGE as e:
                yield self.reject(
                    offset, "bad_record", f"damaged WARC data: {type(e).__name__}: {e}"
                )
                return
            n += 1
            if item is not None:
                yield item

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


def read(location: str, src: WarcSource, max_bytes: int) -> Iterator[Item]:
    """Stream the records of one WARC/ARC file (local path, s3:// or http(s):// URL)."""
    yield from _Reader(location, src.name, max_bytes, src).read()


def read_many(locations_: Sequence[str], src: WarcSource, max_bytes: int) -> Iterator[Item]:
    for loc in locations_:
        yield from read(loc, src, max_bytes)
