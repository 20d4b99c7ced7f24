"""WARC reader: record types, damage containment, listings, remote bases, and a whole ingest."""

from __future__ import annotations

import gzip
import http.server
import re
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipeline.config import Filters, WarcSource, build_config
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.run import run_ingest
from pipeline.sources import is_archive, warc
from tests.conftest import SHARED
from tests.warcgen import Page, Writer, news_page

Item = RawDoc | Rejected | Skipped


def _src(*paths: Path, **kw: object) -> WarcSource:
    return WarcSource(name="cc", type="warc", paths=paths, **kw)  # type: ignore[arg-type]


def _read(loc: str | Path, src: WarcSource | None = None, max_bytes: int = 1_000_000) -> list[Item]:
    return list(warc.read(str(loc), src or _src(Path(loc)), max_bytes))


def _summary(items: list[Item]) -> Counter[str]:
    c: Counter[str] = Counter()
    for it in items:
        if isinstance(it, RawDoc):
            c["doc"] += 1
        elif isinstance(it, Skipped):
            c[f"skip:{it.reason}"] += 1
        else:
            c[f"quarantine:{it.reason}"] += 1
    return c


def _mixed(path: Path, gzip_: bool) -> Writer:
    w = Writer(path, gzip=gzip_)
    w.warcinfo()
    w.request("https://harbor.example/news/story-1")
    w.response(news_page(1))
    w.metadata("https://harbor.example/news/story-1")
    w.revisit("https://harbor.example/news/story-1")
    w.dns("harbor.example")
    w.response(Page("https://harbor.example/logo.png", b"\x89PNG\r\n\x1a\n....", "image/png"))
    w.response(
        Page("https://harbor.example/gone", b"<html>not here</html>", status="404 Not Found")
    )
    w.response(Page("https://harbor.example/moved", b"", status="301 Moved Permanently"))
    latin = news_page(2).body.replace(b'charset="utf-8"', b"").replace(b"utf-8", b"x")
    latin = latin.replace(b"begins", "b\u00e9gins".encode("cp1252"))
    w.response(
        Page("https://harbor.example/news/story-2", latin, "text/html; charset=windows-1252")
    )
    w.response(Page("https://harbor.example/news/story-3", news_page(3).body, ""))  # sniffed
    w.close()
    return w


@pytest.mark.parametrize("gzip_", [True, False], ids=["gzip", "plain"])
def test_mixed_records_are_kept_or_skipped_with_reasons(tmp_path: Path, gzip_: bool) -> None:
    path = tmp_path / ("mixed.warc.gz" if gzip_ else "mixed.warc")
    w = _mixed(path, gzip_)
    items = _read(path)
    assert _summary(items) == {
        "doc": 3,
        "skip:not_response": 3,  # warcinfo, request, metadata
        "skip:revisit": 1,
        "skip:not_http": 1,  # dns:
        "skip:not_html": 1,
        "skip:http_status": 2,
    }
    docs = [i for i in items if isinstance(i, RawDoc)]
    assert [d.hints.url for d in docs] == [
        f"https://harbor.example/news/story-{n}" for n in (1, 2, 3)
    ]
    assert docs[0].hints.fetched_at == "2026-11-20T10:00:00Z"
    assert docs[0].input_format == "warc"
    assert docs[1].charset == "windows-1252"
    # Offsets in input_ref are where each record starts: seeking there reads that record again.
    assert [d.input_ref for d in docs] == [f"{path}@{w.offsets[i]}" for i in (2, 9, 10)]
    assert len(items) == len(w.offsets)


def test_declared_charset_decodes_and_lying_header_falls_back() -> None:
    from pipeline.extract import decode_html

    cp = "Caf\u00e9 cr\u00e8me".encode("cp1252")
    assert decode_html(cp, "windows-1252") == "Caf\u00e9 cr\u00e8me"
    assert decode_html(cp, "iso-8859-1") == "Caf\u00e9 cr\u00e8me"
    # A UTF-8 page labelled Latin-1: valid UTF-8 wins over the label.
    assert decode_html("Caf\u00e9".encode(), "iso-8859-1") == "Caf\u00e9"
    # Bytes invalid in the declared charset are left to the extractor's own detection.
    assert decode_html(b"\xff\xfe\x00bad", "utf-8") == b"\xff\xfe\x00bad"
    assert decode_html(b"\xe4\xb8\xad", None) == b"\xe4\xb8\xad"
    gb = "\u4e2d\u6587\u65b0\u95fb".encode("gb18030")
    assert decode_html(gb, "gb2312") == "\u4e2d\u6587\u65b0\u95fb"


def _pages(path: Path, n: int, gzip_: bool = True) -> Writer:
    w = Writer(path, gzip=gzip_)
    for i in range(n):
        w.response(news_page(i))
    w.close()
    return w


def test_truncated_file_keeps_records_before_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    w = _pages(path, 5)
    data = path.read_bytes()
    cut = w.offsets[4] + (len(data) - w.offsets[4]) // 2
    path.write_bytes(data[:cut])
    items = _read(path)
    assert _summary(items) == {"doc": 4, "quarantine:truncated": 1}
    bad = items[-1]
    assert isinstance(bad, Rejected) and bad.input_ref == f"{path}@{w.offsets[4]}"
    assert bad.stage == "read"


def test_truncated_plain_record_is_quarantined_as_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc"
    w = _pages(path, 3, gzip_=False)
    data = path.read_bytes()
    path.write_bytes(data[: w.offsets[2] + 900])
    items = _read(path)
    assert _summary(items) == {"doc": 2, "quarantine:truncated": 1}
    assert items[2].input_ref.endswith(f"@{w.offsets[2]}")


def test_corrupt_gzip_member_is_skipped_and_reading_resumes(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.warc.gz"
    w = _pages(path, 6)
    data = bytearray(path.read_bytes())
    mid = (w.offsets[2] + w.offsets[3]) // 2
    data[mid : mid + 64] = b"\x00" * 64  # garbage inside the third member
    path.write_bytes(bytes(data))
    items = _read(path)
    assert _summary(items) == {"doc": 5, "quarantine:bad_record": 1}
    bad = [i for i in items if isinstance(i, Rejected)][0]
    assert bad.input_ref == f"{path}@{w.offsets[2]}"
    assert f"bytes {w.offsets[2]}-{w.offsets[3]} skipped" in bad.message
    urls = [i.hints.url for i in items if isinstance(i, RawDoc)]
    assert urls == [f"https://harbor.example/news/story-{n}" for n in (0, 1, 3, 4, 5)]


def test_garbage_between_plain_records_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "garbage.warc"
    w = Writer(path, gzip=False)
    w.response(news_page(0))
    w.raw(b"this is not a WARC record at all\r\n\r\n" * 20)
    w.response(news_page(1))
    w.close()
    items = _read(path)
    assert _summary(items) == {"doc": 2, "quarantine:bad_record": 1}
    assert items[1].input_ref == f"{path}@{w.offsets[1]}"


def test_wrong_content_length_is_quarantined_and_next_record_read(tmp_path: Path) -> None:
    path = tmp_path / "length.warc"
    w = _pages(path, 3, gzip_=False)
    data = path.read_bytes()
    rec = data[w.offsets[1] : w.offsets[2]]
    m = re.search(rb"Content-Length: (\d+)", rec)
    assert m
    shorter = rec.replace(m.group(0), b"Content-Length: " + str(int(m.group(1)) - 7).encode())
    path.write_bytes(data[: w.offsets[1]] + shorter + data[w.offsets[2] :])
    items = _read(path)
    s = _summary(items)
    assert s["doc"] == 2 and s["quarantine:truncated"] == 1
    assert [i.hints.url for i in items if isinstance(i, RawDoc)][-1].endswith("story-2")


def test_unparseable_http_block_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "http.warc.gz"
    w = Writer(path)
    w.response(news_page(0))
    w.raw_response("https://harbor.example/x", b"NOT HTTP AT ALL\r\n\r\n<html></html>")
    w.response(news_page(2))
    w.close()
    items = _read(path)
    assert _summary(items) == {"doc": 2, "quarantine:bad_record": 1}
    assert items[1].input_ref == f"{path}@{w.offsets[1]}"
    assert "unparseable HTTP status line" in items[1].message  # type: ignore[union-attr]


def test_whole_file_gzipped_as_one_member_is_read_in_full(tmp_path: Path) -> None:
    plain = tmp_path / "all.warc"
    _pages(plain, 4, gzip_=False)
    path = tmp_path / "all.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    items = _read(path)
    assert _summary(items) == {"doc": 4}
    assert len({i.input_ref for i in items}) == 4


def test_oversized_body_is_quarantined_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    w = Writer(path)
    w.response(Page("https://harbor.example/huge", b"<html>" + b"x" * 2_000_000))
    w.response(news_page(1))
    w.close()
    items = _read(path, max_bytes=100_000)
    assert _summary(items) == {"quarantine:too_large": 1, "doc": 1}


def test_domain_and_url_filters_skip_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "f.warc.gz"
    w = Writer(path)
    for host in ("harbor.example", "news.harbor.example", "other.example", "spam.example"):
        w.response(news_page(1, host=host))
    w.response(Page("https://harbor.example/video/clip-1", news_page(9).body))
    w.close()
    f = Filters(
        domains=("harbor.example", "other.example"),
        exclude_domains=("other.example",),
        exclude_url_patterns=(r"/video/",),
    )
    items = _read(path, _src(path, filters=f))
    assert _summary(items) == {"doc": 2, "skip:domain_filtered": 2, "skip:url_filtered": 1}


def test_listing_resolves_against_base_and_refuses_escapes(tmp_path: Path) -> None:
    base = tmp_path / "crawl"
    (base / "segments" / "a").mkdir(parents=True)
    _pages(base / "segments" / "a" / "one.warc.gz", 2)
    _pages(base / "segments" / "a" / "two.warc.gz", 1)
    listing = tmp_path / "lists" / "warc.paths.gz"
    listing.parent.mkdir()
    lines = [
        "segments/a/one.warc.gz",
        "",
        "# a comment",
        "segments/a/two.warc.gz",
        "../../etc/passwd",
        "/etc/passwd",
        "segments/a/missing.warc.gz",
    ]
    listing.write_bytes(gzip.compress("\n".join(lines).encode()))
    src = _src(listing, base=str(base))
    locs = list(warc.locations(src))
    assert locs[:2] == [f"{base}/segments/a/one.warc.gz", f"{base}/segments/a/two.warc.gz"]
    assert len(locs) == 5
    assert all(is_archive(src, loc) for loc in locs)  # one WARC file, one unit of work
    items = [i for loc in locs for i in warc.read(loc, src, 10**6)]
    assert _summary(items) == {"doc": 3, "quarantine:unreadable": 3}
    assert list(warc.locations(_src(listing, base=str(base), max_files=1))) == locs[:1]


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with Range support, as object stores and Common Crawl's CDN answer."""

    requests: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        _RangeHandler.requests.append(f"{self.path} {self.headers.get('Range')}")
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        m = re.match(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if not m:
            self.send_error(400, "range required")
            return
        start = int(m.group(1))
        end = min(int(m.group(2) or len(data) - 1), len(data) - 1)
        if start >= len(data):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.wfile.write(data[start : end + 1])


@pytest.fixture
def http_base(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()

    def handler(*a: object, **k: object) -> _RangeHandler:
        return _RangeHandler(*a, directory=str(root), **k)  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/crawl", root
    finally:
        server.shutdown()
        server.server_close()


def test_listing_over_http_reads_with_range_requests_and_survives_damage(
    tmp_path: Path, http_base: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.sources import remote

    url, root = http_base
    (root / "crawl").mkdir()
    w = _pages(root / "crawl" / "a.warc.gz", 8)
    data = bytearray((root / "crawl" / "a.warc.gz").read_bytes())
    data[w.offsets[5] + 40 : w.offsets[5] + 80] = b"\xff" * 40
    (root / "crawl" / "a.warc.gz").write_bytes(bytes(data))
    listing = tmp_path / "warc.paths"
    listing.write_text("a.warc.gz\nnope.warc.gz\n")
    # Small blocks, so one file takes many range requests and resync crosses blocks.
    monkeypatch.setattr(remote.HttpRangeFile.__init__, "__defaults__", (4096, 10.0, 1, "t"))
    _RangeHandler.requests.clear()
    src = _src(listing, base=url)
    items = [i for loc in warc.locations(src) for i in warc.read(loc, src, 10**6)]
    assert _summary(items) == {"doc": 7, "quarantine:bad_record": 1, "quarantine:unreadable": 1}
    assert items[5].input_ref == f"{url}/a.warc.gz@{w.offsets[5]}"
    assert "HTTP 404" in items[-1].message  # type: ignore[union-attr]
    assert len([r for r in _RangeHandler.requests if "a.warc.gz" in r]) > 3
    assert all("bytes=" in r for r in _RangeHandler.requests)


def test_ingest_of_warcs_reconciles_and_records_skips(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    _mixed(tmp_path / "w" / "a.warc.gz", True)
    w = Writer(tmp_path / "w" / "b.warc.gz")
    w.response(news_page(1))  # the same page as in a.warc.gz: a duplicate
    w.response(news_page(7, host="other.example"))
    w.response(news_page(8, host="harbor.example"))
    w.close()
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "sources": [
                {
                    "name": "cc",
                    "type": "warc",
                    "paths": [str(tmp_path / "w")],
                    "filters": {"exclude_domains": ["other.example"], "languages": ["en"]},
                }
            ],
        }
    )
    s = run_ingest(cfg, date(2026, 11, 20))
    assert s.reconciles()
    assert (s.inputs, s.written, s.duplicates, s.quarantined, s.skipped) == (14, 4, 1, 0, 9)
    assert s.by_skip["domain_filtered"] == 1
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT url, input_format, fetched_at IS NOT NULL FROM articles ORDER BY url"
    ).fetchall()
    assert [r[0] for r in rows] == [
        "https://harbor.example/news/story-1",
        "https://harbor.example/news/story-2",
        "https://harbor.example/news/story-3",
        "https://harbor.example/news/story-8",
    ]
    assert all(r[1] == "warc" and r[2] for r in rows)
    skipped = con.execute(
        "SELECT skipped, list_sort([s.reason || '=' || s.count FOR s IN by_skip]) FROM runs"
    ).fetchone()
    assert skipped is not None and skipped[0] == 9
    assert "revisit=1" in skipped[1] and "http_status=2" in skipped[1]


def test_language_filter_applies_after_extraction(tmp_path: Path) -> None:
    from tests.conftest import article_html

    german = [
        "Der Gemeinderat hat am Dienstag nach langer Debatte beschlossen, die alte Brücke über "
        "den Fluss im kommenden Frühjahr vollständig zu sanieren und für Radfahrer zu öffnen.",
        "Die Kosten von rund vier Millionen Euro sollen zwischen der Stadt und dem Land "
        "aufgeteilt werden, wobei ein kleiner Teil aus Fördermitteln des Bundes stammen soll.",
        "Anwohner begrüßten die Entscheidung, fürchten aber monatelange Umleitungen und Lärm "
        "während der Bauarbeiten, die bis zum Ende des nächsten Jahres dauern könnten.",
    ]
    path = tmp_path / "l.warc.gz"
    w = Writer(path)
    w.response(news_page(1))
    page = article_html("Brücke wird saniert", "https://harbor.example/de/1", german, lang="de")
    w.response(Page("https://harbor.example/de/1", page.encode()))
    w.close()
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "sources": [
                {
                    "name": "cc",
                    "type": "warc",
                    "paths": [str(path)],
                    "filters": {"languages": ["de"]},
                }
            ],
        }
    )
    s = run_ingest(cfg, date(2026, 11, 20))
    assert (s.written, s.skipped, dict(s.by_skip)) == (1, 1, {"language_filtered": 1})
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    kept = con.execute("SELECT url, language FROM articles").fetchall()
    assert kept == [("https://harbor.example/de/1", "de")], "the German page is the one kept"


# -- the real samples in ../shared/corpus/warc (skipped when absent) ------------------------------

SAMPLES = SHARED / "corpus" / "warc"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/corpus/warc absent")


@needs_samples
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("warcio/example.warc.gz", {"doc": 1, "skip:revisit": 1, "skip:not_response": 4}),
        ("warcio/example.arc.gz", {"doc": 1, "skip:not_response": 1}),
        ("warcio/example-iana.org-chunked.warc", {"doc": 1, "skip:not_response": 2}),
        ("warcio/post-test.warc.gz", {"skip:not_html": 3, "skip:not_response": 3}),
        ("resiliparse/cc-2020-08-sample.warc.gz", {"doc": 16, "skip:not_response": 34}),
        ("resiliparse/damaged/clipped.warc.gz", {"quarantine:truncated": 1}),
        ("warcio/damaged/example-trunc.warc", {"quarantine:truncated": 1, "skip:not_response": 3}),
        (
            "warcio/damaged/example-bad-non-chunked.warc.gz",
            {"doc": 1, "skip:revisit": 1, "skip:not_response": 4},
        ),
        (
            # The last member starts with blank lines: the request record in it is lost.
            "warcio/damaged/example-wrong-chunks.warc.gz",
            {"quarantine:truncated": 1, "quarantine:bad_record": 2},
        ),
    ],
)
def test_real_samples(name: str, expected: dict[str, int]) -> None:
    assert _summary(_read(SAMPLES / name)) == expected


@needs_samples
def test_every_real_sample_reads_without_raising() -> None:
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and warc._is_warc(p.name))
    assert len(files) >= 15
    for f in files:
        items = _read(f)
        assert items, f


def test_resync_ignores_gzip_magic_inside_data(tmp_path: Path) -> None:
    """A gzip header inside a page body must not be taken for the next record."""
    path = tmp_path / "magic.warc.gz"
    w = Writer(path)
    w.response(news_page(0))
    body = b"<html><body>" + b"\x1f\x8b\x08" * 50 + b"</body></html>"
    w.response(Page("https://harbor.example/weird", body))
    w.response(news_page(2))
    w.close()
    data = bytearray(path.read_bytes())
    data[w.offsets[1] + 30 : w.offsets[1] + 60] = b"\x00" * 30
    path.write_bytes(bytes(data))
    items = _read(path)
    assert _summary(items) == {"doc": 2, "quarantine:bad_record": 1}
    assert zlib  # the module is used above through gzip; keeps the import honest


def test_cli_ingests_warc_files_given_as_paths(tmp_path: Path) -> None:
    from pipeline.cli import main

    path = tmp_path / "crawl.warc.gz"
    _mixed(path, True)
    lake = tmp_path / "lake"
    args = ["ingest", str(path), "--lake", str(lake), "--date", "2026-11-20", "--no-progress"]
    assert main(args) == 0
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    assert con.execute("SELECT source, count(*) FROM articles GROUP BY 1").fetchall() == [
        ("crawl", 3)
    ]
    mixed = ["ingest", str(path), str(tmp_path), "--lake", str(lake), "--no-progress"]
    assert main(mixed) == 2  # WARCs and other inputs are separate sources


# -- issue 15: damage never sends the reader back, garbage is one row ---------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("length", [0, 3, 10, 100, 300, 600])
def test_a_lying_content_length_in_a_gzip_member_costs_that_record_only(
    tmp_path: Path, which: int, length: int
) -> None:
    """Once looped forever: warcio's offset ran back before the damaged member, and the resync
    found the same member again and again."""
    path = tmp_path / "lie.warc.gz"
    w = _pages(path, 4)
    data = path.read_bytes()
    rec = gzip.decompress(data[w.offsets[which] : w.offsets[which + 1]])
    m = re.search(rb"Content-Length: (\d+)", rec)
    assert m
    lied = gzip.compress(rec.replace(m.group(0), b"Content-Length: %d" % length))
    path.write_bytes(data[: w.offsets[which]] + lied + data[w.offsets[which + 1] :])
    items = _read(path)
    refs = [i.input_ref for i in items]
    assert len(items) == 4 and len(set(refs)) == 4  # one item per record, none twice
    offsets = [int(r.rsplit("@", 1)[1]) for r in refs]
    assert offsets == sorted(offsets)
    docs = [i for i in items if isinstance(i, RawDoc)]
    assert len(docs) == 3 and isinstance(items[which], Rejected)


def test_a_gzip_that_is_not_a_warc_is_one_quarantine_row(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc.gz"
    path.write_bytes(gzip.compress(b"just some notes, one line after another\n" * 2000))
    [item] = _read(path)
    assert isinstance(item, Rejected) and item.reason == "bad_record"
    assert item.input_ref == f"{path}@0" and item.message.startswith("not a WARC/ARC file")
    plain = tmp_path / "notes.warc"
    plain.write_bytes(b"just some notes, one line after another\n" * 2000)
    assert _summary(_read(plain)) == {"quarantine:bad_record": 1}


def test_a_file_cut_inside_its_first_member_is_a_truncated_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    w = _pages(path, 2)
    path.write_bytes(path.read_bytes()[: w.offsets[1] // 3])
    assert _summary(_read(path)) == {"quarantine:truncated": 1}


def test_a_record_without_content_type_is_html_only_if_it_looks_like_html(tmp_path: Path) -> None:
    path = tmp_path / "untyped.warc.gz"
    w = Writer(path)
    w.response(Page("https://harbor.example/news/page", news_page(1).body, ""))
    w.response(Page("https://harbor.example/api/story.json", b'{"story": 1}', ""))
    w.close()
    assert _summary(_read(path)) == {"doc": 1, "skip:not_html": 1}


# -- fastwarc while the file is clean, warcio from the damage on -----------------------------


def _same_items(path: Path) -> tuple[list[tuple[object, ...]], warc._Reader]:
    """The items of both paths, which must be equal, and the fast path's reader."""

    def key(i: Item) -> tuple[object, ...]:
        if isinstance(i, RawDoc):
            return ("doc", i.input_ref, i.html, i.hints, i.charset)
        if isinstance(i, Skipped):
            return ("skip", i.input_ref, i.reason)
        return ("quarantine", i.input_ref, i.reason, i.message)

    reader = warc._Reader(str(path), "cc", 1_000_000, _src(path))
    fast = [key(i) for i in reader.read()]
    slow = [key(i) for i in warc.read(str(path), _src(path), 1_000_000, fast=False)]
    assert fast == slow
    return fast, reader


@pytest.mark.parametrize("gzip_", [True, False], ids=["gzip", "plain"])
def test_fastwarc_reads_a_clean_file_as_warcio_does(tmp_path: Path, gzip_: bool) -> None:
    path = tmp_path / ("mixed.warc.gz" if gzip_ else "mixed.warc")
    _mixed(path, gzip_)
    items, reader = _same_items(path)
    assert len(items) == 11
    # All but the last record come from fastwarc; warcio re-reads the last to check the end.
    assert (reader.fast_records, reader.handed_over) == (10, False)


def test_a_record_split_over_two_gzip_members_is_handed_to_warcio(tmp_path: Path) -> None:
    path = tmp_path / "split.warc.gz"
    w = _pages(path, 4)
    data = path.read_bytes()
    rec = gzip.decompress(data[w.offsets[1] : w.offsets[2]])
    split = gzip.compress(rec[:600]) + gzip.compress(rec[600:])  # fastwarc reads on through
    path.write_bytes(data[: w.offsets[1]] + split + data[w.offsets[2] :])
    items, reader = _same_items(path)
    assert [i[0] for i in items] == ["doc", "quarantine", "quarantine", "doc", "doc"]
    assert reader.handed_over and reader.fast_records == 0


@pytest.mark.parametrize("damage", ["cut", "corrupt", "lie"])
def test_fastwarc_and_warcio_agree_on_damaged_files(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "damaged.warc.gz"
    w = _pages(path, 5)
    data = bytearray(path.read_bytes())
    if damage == "cut":
        data = data[: w.offsets[3] + 200]
    elif damage == "corrupt":
        data[w.offsets[2] + 30 : w.offsets[2] + 90] = b"\x00" * 60
    else:
        rec = gzip.decompress(bytes(data[w.offsets[2] : w.offsets[3]]))
        rec = re.sub(rb"Content-Length: (\d+)", b"Content-Length: 99999", rec, count=1)
        data = data[: w.offsets[2]] + gzip.compress(rec) + data[w.offsets[3] :]
    path.write_bytes(bytes(data))
    items, reader = _same_items(path)
    assert reader.handed_over and any(i[0] == "quarantine" for i in items)


# -- shapes of the real samples, generated: ARC, chunked HTTP, a record split in two ------------


@pytest.mark.parametrize("gzip_members", [False, True])
def test_arc_files_are_read_record_by_record(tmp_path: Path, gzip_members: bool) -> None:
    from tests.warcgen import write_arc

    path = tmp_path / ("crawl.arc.gz" if gzip_members else "crawl.arc")
    logo = Page("https://harbor.example/logo.png", b"\x89PNG\r\n\x1a\n....", "image/png")
    offsets = write_arc(path, [news_page(1), logo, news_page(2)], gzip_members)
    items = _read(path)
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [
        ("Skipped", "not_response"),  # the filedesc header
        ("RawDoc", None),
        ("Skipped", "not_html"),
        ("RawDoc", None),
    ]
    assert [i.input_ref for i in items] == [f"{path}@{o}" for o in offsets]
    docs = [i for i in items if isinstance(i, RawDoc)]
    assert [d.hints.url for d in docs] == [news_page(1).url, news_page(2).url]
    assert [d.html for d in docs] == [news_page(1).body, news_page(2).body]
    assert {d.hints.fetched_at for d in docs} == {"2026-11-20T10:00:00Z"}  # the ARC date


@pytest.mark.parametrize("gzip_", [False, True])
def test_chunked_http_bodies_are_dechunked(tmp_path: Path, gzip_: bool) -> None:
    from tests.warcgen import chunked_response

    path = tmp_path / ("chunked.warc.gz" if gzip_ else "chunked.warc")
    w = Writer(path, gzip=gzip_)
    w.response(news_page(0))
    chunked_response(w, news_page(1))
    w.response(news_page(2))
    w.close()
    items = _read(path)
    assert _summary(items) == {"doc": 3}
    doc = items[1]
    assert isinstance(doc, RawDoc) and doc.input_ref == f"{path}@{w.offsets[1]}"
    assert doc.html == news_page(1).body, "the body as the server meant it, no chunk sizes"


def test_a_record_split_across_gzip_members_costs_that_record_only(tmp_path: Path) -> None:
    """The shape of warcio's example-wrong-chunks: headers in one member, the body in the next."""
    from tests.warcgen import split_across_members

    path = tmp_path / "split.warc.gz"
    w = Writer(path)
    w.response(news_page(0))
    split_across_members(w, news_page(1))
    w.response(news_page(2))
    w.response(news_page(3))
    w.close()
    items = _read(path)
    refs = [i.input_ref for i in items]
    offsets = [int(r.rsplit("@", 1)[1]) for r in refs]
    assert offsets == sorted(offsets) and len(set(refs)) == len(refs), "forward, never twice"
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [
        ("RawDoc", None),
        ("Rejected", "truncated"),  # the record's headers, its body missing from the member
        ("Rejected", "bad_record"),  # the orphaned body, skipped up to the next record
        ("RawDoc", None),
        ("RawDoc", None),
    ]
    assert [i.input_ref for i in items if isinstance(i, RawDoc)] == [
        f"{path}@{w.offsets[k]}" for k in (0, 2, 3)
    ]
    assert "skipped" in items[2].message  # type: ignore[union-attr]
