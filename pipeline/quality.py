"""Cheap per-record text-quality signals and documented flags, in the spirit of Gopher/C4 rules.

Computed once, in the worker, from the normalized text (and, for the paywall check, from what the
extractor saw before furniture was removed). They are stored, never used to drop a record: ML
teams choose their own thresholds.
"""

from __future__ import annotations

import re

from pipeline.iso639 import primary_subtag
from pipeline.normalize import has_paywall_prompt

_WORD = re.compile(r"\S+")
# A whole whitespace-delimited word without a single letter (numbers, dashes, emoji).
_NO_LETTER_WORD = re.compile(r"(?<!\S)(?:(?![^\W\d_])\S)+(?!\S)")
_SYMBOLS = re.compile(r"#|\.\.\.|…|\||•|→|»|«|►|▶")
_TERMINAL = (".", "!", "?", '"', "”", "’", "»", "…", ")", "。", "！", "？", ":")

FLAGS = (
    "short_text",  # fewer than 150 words (not the quarantine reason too_short)
    "paywall_stub",  # under 250 words and the page carried a subscription prompt
    "wrong_language",  # detected language (score >= 0.9) differs from the declared one
    "low_punctuation",  # under half the paragraphs end in terminal punctuation
    "repetitive",  # over 30% of paragraphs repeat an earlier one
    "symbol_heavy",  # over 0.1 symbols (#, |, ..., bullets) per word
    "mostly_links",  # most paragraphs are short unpunctuated lines: link or headline lists
)


def signals(text: str, boilerplate_removed: int) -> dict[str, float | int]:
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    words = _WORD.findall(text)
    n_words = max(1, len(words))
    seen: set[str] = set()
    repeated = 0
    for p in paras:
        key = p.casefold()
        if key in seen:
            repeated += 1
        seen.add(key)
    n_paras = max(1, len(paras))
    return {
        "lines": len(paras),
        "punct_line_share": round(sum(p.endswith(_TERMINAL) for p in paras) / n_paras, 4),
        "mean_word_length": round(sum(map(len, words)) / n_words, 3),
        "symbol_word_ratio": round(len(_SYMBOLS.findall(text)) / n_words, 4),
        "non_alpha_share": round(len(_NO_LETTER_WORD.findall(text)) / n_words, 4),
        "repeated_line_share": round(repeated / n_paras, 4),
        "boilerplate_removed": boilerplate_removed,
    }


def flags(
    q: dict[str, float | int],
    text: str,
    word_count: int,
    raw_text: str,
    language: str | None,
    language_score: float | None,
    declared_language: str | None,
) -> tuple[str, ...]:
    out = []
    if word_count < 150:
        out.append("short_text")
    if word_count < 250 and has_paywall_prompt(raw_text):
        out.append("paywall_stub")
    if (
        declared_language
        and language
        and language_score is not None
        and language_score >= 0.9
        and primary_subtag(declared_language) != language
    ):
        out.append("wrong_language")
    if q["lines"] and q["punct_line_share"] < 0.5:
        out.append("low_punctuation")
    if q["repeated_line_share"] > 0.3:
        out.append("repetitive")
    if q["symbol_word_ratio"] > 0.1:
        out.append("symbol_heavy")
    paras = [p for p in text.split("\n\n") if p.strip()]
    short = sum(len(p.split()) < 6 and not p.rstrip().endswith(_TERMINAL) for p in paras)
    if paras and short / len(paras) > 0.5:
        out.append("mostly_links")
    return tuple(out)
