from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pipeline.web_util import bare_host, charset_of, is_html, looks_html, media_type, url_domain

# -- hosts --------------------------------------------------------------------------------------

_labels = st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=4)


@pytest.mark.parametrize(
    ("host", "bare"),
    [
        ("www.Harbor.Example", "harbor.example"),
        (" harbor.example. ", "harbor.example"),
        (".www.harbor.example", "harbor.example"),
        ("www.www.harbor.example", "harbor.example"),
        ("wwwx.example", "wwwx.example"),
        ("news.www.example", "news.www.example"),  # only a leading www is the site's alias
        ("www", "www"),
    ],
)
def test_bare_host(host: str, bare: str) -> None:
    assert bare_host(host) == bare


@given(st.text(max_size=30))
@example("0 .")  # found by hypothesis in CI: a space left behind by the dot
@example(".\t.a")
def test_bare_host_is_idempotent_on_any_string(host: str) -> None:
    assert bare_host(bare_host(host)) == bare_host(host)


@given(_labels, st.sampled_from(["", "www.", "WWW.", "www.www."]), st.booleans())
def test_www_case_and_trailing_dot_never_change_the_site(
    labels: list[str], www: str, dot: bool
) -> None:
    host = ".".join(labels)
    assert bare_host(www + host.upper() + ("." if dot else "")) == bare_host(host)


def test_url_domain() -> None:
    assert url_domain("https://www.harbor.example/x") == "harbor.example"
    assert url_domain(" HTTP://News.Harbor.Example.:8080/x ") == "news.harbor.example"
    assert url_domain("https://[::1]/x") == "::1"
    assert url_domain("http://[bad/x") is None  # urlsplit raises: no host, no crash
    assert url_domain("/relative/path") is None
    assert url_domain(None) is None and url_domain("") is None


# -- content types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("text/html; charset=UTF-8", "utf-8"),
        ('text/html;charset="windows-1252"', "windows-1252"),
        ("text/html; Charset = 'ISO-8859-1'", "iso-8859-1"),
        ("text/html; q=1; charset=shift_jis", "shift_jis"),
        ("text/html", None),
        ("text/html; charset=", None),
        ("", None),
        (None, None),
    ],
)
def test_charset_of(header: str | None, charset: str | None) -> None:
    assert charset_of(header) == charset


def test_media_type() -> None:
    assert media_type(" Text/HTML ; charset=utf-8") == "text/html"
    assert media_type("application/xhtml+xml") == "application/xhtml+xml"
    assert media_type(None) == media_type("") == media_type("  ") == ""


@pytest.mark.parametrize(
    ("header", "body", "html"),
    [
        ("text/html; charset=utf-8", b"not even markup", True),  # a declared type is believed
        ("application/xhtml+xml", b"", True),
        ("application/json", b"<html></html>", False),
        ("image/png", b"\x89PNG", False),
        (None, b"  <!DOCTYPE html><html>", True),  # no type: the body decides
        ("", b"<HTML lang=en>", True),
        (None, b"<!-- generated --><html>", True),
        (None, b'{"json": true}', False),
        (None, b"\x89PNG\r\n", False),
        (None, b"", False),
    ],
)
def test_is_html_believes_the_type_and_sniffs_only_when_there_is_none(
    header: str | None, body: bytes, html: bool
) -> None:
    assert is_html(header, body) is html


def test_looks_html_reads_only_the_start() -> None:
    assert looks_html(b"\n\t<head><title>x</title>")
    assert not looks_html(b"plain text that mentions <html> later")
