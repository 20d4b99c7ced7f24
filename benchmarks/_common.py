"""What the benchmarks share: the corpus pages, generated variants, WARC writing, and measuring a
child process's wall time and peak memory (the summed RSS of its whole process tree)."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = Path(
    os.environ.get("BROADSHEET_CORPUS", HERE.parent.parent / "shared/corpus/html")
)
EXAMPLES = HERE.parent / "examples" / "html"
PAGE = os.sysconf("SC_PAGE_SIZE")


def pages(corpus: Path) -> list[bytes]:
    """The corpus pages as bytes; without the shared corpus, the project's example pages."""
    if (corpus / "index.jsonl").exists():
        rows = [json.loads(x) for x in (corpus / "index.jsonl").read_text().splitlines()]
        return [gzip.decompress((corpus / r["html_file"]).read_bytes()) for r in rows]
    out = []
    for p in sorted(EXAMPLES.rglob("*.htm*")):
        data = p.read_bytes()
        out.append(gzip.decompress(data) if p.suffix == ".gz" else data)
    return [d for d in out if b"<p" in d]


def expected(corpus: Path) -> list[dict[str, Any]]:
    """The corpus's expected extractions (title, authors, body text), for light pages."""
    rows = [json.loads(x) for x in (corpus / "index.jsonl").read_text().splitlines()]
    return [json.loads((corpus / r["expected_file"]).read_text()) for r in rows]


# A run of text between tags that reads like prose: long, no code punctuation.
_PROSE = re.compile(rb">([^<>{};=]{40,})<")


def variant(html: bytes, seed: int) -> bytes:
    """The page with the words of every prose run shuffled: a distinct article of the same
    shape, language and length (shuffling breaks the shingles, so it is no near-duplicate)."""
    rng = random.Random(seed)

    def shuffle(m: re.Match[bytes]) -> bytes:
        words = m.group(1).split(b" ")
        rng.shuffle(words)
        return b">" + b" ".join(words) + b"<"

    return _PROSE.sub(shuffle, html)


_LIGHT = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | Bench Daily</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-11-24T{hh:02d}:{mm:02d}:00+00:00">
<link rel="canonical" href="{url}"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1><p class="byline">By {author}</p>
{paragraphs}
<p>Subscribe to our newsletter for the latest headlines.</p></article>
<footer>(c) 2026 Bench Daily. All rights reserved.</footer></body></html>"""


def light_page(exp: dict[str, Any], n: int) -> tuple[str, bytes]:
    """A small article page built from an expected extraction, words shuffled per `n`."""
    rng = random.Random(n)
    paras = [p for p in exp.get("body_text", "").split("\n") if p.strip()][:12] or ["..."]
    out = []
    for p in paras:
        words = p.split()
        rng.shuffle(words)
        out.append("<p>" + _esc(" ".join(words)) + "</p>")
    url = f"https://bench.example/{n % 97}/story-{n}"
    html = _LIGHT.format(
        lang=exp.get("country", "en")[:2],
        title=_esc(str(exp.get("title") or "Untitled")),
        author="Bench Reporter",
        url=url,
        hh=n % 24,
        mm=n % 60,
        paragraphs="\n".join(out),
    )
    return url, html.encode()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_warc(path: Path, docs: Iterator[tuple[str, bytes]]) -> tuple[int, int]:
    """A gzipped CC-NEWS-like WARC: request, response and now and then a metadata record per
    page. Returns (pages, bytes)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    n = 0
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "broadsheet-bench"}))
        for url, html in docs:
            req = StatusAndHeaders(
                f"GET {url} HTTP/1.1", [("Host", "bench.example")], is_http_request=True
            )
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            rec = w.create_warc_record(
                url, "response", payload=io.BytesIO(html), length=len(html), http_headers=http
            )
            w.write_record(rec)
            if n % 10 == 0:
                meta = io.BytesIO(b"fetchTimeMs: 321\r\n")
                w.write_record(w.create_warc_record(url, "metadata", payload=meta))
            n += 1
        return n, fh.tell()


def warc_bodies(path: Path) -> Iterator[bytes]:
    """Response bodies of a WARC, streamed."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type == "response":
                yield rec.content_stream().read()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except (OSError, ValueError):
        pass
    return out


def _tree(root: int) -> list[int]:
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(_children(pid))
    return out


def tree_rss(root: int) -> int:
    """Summed RSS of a process and all its descendants, in bytes (cheap: statm)."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_pss(root: int) -> int:
    """Summed PSS of the tree, in bytes. RSS counts the pages forked workers share with their
    parent once per process; PSS splits them, so it is what the tree really holds. Costs tens
    of milliseconds per call (the kernel walks the page tables): sample it less often."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += sum(int(x.split()[1]) * 1024 for x in f if x.startswith("Pss:"))
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure(script: str, args: list[str], interval: float = 0.2) -> dict[str, Any]:
    """Run `script --child ARGS` in a fresh interpreter; its last stdout line is a JSON dict.
    Adds the peak summed RSS of its process tree (sampled every `interval` s) and the peak
    summed PSS (every tenth sample)."""
    proc = subprocess.Popen(
        [sys.executable, script, "--child", *args], stdout=subprocess.PIPE, text=True
    )
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        n = 0
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            if n % 10 == 0:
                peak_pss = max(peak_pss, tree_pss(proc.pid))
            n += 1
            time.sleep(interval)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{args} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(peak / 2**20, 1)
    result["peak_pss_mb"] = round(peak_pss / 2**20, 1)
    return result
