from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard

from pipeline.config import FilesSource, JsonlFields, JsonlSource, TextSource
from pipeline.records import RawDoc, Rejected, Skipped
from pipeline.sources import is_archive, read_source, source_files
from pipeline.sources.files import discover, path_of
from tests.conftest import article_html


def _files(tmp: Path, name: str, paths: list[Path]) -> FilesSource:
    return FilesSource(name=name, paths=tuple(paths))


def test_discover_is_recursive_sorted_and_skips_unknown(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.html").write_text("x")
    (tmp_path / "b" / "c.htm").write_text("x")
    (tmp_path / "b" / "d.html.gz").write_bytes(gzip.compress(b"x"))
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / ".hidden.html").write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], "files")]
    assert found == ["a.html", "b/c.htm", "b/d.html.gz"]


def test_html_gz_and_truncated_gzip(tmp_path: Path) -> None:
    page = article_html().encode()
    (tmp_path / "ok.html.gz").write_bytes(gzip.compress(page))
    (tmp_path / "bad.html.gz").write_bytes(gzip.compress(page)[:200])
    out = list(read_source(_files(tmp_path, "s", [tmp_path]), 1_000_000))
    by_ref = {Path(o.input_ref).name: o for o in out}
    assert isinstance(by_ref["ok.html.gz"], RawDoc) and by_ref["ok.html.gz"].html == page
    bad = by_ref["bad.html.gz"]
    assert isinstance(bad, Rejected) and bad.reason == "unreadable" and bad.stage == "read"


def test_decompression_is_capped(tmp_path: Path) -> None:
    # 5 MB of zeros compress to a few KB: the cap applies to what comes out, not what is stored.
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"0" * 5_000_000))
    [out] = read_source(_files(tmp_path, "s", [tmp_path]), 100_000)
    assert isinstance(out, Rejected) and out.reason == "too_large"


def test_text_multi_article_split_and_refs(tmp_path: Path) -> None:
    f = tmp_path / "digest.txt"
    f.write_text("First\n\nBody one.\n=====\nSecond\n\nBody two.\n  =======  \nThird\n\nBody 3.\n")
    src = TextSource(name="t", type="text", paths=(f,))
    out = list(read_source(src, 1_000_000))
    assert [o.input_ref for o in out] == [f"{f}#1", f"{f}#2", f"{f}#3"]
    assert all(isinstance(o, RawDoc) for o in out)
    assert [o.text.split("\n")[0] for o in out if isinstance(o, RawDoc) and o.text] == [
        "First",
        "Second",
        "Third",
    ]


def test_text_encodings_and_binary(tmp_path: Path) -> None:
    (tmp_path / "cp.txt").write_bytes("Grüße aus Köln – heute".encode("cp1252"))
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 4)
    out = {Path(o.input_ref).name: o for o in read_source(_files(tmp_path, "s", [tmp_path]), 10**6)}
    cp = out["cp.txt"]
    assert isinstance(cp, RawDoc) and cp.text == "Grüße aus Köln – heute"
    b = out["bin.txt"]
    assert isinstance(b, Rejected) and b.reason == "decode_error" and b.raw_excerpt


def test_jsonl_mapping_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "link": "https://a.example/x",
                "content": "<html><body><p>hi</p></body></html>",
                "meta": {"crawled": "2026-11-22T01:02:03Z"},
                "byline": ["A B", "C D"],
            }
        ),
        json.dumps({"link": "https://a.example/y", "body": "Plain body text."}),
        "{not json",
        "[1, 2]",
        "",
        json.dumps({"link": "https://a.example/z"}),
        json.dumps({"content": 42}),
    ]
    f = tmp_path / "dump.jsonl.zst"
    f.write_bytes(zstandard.ZstdCompressor().compress("\n".join(lines).encode()))
    fields = JsonlFields(
        url="link", html="content", text="body", authors="byline", fetched_at="meta.crawled"
    )
    src = JsonlSource(name="j", type="jsonl", paths=(f,), fields=fields)
    out = list(read_source(src, 1_000_000))
    assert [o.input_ref.rsplit(":", 1)[1] for o in out] == ["1", "2", "3", "4", "6", "7"]
    first, second, notjson, array, nocontent, wrongtype = out
    assert isinstance(first, RawDoc) and first.hints.url == "https://a.example/x"
    assert first.hints.fetched_at == "2026-11-22T01:02:03Z"
    assert first.hints.authors == ("A B", "C D")
    assert isinstance(second, RawDoc) and second.text == "Plain body text." and second.html is None
    assert isinstance(notjson, Rejected) and notjson.reason == "bad_json"
    assert isinstance(array, Rejected) and "object" in array.message
    assert isinstance(nocontent, Rejected) and nocontent.reason == "missing_field"
    assert isinstance(wrongtype, Rejected) and wrongtype.reason == "bad_field"


def test_jsonl_overlong_line_is_quarantined_and_reading_goes_on(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    big = json.dumps({"text": "x" * 5000})
    ok = json.dumps({"text": "fine"})
    f.write_text(f"{big}\n{ok}\n")
    out = list(read_source(JsonlSource(name="j", type="jsonl", paths=(f,)), 1000))
    assert isinstance(out[0], Rejected) and out[0].reason == "too_large"
    assert isinstance(out[1], RawDoc) and out[1].text == "fine"


def test_jsonl_gzip_damaged_mid_file_keeps_earlier_lines(tmp_path: Path) -> None:
    body = "\n".join(json.dumps({"text": f"article {i} " + "w " * 200}) for i in range(200))
    data = gzip.compress(body.encode())
    f = tmp_path / "d.jsonl.gz"
    f.write_bytes(data[: len(data) // 2])
    out = list(read_source(JsonlSource(name="j", type="jsonl", paths=(f,)), 10**6))
    assert sum(isinstance(o, RawDoc) for o in out) > 10
    assert isinstance(out[-1], Rejected) and out[-1].reason == "unreadable"


# -- issue 15: what discovery admits, WARC folders, splitting in blocks ------------------------


def _kinds(items: list[RawDoc | Rejected | Skipped], root: Path) -> dict[str, str]:
    out = {}
    for i in items:
        name = path_of(i.input_ref).relative_to(root).as_posix()
        if isinstance(i, RawDoc):
            out[name] = "doc"
        elif isinstance(i, Rejected):
            out[name] = f"{i.stage}:{i.reason}"
        else:
            out[name] = f"skipped:{i.reason}"
    return out


def test_symlinks_are_followed_inside_the_root_only(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.html").write_text("<p>SECRET-OUTSIDE</p>")
    (root / "sub" / "page.html").write_text(article_html())
    (root / "inside.html").symlink_to("sub/page.html")
    (root / "escape.html").symlink_to(outside / "secret.html")
    (root / "loop.html").symlink_to("loop.html")
    (root / "dangling.html").symlink_to("nowhere.html")
    (root / "away").symlink_to(outside)  # a folder outside: listed, refused, never walked
    (root / "again").symlink_to(".")  # a folder loop inside: not walked twice
    items = list(read_source(_files(tmp_path, "s", [root]), 10**6))
    got = _kinds(items, root)
    assert got == {
        "away": "read:outside_root",
        "dangling.html": "read:unreadable",
        "escape.html": "read:outside_root",
        "inside.html": "doc",
        "loop.html": "read:outside_root",
        "sub/page.html": "doc",
    }
    assert not any("SECRET-OUTSIDE" in repr(i) for i in items)
    # A file named as a root is read wherever its symlink points: the user named it.
    [named] = read_source(_files(tmp_path, "s", [root / "escape.html"]), 10**6)
    assert isinstance(named, RawDoc) and named.html == b"<p>SECRET-OUTSIDE</p>"


def test_a_missing_root_is_warned_about_and_reads_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "typo"
    assert list(read_source(_files(tmp_path, "s", [missing]), 10**6)) == []
    assert any(getattr(r, "path", None) == str(missing) for r in caplog.records)


def test_a_folder_of_warcs_in_a_files_source_reads_as_warc(tmp_path: Path) -> None:
    from tests.warcgen import Writer, news_page

    (tmp_path / "crawl").mkdir()
    for name, gz in (("a.warc.gz", True), ("b.warc", False)):
        w = Writer(tmp_path / "crawl" / name, gzip=gz)
        w.warcinfo()
        w.response(news_page(len(name)))
        w.close()
    (tmp_path / "crawl" / "page.html").write_text(article_html())
    src = _files(tmp_path, "s", [tmp_path / "crawl"])
    items = list(read_source(src, 10**6))
    kinds = sorted((Path(i.input_ref).name.split("@")[0], type(i).__name__) for i in items)
    assert kinds == [
        ("a.warc.gz", "RawDoc"),
        ("a.warc.gz", "Skipped"),
        ("b.warc", "RawDoc"),
        ("b.warc", "Skipped"),
        ("page.html", "RawDoc"),
    ]
    assert all(
        i.input_format == "warc" for i in items if isinstance(i, RawDoc) and "@" in i.input_ref
    )
    # Each WARC is a unit of work of its own, as in a `warc` source.
    assert [is_archive(src, loc) for loc in source_files(src)] == [True, True, False]


def test_text_split_in_blocks_keeps_long_lines_and_a_final_delimiter(tmp_path: Path) -> None:
    f = tmp_path / "d.txt"
    long = b"word " * 500_000  # 2.5 MB on one line, across several read blocks
    f.write_bytes(b"First\n\n" + long + b"\n=====\nSecond\n\nBody.\n=====")
    out = list(read_source(TextSource(name="t", type="text", paths=(f,)), 10**7))
    assert [o.input_ref for o in out] == [f"{f}#1", f"{f}#2"]
    first, second = out
    assert isinstance(first, RawDoc) and first.text == (b"First\n\n" + long + b"\n").decode()
    assert isinstance(second, RawDoc) and second.text == "Second\n\nBody.\n"


def test_deep_json_and_any_line_error_cost_one_line(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    deep = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    f.write_bytes(b'{"text": "before"}\n' + deep + b"\n" + b'{"text": "after"}\n')
    out = list(read_source(JsonlSource(name="j", type="jsonl", paths=(f,)), 10**6))
    assert [type(o).__name__ for o in out] == ["RawDoc", "Rejected", "RawDoc"]
    assert isinstance(out[1], Rejected) and out[1].reason == "bad_json"
    assert "RecursionError" in out[1].message


# -- the registry ------------------------------------------------------------------------------


def test_every_source_type_a_sources_file_may_name_has_one_registry_entry() -> None:
    from typing import get_args

    from pipeline.config import SourceConfig
    from pipeline.sources import REGISTRY

    models = get_args(get_args(SourceConfig)[0])
    assert {REGISTRY.of(m.model_construct()).config for m in models} == set(models)
    for m in models:
        entry = REGISTRY.of(m.model_construct())
        assert get_args(m.model_fields["type"].annotation) == (entry.type,)
        assert REGISTRY.named(entry.type) is entry
    assert len(REGISTRY.types) == len(models)


def test_web_sources_are_the_ones_their_entries_say() -> None:
    from pipeline.config import FeedSource, SitemapSource, UrlsSource, WarcSource
    from pipeline.shards import is_web

    web = [
        FeedSource(name="f", type="feed", urls=("https://a.example/rss",)),
        SitemapSource(name="s", type="sitemap", urls=("https://a.example/",)),
        UrlsSource(name="u", type="urls", urls=("https://a.example/1",)),
    ]
    local = [
        FilesSource(name="a", paths=(Path("x"),)),
        TextSource(name="t", type="text", paths=(Path("x"),)),
        WarcSource(name="w", type="warc", paths=(Path("x"),)),
    ]
    assert [is_web(s) for s in web + local] == [True] * 3 + [False] * 3
    # Feeds and sitemaps are units of work each; a URL list is cut into batches.
    assert [is_archive(s, "https://a.example/x") for s in web] == [True, True, False]
    with pytest.raises(ValueError, match="within a run"):
        list(read_source(web[2], 10**6))


def test_a_reader_that_raises_costs_one_row_for_that_input_only() -> None:
    from pipeline.sources.registry import ReadContext, Registry, SourceType

    def read(src: TextSource, loc: str, ctx: ReadContext) -> Iterator[RawDoc]:
        if loc == "b":
            raise RuntimeError("a reader bug")
        yield RawDoc(src.name, loc, "text", text=f"text of {loc}")

    entry = SourceType(
        type="text",
        config=TextSource,
        discover=lambda s: ["a", "b", "c"],
        read=read,
        input_format="text",
    )
    src = TextSource(name="t", type="text", paths=(Path("x"),))
    items = list(Registry([entry]).of(src).read_locations(src, ["a", "b", "c"], ReadContext(10)))
    assert [(i.input_ref, type(i).__name__) for i in items] == [
        ("a", "RawDoc"),
        ("b", "Rejected"),
        ("c", "RawDoc"),
    ]
    assert isinstance(items[1], Rejected) and items[1].reason == "unreadable"
    assert "RuntimeError: a reader bug" in items[1].message
    with pytest.raises(ValueError, match="registered twice"):
        Registry([entry, entry])
    with pytest.raises(TypeError, match="exactly one of read, read_shard"):
        SourceType(type="x", config=TextSource, discover=lambda s: [], input_format="text")
