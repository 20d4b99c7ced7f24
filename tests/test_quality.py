from __future__ import annotations

from pipeline import quality
from pipeline.records import REASONS, SKIP_REASONS

BODY = "\n\n".join(
    "The harbor board met on Monday and approved the budget for the new seawall." for _ in range(20)
)


def _flags(text: str, raw: str | None = None, declared: str | None = "en") -> tuple[str, ...]:
    words = len(text.split())
    q = quality.signals(text, 0)
    return quality.flags(q, text, words, raw if raw is not None else text, "en", 0.99, declared)


def test_short_text_is_a_flag_name_no_quarantine_or_skip_reason_uses() -> None:
    assert "short_text" in _flags("A short note.")
    assert "short_text" not in _flags(BODY)
    assert not set(quality.FLAGS) & (set(REASONS) | set(SKIP_REASONS))


def test_wrong_language_compares_the_primary_subtag_of_the_declared_tag() -> None:
    for declared in ("en", "en-GB", "en_GB", " EN "):
        assert "wrong_language" not in _flags(BODY, declared=declared), declared
    assert "wrong_language" in _flags(BODY, declared="de-DE")
    assert "wrong_language" not in _flags(BODY, declared=None)


def test_paywall_stub_uses_the_paywall_boilerplate_rule_on_the_raw_text() -> None:
    teaser = "The board met on Monday.\n\nThe budget passed."
    raw = teaser + "\nYou've read 3 of 5 free articles this month."
    assert "paywall_stub" in _flags(teaser, raw)
    assert "paywall_stub" not in _flags(teaser, teaser)
    # Prose about subscriptions is no prompt.
    assert "paywall_stub" not in _flags(teaser, teaser + "\nSubscribers will pay more in March.")
