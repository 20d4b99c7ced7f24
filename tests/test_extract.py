from __future__ import annotations

import time

import pytest

from pipeline import extract as extract_mod
from pipeline.config import ExtractConfig
from pipeline.extract import TRAFILATURA, extract
from pipeline.records import Extracted, Hints, RawDoc, Rejected
from tests.conftest import SHARED, article_html


def _doc(html: str, **hints: object) -> RawDoc:
    return RawDoc("s", "ref", "html", html=html.encode(), hints=Hints(**hints))  # type: ignore[arg-type]


def test_html_extraction_with_metadata() -> None:
    out = extract(_doc(article_html()), ExtractConfig())
    assert isinstance(out, Extracted)
    assert out.extractor == TRAFILATURA and TRAFILATURA.startswith("trafilatura 2.")
    assert out.title == "Harbour board backs breakwater rebuild"
    assert out.published_at is not None and out.published_at.startswith("2026-11-20")
    assert out.authors == ("Maria Okafor",)
    assert out.sitename == "The Harbor Ledger"
    assert out.language == "en"
    assert "northern breakwater" in out.text and "Home" not in out.text


@pytest.mark.parametrize(
    ("lang", "language"),
    [("en", "en"), ("de-CH", "de"), ("pt_BR", "pt"), ("EN-gb", "en"), ("english", None)],
)
def test_declared_language_is_the_primary_subtag_of_html_lang(
    lang: str, language: str | None
) -> None:
    out = extract(_doc(article_html(lang=lang)), ExtractConfig())
    assert isinstance(out, Extracted) and out.language == language


def test_hints_fill_gaps_but_do_not_override() -> None:
    html = "<html><body><article>" + "<p>Plain words in a paragraph here.</p>" * 20
    html += "</article></body></html>"
    out = extract(_doc(html, title="Hinted title", published_at="2026-11-01"), ExtractConfig())
    assert isinstance(out, Extracted)
    assert out.title == "Hinted title" and out.published_at == "2026-11-01"


def test_size_cap_quarantines_before_parsing() -> None:
    out = extract(_doc(article_html()), ExtractConfig(max_bytes=100))
    assert isinstance(out, Rejected) and out.reason == "too_large" and out.stage == "extract"


def test_hanging_extractor_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*a: object, **k: object) -> None:
        time.sleep(10)

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", hang)
    t = time.monotonic()
    out = extract(_doc(article_html()), ExtractConfig(timeout_s=0.3))
    assert time.monotonic() - t < 3
    assert isinstance(out, Rejected) and out.reason == "timeout"


def test_crashing_extractor_is_quarantined(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: object, **k: object) -> None:
        raise ValueError("lxml said no")

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", boom)
    out = extract(_doc(article_html()), ExtractConfig())
    assert isinstance(out, Rejected) and out.reason == "extractor_error"
    assert "lxml said no" in out.message


def test_page_without_article_text_is_no_content() -> None:
    page = "<html><head><title>Section</title></head><body><div></div></body></html>"
    out = extract(_doc(page), ExtractConfig())
    assert isinstance(out, Rejected) and out.reason == "no_content"


# -- structured metadata (pipeline.metadata) ---------------------------------------------------

from trafilatura.utils import load_html  # noqa: E402

from pipeline.metadata import (  # noqa: E402
    choose_authors,
    choose_date,
    choose_title,
    page_meta,
    strip_site_name,
    visible_lead,
)

_BODY = "<p>" + "Words of the story in a paragraph of its own. " * 8 + "</p>"


def _ld(fields: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", {fields}}}</script>'


def _meta(head: str, body: str = _BODY) -> object:
    return page_meta(load_html(f"<html><head>{head}</head><body>{body}</body></html>"))


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        ("Ferry workers walk out | The Harbor Ledger", "https://harborledger.example/a",
         "Ferry workers walk out"),
        ("The Harbor Ledger :: Ferry workers walk out", "https://harborledger.example/a",
         "Ferry workers walk out"),
        ("Millbrook Weekly Register :: Levy passes", "https://millbrookregister.example/a",
         "Levy passes"),
        ("Offensive: Ziele und Risiken | DW | 28.04.2023", "https://www.dw.com/de/a",
         "Offensive: Ziele und Risiken"),
        ("Steigende Zinsen setzen Dax zu | Börsen-Zeitung", "https://www.boersen-zeitung.de/a",
         "Steigende Zinsen setzen Dax zu"),
        ("Storm - what we know", "https://harborledger.example/a", "Storm - what we know"),
    ],
)  # fmt: skip
def test_strip_site_name(title: str, url: str, expected: str) -> None:
    assert strip_site_name(title, ["The Harbor Ledger", "DW.COM"], url) == expected


def test_title_candidates_disagreeing_in_form() -> None:
    meta = _meta(
        "<title>Transit: Night buses return - Metro | Lakeside Gazette</title>"
        '<meta property="og:title" content="Night buses return | Lakeside Gazette">'
        '<meta property="og:site_name" content="Lakeside Gazette">',
        '<article><h1><span class="kicker">TRANSIT</span> Night buses return</h1>' + _BODY,
    )
    url = "https://lakesidegazette.example/x"
    assert choose_title(meta, None, None, url) == ("Night buses return", "og:title")  # type: ignore[arg-type]
    ld = _ld('"headline": "Buses return"')
    meta = _meta(ld + '<meta property="og:title" content="Night buses return | Lakeside Gazette">')
    assert choose_title(meta, None, None, url)[0] == "Buses return"  # type: ignore[arg-type]


def test_date_from_the_header_time_not_the_update_or_a_teaser() -> None:
    meta = _meta(
        "",
        '<aside class="related"><time datetime="2026-11-24T08:00:00+01:00">24 Nov</time></aside>'
        '<article><header>Updated <time class="updated" datetime="2026-11-20T09:05:00+01:00">'
        '</time> Published <time datetime="2026-11-19T18:30:00+01:00">19 Nov</time></header>'
        + _BODY
        + "</article>",
    )
    assert choose_date(meta, "2026-11-20", "2026-11-25T06:00:00") == (  # type: ignore[arg-type]
        "2026-11-19T18:30:00+01:00",
        "time",
    )


def test_declared_dates_beat_text_keep_their_offset_and_are_never_after_the_fetch() -> None:
    meta = _meta('<meta property="article:published_time" content="2026-11-18T07:45:00+01:00">')
    assert choose_date(meta, "2026-11-18T00:00:00", None)[0] == "2026-11-18T07:45:00+01:00"  # type: ignore[arg-type]
    ld = _ld('"datePublished": "Fri Apr 28 19:20:36 CEST 2023"')
    assert choose_date(_meta(ld), None, None)[0] == "2023-04-28T19:20:36+02:00"  # type: ignore[arg-type]
    future = _meta('<meta property="article:published_time" content="2027-01-01T10:00:00+00:00">')
    assert choose_date(future, "2026-11-17", "2026-11-25T06:00:00") == ("2026-11-17", "extractor")  # type: ignore[arg-type]


def test_authors_structured_first_and_the_outlet_gives_way_to_people() -> None:
    ld = _ld('"author": {"@type": "Organization", "name": "Deutsche Welle"}')
    meta = _meta(
        ld + '<meta property="og:site_name" content="Deutsche Welle">',
        '<div class="author-box">Von Roman Beispiel</div>' + _BODY,
    )
    url = "https://www.dw.example/a"
    assert choose_authors(meta, [], None, url) == (("Roman Beispiel",), "byline")  # type: ignore[arg-type]
    only_outlet = _meta(ld + '<meta property="og:site_name" content="Deutsche Welle">')
    assert choose_authors(only_outlet, [], None, url) == (("Deutsche Welle",), "json-ld")  # type: ignore[arg-type]


def test_a_visible_standfirst_the_extractor_dropped_is_the_lead() -> None:
    dek = "Three routes will run hourly after midnight from December, paid for by a levy."
    tree = load_html(
        f'<html><head><meta name="description" content="{dek}"></head><body><article>'
        f'<header><p class="standfirst">{dek}</p></header>{_BODY}</article></body></html>'
    )
    assert visible_lead(tree, dek, "Words of the story.") == dek
    assert visible_lead(tree, dek, f"{dek}\nWords of the story.") is None  # already there
    hidden = load_html(f'<html><head><meta name="description" content="{dek}"></head>'
                       f"<body>{_BODY}</body></html>")  # fmt: skip
    assert visible_lead(hidden, dek, "Words of the story.") is None  # not shown on the page


# -- extract.mode ---------------------------------------------------------------------------------


def _calls(
    monkeypatch: pytest.MonkeyPatch, fast_text: str | None = None
) -> list[dict[str, object]]:
    """The keyword arguments of each trafilatura call; `fast_text` replaces what the fast pass
    finds (a page where it misses the article)."""
    calls: list[dict[str, object]] = []
    real = extract_mod.trafilatura.bare_extraction

    def spy(tree: object, **kw: object) -> object:
        calls.append(kw)
        doc = real(tree, **kw)
        if kw.get("fast") and fast_text is not None:
            doc.text = fast_text
        return doc

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", spy)
    return calls


def test_fast_mode_is_one_fast_pass_with_the_pages_own_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = (
        '<meta property="og:description" content="The board voted to rebuild the breakwater.">'
        '<meta property="og:image" content="https://harbor.example/b.jpg">'
    )
    html = article_html().replace("</head>", head + "</head>")
    head += '<meta property="article:section" content="Waterfront">'
    head += '<meta property="article:tag" content="breakwater">'
    html = article_html().replace("</head>", head + "</head>")
    calls = _calls(monkeypatch)
    fast = extract(_doc(html), ExtractConfig(mode="fast"))
    assert [(c["fast"], c["with_metadata"]) for c in calls] == [(True, False)]
    # Accurate mode differs by the fallback extractors only: trafilatura's metadata pass is
    # never run, the page's metadata is read once by Broadsheet (issue 19).
    accurate = extract(_doc(html), ExtractConfig(mode="accurate"))
    assert [(c["fast"], c["with_metadata"]) for c in calls[1:]] == [(False, False)]
    assert isinstance(fast, Extracted) and isinstance(accurate, Extracted)
    assert fast.text == accurate.text
    fields = ("title", "published_at", "authors", "sitename", "description", "image_url", "url",
              "categories", "tags")  # fmt: skip
    for field in fields:
        assert getattr(fast, field) == getattr(accurate, field), field
    assert fast.image_url == "https://harbor.example/b.jpg"
    # Without a URL from the input, the page's canonical link; its section and tag.
    assert fast.url == "https://harbor.example/news/breakwater"
    assert (fast.categories, fast.tags) == (("Waterfront",), ("breakwater",))


def test_the_author_heuristic_runs_only_when_the_page_declares_no_author(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura's author search copies the tree; a declared author makes it unnecessary."""
    seen: list[object] = []
    real = extract_mod.extract_author

    def spy(tree: object) -> str | None:
        seen.append(tree)
        return real(tree)

    monkeypatch.setattr(extract_mod, "extract_author", spy)
    out = extract(_doc(article_html()), ExtractConfig())
    assert isinstance(out, Extracted) and out.authors == ("Maria Okafor",) and seen == []
    bare = article_html().replace('<meta name="author" content="Maria Okafor">', "")
    bare = bare.replace('<p class="byline">By Maria Okafor</p>', "")
    out = extract(_doc(bare), ExtractConfig())
    assert isinstance(out, Extracted) and len(seen) == 1


def test_fast_mode_runs_the_full_cascade_when_the_fast_pass_misses_the_prose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _calls(monkeypatch, fast_text="Home News")
    out = extract(_doc(article_html()), ExtractConfig(mode="fast"))
    assert [c.get("fast", False) for c in calls] == [True, False]
    assert isinstance(out, Extracted) and "northern breakwater" in out.text


def test_fast_mode_searches_the_text_for_a_date_when_the_page_declares_none() -> None:
    html = article_html().replace(
        '<meta property="article:published_time" content="2026-11-20T08:30:00+01:00">', ""
    )
    html = html.replace(
        '<p class="byline">', '<p class="date">Published 2026-11-19</p><p class="byline">'
    )
    out = extract(_doc(html), ExtractConfig(mode="fast"))
    assert isinstance(out, Extracted) and (out.published_at or "").startswith("2026-11-19")


# -- the article's region (extract.mode fast) ------------------------------------------------------

_STORY = [
    "The harbour board voted on Tuesday to rebuild the northern breakwater, which storms in "
    "2024 left cracked along two thirds of its length, at a cost the board puts at twelve "
    "million euros spread over four years of work.",
    "Engineers told the meeting that the old granite blocks can be reused for the core of the "
    "new structure, while the outer layer will be cast in concrete units shaped to break the "
    "force of waves before they reach the quay.",
    "Fishing crews, who moor behind the breakwater through the winter, asked for the work to "
    "pause between November and February; the board agreed to keep one berth sheltered at all "
    "times and to publish the schedule a month ahead.",
    "The chair said the decision closes a debate that has run since the storms, and that the "
    "first contracts will be tendered in the spring, with the ministry's share of the money "
    "already promised in writing.",
    "Residents of the old town, whose houses stand closest to the sea wall, will be invited to "
    "a public meeting next month to see the plans and to raise concerns about noise and lorries "
    "on the harbour road.",
]


def _busy_page() -> str:
    """A news page as most are: the story in one container among menus, teasers and a footer."""
    menu = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(60))
    teasers = "".join(
        f'<li class="teaser"><a href="/news/{i}">Another story of the day, number {i}</a></li>'
        for i in range(8)
    )
    story = "".join(f"<p>{p}</p>" for p in _STORY)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Harbour board backs breakwater rebuild</title>"
        '<meta property="article:published_time" content="2026-11-20T08:30:00+01:00">'
        "</head><body>"
        f'<header><nav><ul class="menu">{menu}</ul></nav></header>'
        '<div class="post-meta"><a href="/category/waterfront/">Waterfront</a></div>'
        '<main><div class="article-body"><h1>Harbour board backs breakwater rebuild</h1>'
        f'<p class="byline">By Maria Okafor</p>{story}</div>'
        f'<aside class="more"><ul>{teasers}</ul></aside></main>'
        "<footer><p>Copyright The Harbor Ledger</p></footer></body></html>"
    )


def _trees(monkeypatch: pytest.MonkeyPatch, first_text: str | None = None) -> list[object]:
    """The trees trafilatura is given; `first_text` replaces what the first call finds."""
    trees: list[object] = []
    real = extract_mod.trafilatura.bare_extraction

    def spy(tree: object, **kw: object) -> object:
        assert kw["fast"] or not first_text, "the full cascade was not needed"
        trees.append(tree)
        doc = real(tree, **kw)
        if first_text is not None and len(trees) == 1:
            doc.text = first_text
        return doc

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", spy)
    return trees


def _links(tree: object) -> int:
    return len(tree.xpath("//a"))  # type: ignore[attr-defined]


def test_fast_mode_extracts_from_the_article_region_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's cost grows with the nodes it walks; the menus are most of them."""
    html = _busy_page()
    whole = extract(_doc(html), ExtractConfig(mode="accurate"))
    trees = _trees(monkeypatch)
    out = extract(_doc(html), ExtractConfig(mode="fast"))
    assert len(trees) == 1
    assert _links(trees[0]) == 0  # the region: no menu, no teasers, no category link
    assert isinstance(out, Extracted) and isinstance(whole, Extracted)
    assert out.text == whole.text
    assert all(p in out.text for p in _STORY)
    # The metadata still comes from the whole page.
    assert out.categories == ("Waterfront",)
    assert out.authors == ("Maria Okafor",)
    assert out.published_at == "2026-11-20T08:30:00+01:00"


def test_a_region_whose_extraction_keeps_little_gives_way_to_the_whole_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trees = _trees(monkeypatch, first_text="Harbour board backs breakwater rebuild")
    out = extract(_doc(_busy_page()), ExtractConfig(mode="fast"))
    assert len(trees) == 2
    assert _links(trees[0]) == 0 and _links(trees[1]) > 60  # the region, then the page
    assert isinstance(out, Extracted) and all(p in out.text for p in _STORY)


def test_a_page_with_little_paragraph_text_is_extracted_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trees = _trees(monkeypatch)
    html = _busy_page()
    for p in _STORY[2:]:  # two paragraphs, under 1,000 characters
        html = html.replace(f"<p>{p}</p>", "")
    out = extract(_doc(html), ExtractConfig(mode="fast"))
    assert len(trees) == 1 and _links(trees[0]) > 60
    assert isinstance(out, Extracted) and _STORY[0] in out.text


_CATSTAG_PAGES = {
    "meta div": '<div class="post-meta"><a href="/category/politics/">Politics</a>'
    '<a href="/tag/budget/">budget</a></div>',
    "tags div": '<div class="tags"><a href="/tags/harbour">harbour</a></div>',
    "section meta only": "",
    "links elsewhere": '<nav><a href="/categories/all">All</a><a href="/tag/x/">x</a></nav>',
    "nothing": '<div class="post-meta"><a href="/news/1">One</a></div>',
}


@pytest.mark.parametrize("name", sorted(_CATSTAG_PAGES))
@pytest.mark.parametrize("kind", ["category", "tag"])
def test_categories_and_tags_as_trafilatura_finds_them(name: str, kind: str) -> None:
    from trafilatura.metadata import extract_catstags
    from trafilatura.utils import load_html

    section = '<meta property="article:section" content="Harbour">' if "meta" in name else ""
    html = f"<html><head>{section}</head><body>{_CATSTAG_PAGES[name]}<p>text</p></body></html>"
    tree = load_html(html)
    expected = extract_catstags(kind, tree)
    assert extract_mod._catstags(kind, tree, tree.xpath(extract_mod._CATSTAG_HREFS)) == expected


def test_the_category_search_is_skipped_when_no_link_could_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    real = extract_mod.extract_catstags

    def spy(kind: str, tree: object) -> list[str]:
        seen.append(kind)
        return real(kind, tree)

    monkeypatch.setattr(extract_mod, "extract_catstags", spy)
    out = extract(_doc(article_html()), ExtractConfig())
    assert isinstance(out, Extracted) and out.categories == () and seen == []
    out = extract(_doc(_busy_page()), ExtractConfig())
    assert isinstance(out, Extracted) and out.categories == ("Waterfront",)
    assert seen == ["category"]  # a /category/ link: searched; no /tag/ link: not


# -- one parse from the bytes (issue 19) -----------------------------------------------------------

_PLAIN = (
    "<!DOCTYPE html>\n<html><head><title>T</title></head>"
    "<body><p>Caf\u00e9 \u4e2d</p></body></html>"
)
_PARSE_CASES = {
    "plain utf-8": (_PLAIN.encode(), "utf-8"),
    "labelled latin-1, utf-8 bytes": (
        _PLAIN.replace("<head>", '<head><meta charset="iso-8859-1">').encode(),
        "iso-8859-1",
    ),
    "xhtml doctype": (
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html><body><p>x</p></body></html>',
        "utf-8",
    ),
    "doctype, one line": (_PLAIN.replace("\n", "").encode(), "utf-8"),
    "control characters": (_PLAIN.replace("Caf", "Ca\x01f\x0b").encode(), "utf-8"),
    "noncharacter": (_PLAIN.replace("Caf", "Ca\ufffef").encode(), "utf-8"),
    "self-closed html": (b"<html lang='en'/>\n<body><p>x</p></body>", "utf-8"),
    "byte order mark": (b"\xef\xbb\xbf" + _PLAIN.encode(), "utf-8"),
    "windows-1252": (_PLAIN.replace("\u4e2d", "").encode("cp1252"), "windows-1252"),
    "undeclared": (_PLAIN.encode(), None),
    "not html": (b"just some words, no markup at all", "utf-8"),
    "fragment": (b"<p>one paragraph</p>", "utf-8"),
    "comment and processing instruction": (
        b"<html><body><!-- note --><?php echo 1; ?><p id='a'>x</p></body></html>",
        "utf-8",
    ),
    "whitespace": (b"   \n ", "utf-8"),
    "empty": (b"", "utf-8"),
}


def _tree_bytes(tree: object) -> bytes | None:
    from lxml import etree

    return None if tree is None else etree.tostring(tree, encoding="utf-8")


@pytest.mark.parametrize("name", sorted(_PARSE_CASES))
def test_one_parse_of_the_bytes_gives_trafilaturas_tree(name: str) -> None:
    html, declared = _PARSE_CASES[name]
    expected = load_html(extract_mod.decode_html(html, declared))
    assert _tree_bytes(extract_mod.parse_html(html, declared)) == _tree_bytes(expected)


def test_clean_utf8_pages_are_parsed_from_their_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text round trip (scan, repair, encode again) is what the one parse saves."""
    calls: list[object] = []
    real = extract_mod.load_html
    monkeypatch.setattr(extract_mod, "load_html", lambda x: calls.append(x) or real(x))
    assert extract_mod.parse_html(_PARSE_CASES["plain utf-8"][0], "utf-8") is not None
    assert calls == []
    extract_mod.parse_html(_PARSE_CASES["xhtml doctype"][0], "utf-8")
    extract_mod.parse_html(_PARSE_CASES["control characters"][0], "utf-8")
    assert len(calls) == 2  # pages trafilatura repairs take its own path


_GOLD_PAGES = sorted((SHARED / "corpus" / "html").glob("*.html.gz"))


@pytest.mark.skipif(not _GOLD_PAGES, reason="../shared/corpus/html absent")
def test_one_parse_matches_trafilatura_on_the_development_corpus() -> None:
    import gzip

    for path in _GOLD_PAGES:
        html = gzip.decompress(path.read_bytes())
        expected = load_html(extract_mod.decode_html(html, "utf-8"))
        assert _tree_bytes(extract_mod.parse_html(html, "utf-8")) == _tree_bytes(expected), path


# -- lxml's C-level element classes (issue 19) ---------------------------------------------------


def _form_page() -> str:
    """A page whose elements lxml.html gives classes of their own: forms, inputs, labels,
    selects and text areas around and inside the story (an ASP.NET-style wrapping form)."""
    story = "".join(f"<p>{p}</p>" for p in _STORY)
    return (
        "<!DOCTYPE html>\n<html><head><title>Harbour works</title></head><body>"
        '<form id="aspnetForm" action="/post"><input type="hidden" name="v" value="1">'
        '<nav><label for="q">Search</label><input id="q" name="q"><select name="s">'
        "<option>All</option><option>News</option></select></nav>"
        f"<article><h1>Harbour works begin</h1>{story}</article>"
        '<form class="newsletter"><label>Email</label><input name="e">'
        "<textarea>Tell us more</textarea><button>Subscribe</button></form>"
        "</form></body></html>"
    )


def test_the_parse_creates_elements_without_lxml_htmls_python_lookup() -> None:
    from lxml.html import HtmlElement

    tree = extract_mod.parse_html(_form_page().encode(), "utf-8")
    for tag in ("form", "input", "label", "select", "textarea", "p"):
        assert type(tree.find(f".//{tag}")) is HtmlElement, tag
    region = extract_mod._region_page(tree.find(".//article"))
    assert type(region.find(".//p")) is HtmlElement


@pytest.mark.parametrize("mode", ["accurate", "fast"])
def test_element_classes_change_no_extraction(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from trafilatura.utils import HTML_PARSER as TRAFILATURA_PARSER

    pages = [_form_page(), _busy_page(), article_html()]
    if _GOLD_PAGES:
        import gzip

        pages += [gzip.decompress(p.read_bytes()).decode() for p in _GOLD_PAGES[::8]]
    cfg = ExtractConfig(mode=mode)
    docs = [RawDoc("s", "ref", "html", html=p.encode(), charset="utf-8") for p in pages]
    ours = [extract(d, cfg) for d in docs]
    monkeypatch.setattr(extract_mod, "HTML_PARSER", TRAFILATURA_PARSER)
    assert [extract(d, cfg) for d in docs] == ours
    assert isinstance(ours[0], Extracted) and "breakwater" in ours[0].text
