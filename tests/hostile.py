"""A hostile input corpus, written in code into a temp folder (nothing big is committed).

`write_hostile_corpus(root)` fills `root/in` with what a night of real inputs can hold at its
worst: special files, symlink loops and escapes, undecodable names, deep JSON, lying WARC framing,
truncated and mislabelled files, decompression bombs, floods of empty lines, junk lines, binary
garbage, and, among them, good articles that must come through. The manifest lists every input
the readers should report (by its exact input_ref), the outcome expected for it, and the marker
that sits in a file outside the input folder and must never reach the lake.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import socket
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import zstandard

from pipeline.sources.files import ref_of
from tests.conftest import article_html
from tests.warcgen import Page, Writer

Outcome = Literal["written", "duplicate", "quarantined", "skipped"]

MARKER = "OUTSIDE-ROOT-MARKER-7f3e9a1c"
DATE = "2026-11-20T08:30:00+01:00"
_MB = 1 << 20


@dataclass(frozen=True)
class Case:
    """One input as the readers name it, and what must become of it."""

    name: str  # what the case is about
    ref: str  # the input_ref the readers give it
    outcome: Outcome
    reason: str | None = None  # the quarantine or skip reason, when it is certain
    stage: str | None = None  # "read" when the reader itself must decide
    title: str | None = None  # good documents: the headline to find in `articles`


@dataclass
class Manifest:
    root: Path  # the input folder to ingest
    outside: Path  # a folder beside it whose content must never be read
    marker: str
    cases: list[Case] = field(default_factory=list)

    def add(self, *cases: Case) -> None:
        self.cases.extend(cases)

    def by_outcome(self, outcome: Outcome) -> list[Case]:
        return [c for c in self.cases if c.outcome == outcome]

    @property
    def refs(self) -> set[str]:
        return {c.ref for c in self.cases}


# -- prose that passes validation ---------------------------------------------------------------

_PLACES = [
    "Harbor Point", "Millbrook", "Easton Falls", "Cedar Bay", "North Ridge", "Lakeside",
    "Port Alder", "Stonebridge", "Riverton", "Fairhaven", "Westmoor", "Kingsbury",
    "Ashford", "Marlow Creek", "Eagle Pass", "Brightwater", "Oakdale", "Silverton",
    "Granite Falls", "Hollow Springs", "Maple Grove", "Redcliff", "Pine Hollow", "Seabrook",
    "Elmstead", "Foxley", "Thornbury", "Wexford", "Larkspur", "Summit Valley", "Bramblewood",
    "Crescent City", "Dunmore", "Glenwood", "Hartwell",
]  # fmt: skip
_TOPICS = [
    ("ferry schedule", "the winter timetable for the island ferries"),
    ("school budget", "next year's budget for the district's nine schools"),
    ("bridge repairs", "repairs to the old iron bridge over the river"),
    ("library hours", "longer opening hours at the main public library"),
    ("bus routes", "a redesign of the town's evening bus routes"),
    ("housing plan", "a plan for two hundred affordable apartments near the station"),
    ("water rates", "an increase in water rates to pay for new pipes"),
    ("park cleanup", "a volunteer cleanup of the riverside park"),
    ("clinic opening", "the opening of a walk-in clinic on the east side"),
    ("harbor dredging", "dredging the harbor channel before the fishing season"),
    ("bike lanes", "protected bike lanes on the two main avenues"),
    ("snow plowing", "a new contract for plowing snow on residential streets"),
]
_PEOPLE = [
    "Maria Okafor", "Tom Brandt", "Priya Nand", "Jamal Price", "Erin Walsh", "Grace Holloway",
    "Luis Romero", "Hannah Becker", "Samuel Osei", "Chloe Martin", "Daniel Kim", "Aisha Khan",
]  # fmt: skip
_OFFICIALS = ["the mayor", "the town manager", "the council chair", "the district head"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@dataclass(frozen=True)
class Story:
    n: int
    title: str
    url: str
    author: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def story(n: int) -> Story:
    """A distinct, plausible local news story of about 150 words; the same n gives the same one."""
    rng = random.Random(n)
    place = _PLACES[n % len(_PLACES)]
    short, long = _TOPICS[n % len(_TOPICS)]
    author = rng.choice(_PEOPLE)
    official = rng.choice(_OFFICIALS)
    day = rng.choice(_DAYS)
    votes_for, votes_against = rng.randint(4, 9), rng.randint(0, 3)
    cost = rng.randint(2, 90) / 10
    months = rng.randint(3, 18)
    residents = rng.randint(40, 400)
    paragraphs = (
        f"Officials in {place} voted {votes_for} to {votes_against} on {day} to approve "
        f"{long}, ending a debate that had divided the community for most of the year and "
        f"filled three long public hearings at the old town hall.",
        f"The project is expected to cost about {cost} million dollars and to take roughly "
        f"{months} months, according to {official}, who said the money would come from reserves "
        f"and a state grant rather than from higher property taxes.",
        f"About {residents} residents signed a petition asking for more time to study the "
        f"{short} proposal. Several of them told the meeting that they supported the goal but "
        f"worried about noise, traffic and the effect on small shops during the works.",
        f"Supporters answered that waiting another season would only raise the price. The next "
        f"step is a call for bids, which {official} promised to publish before the end of the "
        f"month, along with a public map of the affected streets in {place}.",
    )
    slug = re.sub(r"[^a-z0-9]+", "-", f"{place} {short} {n}".lower()).strip("-")
    title = f"{place} approves {short} after long debate ({n})"
    return Story(n, title, f"https://news-{n}.example/local/{slug}", author, paragraphs)


def _html(s: Story, charset: str = "utf-8") -> str:
    return article_html(s.title, s.url, list(s.paragraphs), DATE, s.author).replace(
        'charset="utf-8"', f'charset="{charset}"'
    )


def _text_dump(s: Story) -> str:
    return f"URL: {s.url}\nDate: {DATE}\nAuthors: {s.author}\n\n{s.title}\n\n" + s.text + "\n"


# -- the corpus ---------------------------------------------------------------------------------


def _gzip_stream(path: Path, block: bytes, total: int, level: int = 6) -> None:
    comp = zlib.compressobj(level, zlib.DEFLATED, 31)
    with open(path, "wb") as fh:
        for _ in range(total // len(block)):
            fh.write(comp.compress(block))
        fh.write(comp.flush())


def _zstd_stream(path: Path, block: bytes, total: int) -> None:
    with open(path, "wb") as fh:
        w = zstandard.ZstdCompressor(level=3).stream_writer(fh, closefd=False)
        for _ in range(total // len(block)):
            w.write(block)
        w.flush(zstandard.FLUSH_FRAME)


def _fill(text: bytes, size: int) -> bytes:
    return (text * (size // len(text) + 1))[:size]


def write_hostile_corpus(base: Path, bombs: bool = True) -> Manifest:
    """Write the corpus under base/in (and base/outside); `bombs=False` leaves out the large
    decompression bombs and the flood of empty lines (for quick reader-level checks)."""
    root, outside = base / "in", base / "outside"
    for d in (root / "news", root / "text", root / "wire", root / "crawl", root / "junk", outside):
        d.mkdir(parents=True, exist_ok=True)
    m = Manifest(root, outside, MARKER)
    n = iter(range(1, 1000))

    def good(name: str, ref: str, s: Story) -> Case:
        return Case(name, ref, "written", title=s.title)

    def q(name: str, ref: str, reason: str | None = None, stage: str | None = "read") -> Case:
        return Case(name, ref, "quarantined", reason, stage)

    # Outside the root: a secret that a followed symlink would leak into quarantine excerpts.
    secret = outside / "secret.html"
    secret.write_text(f"<html><body><p>{MARKER}</p>" + f"<p>{MARKER} " * 200 + "</body></html>")
    (outside / "secret.txt").write_text(f"{MARKER}\n" * 100)

    # -- good documents ------------------------------------------------------------------------
    s = story(next(n))
    p = root / "news" / "harbor-page.html"
    p.write_text(_html(s))
    m.add(good("html page", ref_of(p), s))

    s = story(next(n))
    p = root / "news" / "gzipped-page.html.gz"
    p.write_bytes(gzip.compress(_html(s).encode()))
    m.add(good("gzipped html page", ref_of(p), s))

    s = story(next(n))
    p = root / "news" / "lying-charset.html"  # says utf-8, is windows-1252
    p.write_bytes(_html(s).replace("public hearings", "h\u00e9arings").encode("cp1252"))
    m.add(good("html whose charset lies", ref_of(p), s))

    s = story(next(n))
    p = root / "news" / "100%-local.html"  # '%' must survive as itself in input_ref
    p.write_text(_html(s))
    m.add(good("name with a percent sign", ref_of(p), s))

    s = story(next(n))
    p = Path(os.fsdecode(os.fsencode(root / "news") + b"/\xff\xfe-caf\xe9.html"))
    p.write_text(_html(s))
    m.add(good("undecodable file name", ref_of(p), s))

    s = story(next(n))
    p = root / "text" / "council.txt"
    p.write_text(_text_dump(s))
    m.add(good("text dump article", ref_of(p), s))
    link = root / "text" / "zz-link-inside.txt"  # a symlink within the root is read
    link.symlink_to("council.txt")
    m.add(Case("symlink to a file inside the root", ref_of(link), "duplicate"))

    stories = [story(next(n)) for _ in range(3)]
    p = root / "text" / "digest.txt.zst"
    body = "\n=====\n".join(_text_dump(x) for x in stories)
    p.write_bytes(zstandard.ZstdCompressor().compress(body.encode()))
    m.add(*(good("multi-article dump", f"{ref_of(p)}#{i}", x) for i, x in enumerate(stories, 1)))

    # JSONL: good lines among junk lines, a 100k-deep line and undecodable bytes.
    p = root / "wire" / "wire.jsonl"
    lines: list[bytes] = []
    expected: list[tuple[str, str | None, Story | None]] = []

    def line(data: bytes, name: str, reason: str | None = None, s: Story | None = None) -> None:
        lines.append(data)
        expected.append((name, reason, s))

    for i in range(14):
        s = story(next(n))
        obj: dict[str, object] = {"url": s.url, "title": s.title, "authors": [s.author]}
        if i % 2:
            obj["html"] = _html(s)
        else:
            obj.update(text=s.text, published_at=DATE)
        line(json.dumps(obj).encode(), "jsonl good line", s=s)
        if i == 1:
            line(b"[" * 100_000 + b"]" * 100_000, "100k-deep JSON", "bad_json")
        if i == 3:
            line(b"{not json at all", "junk line", "bad_json")
            line(b'"just a string"', "JSON string line", "bad_json")
            line(b'{"text": 42}', "field of the wrong type", "bad_field")
            line(b'{"url": "https://x.example/"}', "no content", "missing_field")
            line(b"\xff\xfe\x00garbage\x80\x81", "undecodable line", "bad_json")
    p.write_bytes(b"\n".join(lines) + b"\n\n\n")
    for k, (name, reason, st) in enumerate(expected, 1):
        ref = f"{ref_of(p)}:{k}"
        m.add(good(name, ref, st) if st is not None else q(name, ref, reason))

    # WARC: a good crawl with the usual mix of records.
    p = root / "crawl" / "crawl.warc.gz"
    w = Writer(p)
    w.warcinfo()
    kinds: list[tuple[str, Outcome, str | None, Story | None]] = [
        ("warcinfo", "skipped", "not_response", None)
    ]
    for _ in range(10):
        s = story(next(n))
        w.response(Page(s.url, _html(s).encode(), date="2026-11-20T10:00:00Z"))
        kinds.append(("warc response", "written", None, s))
    w.response(Page("https://img.example/logo.png", b"\x89PNG\r\n\x1a\n....", "image/png"))
    kinds.append(("image record", "skipped", "not_html", None))
    w.response(Page("https://gone.example/x", b"<html>gone</html>", status="404 Not Found"))
    kinds.append(("404 record", "skipped", "http_status", None))
    w.close()
    for off, (name, outcome, reason, st) in zip(w.offsets, kinds, strict=True):
        ref = f"{ref_of(p)}@{off}"
        if st is not None:
            m.add(good(name, ref, st))
        else:
            m.add(Case(name, ref, outcome, reason, "read"))

    # WARC whose second record declares a Content-Length shorter than its block (the resync
    # once looped forever on it).
    p = root / "crawl" / "lying-length.warc.gz"
    w = Writer(p)
    pages = [story(next(n)) for _ in range(4)]
    for s in pages:
        w.response(Page(s.url, _html(s).encode(), date="2026-11-20T10:00:00Z"))
    w.close()
    data = p.read_bytes()
    rec = gzip.decompress(data[w.offsets[1] : w.offsets[2]])
    cl = re.search(rb"Content-Length: (\d+)", rec)
    assert cl is not None
    rec = rec.replace(cl.group(0), b"Content-Length: " + str(int(cl.group(1)) // 2).encode())
    lied = gzip.compress(rec)
    p.write_bytes(data[: w.offsets[1]] + lied + data[w.offsets[2] :])
    shift = len(lied) - (w.offsets[2] - w.offsets[1])
    offs = [w.offsets[0], w.offsets[1], w.offsets[2] + shift, w.offsets[3] + shift]
    for i, (s, off) in enumerate(zip(pages, offs, strict=True)):
        ref = f"{ref_of(p)}@{off}"
        m.add(q("lying Content-Length", ref, "truncated") if i == 1 else good("warc", ref, s))

    # -- hostile files -------------------------------------------------------------------------
    j = root / "junk"
    fifo = j / "pipe.html"
    os.mkfifo(fifo)
    m.add(q("FIFO", ref_of(fifo), "special_file"))
    sock_path = j / "sock.txt"
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(os.fsdecode(sock_path))
        sock.close()  # the socket file stays
        m.add(q("socket", ref_of(sock_path), "special_file"))
    except OSError:
        pass  # a path too long for AF_UNIX: no socket case
    loop = j / "loop.html"
    loop.symlink_to("loop.html")
    m.add(q("symlink loop", ref_of(loop), "outside_root"))
    (j / "again").symlink_to(".")  # a folder loop: never walked twice, not an input
    esc = j / "escape.html"
    esc.symlink_to(os.path.relpath(secret, j))
    m.add(q("symlink escaping the root", ref_of(esc), "outside_root"))
    esc_dir = j / "elsewhere"
    esc_dir.symlink_to(os.path.relpath(outside, j))
    m.add(q("symlinked folder outside the root", ref_of(esc_dir), "outside_root"))

    p = j / "not-a-warc.warc.gz"
    p.write_bytes(gzip.compress(b"hello world, this is a plain text file and no WARC\n" * 500))
    m.add(q("gzip that is not a WARC", f"{ref_of(p)}@0", "bad_record"))
    p = j / "cut.html.gz"
    p.write_bytes(gzip.compress(_html(story(900)).encode())[:300])
    m.add(q("truncated gzip", ref_of(p), "unreadable"))
    p = j / "cut.txt.zst"
    p.write_bytes(zstandard.ZstdCompressor().compress(_text_dump(story(901)).encode() * 3)[:200])
    m.add(q("truncated zstd", ref_of(p), "unreadable"))
    p = j / "not-gzip.html.gz"
    p.write_text(_html(story(902)))
    m.add(q("plain file named .gz", ref_of(p), "unreadable"))
    p = j / "garbage.txt"
    p.write_bytes(random.Random(7).randbytes(20_000))
    m.add(q("binary garbage as text", ref_of(p), "decode_error"))
    p = j / "garbage.html"
    p.write_bytes(random.Random(8).randbytes(20_000))
    m.add(q("binary garbage as html", ref_of(p), stage=None))
    p = j / "tab\tin\x01name.txt"
    p.write_bytes(b"\x00\x01\x02" * 100)
    m.add(q("control characters in the name", ref_of(p), "decode_error"))
    p = j / "empty.html"
    p.write_bytes(b"")
    m.add(q("empty file", ref_of(p), stage=None))
    p = j / "jsonl-as-html.html"
    p.write_text("\n".join(json.dumps({"k": i, "v": "x" * 40}) for i in range(50)))
    m.add(q("JSON lines named .html", ref_of(p), stage=None))
    p = j / "html-as-text.txt"  # an article in markup, read as a text dump: tags as words
    p.write_text("<!DOCTYPE html><html><head><title>x</title></head><body>" + "<div>" * 40)
    m.add(q("HTML fragment named .txt", ref_of(p), stage=None))
    p = j / "binary.jsonl"  # one line of binary bytes (no newline among them)
    p.write_bytes(b"\x1f\x8b\x08\x00" + random.Random(9).randbytes(5000).replace(b"\n", b"\x00"))
    m.add(q("binary bytes named .jsonl", f"{ref_of(p)}:1", "bad_json"))

    if bombs:
        p = j / "newlines.txt"  # 50 MB of "\n": once took minutes
        with open(p, "wb") as fh:
            for _ in range(50):
                fh.write(b"\n" * _MB)
        m.add(q("50 MB of empty lines", ref_of(p), "too_large"))
        p = j / "bomb-newlines.txt.gz"
        _gzip_stream(p, b"\n" * _MB, 128 * _MB)
        m.add(q("gzip bomb of empty lines", ref_of(p), "too_large"))
        p = j / "bomb-text.html.gz"
        _gzip_stream(p, _fill(b"<p>All work and no play makes a dull page.</p>\n", _MB), 128 * _MB)
        m.add(q("gzip bomb of markup", ref_of(p), "too_large"))
        p = j / "bomb-newlines.jsonl.zst"
        _zstd_stream(p, b"\n" * _MB, 1024 * _MB)
        m.add(q("zstd bomb of empty lines", f"{ref_of(p)}:1", "too_large"))
        p = j / "bomb-text.txt.zst"
        _zstd_stream(p, _fill(b"The council met and nothing was decided. ", _MB), 1024 * _MB)
        m.add(q("zstd bomb of text", ref_of(p), "too_large"))
    return m


def manifest_json(m: Manifest) -> str:
    """The manifest as JSON (for a person reading a failed test)."""
    out = io.StringIO()
    json.dump([c.__dict__ for c in m.cases], out, indent=1)
    return out.getvalue()
