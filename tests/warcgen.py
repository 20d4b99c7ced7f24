"""WARC files written by the tests (with warcio), with the record mix and damage of real crawls."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import article_html


@dataclass(frozen=True)
class Page:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    date: str = "2026-11-20T10:00:00Z"


def news_page(n: int, host: str = "harbor.example", lang: str = "en") -> Page:
    url = f"https://{host}/news/story-{n}"
    paras = [
        f"Story number {n} from {host} begins with a council vote on the {n}th item of the "
        "agenda, which took most of the evening and ended with a narrow majority in favour.",
        f"Residents who attended meeting {n} said they had waited months for a decision and "
        "that the outcome would change how the neighbourhood plans its streets and parks.",
        f"Officials promised to publish the full minutes of session {n} within a week, along "
        "with a timetable for the works and the names of the contractors who bid for them.",
    ]
    html = article_html(title=f"Council vote number {n} on {host}", url=url, paragraphs=paras)
    return Page(url, html.encode("utf-8"))


class Writer:
    """Writes records and remembers where each starts (the reader's input_ref offsets)."""

    def __init__(self, path: Path, gzip: bool = True) -> None:
        self.path = path
        self.fh = open(path, "wb")  # noqa: SIM115
        self.w = WARCWriter(self.fh, gzip=gzip)
        self.gzip = gzip
        self.offsets: list[int] = []

    def _write(self, rec: object) -> None:
        self.offsets.append(self.fh.tell())
        self.w.write_record(rec)

    def warcinfo(self) -> None:
        self._write(self.w.create_warcinfo_record(self.path.name, {"software": "tests"}))

    def request(self, url: str) -> None:
        http = StatusAndHeaders(
            f"GET {url} HTTP/1.1", [("Host", "harbor.example")], is_http_request=True
        )
        self._write(self.w.create_warc_record(url, "request", http_headers=http))

    def response(self, page: Page, extra_headers: list[tuple[str, str]] | None = None) -> None:
        headers = [("Content-Type", page.content_type)] if page.content_type else []
        http = StatusAndHeaders(page.status, headers + (extra_headers or []), protocol="HTTP/1.1")
        rec = self.w.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(page.body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": page.date},
        )
        self._write(rec)

    def revisit(self, url: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = self.w.create_revisit_record(
            url, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", url, "2026-11-19T10:00:00Z", http
        )
        self._write(rec)

    def metadata(self, url: str) -> None:
        rec = self.w.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
            warc_content_type="application/warc-fields",
        )
        self._write(rec)

    def dns(self, host: str) -> None:
        rec = self.w.create_warc_record(
            f"dns:{host}",
            "response",
            payload=io.BytesIO(b"20261120100000\nharbor.example. 300 IN A 192.0.2.1\n"),
            warc_content_type="text/dns",
        )
        self._write(rec)

    def raw_response(self, url: str, http_block: bytes) -> None:
        """A response record whose HTTP message is written as given, however malformed."""
        head = (
            "WARC/1.0\r\nWARC-Type: response\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{len(self.offsets):012d}>\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Date: 2026-11-20T10:00:00Z\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http_block)}\r\n\r\n"
        ).encode()
        record = head + http_block + b"\r\n\r\n"
        self.raw(gzip.compress(record) if self.gzip else record)

    def raw(self, data: bytes) -> None:
        self.offsets.append(self.fh.tell())
        self.fh.write(data)

    def close(self) -> None:
        self.fh.close()


# -- shapes warcio's WARC writer does not make: ARC files, chunked HTTP, records split in two -----


def _http_block(page: Page, chunked: bool = False) -> bytes:
    head = f"HTTP/1.1 {page.status}\r\n"
    if page.content_type:
        head += f"Content-Type: {page.content_type}\r\n"
    if not chunked:
        return (head + f"Content-Length: {len(page.body)}\r\n\r\n").encode() + page.body
    body = b""
    for i in range(0, len(page.body), 700):  # chunks of 700 bytes, sizes in hex
        part = page.body[i : i + 700]
        body += b"%x\r\n%s\r\n" % (len(part), part)
    return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + body + b"0\r\n\r\n"


def chunked_response(w: Writer, page: Page) -> None:
    """A response whose HTTP body is sent with Transfer-Encoding: chunked, as captured."""
    w.raw_response(page.url, _http_block(page, chunked=True))


def write_arc(path: Path, pages: list[Page], gzip_members: bool) -> list[int]:
    """An ARC (version 1) file: a filedesc record, then one record per page; with
    `gzip_members` each record is its own gzip member (.arc.gz). Returns the record offsets."""
    when = "20261120100000"
    desc = b"1 0 Broadsheet tests\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [
        f"filedesc://{path.name} 0.0.0.0 {when} text/plain {len(desc)}\n".encode() + desc + b"\n"
    ]
    for page in pages:
        block = _http_block(page)
        ctype = page.content_type.split(";")[0] or "unk"
        head = f"{page.url} 192.0.2.1 {when} {ctype} {len(block)}\n"
        records.append(head.encode() + block + b"\n")
    offsets = []
    with open(path, "wb") as fh:
        for rec in records:
            offsets.append(fh.tell())
            fh.write(gzip.compress(rec) if gzip_members else rec)
    return offsets


def split_across_members(w: Writer, page: Page) -> None:
    """A response record whose headers end one gzip member and whose body fills the next (each
    record must be one member): what some broken writers produce."""
    block = _http_block(page)
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{len(w.offsets):012d}>\r\n"
        f"WARC-Target-URI: {page.url}\r\nWARC-Date: 2026-11-20T10:00:00Z\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    cut = block.index(b"\r\n\r\n") + 4
    w.raw(gzip.compress(head + block[:cut]))
    w.fh.write(gzip.compress(block[cut:] + b"\r\n\r\n"))
