"""Issue 15, the reader side: a hostile corpus is read with every input accounted for, nothing
raised, nothing hung and nothing read from outside the input folder; arbitrary bytes never raise
out of a reader nor loop; and `broadsheet ingest` publishes such a folder with every good article.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import FilesSource, JsonlFields, WarcSource
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.sources import html, jsonl, read_source, text, warc
from pipeline.sources.files import lines, path_of, ref_of
from tests.conftest import REPO
from tests.hostile import MARKER, Manifest, story, write_hostile_corpus
from tests.warcgen import Page, Writer

Item = RawDoc | Rejected | Skipped
MAX_BYTES = 10_000_000  # the CLI's default extract.max_bytes
PROPERTY = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return write_hostile_corpus(tmp_path_factory.mktemp("hostile"))


def _kind(item: Item) -> str:
    if isinstance(item, RawDoc):
        return "doc"
    return f"{'skipped' if isinstance(item, Skipped) else 'quarantined'}:{item.reason}"


# -- the corpus, reader by reader ----------------------------------------------------------------


@pytest.mark.timeout(120)
def test_readers_account_for_every_hostile_input(corpus: Manifest) -> None:
    src = FilesSource(name="hostile", paths=(corpus.root,))
    t0 = time.monotonic()
    items = list(read_source(src, MAX_BYTES))
    elapsed = time.monotonic() - t0
    refs = [i.input_ref for i in items]
    assert len(refs) == len(set(refs)), Counter(refs).most_common(3)
    assert set(refs) == corpus.refs, (set(refs) - corpus.refs, corpus.refs - set(refs))
    got = {i.input_ref: i for i in items}
    for case in corpus.cases:
        item = got[case.ref]
        if case.outcome == "skipped":
            assert isinstance(item, Skipped) and item.reason == case.reason, (case, item)
        elif case.stage == "read":
            assert isinstance(item, Rejected), (case, _kind(item))
            assert (item.stage, item.reason) == ("read", case.reason), (case, item.message)
        else:
            assert isinstance(item, RawDoc), (case, _kind(item))
    # Input references are text Parquet can store, naming the exact file.
    for ref in refs:
        ref.encode("utf-8")
        assert not re.search(r"[\x00-\x1f]", ref)
    assert any("%FF%FE" in r for r in refs) and any("100%25-local" in r for r in refs)
    # Nothing from outside the input folder was read; nothing hung; no bomb was read whole.
    assert not any(MARKER in repr(i) for i in items)
    assert elapsed < 30, f"reading the hostile corpus took {elapsed:.1f}s"


@pytest.mark.timeout(60)
def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO blocks until a writer comes: a reader that tried would hang here."""
    os.mkfifo(tmp_path / "pipe.html")
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.warc.gz")
    named = tmp_path / "named.jsonl"
    os.mkfifo(named)
    src = FilesSource(name="s", paths=(tmp_path, named))
    out = sorted((Path(i.input_ref).name, _kind(i)) for i in read_source(src, MAX_BYTES))
    assert out == [
        ("named.jsonl", "quarantined:special_file"),
        ("named.jsonl", "quarantined:special_file"),  # the folder lists it, and so does its path
        ("pipe.html", "quarantined:special_file"),
        ("pipe.txt", "quarantined:special_file"),
        ("pipe.warc.gz", "quarantined:special_file"),
    ]
    # Called directly, each reader refuses it too (a FIFO that appeared after discovery).
    p = tmp_path / "pipe.html"
    assert html.read(p, "s", MAX_BYTES).reason == "special_file"  # type: ignore[union-attr]
    assert [_kind(i) for i in text.read(p, "s", MAX_BYTES)] == ["quarantined:special_file"]
    assert [_kind(i) for i in jsonl.read(p, "s", JsonlFields(), MAX_BYTES)] == [
        "quarantined:special_file"
    ]
    wsrc = WarcSource(name="w", type="warc", paths=(tmp_path,))
    assert [_kind(i) for i in warc.read(str(p), wsrc, MAX_BYTES)] == ["quarantined:special_file"]


def _big_blank_file(path: Path, mb: int) -> Path:
    with open(path, "wb") as fh:
        for _ in range(mb):
            fh.write(b"\n" * (1 << 20))
    return path


@pytest.mark.timeout(60)
def test_a_reader_that_makes_no_progress_is_stopped_with_a_timeout_row(tmp_path: Path) -> None:
    blank = _big_blank_file(tmp_path / "blank.txt", 100)
    os.link(blank, tmp_path / "blank.jsonl")
    # A plain WARC: a good record, a damaged one, then 100 MB with no record start to find.
    w = Writer(tmp_path / "slow.warc", gzip=False)
    w.response(Page(story(1).url, b"<html><body><p>ok</p></body></html>"))
    w.raw(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: x\r\n\r\n")
    w.raw(b"x" * (100 << 20))
    w.close()
    wsrc = WarcSource(name="w", type="warc", paths=(tmp_path,))
    t0 = time.monotonic()
    t_items = list(text.read(blank, "s", 200 << 20, deadline_s=0.05))
    j_items = list(jsonl.read(tmp_path / "blank.jsonl", "s", JsonlFields(), 10, deadline_s=0.02))
    w_items = list(warc.read(str(tmp_path / "slow.warc"), wsrc, MAX_BYTES, deadline_s=0.01))
    h_item = html.read(blank, "s", MAX_BYTES, deadline_s=0.0)
    elapsed = time.monotonic() - t0
    assert [(_kind(i), i.input_ref) for i in t_items] == [("quarantined:timeout", ref_of(blank))]
    assert [(_kind(i), i.input_ref) for i in j_items] == [
        ("quarantined:timeout", f"{ref_of(tmp_path / 'blank.jsonl')}:1")
    ]
    assert [_kind(i) for i in w_items] == ["doc", "quarantined:timeout"]
    assert w_items[1].input_ref == f"{ref_of(tmp_path / 'slow.warc')}@{w.offsets[1]}"
    assert isinstance(h_item, Rejected) and h_item.reason == "timeout"
    assert elapsed < 10


@pytest.mark.timeout(60)
def test_newline_floods_are_read_in_seconds_and_capped(tmp_path: Path) -> None:
    flood = _big_blank_file(tmp_path / "flood.txt", 50)
    os.link(flood, tmp_path / "flood.jsonl")
    t0 = time.monotonic()
    [capped] = text.read(flood, "s", MAX_BYTES)
    [whole] = text.read(flood, "s", 60 << 20)
    assert list(jsonl.read(tmp_path / "flood.jsonl", "s", JsonlFields(), MAX_BYTES)) == []
    elapsed = time.monotonic() - t0
    assert isinstance(capped, Rejected) and capped.reason == "too_large"
    assert isinstance(whole, RawDoc) and whole.text is not None and not whole.text.strip()
    assert elapsed < 15, f"{elapsed:.1f}s for 150 MB of empty lines"


def test_decompression_bombs_stop_at_the_ratio_cap(tmp_path: Path) -> None:
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    with open(tmp_path / "b.txt.gz", "wb") as fh:
        for _ in range(64):
            fh.write(comp.compress(b"\n" * (1 << 20)))
        fh.write(comp.flush())
    [item] = text.read(tmp_path / "b.txt.gz", "s", 100 << 20)
    assert isinstance(item, Rejected) and item.reason == "too_large"
    assert "decompression bomb" in item.message


@pytest.mark.parametrize("shape", ["txt", "jsonl"])
def test_zstd_bombs_stop_at_the_ratio_cap(tmp_path: Path, shape: str) -> None:
    """64 MB of one byte in a few KB of zstd: stopped once past 16 MiB at over 200 times the
    compressed bytes, well under the byte cap (100 MB), and without reading it all."""
    path = tmp_path / f"b.{shape}.zst"
    with open(path, "wb") as fh:
        w = zstandard.ZstdCompressor(level=3).stream_writer(fh, closefd=False)
        block = b"\n" * (1 << 20) if shape == "txt" else b"{" * (1 << 20)
        for _ in range(64):
            w.write(block)
        w.flush(zstandard.FLUSH_FRAME)
    assert path.stat().st_size < (64 << 20) // 200
    reader = (
        text.read(path, "s", 100 << 20)
        if shape == "txt"
        else jsonl.read(path, "s", JsonlFields(), 100 << 20)
    )
    items = list(reader)
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [
        ("Rejected", "too_large")
    ]
    assert "decompression bomb" in items[0].message  # type: ignore[union-attr]


def test_truncated_zstd_is_unreadable_not_silently_short(tmp_path: Path) -> None:
    body = "\n".join(json.dumps({"text": story(i).text}) for i in range(40)).encode()
    data = zstandard.ZstdCompressor().compress(body)
    (tmp_path / "cut.jsonl.zst").write_bytes(data[: len(data) // 2])
    out = list(jsonl.read(tmp_path / "cut.jsonl.zst", "s", JsonlFields(), MAX_BYTES))
    assert isinstance(out[-1], Rejected) and out[-1].reason == "unreadable"
    assert "cut short" in out[-1].message
    # Frames after the first are read too (zstd files made of several frames).
    two = zstandard.ZstdCompressor().compress(b'{"text": "a"}\n')
    (tmp_path / "two.jsonl.zst").write_bytes(two + two)
    assert len(list(jsonl.read(tmp_path / "two.jsonl.zst", "s", JsonlFields(), 100))) == 2


# -- lossless input references -----------------------------------------------------------------

_NAME = st.binary(min_size=1, max_size=40).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
)


@PROPERTY
@given(name=_NAME)
def test_input_refs_round_trip_any_file_name(name: bytes) -> None:
    path = Path(os.fsdecode(b"/data/in/" + name))
    ref = ref_of(path)
    ref.encode("utf-8")  # Parquet stores it
    assert not re.search(r"[\x00-\x1f\x7f\udc80-\udcff]", ref)
    assert os.fsencode(path_of(ref)) == b"/data/in/" + name
    assert path_of(ref) == path


def test_input_refs_of_ordinary_names_are_their_paths() -> None:
    assert ref_of(Path("/d/news/a b-ü.html")) == "/d/news/a b-ü.html"
    assert ref_of(Path("/d/100%.html")) == "/d/100%25.html"
    assert path_of("/d/100%25.html") == Path("/d/100%.html")
    assert ref_of(Path(os.fsdecode(b"/d/\xff.html"))) == "/d/%FF.html"


def test_a_file_with_an_undecodable_name_is_read_under_its_escaped_ref(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/\xff\xfe-caf\xe9.html"
    with open(raw, "wb") as fh:
        fh.write(b"<html><body><p>bonjour</p></body></html>")
    [item] = read_source(FilesSource(name="s", paths=(tmp_path,)), MAX_BYTES)
    assert isinstance(item, RawDoc) and item.input_ref.endswith("/%FF%FE-caf%E9.html")
    assert os.fsencode(path_of(item.input_ref)) == raw


# -- arbitrary bytes, reader by reader -----------------------------------------------------------

_TEXTISH = st.lists(
    st.sampled_from(
        [b"=====\n", b"  ======= \r\n", b"\n", b" \t\n", b"Word and word. ", b"URL: x\n", b"\xff"]
        + [b"\x00", b"=" * 5, b"\r", b"Headline\n\n", b'{"text": "a"}\n', b"[" * 50]
    ),
    max_size=60,
).map(b"".join)
_BYTES = st.one_of(st.binary(max_size=3000), _TEXTISH)
_WRAP = st.sampled_from(["plain", "gzip", "zstd", "gzip-cut", "zstd-cut", "garbage-gz"])


def _wrapped(data: bytes, how: str) -> tuple[bytes, str]:
    if how == "plain":
        return data, ""
    if how.startswith("gzip"):
        z = gzip.compress(data, mtime=0)
        return (z[: len(z) // 2] if how.endswith("cut") else z), ".gz"
    if how.startswith("zstd"):
        z = zstandard.ZstdCompressor().compress(data)
        return (z[: len(z) // 2] if how.endswith("cut") else z), ".zst"
    return data, ".gz"  # raw bytes under a .gz name


@contextlib.contextmanager
def _file(name: str, payload: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(payload)
        yield p


def _old_text_split(data: bytes, max_bytes: int) -> list[tuple[str, bytes | None]]:
    """The line-by-line splitter the block reader replaced: (suffix, bytes or None if too large)."""
    delim = re.compile(rb"^\s*={5,}\s*$")
    out: list[tuple[str, bytes | None]] = []
    buf: list[bytes] = []
    size, too_large, multi, n = 0, False, False, 0
    for line in io.BytesIO(data):
        if delim.match(line):
            multi, n = True, n + 1
            out.append((f"#{n}", None if too_large else b"".join(buf)))
            buf, size, too_large = [], 0, False
            continue
        size += len(line)
        if size > max_bytes:
            too_large, buf = True, []
        elif not too_large:
            buf.append(line)
    if multi:
        if too_large or any(b.strip() for b in buf):
            out.append((f"#{n + 1}", None if too_large else b"".join(buf)))
    else:
        out.append(("", None if too_large else b"".join(buf)))
    return out


@PROPERTY
@given(data=_BYTES, how=_WRAP, max_bytes=st.sampled_from([40, 1000, 10**6]))
def test_text_reader_never_raises_nor_loops(data: bytes, how: str, max_bytes: int) -> None:
    payload, ext = _wrapped(data, how)
    with _file(f"x.txt{ext}", payload) as p:
        t0 = time.monotonic()
        items = list(text.read(p, "s", max_bytes, deadline_s=5))
        assert time.monotonic() - t0 < 5
        base = ref_of(p)
    assert items and len({i.input_ref for i in items}) == len(items)
    if how in ("plain", "gzip", "zstd"):
        # Reading in blocks splits exactly as reading line by line did.
        want = _old_text_split(data, max_bytes)
        assert [i.input_ref for i in items] == [base + suffix for suffix, _ in want]
        for item, (_, content) in zip(items, want, strict=True):
            if content is None:
                assert isinstance(item, Rejected) and item.reason == "too_large"
            elif isinstance(item, RawDoc):
                assert item.text == text.decode_text(content)
            else:
                assert item.reason == "decode_error" and text.decode_text(content) is None


def _nonblank_lines(data: bytes, max_line: int) -> list[tuple[int, bytes | None]]:
    out: list[tuple[int, bytes | None]] = []
    for k, line in enumerate(data.split(b"\n"), 1):
        if line.strip():
            full = line + b"\n" if k < data.count(b"\n") + 1 else line
            out.append((k, full if len(line) <= max_line else None))
    return out


@PROPERTY
@given(data=_BYTES, max_line=st.integers(1, 200), cuts=st.lists(st.integers(1, 300), max_size=20))
def test_line_splitting_does_not_depend_on_block_boundaries(
    data: bytes, max_line: int, cuts: list[int]
) -> None:
    blocks, pos = [], 0
    for c in cuts:
        blocks.append(data[pos : pos + c])
        pos += c
    blocks.append(data[pos:])
    assert list(lines(iter(blocks), max_line)) == _nonblank_lines(data, max_line)


@PROPERTY
@given(data=_BYTES, how=_WRAP)
def test_jsonl_reader_never_raises_nor_loops(data: bytes, how: str) -> None:
    payload, ext = _wrapped(data, how)
    with _file(f"x.jsonl{ext}", payload) as p:
        t0 = time.monotonic()
        items = list(jsonl.read(p, "s", JsonlFields(), 200, deadline_s=5))
        assert time.monotonic() - t0 < 5
        base = ref_of(p)
    assert len({i.input_ref for i in items}) == len(items)
    if how in ("plain", "gzip", "zstd"):
        want = _nonblank_lines(data, 200)
        assert [i.input_ref for i in items] == [f"{base}:{k}" for k, _ in want]
        assert all(
            i.reason == "too_large" for i, (_, c) in zip(items, want, strict=True) if c is None
        )  # type: ignore[union-attr]


@PROPERTY
@given(data=_BYTES, how=_WRAP)
def test_html_reader_never_raises(data: bytes, how: str) -> None:
    payload, ext = _wrapped(data, how)
    with _file(f"x.html{ext}", payload) as p:
        item = html.read(p, "s", 1000, deadline_s=5)
    if how in ("plain", "gzip", "zstd") and len(data) <= 1000:
        assert isinstance(item, RawDoc) and item.html == data
    elif how in ("gzip-cut", "zstd-cut") and data:
        assert isinstance(item, Rejected) and item.reason in ("unreadable", "too_large")
    elif how != "garbage-gz" or len(data) > 1000:
        assert isinstance(item, Rejected)


def _small_warc(path: Path, gz: bool) -> None:
    w = Writer(path, gzip=gz)
    w.warcinfo()
    for i in range(3):
        s = story(i)
        w.response(Page(s.url, f"<html><body><p>{s.text}</p></body></html>".encode()))
    w.close()


_WARC_GZ: dict[bool, bytes] = {}


def _warc_bytes(gz: bool) -> bytes:
    if gz not in _WARC_GZ:
        with tempfile.TemporaryDirectory() as d:
            _small_warc(Path(d) / "w.warc", gz)
            _WARC_GZ[gz] = (Path(d) / "w.warc").read_bytes()
    return _WARC_GZ[gz]


def _order(ref: str) -> tuple[int, int]:
    at = ref.rsplit("@", 1)[1]
    start, _, inner = at.partition("+")
    return int(start), int(inner) if inner else -1


@PROPERTY
@given(
    gz=st.booleans(),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["cut", "put", "insert", "length"]),
            st.floats(0, 1),
            st.binary(max_size=40),
        ),
        max_size=4,
    ),
    extra=st.binary(max_size=400),
)
def test_warc_reader_never_raises_loops_or_goes_back(
    gz: bool, edits: list[tuple[str, float, bytes]], extra: bytes
) -> None:
    data = bytearray(_warc_bytes(gz))
    for op, where, blob in edits:
        i = int(where * len(data))
        if op == "cut":
            del data[i:]
        elif op == "put":
            data[i : i + len(blob)] = blob
        elif op == "insert":
            data[i:i] = blob
        else:  # a lying Content-Length somewhere (plain files) or anywhere
            data = bytearray(
                re.sub(
                    rb"Content-Length: \d+",
                    b"Content-Length: " + str(len(blob)).encode(),
                    bytes(data),
                    count=1,
                )
            )
    data += extra
    src = WarcSource(name="w", type="warc", paths=(Path("/"),))
    with _file("x.warc.gz" if gz else "x.warc", bytes(data)) as p:
        t0 = time.monotonic()
        items = list(warc.read(ref_of(p), src, 10**6, deadline_s=5))
        assert time.monotonic() - t0 < 5
    refs = [i.input_ref for i in items]
    assert (items or not data.strip()) and len(set(refs)) == len(refs)
    # A resync always moves forward: every item starts after the previous one.
    order = [_order(r) for r in refs]
    assert order == sorted(order)
    assert len(items) <= 5 + 2 * len(edits) + len(extra) // 30


@PROPERTY
@given(data=st.binary(max_size=3000))
def test_a_gzip_that_is_not_a_warc_is_one_row(data: bytes) -> None:
    if data.lstrip().startswith((b"WARC/", b"filedesc:")):
        return
    src = WarcSource(name="w", type="warc", paths=(Path("/"),))
    with _file("x.warc.gz", gzip.compress(data, mtime=0) if data.strip() else b"\x1f\x8b") as p:
        items = list(warc.read(ref_of(p), src, 10**6, deadline_s=5))
    assert len(items) <= 1
    assert all(isinstance(i, Rejected) and i.reason == "bad_record" for i in items)


_KINDS = st.sampled_from(
    ["file", "fifo", "link-out", "link-in", "link-loop", "link-dir-out", "dir"]
)
_SUFFIX = st.sampled_from([".html", ".txt", ".jsonl", ".warc.gz", ".txt.gz", ".md", ""])


@PROPERTY
@given(
    entries=st.lists(
        st.tuples(_NAME.map(lambda b: b[:20]), _SUFFIX, _KINDS, st.binary(max_size=200)),
        max_size=8,
        unique_by=lambda e: (e[0] + e[1].encode()).lower(),
    )
)
def test_discovery_never_raises_never_leaves_the_root_and_accounts_for_each_name(
    entries: list[tuple[bytes, str, str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as d:
        base = os.fsencode(d)
        root, outside = base + b"/in", base + b"/outside"
        os.mkdir(root)
        os.mkdir(outside)
        with open(outside + b"/secret.html", "wb") as fh:
            fh.write(MARKER.encode())
        expect: dict[str, str | None] = {}
        must: set[str] = set()
        for name, suffix, kind, content in entries:
            full = root + b"/" + name + suffix.encode()
            if name.startswith(b"."):  # hidden names are not inputs (nor created here)
                continue
            if kind == "file":
                with open(full, "wb") as fh:
                    fh.write(content)
            elif kind == "fifo":
                os.mkfifo(full)
            elif kind == "link-out":
                os.symlink(outside + b"/secret.html", full)
            elif kind == "link-in":
                with open(root + b"/.target", "wb") as fh:
                    fh.write(content)
                os.symlink(b".target", full)
            elif kind == "link-loop":
                os.symlink(full, full)
            elif kind == "link-dir-out":
                os.symlink(outside, full)
            else:
                os.mkdir(full)
            shaped = suffix in (".html", ".txt", ".jsonl", ".warc.gz", ".txt.gz")
            reason = {
                "fifo": "special_file",
                "link-out": "outside_root",
                "link-loop": "outside_root",
                "link-dir-out": "outside_root",
            }.get(kind)
            ref = ref_of(os.fsdecode(full))
            listed = (shaped and kind not in ("dir", "link-dir-out")) or (
                kind == "link-dir-out" and not name.startswith(b"_")  # "_" folders: not read
            )
            if listed:
                expect[ref] = reason
            # A page, a text file or a refusal is always an input; a dump or archive may hold none.
            if ref in expect and (reason or suffix in (".html", ".txt", ".txt.gz")):
                must.add(ref)
        src = FilesSource(name="s", paths=(Path(os.fsdecode(root)),))
        items = list(read_source(src, 10**6, deadline_s=5))
    by_file: dict[str, list[Item]] = {}
    for i in items:
        assert MARKER not in repr(i)
        i.input_ref.encode("utf-8")
        by_file.setdefault(re.sub(r"(:\d+|#\d+|@[\d+]+)$", "", i.input_ref), []).append(i)
    assert must <= set(by_file) <= set(expect)
    for ref, reason in expect.items():
        if reason is not None:
            [item] = by_file[ref]
            assert isinstance(item, Rejected) and (item.stage, item.reason) == ("read", reason)


# -- the whole CLI on the hostile corpus ---------------------------------------------------------


def _table(lake: Path, name: str, columns: list[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for f in sorted((lake / name).rglob("*.parquet")):
        rows.extend(pq.read_table(f, columns=columns).to_pylist())
    return rows


@pytest.mark.timeout(300)
def test_cli_publishes_the_hostile_corpus_with_every_input_accounted_for(
    corpus: Manifest, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", str(corpus.root), "--lake", str(lake)]
    cmd += ["--date", "2026-11-25", "--workers", "2", "--json", "--no-progress"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=REPO)
    wall = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr[-4000:]
    summary = json.loads(proc.stdout)
    assert summary["status"] == "published"
    articles = _table(lake, "articles", ["input_ref", "title"])
    dups = _table(lake, "duplicates", ["input_ref"])
    quarantine = _table(lake, "quarantine", ["input_ref", "stage", "reason"])
    where: dict[str, list[str]] = {}
    for table, rows in (("articles", articles), ("duplicates", dups), ("quarantine", quarantine)):
        for r in rows:
            where.setdefault(str(r["input_ref"]), []).append(table)
    # Every input in exactly one table, or counted as skipped with its reason.
    assert {ref: ts for ref, ts in where.items() if len(ts) > 1} == {}
    assert set(where) == {c.ref for c in corpus.cases if c.outcome != "skipped"}
    skipped = corpus.by_outcome("skipped")
    assert summary["skipped"] == len(skipped)
    assert summary["by_skip"] == dict(Counter(c.reason for c in skipped))
    assert summary["inputs"] == len(corpus.cases)
    table_of = {"written": "articles", "duplicate": "duplicates", "quarantined": "quarantine"}
    for c in corpus.cases:
        if c.outcome != "skipped":
            assert where[c.ref] == [table_of[c.outcome]], c
    # Every good document is written, under its own headline.
    titles = {str(r["title"]) for r in articles}
    good = corpus.by_outcome("written")
    assert len(good) >= 30 and all(c.title in titles for c in good if c.title)
    q = {str(r["input_ref"]): (r["stage"], r["reason"]) for r in quarantine}
    for c in corpus.by_outcome("quarantined"):
        if c.stage == "read":
            assert q[c.ref] == ("read", c.reason), c
    # Nothing from outside the input folder anywhere in the lake: no table, report or catalog.
    for f in lake.rglob("*"):
        if f.is_file():
            assert MARKER.encode() not in f.read_bytes(), f
            if f.suffix == ".parquet":
                assert MARKER not in json.dumps(pq.read_table(f).to_pylist(), default=str), f
    assert wall < 180, f"the hostile ingest took {wall:.0f}s"


@pytest.mark.timeout(120)
def test_a_quarantined_input_with_an_undecodable_name_is_requeued_from_its_ref(
    tmp_path: Path,
) -> None:
    """The ref in `quarantine` leads `broadsheet requeue` back to the exact file."""
    from datetime import date

    from pipeline.config import build_config
    from pipeline.requeue import requeue
    from pipeline.run import run_ingest

    (tmp_path / "in").mkdir()
    raw = os.fsencode(tmp_path / "in") + b"/\xff%odd.txt"
    with open(raw, "wb") as fh:
        fh.write(b"Short headline\n\nToo short a body.\n")
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "sources": [{"name": "s", "type": "files", "paths": [str(tmp_path / "in")]}],
            "validate": {"batch_checks": False},
        }
    )
    run_ingest(cfg, date(2026, 11, 25))
    [row] = _table(tmp_path / "lake", "quarantine", ["input_ref", "reason", "message"])
    assert row["input_ref"] == ref_of(os.fsdecode(raw)) and row["reason"] == "too_short"
    assert requeue(cfg, date(2026, 11, 25)) is not None
    [again] = _table(tmp_path / "lake", "quarantine", ["input_ref", "reason", "message"])
    # Read again from the file (not "requeued input not found where it was read").
    assert again == row
