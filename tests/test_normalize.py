from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pipeline.normalize import (
    NormalizeContext,
    boilerplate_rule,
    canonicalize_url,
    clean_authors,
    detect_language,
    fix_text,
    has_paywall_prompt,
    join_paragraphs,
    make_article_id,
    normalize_inline,
    parse_datetime,
    remove_boilerplate,
    split_paragraphs,
    to_article,
    word_count,
)
from pipeline.records import Article, Extracted, Rejected
from pipeline.web_util import url_domain

# -- text --------------------------------------------------------------------------------------


def test_fix_text_repairs_mojibake_and_invisible_characters() -> None:
    assert fix_text("CafÃ© au lait") == "Café au lait"
    assert fix_text("soft\u00adhyphen zero\u200bwidth\ufeff") == "softhyphen zerowidth"
    assert fix_text("e\u0301") == "é"  # NFC
    assert fix_text("a\u00a0b\r\nc\x07") == "a b\nc"


def test_split_paragraphs_both_shapes() -> None:
    dump = "First  para\nwraps here.\n\n\n  Second para.  \n \nThird."
    assert split_paragraphs(dump, True) == ["First para wraps here.", "Second para.", "Third."]
    extractor = "Line one\n\nLine  two\nLine three"
    assert split_paragraphs(extractor, False) == ["Line one", "Line two", "Line three"]


@given(st.text())
@settings(max_examples=300)
def test_normalize_inline_is_idempotent_and_total(s: str) -> None:
    once = normalize_inline(s)
    assert normalize_inline(once) == once
    assert "  " not in once and once == once.strip()


@given(st.text(), st.booleans())
@settings(max_examples=300)
def test_paragraph_normalization_is_idempotent(s: str, blank: bool) -> None:
    text = join_paragraphs(split_paragraphs(s, blank))
    assert join_paragraphs(split_paragraphs(text, True)) == text
    assert "\n\n\n" not in text


def _paragraph_by_paragraph(text: str, blank: bool) -> list[str]:
    """split_paragraphs as it was: normalize_inline on every part (issue 19 made it check the
    body once and skip the parts with nothing to change)."""
    import re

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = re.split(r"\n\s*\n", text) if blank else text.split("\n")
    return [p for p in map(normalize_inline, parts) if p]


# Lines as bodies have them: words, accents, mojibake clues, odd spaces, invisible characters.
_PIECES = st.sampled_from(
    ["word", "Caf\u00e9", "Ã© ", "Â ", "Ã ", "â€™", "Ð", "œ", "\u00a0", "\u200b", "\t", "  ",
     "\x07", "e\u0301", "\ufb01", "\r\n", "\n", "\n\n", " \n ", "\u3000", "中文", "—"]
)  # fmt: skip


@given(st.one_of(st.text(), st.lists(_PIECES).map("".join)), st.booleans())
@settings(max_examples=500)
def test_a_body_is_split_as_paragraph_by_paragraph_normalization_does(s: str, blank: bool) -> None:
    assert split_paragraphs(s, blank) == _paragraph_by_paragraph(s, blank)


_CLUES = st.sampled_from(
    ["a", "Z", " ", "\n", ".", "Ã", "Â", "©", "€", "™", "œ", "°", "Ø", "Ù", "×", "²", "√", "≈",
     "‚", "Ä", "в", "Ђ", "Г", "ў", "В", "β", "Ξ", "ā", "à", "µ", "│", "ò", "\x85", "ƒ", "¡", "é",
     "中", "—", "’", "“", "\u00a0"]
)  # fmt: skip


@given(st.one_of(st.text(), st.lists(_CLUES, max_size=40).map("".join)))
@example("говорит вЂ” он")  # Windows-1251 mojibake: no rare character
@example("ГўВЂВ”s")  # the longest clue
@example("Ã sits at the start")
@settings(max_examples=1000)
def test_the_mojibake_test_searched_around_its_clues_is_ftfys(s: str) -> None:
    from ftfy.badness import is_bad as ftfy_is_bad

    from pipeline.normalize import is_bad

    assert is_bad(s) == ftfy_is_bad(s)
    # Far apart, each clue is searched alone.
    assert is_bad("x" * 30 + s + "y" * 30) == ftfy_is_bad("x" * 30 + s + "y" * 30)


@pytest.mark.parametrize(
    "text",
    ["Fine.\nÃ mojibake at a line start", "FINE\n\nÂ also", "Caf\u00e9\n  padded  ", "a\u00a0b\nc"],
)
def test_lines_ftfy_would_touch_are_normalized_alone(text: str) -> None:
    for blank in (True, False):
        assert split_paragraphs(text, blank) == _paragraph_by_paragraph(text, blank)


# -- boilerplate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Benoit Tessier/Reuters", "photo_credit"),
        ("AP Photo/Jane Doe", "photo_credit"),
        ("Foto: dpa", "photo_credit"),
        ("Photo credit: Jane Doe for The Harbor Ledger", "photo_credit"),
        ("(Getty Images)", "photo_credit"),
        ("You've read  of  free articles. Subscribe to continue.", "paywall"),
        ("of stories this month > Get unlimited stories", "paywall"),
        ("Unlimited digital access $11/month.", "paywall"),
        ("Get unlimited Monitor journalism.", "paywall"),
        ("Already a subscriber? Log in", "paywall"),
        ("Jetzt abonnieren und weiterlesen", "paywall"),
        ("• A daily summary of global reports on security issues.", "newsletter"),
        ("Sign up for our morning newsletter", "newsletter"),
        ("Subscribe to our newsletter for breaking news alerts.", "newsletter"),
        ("Melden Sie sich jetzt für unseren Newsletter an", "newsletter"),
        ("Share this article", "share"),
        ("Advertisement", "advertisement"),
        ("Anzeige", "advertisement"),
        ("Read more: Council approves budget", "related"),
        ("Mehr zum Thema", "related"),
        ("MORE : The Metro daily cartoon by Guy Venables", "related"),
        ("Recommended Videos", "related"),
        ("For more stories like this, check our news page.", "related"),
        ("Subscribe Now!", "paywall"),
        ("この記事は会員限定です。", "paywall"),
        (
            "Zur Anzeige aktiviere bitte die Einstellungen in den Privatsphäre-Einstellungen.",
            "consent",
        ),
        ("Please enable cookies in your privacy settings to view this content.", "consent"),
        ("Fehler gefunden?Jetzt melden.", "feedback"),
        ("<Copyright ⓒ 한국일보. All rights reserved. 무단 전재 및 재배포 금지>", "copyright"),
        ("Copyright 2026 Harbor Ledger", "copyright"),
        ("The Harbor Ledger. All rights reserved.", "copyright"),
        ("All Rights Reserved", "copyright"),
        ("2026 Harbor Ledger Media All rights reserved.", "copyright"),
        ("Aus dem Englischen von Jan Doolan", "credit"),
        ("Updated November 22, 2026, 9:10 p.m.", "dateline"),
        ("Aktualisiert: 18.11.2026, 16:20 Uhr", "dateline"),
        ("Mis à jour le 18 novembre 2026 à 10h", "dateline"),
        # Prompts the paywall_stub flag knew before both shared this list.
        ("Continue reading the main story", "paywall"),
        ("To read the full article, log in.", "paywall"),
        ("Unlock this article with a free account", "paywall"),
        ("Hier weiterlesen", "paywall"),
        ("Dieser Artikel ist exklusiv für Abonnenten.", "paywall"),
        ("Pour lire la suite de cet article", "paywall"),
        ("Contenido exclusivo para suscriptores", "paywall"),
        ("Want more? Already a subscriber? Sign in", "paywall"),
        # Agency credits and notices (docs/body-policy.md).
        ("Photo by Victor Moriyama/Getty Images", "photo_credit"),
        ("Staff/AFP", "photo_credit"),
        ("(dpa)", "photo_credit"),
        ("© AFP", "photo_credit"),
        ("Copyright 2024 The Associated Press. All rights reserved.", "copyright"),
        ("This material may not be published, broadcast, rewritten or redistributed.", "copyright"),
        ("Alle Rechte vorbehalten.", "copyright"),
    ],
)
def test_boilerplate_rules_match_furniture(line: str, rule: str) -> None:
    assert boilerplate_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "US ambassador Susan Rice said the resolution was an important step, CNN reports.",
        "NATO has been clear that it does not want to be involved, Reuters reports.",
        "Readers who subscribe to the print edition will see the change on Monday, the editor "
        "said, adding that the newsletter team had been cut in half over the past two years "
        "while the number of free articles on the website had doubled.",
        "Der Stadtrat hat am Dienstag den Haushalt beschlossen.",
        "The share price fell 4 percent.",
        "Residents can sign up for the program at city hall, the mayor said.",
        "The site offers five free articles a month, she said.",
        "The newsletter team was cut in half last year.",
        "Related charges were dropped on Monday.",  # "Related" as an ordinary word
        # A body sentence about reserved rights is not a copyright notice.
        "The band said all rights reserved by the label would return to them next year.",
        "Under the old contract, all rights reserved to the publisher lapse after ten years.",
        "Photographers gathered outside the court.",
        "Advertising revenue fell by a third.",
        "More than 200 people attended the meeting on Monday.",
        "Published by the city in 2019, the plan was never funded.",
        "Updated figures show 4 percent growth in the third quarter, the ministry said.",
        "Users can enable the feature in the privacy settings menu, the company said.",
        "The privacy settings of the app were changed to allow tracking, regulators said.",
        "Copyright lawyers said the ruling would reshape the industry.",
        "Subscribers can read the full report online.",
        "Recommended changes to the zoning code were adopted in March.",
        # Headings with a slash are not credits; a dateline opens prose; contributor notes stay.
        "Introductions/Shout-Outs",
        "Add-ons / Web Extensions",
        "Photo by photo, the exhibition traces the town's history.",
        "BERLIN (dpa) – Die Regierung hat am Montag die Fährpläne geändert.",
        "MUMBAI (Reuters) - The BSE Sensex ended flat on Tuesday.",
        "Heba Habib contributed to this report.",
        "(Reporting by Indulal PM; Editing by Sunil Nair)",
    ],
)
def test_body_sentences_are_never_boilerplate(line: str) -> None:
    assert boilerplate_rule(line) is None


def test_has_paywall_prompt_finds_a_paywall_line_anywhere_in_the_text() -> None:
    body = "The council met on Monday.\nThe budget passed by nine votes to two."
    assert not has_paywall_prompt(body)
    assert has_paywall_prompt(body + "\nSubscribe to continue reading.")
    assert has_paywall_prompt("Réservé aux abonnés\n\n" + body)
    # Only the paywall rules count: other furniture, and prose about subscriptions, do not.
    assert not has_paywall_prompt(body + "\nSign up for our morning newsletter\nAdvertisement")
    assert not has_paywall_prompt(body + "\nSubscribers can read the full report online.")
    assert not has_paywall_prompt("")


def test_remove_boilerplate_keeps_order_and_counts() -> None:
    paras = ["Body one.", "Advertisement", "Body two.", "Share this article", "Body three."]
    assert remove_boilerplate(paras) == (["Body one.", "Body two.", "Body three."], 2)


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T07:30:00-05:00", datetime(2026, 11, 20, 12, 30, tzinfo=UTC)),
        ("2026-11-20T07:30:00Z", datetime(2026, 11, 20, 7, 30, tzinfo=UTC)),
        ("2024-05-03T15:47:42+0000", datetime(2024, 5, 3, 15, 47, 42, tzinfo=UTC)),
        ("Thu, 28 Jul 2022 04:35:05 GMT", datetime(2022, 7, 28, 4, 35, 5, tzinfo=UTC)),
        ("2026-11-21 09:15:00+01:00", datetime(2026, 11, 21, 8, 15, tzinfo=UTC)),
        ("November 19, 2026", datetime(2026, 11, 19, tzinfo=UTC)),
        ("2026-11-19", datetime(2026, 11, 19, tzinfo=UTC)),
    ],
)
def test_parse_datetime_to_utc(value: str, expected: datetime) -> None:
    assert parse_datetime(value) == expected


def test_naive_dates_are_read_in_the_source_zone() -> None:
    got = parse_datetime("2026-11-20 08:00", ZoneInfo("Europe/Berlin"))
    assert got == datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", [None, "", "yesterday", "November 19", "12:30", "2026-13-45", "year 9999"]
)
def test_parse_datetime_never_invents(value: str | None) -> None:
    assert parse_datetime(value) is None


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_parse_datetime_is_total_and_utc(s: str) -> None:
    got = parse_datetime(s)
    assert got is None or got.utcoffset() == timedelta(0)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
        ),
    )
)
@settings(max_examples=200)
def test_parse_datetime_round_trips_isoformat(dt: datetime) -> None:
    got = parse_datetime(dt.isoformat())
    assert got == dt and got is not None and got.tzinfo == UTC


# -- authors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe; John Roe; jane doe", ("Jane Doe", "John Roe")),
        ("Von Anna Schmidt und Jan Meier", ("Anna Schmidt", "Jan Meier")),
        ("Par Claire Duval et Yann Le Gall", ("Claire Duval", "Yann Le Gall")),
        ("Maria Okafor | Staff Writer", ("Maria Okafor",)),
        ("Tom Brandt tom@harbor.example @tbrandt", ("Tom Brandt",)),
        (["A. Person", "", "  ", "B. Person"], ("A. Person", "B. Person")),
        (None, ()),
        ("1234", ()),
        ("By Jane Doe and John Roe, Staff Writers", ("Jane Doe", "John Roe")),
        ("By AP", ("AP",)),
        ("Von Katrin Albers und Jonas Ebert, dpa", ("Katrin Albers", "Jonas Ebert", "dpa")),
        (
            "Trine Juncher Jørgensen og Tôrtia Reimer-Johansen",
            ("Trine Juncher Jørgensen", "Tôrtia Reimer-Johansen"),
        ),
        ("Por Lucía Romero y Diego Paz", ("Lucía Romero", "Diego Paz")),
        ("Ana Santos e Silva", ("Ana Santos e Silva",)),  # not split on "e"
        ("Elena Oberholzer (obe)", ("Elena Oberholzer",)),
        ("Autor Monika Bolliger", ("Monika Bolliger",)),
        (["Sophie Foster", "Sophie-Foster", "sophie foster"], ("Sophie Foster",)),
        ("chuck-ross", ("Chuck Ross",)),  # a URL slug in structured data
        ("t-online", ("t-online",)),
        ("Deutsche Welle (www.dw.com)", ("Deutsche Welle",)),
        (["Emma Mackenzie", "(Image: Getty Images)"], ("Emma Mackenzie",)),
        (
            "von David Straub, MDR THÜRINGEN Stand: 28. April 2023, 05:00 Uhr",
            ("David Straub", "MDR THÜRINGEN"),
        ),
        # A period that ends an initial or an abbreviation is the name's, not the byline's.
        ("E.P.", ("E.P.",)),
        ("Por E.P.", ("E.P.",)),
        ("By Martin Luther King Jr.", ("Martin Luther King Jr.",)),
        ("John St.", ("John St.",)),
        ("By Jane Doe.", ("Jane Doe",)),
        ("AFP.", ("AFP",)),
        # A generational suffix after a comma belongs to the name before it.
        ("Jane Doe, Jr.", ("Jane Doe, Jr.",)),
        ("Jane Doe, Jr. and John Roe", ("Jane Doe, Jr.", "John Roe")),
        ("Jr.", ()),
        (["Jane Doe", "Jr."], ("Jane Doe",)),
        ("Mykolo Romerio universiteto Žmogaus ir visuomenės studijų fakulteto profesorius", ()),
    ],
)
def test_clean_authors(value: object, expected: tuple[str, ...]) -> None:
    assert clean_authors(value) == expected  # type: ignore[arg-type]


# -- URLs and ids ------------------------------------------------------------------------------


def test_canonicalize_url() -> None:
    got = canonicalize_url(
        " <HTTPS://WWW.Harbor.Example:443/news/a?utm_source=x&b=2&fbclid=1&a=1#comments> "
    )
    assert got == "https://www.harbor.example/news/a?a=1&b=2"
    assert canonicalize_url("http://h.example") == "http://h.example/"
    assert canonicalize_url("http://h.example:8080/x?gclid=1") == "http://h.example:8080/x"
    assert canonicalize_url("ftp://h.example/x") is None
    assert canonicalize_url("javascript:alert(1)") is None
    assert url_domain("https://www.harbor.example/x") == "harbor.example"


_hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(example|test|org)", fullmatch=True)
_paths = st.lists(st.from_regex(r"[A-Za-z0-9_.~-]{1,8}", fullmatch=True), max_size=4)
_params = st.lists(
    st.tuples(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True).filter(lambda k: not k.startswith("utm")),
        st.from_regex(r"[A-Za-z0-9]{0,6}", fullmatch=True),
    ),
    max_size=4,
    unique_by=lambda kv: kv[0],
)


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_canonicalize_url_total_and_idempotent_on_any_text(s: str) -> None:
    once = canonicalize_url(s)
    assert once is None or canonicalize_url(once) == once


def test_percent_escapes_are_normalized_not_decoded() -> None:
    # %25 (a literal "%") and %2F (a "/" inside a segment) are never decoded: decoding them
    # changed the URL's meaning and made canonicalization drift on a second pass.
    assert canonicalize_url("https://h.example/a%2541") == "https://h.example/a%2541"
    assert canonicalize_url("https://h.example/x%2fy") == "https://h.example/x%2Fy"
    assert canonicalize_url("https://h.example/%7Euser/caf%c3%a9") == (
        "https://h.example/~user/caf%C3%A9"
    )
    assert canonicalize_url("https://h.example/café") == "https://h.example/caf%C3%A9"


_escaped = st.lists(
    st.sampled_from(["a", "Z", "%25", "%2F", "%2f", "%41", "%7e", "%C3%A9", "é", "%", "%zz", "~"]),
    max_size=12,
).map("".join)


@given(_hosts, _escaped)
@settings(max_examples=300)
def test_canonicalize_url_idempotent_with_percent_escapes(host: str, path: str) -> None:
    once = canonicalize_url(f"https://{host}/{path}")
    assert once is not None and canonicalize_url(once) == once


@given(_hosts, _paths, _params, st.sampled_from(["http", "https"]))
@settings(max_examples=300)
def test_ids_ignore_tracking_host_case_fragment_and_param_order(
    host: str, path: list[str], params: list[tuple[str, str]], scheme: str
) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    plain = f"{scheme}://{host}/{'/'.join(path)}" + (f"?{query}" if query else "")
    noisy_query = "&".join(
        [f"{k}={v}" for k, v in reversed(params)] + ["utm_source=tw", "fbclid=abc"]
    )
    noisy = f"{scheme}://{host.upper()}/{'/'.join(path)}?{noisy_query}#section"
    a, b = canonicalize_url(plain), canonicalize_url(noisy)
    assert a is not None and a == b
    assert canonicalize_url(a) == a
    assert make_article_id(a, "x" * 64) == make_article_id(b, "y" * 64)


def test_word_count_counts_cjk_characters() -> None:
    assert word_count("three plain words") == 3
    assert word_count("東京都は十三日、新しい計画を発表した。") == 17  # no spaces in Japanese
    assert word_count("Nikkei 平均株価 rose") == 6
    assert word_count("서울시는 새로운 계획을 발표했다") == 4  # Korean separates words


def test_article_id_without_url_comes_from_text() -> None:
    assert make_article_id(None, "a" * 64) == make_article_id(None, "a" * 64)
    assert make_article_id(None, "a" * 64) != make_article_id(None, "b" * 64)
    assert len(make_article_id(None, "a" * 64)) == 32


# -- language ----------------------------------------------------------------------------------


def test_detect_language() -> None:
    en = detect_language("The harbour commission approved a plan to rebuild the breakwater.")
    de = detect_language("Die Stadt plant ein neues Radwegenetz für die gesamte Innenstadt.")
    assert en[0] == "en" and de[0] == "de"
    assert en[1] is not None and 0.5 < en[1] <= 1
    assert detect_language("OK", "de-AT") == ("de", None)
    assert detect_language("", None) == (None, None)


# -- the stage ---------------------------------------------------------------------------------


def _ctx() -> NormalizeContext:
    return NormalizeContext(
        run_id="r1",
        ingested_at=datetime(2026, 11, 25, tzinfo=UTC),
        schema_version="1.0.0",
        timezones={"s": "America/New_York"},
    )


def test_to_article_builds_a_full_record() -> None:
    ex = Extracted(
        source="s",
        input_ref="in.html",
        input_format="html",
        extractor="trafilatura 2.3.1",
        text="Headline here\nThe dek line.\nFirst  paragraph.\nAdvertisement\nSecond paragraph.",
        title="Headline  here",
        description="The dek line.",
        authors=("By Jane Doe",),
        published_at="2026-11-20 07:30",
        url="https://Harbor.example/a?utm_source=x",
    )
    a = to_article(ex, _ctx())
    assert isinstance(a, Article)
    # The standfirst is the article's lead: it stays in the body (and in description).
    assert a.title == "Headline here"
    assert a.text == "The dek line.\n\nFirst paragraph.\n\nSecond paragraph."
    assert a.boilerplate_removed == 1 and a.word_count == 7
    assert a.canonical_url == "https://harbor.example/a" and a.domain == "harbor.example"
    assert a.published_at == datetime(2026, 11, 20, 12, 30, tzinfo=UTC)  # New York, naive
    assert a.authors == ("Jane Doe",)
    assert a.article_id == make_article_id(a.canonical_url, a.content_sha256)


def test_to_article_drops_layout_repeats_but_keeps_prose() -> None:
    quote = "“People who bake bread start work when the city is asleep,” said Hanna Lindqvist"
    body = [
        "EXCLUSIVE Headline here",  # the h1 with its kicker
        "By Jane Doe and John Roe, Staff Writers",  # the byline
        "The council voted on Monday to restore the night buses on three routes.",
        f"{quote}, who campaigned for the routes.",
        f"{quote}.",  # the pull quote
        # A single sentence said again stays (issue 17: repeats interleaved with other
        # content are the article's own); only copied blocks and teaser lines go.
        "The council voted on Monday to restore the night buses on three routes.",
        "Yes.",
        "Yes.",
    ]
    ex = Extracted(
        "s", "x", "html", "t", text="\n".join(body), title="Headline here",
        authors=("Jane Doe", "John Roe"),
    )  # fmt: skip
    a = to_article(ex, _ctx())
    assert isinstance(a, Article)
    assert a.text.split("\n\n") == [body[2], body[3], body[5], "Yes.", "Yes."]
    assert a.boilerplate_removed == 2


def test_to_article_drops_the_full_headline_when_the_title_is_its_short_form() -> None:
    headline = "Your old coins could be worth thousands - here is how to check the ones you have"
    body = [headline, _STORY[0], _STORY[1]]
    ex = Extracted("s", "x", "html", "t", text="\n".join(body), title=headline[:49])
    a = to_article(ex, _ctx())
    assert isinstance(a, Article) and a.text.split("\n\n") == _STORY[:2]
    # A first sentence that begins with the headline's words is the article's, and stays.
    sentence = f"{headline[:49]} from the 1970s, dealers said on Monday."
    ex = Extracted("s", "x", "html", "t", text=f"{sentence}\n{_STORY[0]}", title=headline[:49])
    a = to_article(ex, _ctx())
    assert isinstance(a, Article) and a.text.split("\n\n") == [sentence, _STORY[0]]


def test_to_article_rejects_when_only_boilerplate_is_left() -> None:
    ex = Extracted("s", "x", "text", "t", text="Advertisement\n\nShare this article")
    out = to_article(ex, _ctx())
    assert isinstance(out, Rejected) and out.reason == "no_content" and out.stage == "normalize"


# Text that looks like news in several scripts, with the mojibake and control characters that
# dumps carry: the fast path must agree with ftfy on all of it.
_PIECES = (
    list("abc XYZ.,'\"-0123")
    + list("éèüßøñ€“”‘’–—…")
    + ["Ã©", "â€™", "Ã¼", "Â "]
    + list("年月日한국어русский")
    + ["\u00a0", "\u200b", "\x85", "\x92", "\x1b[1m", "\r\n"]
    + ["\ufb01", "\u2028", "e\u0301", "\ufeff", "\x07", "\U0001f600"]
)
_NEWSY = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_NEWSY, st.text(max_size=40)))
def test_ftfy_fast_path_agrees_with_ftfy(s: str) -> None:
    import ftfy

    from pipeline.normalize import _FTFY, _ftfy

    assert _ftfy(s) == ftfy.fix_text(s, _FTFY)


def _drop_repeats_reference(paragraphs: list[str]) -> list[str]:
    """The plain quadratic definition (the docstring of `_drop_repeats`) the fast one matches."""
    import re as _re

    listed = _re.compile(r"^(?:[-–•●▪■◆►*·+]|\d{1,3}[.)]|[a-z]\))\s")
    clause_end = _re.compile(r"[.!?…;:,。！？][\"'”’»)\]]*$")
    n = len(paragraphs)
    words = [len(p.split()) for p in paragraphs]
    sentence_end = _re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
    prose = [
        w >= 10 and not listed.match(p) and bool(sentence_end.search(p))
        for p, w in zip(paragraphs, words, strict=True)
    ]
    drop = [False] * n
    i = 0
    while i < n:
        best = 0
        earlier = [j for j in range(i) if paragraphs[j] == paragraphs[i]][-8:]
        for j in earlier:
            k = 0
            while i + k < n and k < i - j and paragraphs[i + k] == paragraphs[j + k]:
                k += 1
            if sum(words[i : i + k]) >= 20 and any(prose[i : i + k]):
                best = max(best, k)
        for t in range(i, i + best):
            drop[t] = True
        i += max(best, 1)
    for i, p in enumerate(paragraphs):
        teaser = 5 <= words[i] <= 15 and not clause_end.search(p) and not listed.match(p)
        if teaser and paragraphs.count(p) == 2 and p in paragraphs[:i]:
            drop[i] = True
    kept = [p for p, d in zip(paragraphs, drop, strict=True) if not d]
    hosts = {
        p: {q for q in kept if len(q) > len(p) and p.rstrip(" .") in q}
        for p in kept
        if len(p.split()) >= 8
    }
    hosts = {p: found for p, found in hosts.items() if 0 < len(found) <= 4}
    held: dict[str, int] = {}
    for found in hosts.values():
        for q in found:
            held[q] = held.get(q, 0) + 1
    quotes = {
        p
        for p, found in hosts.items()
        if any(held[q] == 1 and boilerplate_rule(q) is None for q in found)
    }
    return [p for p in kept if p not in quotes]


_WORDS = st.sampled_from(["a", "b", "the", "vote", "said", ".", "Mr", "x", "-", "?"])
_PARAGRAPH = st.lists(_WORDS, min_size=1, max_size=24).map(" ".join)
# Bodies that repeat: paragraphs drawn from a small pool, so copies, runs and containment occur.
_BODIES = st.lists(_PARAGRAPH, min_size=1, max_size=6).flatmap(
    lambda pool: st.lists(st.sampled_from(pool), max_size=14)
)


@settings(max_examples=400, deadline=None)
@given(_BODIES)
def test_drop_repeats_matches_its_definition(paragraphs: list[str]) -> None:
    from pipeline.normalize import _drop_repeats

    assert _drop_repeats(paragraphs) == _drop_repeats_reference(paragraphs)


@settings(max_examples=400, deadline=None)
@given(_BODIES)
def test_drop_repeats_never_loses_text(paragraphs: list[str]) -> None:
    """What goes has a kept copy or sits inside a kept paragraph; order is kept; a paragraph of
    20+ words goes only with an identical copy kept elsewhere (the earlier run it copies) or
    inside a longer kept paragraph (a pull quote)."""
    from pipeline.normalize import _drop_repeats

    out = _drop_repeats(paragraphs)
    rest = iter(paragraphs)
    assert all(any(p == q for q in rest) for p in out), "not a subsequence of the input"
    for p in paragraphs:
        assert any(p.rstrip(" .") in q for q in out), p
        if len(p.split()) >= 20 and paragraphs.count(p) > out.count(p):
            assert p in out or any(p.rstrip(" .") in q and len(q) > len(p) for q in out)


_SHORT_LINES = st.lists(
    st.tuples(
        st.lists(
            st.sampled_from(["Did", "you", "the", "vote", "plan", "day"]), min_size=1, max_size=9
        ),
        st.sampled_from(".?!"),
    ),  # fmt: skip
    min_size=1,
    max_size=4,
).map(lambda lines: [" ".join(ws) + end for ws, end in lines])


@settings(max_examples=300, deadline=None)
@given(_SHORT_LINES.flatmap(lambda pool: st.lists(st.sampled_from(pool), max_size=16)))
def test_short_sentences_repeated_between_other_lines_all_stay(paragraphs: list[str]) -> None:
    """Sentences under 10 words are never prose of a copied block, so however often they repeat
    (a question put to each person, a plan line per day) every copy stays."""
    from pipeline.normalize import _drop_repeats

    assume(not any(len(p.split()) >= 8 and any(p.rstrip(" .") in q != p for q in paragraphs)
                   for p in paragraphs))  # fmt: skip
    assert _drop_repeats(paragraphs) == paragraphs


def _body(paragraphs: list[str]) -> list[str]:
    ex = Extracted("s", "x", "html", "t", text="\n".join(paragraphs), title="A headline")
    a = to_article(ex, _ctx())
    assert isinstance(a, Article)
    return a.text.split("\n\n")


def test_interview_question_put_to_each_person_stays() -> None:
    question = "What would you change first if you ran the city for a day?"
    answers = [
        "Ana Ruiz, 34, nurse: I would make the night buses run every ten minutes, because the "
        "last one home leaves before my shift ends and a taxi costs half a day's pay.",
        "Tom Berg, 61, baker: Parking for delivery vans in the old town, since we unload at four "
        "in the morning and still get fined by wardens who start at six.",
        "Lea Marx, 19, student: Cheaper rents near the university, because half of my friends "
        "commute two hours a day and miss the early lectures all winter long.",
    ]
    body = ["We asked three residents the same question."]
    for answer in answers:
        body += [question, answer]
    assert _body(body) == body


def test_day_plan_lines_repeated_per_day_stay() -> None:
    body = ["The tour takes five days, with the same rhythm every day."]
    for day, sight in enumerate(["the cathedral", "the harbour", "the old mills"], start=1):
        body += [
            f"Day {day}",
            "Breakfast at the guesthouse, then the bus leaves at nine.",
            f"Morning: a guided walk to {sight} with a local historian",
            "Overnight at the same guesthouse in the valley",  # a plan line, no full stop
        ]
    assert _body(body) == body


def test_product_bullets_repeated_per_product_stay() -> None:
    bullets = [
        "- Waterproof to fifty metres and tested for a week in salt water",
        "- Two-year warranty covering the battery, the strap and the glass",
    ]
    body = ["We tested three watches for a month of daily swims."]
    for name in ("Model A", "Model B", "Model C"):
        body += [f"{name} costs less than its rivals and the screen stays readable in sun."]
        body += bullets
    assert _body(body) == body


def test_code_lines_repeated_in_a_listing_stay() -> None:
    listing = [
        "return $app['twig']->render('badge.twig', [",
        "'imagepath' => ( ($request->server->get('HTTP_PORT') == 443) ? 'https' : 'http' ) . "
        "'://' . $request->server->get('HTTP_HOST') . '/images',",
        "'username' => $username,",
        "]);",
    ]
    body = ["The first version renders the badge:", *listing]
    body += ["Then we add the user record to the same call:", *listing]
    assert _body(body) == body


_STORY = [
    "The council voted on Monday to restore the night buses on three routes after a year.",
    "Drivers had asked for the change since the routes were cut in the spring budget round.",
    "The first buses run next month, and the council will review the timetable in June.",
]


def test_page_printed_twice_keeps_one_copy() -> None:
    assert _body(_STORY + _STORY) == _STORY


def test_repeated_teaser_block_goes_but_its_first_copy_stays() -> None:
    teaser = [
        "Night buses are back on three routes in the city",
        "Drivers and riders had campaigned for a year to restore them.",
    ]
    body = [_STORY[0], *teaser, _STORY[1], _STORY[2], *teaser]
    assert _body(body) == [_STORY[0], *teaser, _STORY[1], _STORY[2]]


def test_teaser_line_seen_twice_goes_but_a_repeated_sentence_stays() -> None:
    teaser = "Night buses are back on three routes in the city"  # a headline: no full stop
    sentence = "The night buses are back on three routes in the city."
    body = [teaser, _STORY[0], teaser, sentence, _STORY[1], sentence]
    assert _body(body) == [teaser, _STORY[0], sentence, _STORY[1], sentence]


def test_summary_paragraph_keeps_the_section_leads_it_lists() -> None:
    leads = [
        "A fire broke out in the forest north of the town on Tuesday afternoon.",
        "In the valley, a grass fire spread to a wheat field before crews arrived.",
    ]
    summary = "Fires broke out in two districts. " + " ".join(leads)
    body = [summary, "NORTH", leads[0], "Six planes fought it.", "VALLEY", leads[1], "It is out."]
    assert _body(body) == body


def test_pull_quote_goes_unless_its_only_host_is_furniture() -> None:
    quote = "“People who bake bread start work when the city is asleep,” said Hanna Lindqvist"
    host = f"{quote}, who campaigned for the routes."
    assert _body([_STORY[0], host, f"{quote}.", _STORY[1]]) == [_STORY[0], host, _STORY[1]]
    # A live blog's "Read more:" line holds the headline of the entry above it: both are not
    # a pull quote and its host; the entry's headline stays when the furniture line goes.
    headline = "Protesters and police clash outside the town hall after the vote"
    assert _body([headline, _STORY[0], f"Read more: {headline}"]) == [headline, _STORY[0]]


def test_every_boilerplate_rule_is_in_the_readme_table() -> None:
    import re as _re

    from pipeline.normalize import _RULES
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    section = readme.split("### News boilerplate rules", 1)[1].split("\n## ", 1)[0]
    documented = set(_re.findall(r"^\| `([a-z_]+)` \|", section, flags=_re.M))
    assert documented == {name for name, _, _ in _RULES}
