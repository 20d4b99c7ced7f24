"""Build an independent gold set for `broadsheet eval` from other projects' test data.

    .venv/bin/python benchmarks/gold/build_gold.py --out /work/gold-independent \\
        --exclude-corpus ../shared/corpus/html \\
        --fundus-git-dir /work/.mirror/flairNLP+fundus/repo \\
        --fundus-commit 18da6e53592f99cf0ac5770dc63d6ba99ba63ae8 --branches \\
        --readability-git-dir /work/.mirror/mozilla+readability/repo \\
        --readability-commit ab4027a8b37669745016869a37a504727992b2ba \\
        --newspaper-git-dir /work/.mirror/AndyTheFactory+newspaper4k/repo \\
        --newspaper-commit 79553f6302cea1a6e36103fb4dc1c675ca704cd3

Three sources, each read from a fetched snapshot (a bare git directory) at a given commit with
`git` only; nothing of their code is used. benchmarks/gold/README.md has the details.

- flairNLP/fundus (MIT): per publisher, gzipped pages and the expected title, authors, date
  and body written by fundus's hand-made parser for that publisher. The development corpus
  *is* fundus's test data at one commit, so only pages fundus once had and later replaced (or
  that a branch or pull request proposed) are new: every first-parent state before the commit
  is read, and a page is kept only if it is not in the development corpus (not the same URL,
  not the same HTML) and not already kept.
- mozilla/readability (Apache-2.0) and AndyTheFactory/newspaper4k (MIT, its 2015 full-text
  test pages): the source's expected text is the body; title, authors, date and language are
  our own annotations (`readability_annotations.json`, `newspaper_annotations.json`), checked
  against the page (the title and every author must occur in it).

It writes the docs/eval.md format: `index.jsonl` (with extra columns `language`, `source`,
`publisher_in_dev_corpus`, `site_in_dev_corpus`), `ID.html.gz`, `ID.expected.json`, and
`build_report.json` (counts, exclusions by reason, commits and refs read). The same snapshots
give the same folder, byte for byte.

fundus mapping: `title`; `authors` (null when the publisher's expectation has no `authors`);
`publishing_date` as ISO 8601 with the offset fundus recorded (naive stays naive);
`body_text` = `body.summary`, then each section's headlines and paragraphs, joined by a blank
line; `language` from fundus's publisher table (`docs/supported_publishers.md`) when it names
one language; `url`, `crawled_at` from `meta.info`. Each expectation is paired with its page by
checking it against the page: the title must occur in the page and most of the first
paragraphs too (the same check as the development corpus).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html as htmllib
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

TEST_DATA = "tests/resources/parser/test_data"
PUBLISHER_TABLE = "docs/supported_publishers.md"
REPO = "flairNLP/fundus"
LICENSE = "MIT"
# How much of the first paragraphs must be found in the page for an expectation to belong to it.
MIN_PARAGRAPH_SHARE = 0.6
FIRST_PARAGRAPHS = 5
# An expected body this short is a parser miss (a disclaimer line, a caption), not an article.
MIN_BODY_WORDS = 15
# Dates before this are placeholders (the Unix epoch), not publication dates.
MIN_YEAR = 1995


# -- git access -----------------------------------------------------------------------------------


class Git:
    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._cache: dict[str, bytes] = {}

    def run(self, *args: str) -> str:
        out = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], capture_output=True, check=True
        )
        return out.stdout.decode("utf-8", "replace")

    def blob(self, sha: str) -> bytes:
        if sha not in self._cache:
            out = subprocess.run(
                ["git", f"--git-dir={self.git_dir}", "cat-file", "blob", sha],
                capture_output=True,
                check=True,
            )
            self._cache[sha] = out.stdout
        return self._cache[sha]

    def json(self, sha: str | None) -> Any:
        """A JSON file of the snapshot; None when absent or not valid JSON (work in progress)."""
        if not sha:
            return None
        try:
            return json.loads(self.blob(sha))
        except ValueError:
            return None

    def show(self, commit: str, path: str) -> bytes | None:
        out = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "show", f"{commit}:{path}"], capture_output=True
        )
        return out.stdout if out.returncode == 0 else None


# -- what one state of the test data holds --------------------------------------------------------


@dataclass
class State:
    """Where one page sat in one scanned commit, and the files next to it there."""

    commit: str
    commit_date: str
    path: str
    json_blob: str | None
    meta_blob: str | None


@dataclass
class Candidate:
    """One page (an HTML blob) and every scanned state that had it, in scan order."""

    blob: str
    states: list[State] = field(default_factory=list)


def scan_history(
    git: Git, tip: str, refs: list[str]
) -> tuple[dict[str, Candidate], list[str], set[str]]:
    """Every HTML blob of the test data on the first-parent line up to `tip`, and, with `refs`,
    in every commit reachable only from those refs (branches and pull-request heads: pages
    proposed with a new or updated parser).

    Returns the candidates by blob, the commits scanned and the blobs in the tip. The scan
    order puts the branch-only commits first (by date), then the first-parent line up to the
    tip, so a page's last state is its state on the main line when it has one.
    """
    log = git.run("log", "--first-parent", "--format=%H %cI", tip, "--", TEST_DATA)
    commits = [line.split() for line in log.splitlines() if line.strip()][::-1]
    if refs:
        seen = {c for c, _ in commits}
        log = git.run("log", "--format=%H %cI", *refs, "--not", tip, "--", TEST_DATA)
        extra = [line.split() for line in log.splitlines() if line.strip()]
        extra = sorted((c for c in extra if c[0] not in seen), key=lambda c: (c[1], c[0]))
        commits = extra + commits
    cands: dict[str, Candidate] = {}
    tip_blobs: set[str] = set()
    for i, (commit, date) in enumerate(commits):
        tree = git.run("ls-tree", "-r", commit, "--", TEST_DATA)
        by_dir: dict[str, dict[str, str]] = defaultdict(dict)
        for line in tree.splitlines():
            meta, path = line.split("\t", 1)
            by_dir[path.rsplit("/", 1)[0]][path.rsplit("/", 1)[1]] = meta.split()[2]
        for folder, files in by_dir.items():
            for name, sha in files.items():
                if not name.endswith(".html.gz"):
                    continue
                publisher = name.removesuffix(".html.gz").split("_")[0]
                c = cands.setdefault(sha, Candidate(sha))
                c.states.append(
                    State(
                        commit,
                        date,
                        f"{folder}/{name}",
                        files.get(f"{publisher}.json"),
                        files.get("meta.info"),
                    )
                )
                if i == len(commits) - 1:
                    tip_blobs.add(sha)
    return cands, [c for c, _ in commits], tip_blobs


# -- the publisher table (languages) --------------------------------------------------------------

_ROW = re.compile(r"<tr>\s*<td>\s*<code>(\w+)</code>(.*?)</tr>", re.S)
_CODE = re.compile(r"<code>([^<]+)</code>")


def publisher_languages(git: Git, commits: list[str]) -> dict[str, set[str]]:
    """Publisher class -> the languages fundus's table lists, newest table state wins."""
    log = git.run("log", "--first-parent", "--format=%H", commits[-1], "--", PUBLISHER_TABLE)
    langs: dict[str, set[str]] = {}
    for commit in log.split()[::-1]:  # oldest first, so later states overwrite
        text = (git.show(commit, PUBLISHER_TABLE) or b"").decode("utf-8", "replace")
        if "Languages" not in text:
            continue
        header = text[: text.find("<tbody>")]
        heads = re.findall(r"<th>([A-Za-z]+)", header)
        if "Languages" not in heads:
            continue
        col = heads.index("Languages")
        for m in _ROW.finditer(text):
            cells = re.findall(r"<td>(.*?)</td>", "<td>" + m.group(2), re.S)
            # cell 0 is the rest of the class cell; the table's columns follow
            cells = ["", *cells[1:]]
            if col < len(cells):
                found = {c.strip() for c in _CODE.findall(cells[col]) if c.strip()}
                if found:
                    langs[m.group(1)] = found
    return langs


# -- pairing an expectation with its page --------------------------------------------------------


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", htmllib.unescape(s))
    s = "".join(c for c in s if unicodedata.category(c) != "Cf")
    return " ".join(s.split()).casefold()


_TAG = re.compile(r"<[^>]+>")


def page_haystack(html: bytes) -> str:
    """The page's text (tags removed, entities decoded), and its raw source, for lookups."""
    text = html.decode("utf-8", "replace")
    raw = text.replace("\\/", "/").replace('\\"', '"')
    return _norm(_TAG.sub(" ", text)) + "\n" + _norm(raw)


def entries(expectation: Any) -> list[tuple[str, dict[str, Any]]]:
    """The parser-version entries of one fundus JSON (old files are one flat entry)."""
    if not isinstance(expectation, dict):
        return []
    if "title" in expectation and not isinstance(expectation.get("title"), dict):
        return [("V1", expectation)]
    return [(k, v) for k, v in expectation.items() if isinstance(v, dict)]


def paragraphs(entry: dict[str, Any]) -> list[str]:
    body = entry.get("body")
    if not isinstance(body, dict):
        return []
    out = [p for p in body.get("summary") or [] if isinstance(p, str)]
    for section in body.get("sections") or []:
        out += [p for p in section.get("paragraphs") or [] if isinstance(p, str)]
    return out


def _fragment_in(paragraph: str, hay: str) -> bool:
    """A paragraph is in the page when its first 80 characters are (inline markup splits the
    rest), or, for a paragraph split by tags, its longest sentence-sized piece."""
    p = _norm(paragraph)
    if not p:
        return False
    if p[:80] in hay:
        return True
    pieces = sorted((x.strip() for x in re.split(r"[.!?。]", p)), key=len, reverse=True)
    return bool(pieces and len(pieces[0]) >= 20 and pieces[0][:80] in hay)


def check(entry: dict[str, Any], hay: str) -> tuple[bool, float]:
    title = _norm(entry.get("title") or "")
    paras = paragraphs(entry)[:FIRST_PARAGRAPHS]
    share = sum(_fragment_in(p, hay) for p in paras) / len(paras) if paras else 0.0
    return bool(title) and title in hay, share


# -- the expected fields --------------------------------------------------------------------------


def body_text(entry: dict[str, Any]) -> str:
    body = entry.get("body") or {}
    parts = [p for p in body.get("summary") or [] if isinstance(p, str)]
    for section in body.get("sections") or []:
        heads = section.get("headline") or section.get("headlines") or []
        parts += [h for h in ([heads] if isinstance(heads, str) else heads) if isinstance(h, str)]
        parts += [p for p in section.get("paragraphs") or [] if isinstance(p, str)]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def iso_date(value: Any) -> str | None:
    """fundus's "2024-05-16 10:00:00+02:00" as ISO 8601, offset kept, naive kept naive."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def iso_crawl(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


# -- the build ------------------------------------------------------------------------------------


def load_corpus(folder: Path | None) -> tuple[set[str], set[str]]:
    """URLs and HTML digests of the development corpus's pages (to keep them out)."""
    urls: set[str] = set()
    digests: set[str] = set()
    if folder is None:
        return urls, digests
    with open(folder / "index.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            urls.add(_url_key(row["url"]))
            raw = (folder / row["html_file"]).read_bytes()
            digests.add(hashlib.sha256(gzip.decompress(raw)).hexdigest())
    return urls, digests


_CANONICAL = (
    re.compile(r"<link[^>]+rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)", re.I),
    re.compile(r"<link[^>]+href=[\"']([^\"']+)[\"'][^>]*rel=[\"']canonical", re.I),
    re.compile(r"<meta[^>]+property=[\"']og:url[\"'][^>]*content=[\"']([^\"']+)", re.I),
    re.compile(r"<meta[^>]+content=[\"']([^\"']+)[\"'][^>]*property=[\"']og:url", re.I),
)


def page_url(html: bytes) -> str | None:
    """The page's own canonical URL (for early test pages whose fetch URL was not recorded)."""
    text = html.decode("utf-8", "replace")
    for pattern in _CANONICAL:
        m = pattern.search(text)
        if m and m.group(1).startswith("http"):
            return htmllib.unescape(m.group(1)).strip()
    return None


def _site(url: str | None) -> str:
    """The host without "www." (corpus URL keys are already host/path without it)."""
    url = re.sub(r"^https?://", "", (url or "").strip().casefold())
    return url.split("/")[0].removeprefix("www.")


def _url_key(url: str) -> str:
    url = url.strip().split("#")[0]
    url = re.sub(r"^https?://(www\.)?", "", url)
    return url.rstrip("/").casefold()


def fundus_pages(
    git_dir: Path, tip: str, corpus: Path | None, branches: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The fundus pages that are not in the development corpus, and the source's report."""
    git = Git(git_dir)
    tip = git.run("rev-parse", tip).strip()
    refs: dict[str, str] = {}
    if branches:
        listing = git.run("for-each-ref", "--format=%(objectname) %(refname)", "refs/")
        refs = {
            name: sha
            for sha, name in (line.split() for line in listing.splitlines() if line.strip())
            if name.startswith("refs/heads/") or re.fullmatch(r"refs/pull/\d+/head", name)
        }
    cands, commits, tip_blobs = scan_history(git, tip, sorted(set(refs.values())))
    langs = publisher_languages(git, commits)
    corpus_urls, corpus_digests = load_corpus(corpus)
    corpus_sites = {_site(u) for u in corpus_urls}
    tip_tree = git.run("ls-tree", "-r", "--name-only", tip, "--", TEST_DATA)
    dev_publishers = {
        p.rsplit("/", 1)[1].removesuffix(".html.gz").split("_")[0]
        for p in tip_tree.splitlines()
        if p.endswith(".html.gz")
    }

    # publisher -> group, for pages of the early flat layout (before the country folders)
    group_of: dict[str, str] = {}
    for c in cands.values():
        for st in c.states:
            folder0, name0 = st.path.rsplit("/", 1)
            if folder0 != TEST_DATA:
                group_of[name0.removesuffix(".html.gz").split("_")[0]] = folder0.rsplit("/", 1)[1]
    excluded: Counter[str] = Counter()
    excluded_pages: list[dict[str, str]] = []
    kept: dict[str, dict[str, Any]] = {}  # id -> row
    seen_digest: dict[str, str] = {}
    seen_url: dict[str, str] = {}
    used_entries: set[tuple[str, str]] = set()

    def exclude(c: Candidate, reason: str) -> None:
        excluded[reason] += 1
        st = c.states[-1]
        excluded_pages.append({"path": st.path, "commit": st.commit, "reason": reason})

    def resolve(st: State, html: bytes, hay: str) -> tuple[str, dict[str, Any]]:
        """The expectation one state gives this page, or why it gives none ("" = usable)."""
        name = st.path.rsplit("/", 1)[1]
        folder = st.path.rsplit("/", 1)[0]
        publisher = name.removesuffix(".html.gz").split("_")[0]
        country = folder.rsplit("/", 1)[1] if folder != TEST_DATA else ""
        country = country or group_of.get(publisher, "")
        info = (git.json(st.meta_blob) or {}).get(name) or {}
        url, url_source = info.get("url"), "meta.info"
        if not url:
            url, url_source = page_url(html), "the page's canonical link (not in meta.info)"
        found = {"name": name, "folder": folder, "publisher": publisher, "country": country}
        found |= {"url": url, "url_source": url_source, "info": info}
        if not country:
            return "no publisher group (early flat layout)", found
        if not url:
            return "no URL recorded in meta.info and none in the page", found
        if not st.json_blob:
            return "no expectation file next to the page", found
        best: tuple[tuple[int, float, int], str, dict[str, Any]] | None = None
        for rank, (ver, entry) in enumerate(entries(git.json(st.json_blob))):
            title_ok, share = check(entry, hay)
            free = (st.json_blob, ver) not in used_entries
            key = (int(title_ok and share >= MIN_PARAGRAPH_SHARE and free), share, rank)
            if best is None or key > best[0]:
                best = (key, ver, entry)
        if best is None:
            return "no expectation file next to the page", found
        (ok, share, _), ver, entry = best
        found |= {"ver": ver, "entry": entry, "share": share}
        if not paragraphs(entry) or not body_text(entry):
            return "expected body empty or not annotated", found
        if not ok:
            return "expectation does not match the page (title or paragraphs not found)", found
        published = iso_date(entry.get("publishing_date"))
        found["published"] = published
        if not (entry.get("title") or "").strip():
            return "expected title empty", found
        if published is None:
            return "expected publishing date missing", found
        if datetime.fromisoformat(published).year < MIN_YEAR:
            return "expected publishing date is a placeholder (before 1995, e.g. the epoch)", found
        if len(re.findall(r"\w+", body_text(entry))) < MIN_BODY_WORDS:
            return f"expected body under {MIN_BODY_WORDS} words (a parser miss)", found
        return "", found

    # newest main-line state first, so a page kept twice keeps its newest expectation
    order = sorted(
        cands.values(), key=lambda c: (c.states[-1].commit_date, c.states[-1].path), reverse=True
    )
    for c in order:
        if c.blob in tip_blobs:
            exclude(c, "in the development corpus (at the tip commit)")
            continue
        html = gzip.decompress(git.blob(c.blob))
        digest = hashlib.sha256(html).hexdigest()
        hay = page_haystack(html)
        urls = set()
        for st in c.states:
            info = (git.json(st.meta_blob) or {}).get(st.path.rsplit("/", 1)[1]) or {}
            urls.add(info.get("url") or page_url(html) or "")
        urls.discard("")
        if digest in corpus_digests or any(_url_key(u) in corpus_urls for u in urls):
            exclude(c, "in the development corpus (same HTML or URL)")
            continue
        if digest in seen_digest or any(_url_key(u) in seen_url for u in urls):
            exclude(c, "duplicate of a newer state of the same page")
            continue
        # the newest state whose expectation fits the page; else the newest state's reason
        reason, found, state = "", {}, c.states[-1]
        for st in reversed(c.states):
            why, got = resolve(st, html, hay)
            if not why:
                reason, found, state = "", got, st
                break
            if not found:
                reason, found, state = why, got, st
        if reason:
            exclude(c, reason)
            continue
        name, folder, publisher = found["name"], found["folder"], found["publisher"]
        country, url, info = found["country"], found["url"], found["info"]
        ver, entry, share = found["ver"], found["entry"], found["share"]
        published, url_source = found["published"], found["url_source"]
        title = entry["title"].strip()
        used_entries.add((state.json_blob or "", ver))
        seen_digest[digest] = state.path
        for u in urls | {url}:
            seen_url[_url_key(u)] = state.path
        date_part = "-".join(re.findall(r"\d+", name)[:3]) or state.commit_date[:10]
        doc_id = f"{country}_{publisher}_{date_part}"
        n = 2
        while doc_id in kept:
            doc_id = f"{country}_{publisher}_{date_part}_{n}"
            n += 1
        authors = entry.get("authors") if "authors" in entry else None
        if authors is not None:
            authors = [a for a in authors if isinstance(a, str)]
        language = langs.get(publisher)
        summary = [p for p in (entry.get("body") or {}).get("summary") or [] if isinstance(p, str)]
        expected = {
            "id": doc_id,
            "publisher": publisher,
            "country": country,
            "url": url,
            "crawled_at": iso_crawl(info.get("crawl_date")),
            "html_file": f"{doc_id}.html.gz",
            "title": title,
            "authors": authors,
            "published_at": published,
            "summary": summary,
            "body_text": body_text(entry),
            "language": next(iter(language)) if language and len(language) == 1 else None,
            "topics": entry.get("topics"),
            "check": {"title_in_html": True, "paragraphs_in_html": round(share, 2)},
            "origin": {
                "repository": REPO,
                "license": LICENSE,
                "commit": state.commit,
                "html_path": state.path,
                "expected_path": f"{folder}/{publisher}.json",
                "parser_version": ver,
                "url_source": url_source,
                "first_seen_commit": c.states[0].commit,
            },
        }
        if expected["language"] is None:
            del expected["language"]
        kept[doc_id] = {
            "row": {
                "id": doc_id,
                "publisher": publisher,
                "country": country,
                "url": url,
                "crawled_at": expected["crawled_at"],
                "html_file": f"{doc_id}.html.gz",
                "expected_file": f"{doc_id}.expected.json",
                "language": expected.get("language"),
                "source": REPO,
                "publisher_in_dev_corpus": publisher in dev_publishers,
                "site_in_dev_corpus": _site(url) in corpus_sites,
            },
            "expected": expected,
            "gz": git.blob(c.blob),
        }

    report = {
        "repository": REPO,
        "license": LICENSE,
        "commit": tip,
        "refs": refs,
        "commits_scanned": len(commits),
        "html_blobs_seen": len(cands),
        **summarize(kept),
        "excluded": dict(excluded.most_common()),
        "excluded_pages": sorted(excluded_pages, key=lambda x: x["path"]),
    }
    return kept, report


# -- mozilla/readability test pages, with our own annotations ------------------------------------

READABILITY = "mozilla/readability"
READABILITY_LICENSE = "Apache-2.0"
READABILITY_PAGES = "test/test-pages"
READABILITY_ANNOTATIONS = Path(__file__).with_name("readability_annotations.json")
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "td", "th", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
}  # fmt: skip


def html_paragraphs(fragment: str) -> list[str]:
    """The text blocks of an HTML fragment (Readability's expected output), in order."""
    from lxml import html as lxml_html

    root = lxml_html.fromstring(f"<div>{fragment}</div>")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + (el.tail or "")
    text = root.text_content()
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.split()]


NEWSPAPER = "AndyTheFactory/newspaper4k"
NEWSPAPER_LICENSE = "MIT"
NEWSPAPER_ANNOTATIONS = Path(__file__).with_name("newspaper_annotations.json")


@dataclass
class Annotated:
    """One page of an annotated source: its HTML, the source's expected body, where it was."""

    name: str
    html: bytes
    paragraphs: list[str]
    url: str | None
    site: str
    html_path: str
    expected_path: str


def readability_source(git: Git, commit: str, notes: dict[str, Any]) -> list[Annotated | str]:
    """Readability's test pages; its expected output (an HTML fragment) is the body."""
    listing = git.run("ls-tree", "-d", "--name-only", commit, f"{READABILITY_PAGES}/")
    out: list[Annotated | str] = []
    for name in (p.rsplit("/", 1)[1] for p in listing.split()):
        base = f"{READABILITY_PAGES}/{name}"
        src, body = (
            git.show(commit, f"{base}/source.html"),
            git.show(commit, f"{base}/expected.html"),
        )
        if name not in notes or not src or not body:
            out.append(name)
            continue
        paras = html_paragraphs(body.decode("utf-8", "replace"))
        site = notes[name]["site"]
        html_path, expected_path = f"{base}/source.html", f"{base}/expected.html"
        out.append(Annotated(name, src, paras, page_url(src), site, html_path, expected_path))
    return out


def _base_domain(url: str) -> str:
    host = re.sub(r"^https?://", "", url.strip()).split("/")[0].split(":")[0].casefold()
    parts = host.split(".")
    if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "ac") and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def newspaper_source(git: Git, commit: str, notes: dict[str, Any]) -> list[Annotated | str]:
    """newspaper's full-text test pages: `tests/data/html/NAME.html`, the text judged correct in
    `tests/data/text/NAME.txt` (paragraphs separated by blank lines), and the fetch URL from
    `tests/data/fulltext_url_list.txt`, whose Nth URL of a domain is NAME = domain + N."""
    urls = (git.show(commit, "tests/data/fulltext_url_list.txt") or b"").decode("utf-8")
    by_name: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for url in (u.strip() for u in urls.splitlines() if u.strip()):
        domain = _base_domain(url)
        counts[domain] += 1
        by_name[f"{domain}{counts[domain]}"] = url
    listing = git.run("ls-tree", "--name-only", commit, "tests/data/html/")
    out: list[Annotated | str] = []
    for path in listing.split():
        name = path.rsplit("/", 1)[1].removesuffix(".html")
        html = git.show(commit, path)
        text = git.show(commit, f"tests/data/text/{name}.txt")
        if name not in notes or not html or not text or name not in by_name:
            out.append(name)
            continue
        paras = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text.decode("utf-8", "replace"))]
        site = re.sub(r"\d+$", "", name)
        expected_path = f"tests/data/text/{name}.txt"
        out.append(
            Annotated(name, html, [p for p in paras if p], by_name[name], site, path, expected_path)
        )
    return out


SOURCES = {
    "readability": (
        READABILITY,
        READABILITY_LICENSE,
        READABILITY_ANNOTATIONS,
        readability_source,
        "rd",
    ),
    "newspaper": (NEWSPAPER, NEWSPAPER_LICENSE, NEWSPAPER_ANNOTATIONS, newspaper_source, "np"),
}


def annotated_pages(
    kind: str, git_dir: Path, commit: str, corpus: Path | None
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The pages of a source we annotated: the source's expected text is the body; title,
    authors, date and language are our annotations (`<source>_annotations.json`)."""
    repo, license_, annotations, reader, prefix = SOURCES[kind]
    git = Git(git_dir)
    commit = git.run("rev-parse", commit).strip()
    notes = json.loads(annotations.read_text(encoding="utf-8"))
    corpus_urls, corpus_digests = load_corpus(corpus)
    corpus_sites = {_site(u) for u in corpus_urls}
    excluded: Counter[str] = Counter()
    excluded_pages: list[dict[str, str]] = []
    kept: dict[str, dict[str, Any]] = {}
    for page in reader(git, commit, notes):
        if isinstance(page, str):
            excluded["not annotated (no date on the page, not an article, or unclear)"] += 1
            excluded_pages.append({"path": page, "reason": "not annotated"})
            continue
        note = notes[page.name]
        hay = page_haystack(page.html)
        reason = ""
        if hashlib.sha256(page.html).hexdigest() in corpus_digests:
            reason = "in the development corpus (same HTML)"
        elif page.url and _url_key(page.url) in corpus_urls:
            reason = "in the development corpus (same URL)"
        elif _norm(note["title"]) not in hay:
            reason = "annotated title not found in the page"
        elif any(_norm(a) not in hay for a in note.get("authors") or []):
            reason = "annotated author not found in the page"
        elif len(re.findall(r"\w+", " ".join(page.paragraphs))) < MIN_BODY_WORDS:
            reason = f"expected body under {MIN_BODY_WORDS} words"
        if reason:
            excluded[reason] += 1
            excluded_pages.append({"path": page.html_path, "reason": reason})
            continue
        doc_id = f"{prefix}_{page.site.replace('.', '-')}_{page.name.replace('.', '-')}"
        published = note["published_at"]
        if "T" in published:
            published = datetime.fromisoformat(published).isoformat()
        language = note.get("language", "en")
        expected = {
            "id": doc_id,
            "publisher": page.site,
            "country": None,
            "url": page.url,
            "crawled_at": None,
            "html_file": f"{doc_id}.html.gz",
            "title": note["title"],
            "authors": note.get("authors"),
            "published_at": published,
            "summary": [],
            "body_text": "\n\n".join(page.paragraphs),
            "language": language,
            "origin": {
                "repository": repo,
                "license": license_,
                "commit": commit,
                "html_path": page.html_path,
                "expected_path": page.expected_path,
                "annotation": f"benchmarks/gold/{annotations.name}",
                "body_source": f"{repo}'s own test expectation",
            },
        }
        kept[doc_id] = {
            "row": {
                "id": doc_id,
                "publisher": page.site,
                "country": None,
                "url": page.url,
                "crawled_at": None,
                "html_file": f"{doc_id}.html.gz",
                "expected_file": f"{doc_id}.expected.json",
                "language": language,
                "source": repo,
                "publisher_in_dev_corpus": page.site in corpus_sites,
                "site_in_dev_corpus": page.site in corpus_sites or _site(page.url) in corpus_sites,
            },
            "expected": expected,
            "gz": gzip.compress(page.html, mtime=0),
        }
    report = {
        "repository": repo,
        "license": license_,
        "commit": commit,
        **summarize(kept),
        "excluded": dict(excluded.most_common()),
        "excluded_pages": excluded_pages,
    }
    return kept, report


# -- output ---------------------------------------------------------------------------------------


def summarize(kept: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = [k["row"] for k in kept.values()]
    exps = [k["expected"] for k in kept.values()]
    return {
        "pages": len(rows),
        "sites": len({r["publisher"] for r in rows}),
        "sites_not_in_dev_corpus": len(
            {r["publisher"] for r in rows if not r["site_in_dev_corpus"]}
        ),
        "pages_of_sites_not_in_dev_corpus": sum(not r["site_in_dev_corpus"] for r in rows),
        "countries": dict(Counter(r["country"] or "unknown" for r in rows).most_common()),
        "languages": dict(Counter(r["language"] or "unknown" for r in rows).most_common()),
        "authors_annotated": sum(e["authors"] is not None for e in exps),
        "dates_with_offset": sum(
            "T" in e["published_at"]
            and datetime.fromisoformat(e["published_at"]).tzinfo is not None
            for e in exps
        ),
        "dates_day_only": sum("T" not in e["published_at"] for e in exps),
    }


def write(out: Path, kept: dict[str, dict[str, Any]], sources: list[dict[str, Any]]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.html.gz"), *out.glob("*.expected.json")]:
        old.unlink()
    with open(out / "index.jsonl", "w", encoding="utf-8") as fh:
        for doc_id in sorted(kept):
            k = kept[doc_id]
            (out / f"{doc_id}.html.gz").write_bytes(k["gz"])
            (out / f"{doc_id}.expected.json").write_text(
                json.dumps(k["expected"], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            fh.write(json.dumps(k["row"], ensure_ascii=False) + "\n")
    report = {"total": summarize(kept), "sources": sources}
    (out / "build_report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fundus-git-dir", type=Path, help="fetched flairNLP/fundus git directory")
    ap.add_argument("--fundus-commit", help="the fundus commit whose history is read")
    ap.add_argument(
        "--readability-git-dir", type=Path, help="fetched mozilla/readability git directory"
    )
    ap.add_argument("--readability-commit", help="the readability commit to read")
    ap.add_argument(
        "--newspaper-git-dir", type=Path, help="fetched AndyTheFactory/newspaper4k git directory"
    )
    ap.add_argument("--newspaper-commit", help="the newspaper4k commit to read (79553f6...)")
    ap.add_argument("--out", type=Path, required=True, help="gold folder to write")
    ap.add_argument(
        "--exclude-corpus",
        type=Path,
        default=None,
        help="a gold folder (index.jsonl) whose pages must stay out: the development corpus",
    )
    ap.add_argument(
        "--branches",
        action="store_true",
        help="also read the snapshot's branches and pull-request heads (their commits are listed "
        "in build_report.json)",
    )
    args = ap.parse_args(argv)
    kept: dict[str, dict[str, Any]] = {}
    sources: list[dict[str, Any]] = []
    if args.fundus_git_dir and args.fundus_commit:
        pages, rep = fundus_pages(
            args.fundus_git_dir, args.fundus_commit, args.exclude_corpus, args.branches
        )
        kept |= pages
        sources.append(rep)
    for kind in SOURCES:
        git_dir, commit = getattr(args, f"{kind}_git_dir"), getattr(args, f"{kind}_commit")
        if git_dir and commit:
            pages, rep = annotated_pages(kind, git_dir, commit, args.exclude_corpus)
            kept |= pages
            sources.append(rep)
    if not sources:
        ap.error("give at least one source: --fundus-git-dir and --fundus-commit, ...")
    report = write(args.out, kept, sources)
    brief = {
        "total": report["total"],
        "sources": [
            {k: v for k, v in r.items() if k not in ("excluded_pages", "refs")} for r in sources
        ],
    }
    print(json.dumps(brief, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
