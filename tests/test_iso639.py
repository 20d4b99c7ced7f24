from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.iso639 import LANGUAGE_CODES, primary_subtag


@pytest.mark.parametrize(
    ("tag", "primary"),
    [
        ("de", "de"),
        ("de-CH", "de"),
        ("pt_BR", "pt"),  # og:locale spells regions POSIX-style
        (" EN-gb ", "en"),
        ("zh-Hant-TW", "zh"),
        ("yue", "yue"),
        ("english", None),  # a name, not a code
        ("d", None),
        ("de1", None),
        ("-de", None),
        ("", None),
        (None, None),
    ],
)
def test_primary_subtag(tag: str | None, primary: str | None) -> None:
    assert primary_subtag(tag) == primary


@given(st.text(max_size=20))
def test_primary_subtag_is_a_code_shape_or_none_and_idempotent(tag: str) -> None:
    p = primary_subtag(tag)
    assert p is None or re.fullmatch(r"[a-z]{2,3}", p)
    assert primary_subtag(p) == p


@given(
    st.sampled_from(sorted(LANGUAGE_CODES)),
    st.sampled_from(["", "-CH", "_BR", "-Latn-RS", "-x-private"]),
    st.booleans(),
)
def test_region_script_and_case_never_change_the_language(code: str, tail: str, up: bool) -> None:
    tag = code + tail
    assert primary_subtag(tag.upper() if up else tag) == code
