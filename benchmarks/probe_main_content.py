"""Could a C++ main-content pass stand in for trafilatura in `extract.mode: fast`? (issue 19)

    .tools/bin/uv run --with resiliparse==2.0.1 python benchmarks/probe_main_content.py \
        ../shared/corpus/html [more gold folders]

resiliparse (the project fastwarc comes from) ships `extract_plain_text(main_content=True)`.
For every page of each gold set this runs Broadsheet's fast chain twice, once as it is and
once with resiliparse's text in place of trafilatura's first pass (everything else as it is:
metadata, normalization, boilerplate rules), and scores both bodies against the gold. Then
it tries the quality gate the issue suggests: keep resiliparse's text when its length is within
[lo, hi] of the page's paragraph text, else fall back to the chain. Prints mean body F1, the
share of pages the gate keeps, and resiliparse's own time per page. Not part of the lock:
resiliparse is not a dependency (see the README, "Throughput and memory").
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree
from trafilatura.settings import Document

import pipeline.extract as X
from pipeline.config import ExtractConfig
from pipeline.evaluate import body_scores, broadsheet, load_gold

_state: dict[str, Any] = {}
_extract_html, _trafilatura, _prose = X._extract_html, X._trafilatura, X._prose


def _with_html(doc: Any, html: bytes, cfg: ExtractConfig) -> Any:
    _state.update(html=html, first=_state["swap"])
    return _extract_html(doc, html, cfg)


def _keep_prose(tree: Any) -> Any:
    _state["prose"] = _prose(tree)
    return _state["prose"]


def _first_pass(tree: Any, url: str | None, cfg: ExtractConfig, fast: bool) -> Any:
    if not _state.get("first"):
        return _trafilatura(tree, url, cfg, fast)
    _state["first"] = False
    t = time.perf_counter()
    text = extract_plain_text(
        HTMLTree.parse_from_bytes(_state["html"]),
        main_content=True,
        alt_texts=False,
        links=False,
        list_bullets=False,
    )
    _state["ms"] = (time.perf_counter() - t) * 1e3
    doc = Document()
    doc.text = text
    _state["len"] = len(text)
    return doc


def main(folders: list[str]) -> None:
    X._extract_html, X._trafilatura, X._prose = _with_html, _first_pass, _keep_prose
    fast = ExtractConfig(mode="fast")
    rows: dict[str, list[dict[str, float]]] = {}
    for folder in folders:
        rows[folder] = []
        for page in load_gold(Path(folder)):
            gold = page.expected.get("body_text") or ""
            _state["swap"] = False
            chain = broadsheet(page, fast).text
            _state["swap"] = True
            swapped = broadsheet(page, fast).text
            rows[folder].append(
                {
                    "chain": body_scores(chain, gold)[2],
                    "swap": body_scores(swapped, gold)[2],
                    "ratio": _state["len"] / max(_state["prose"].chars, 1),
                    "prose": _state["prose"].chars,
                    "ms": _state["ms"],
                }
            )
    for folder, rs in rows.items():
        print(f"{folder}: {len(rs)} pages")
        print(f"  chain body F1 {statistics.mean(r['chain'] for r in rs):.4f}")
        swap, ms = (statistics.mean(r[k] for r in rs) for k in ("swap", "ms"))
        print(f"  resiliparse in its place {swap:.4f}, {ms:.2f} ms a page (parse + extract)")
        close = sum(r["swap"] >= r["chain"] - 0.02 for r in rs) / len(rs)
        print(f"  pages where it is within 0.02 of the chain: {close:.0%}")
    print("gate: resiliparse kept when its text is lo..hi x the page's paragraph text")
    for lo, hi in itertools.product((0.7, 0.8, 0.9, 0.95), (1.05, 1.1, 1.2, 1.5)):
        cells = []
        for rs in rows.values():
            kept = [r["prose"] >= 500 and lo <= r["ratio"] <= hi for r in rs]
            f1 = statistics.mean(
                r["swap"] if k else r["chain"] for r, k in zip(rs, kept, strict=True)
            )
            cells.append(f"F1 {f1:.4f} kept {sum(kept) / len(rs):.0%}")
        print(f"  {lo:.2f}-{hi:.2f}: " + " | ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
