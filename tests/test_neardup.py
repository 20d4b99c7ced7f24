"""Near-duplicates and quality signals: units, properties, a labelled pair set, two nights."""

from __future__ import annotations

import importlib.util
import itertools
import random
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import neardup, quality
from pipeline.config import DedupConfig, build_config
from pipeline.neardup import Member, cluster, shingles, signature, similarity
from pipeline.run import run_ingest
from tests.conftest import EXAMPLES, article_html

CFG = DedupConfig()


def _member(text: str, i: int, source: str = "s", cfg: DedupConfig = CFG) -> Member:
    aid = f"{i:032x}"
    return Member(
        aid, aid, False, source, None, len(text.split()), signature(text, cfg), (source, str(i)), i
    )


def _stories(texts: list[str], cfg: DedupConfig = CFG) -> list[str]:
    members = [_member(t, i, cfg=cfg) for i, t in enumerate(texts)]
    cluster([], members, cfg)
    return [m.story_id for m in members]


# -- units ----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["the", "news", "Wahl", "年", "x1", "été"]), max_size=400))
def test_signature_is_datasketch_minhash_bytes(words: list[str]) -> None:
    """Our numpy MinHash is datasketch 2's default scheme, byte for byte (indexes stay valid)."""
    import numpy as np
    from datasketch import MinHash

    text = " ".join(words)
    m = MinHash(num_perm=CFG.permutations, seed=1)
    m.update_batch(shingles(text, CFG.shingle_words))
    assert np.asarray(m.hashvalues).astype("<u4").tobytes() == signature(text, CFG)


def test_shingles_are_word_ngrams_and_cjk_characters() -> None:
    assert shingles("The cat, the HAT!", 3) == [b"the cat the", b"cat the hat"]
    assert shingles("two words", 3) == [b"two words"]
    assert [s.decode() for s in shingles("東京都知事", 2)] == ["東 京", "京 都", "都 知", "知 事"]


def test_signatures_are_stable_and_sized() -> None:
    a = signature("the harbour commission approved a plan on tuesday", CFG)
    assert len(a) == CFG.permutations * 4
    assert a == signature("The Harbour Commission approved a plan on Tuesday.", CFG)
    assert similarity(a, a) == 1.0
    assert similarity(a, signature("entirely different words about football scores", CFG)) < 0.1


# -- properties -----------------------------------------------------------------------------------

_words = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9), min_size=30, max_size=120
)


@settings(max_examples=40, deadline=None)
@given(_words)
def test_identical_texts_always_cluster(words: list[str]) -> None:
    text = " ".join(words)
    a, b = _stories([text, text])
    assert a == b


@settings(max_examples=40, deadline=None)
@given(_words, _words)
def test_unrelated_texts_never_cluster(left: list[str], right: list[str]) -> None:
    # Disjoint vocabularies: no shingle in common.
    a_text = " ".join("a" + w for w in left)
    b_text = " ".join("b" + w for w in right)
    a, b = _stories([a_text, b_text])
    assert a != b


# -- the labelled pair set ----------------------------------------------------------------------


def _corpus() -> list[str]:
    spec = importlib.util.spec_from_file_location("content", EXAMPLES / "_make" / "content.py")
    assert spec and spec.loader
    content = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(content)
    bodies = []
    for group in ("HTML", "TEXT", "WIRE", "WIRE2", "WIRE3", "CRAWL"):
        for art in getattr(content, group).values():
            body = art.get("body")
            if isinstance(body, list) and sum(len(p.split()) for p in body) >= 150:
                bodies.append("\n\n".join(body))
    return bodies


def _edit(text: str, rng: random.Random, share: float) -> str:
    words = text.split(" ")
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(["reportedly", "officials", "Tuesday", "the", "local", "said"])
    return " ".join(words)


def _variants(text: str, rng: random.Random) -> dict[str, str]:
    paras = text.split("\n\n")
    return {
        "edited": _edit(text, rng, 0.03),
        "boilerplate": "Advertisement\n\n" + text + "\n\nSign up for our newsletter to get the "
        "day's top stories in your inbox.\n\n© 2026 The Valley Courier. All rights reserved.",
        "truncated": "\n\n".join(paras[: max(1, len(paras) - 1)]),
        "wire": "HARBOR CITY (Northstar Wire) — " + text.replace(" said", " told reporters"),
    }


def test_labelled_pairs_precision_and_recall() -> None:
    """Every article, four kinds of near copies, and other articles (some on the same topic,
    some quoting one paragraph of another): pairs in the same story against the truth."""
    rng = random.Random(7)
    bodies = _corpus()
    assert len(bodies) >= 20
    docs: list[tuple[int, str]] = []
    for i, body in enumerate(bodies):
        docs.append((i, body))
        docs.extend((i, v) for v in _variants(body, rng).values())
    # Follow-ups: a new story that quotes the lead of this one, the rest written from other
    # material (one paragraph each of four other articles). Not the same story as any of them.
    for i, body in enumerate(bodies[:10]):
        rest = [bodies[(i + k) % len(bodies)].split("\n\n")[k] for k in range(1, 5)]
        docs.append((1000 + i, "\n\n".join([body.split("\n\n")[0], *rest])))
    stories = _stories([t for _, t in docs])
    tp = fp = fn = 0
    for (a, sa), (b, sb) in itertools.combinations(
        zip([d for d, _ in docs], stories, strict=True), 2
    ):
        truth, predicted = a == b, sa == sb
        tp += truth and predicted
        fp += predicted and not truth
        fn += truth and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    measured = f"tp={tp} fp={fp} fn={fn} precision={precision:.3f} recall={recall:.3f}"
    assert precision >= 0.98 and recall >= 0.90, measured


# -- quality signals ------------------------------------------------------------------------------


def test_quality_signals_and_flags() -> None:
    text = "First line of the story.\n\nFirst line of the story.\n\n# trending | more | more"
    q = quality.signals(text, boilerplate_removed=2)
    assert q["lines"] == 3 and q["repeated_line_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert q["punct_line_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert q["boilerplate_removed"] == 2 and q["symbol_word_ratio"] > 0.1
    flags = quality.flags(q, text, 14, text, "en", 0.99, "de")
    assert {"short_text", "wrong_language", "repetitive", "symbol_heavy"} <= set(flags)
    teaser = "The mayor announced a plan on Monday.\n\nSubscribe to continue reading."
    q = quality.signals(teaser, 1)
    assert "paywall_stub" in quality.flags(q, teaser, 120, teaser, "en", 0.9, "en")
    assert "paywall_stub" not in quality.flags(q, teaser, 600, teaser, "en", 0.9, "en")


# -- two nights -----------------------------------------------------------------------------------


def _page(folder: Path, name: str, title: str, paragraphs: list[str], url: str, when: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.html").write_text(article_html(title, url, paragraphs, date=when))


def test_an_edited_copy_on_night_two_joins_the_night_one_story(tmp_path: Path) -> None:
    bodies = _corpus()
    story = bodies[0].split("\n\n")
    other = bodies[3].split("\n\n")
    _page(tmp_path / "n1" / "ledger", "a", "Ferry strike", story,
          "https://ledger.example/ferry", "2026-11-20T08:00:00+00:00")  # fmt: skip
    _page(tmp_path / "n1" / "ledger", "b", "Other news", other,
          "https://ledger.example/other", "2026-11-20T09:00:00+00:00")  # fmt: skip
    edited = [_edit(p, random.Random(1), 0.03) for p in story]
    edited[0] = "HARBOR CITY (Northstar Wire) — " + edited[0]
    _page(tmp_path / "n2" / "wire", "c", "Ferry crews strike", edited,
          "https://wire.example/ferry", "2026-11-20T07:30:00+00:00")  # fmt: skip

    def cfg(night: str, source: str) -> Any:
        return build_config(
            {
                "lake": str(tmp_path / "lake"),
                "validate": {"min_words": 20},
                "sources": [
                    {"name": source, "type": "html", "path": str(tmp_path / night / source)}
                ],
            }
        )

    run_ingest(cfg("n1", "ledger"), date(2026, 11, 20))
    s2 = run_ingest(cfg("n2", "wire"), date(2026, 11, 21))
    assert s2.near_duplicates == 1 and s2.written == 1  # kept as its own row, flagged
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT source, article_id, story_id, near_duplicate, duplicate_of FROM articles "
        "WHERE title LIKE 'Ferry%' ORDER BY ingest_date"
    ).fetchall()
    (s1, a1, story1, nd1, dup1), (s2_, a2, story2, nd2, dup2) = rows
    assert (s1, s2_) == ("ledger", "wire")
    assert story1 == story2 == a1 and (nd1, dup1) == (False, None) and (nd2, dup2) == (True, a1)
    stories = con.execute(
        "SELECT size, sources, canonical_id, first_seen::VARCHAR, last_seen::VARCHAR "
        "FROM stories WHERE story_id = ?",
        [a1],
    ).fetchone()
    assert stories == (2, ["ledger", "wire"], a1, "2026-11-20", "2026-11-21")
    unique = con.execute("SELECT count(*) FROM articles_unique").fetchone()
    assert unique == (2,)
    # A re-run of night two replaces its partition and gives the same answer.
    again = run_ingest(cfg("n2", "wire"), date(2026, 11, 21))
    assert again.near_duplicates == 1


def test_canonical_record_rule_within_a_night() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    cfg = DedupConfig(source_priority=("wire", "ledger"))
    members = [_member(text, 0, "ledger", cfg), _member(text, 1, "wire", cfg)]
    out = cluster([], members, cfg)
    # Same date and length: the source listed first in source_priority wins.
    assert out[("wire", "1")] == (members[0].article_id, False, None)
    assert out[("ledger", "0")] == (members[0].article_id, True, members[1].article_id)


def test_a_paywall_teaser_is_written_but_flagged(tmp_path: Path) -> None:
    teaser = [
        "The regional transit board voted on Wednesday to raise bus fares by twenty cents from "
        "March, the first increase in six years, citing fuel costs and a shrinking subsidy.",
        "Board members said the extra revenue would keep night routes running through the "
        "winter, but riders' groups warned that the change would hit low-income commuters.",
        "Subscribe to continue reading. Already a subscriber? Log in.",
    ]
    folder = tmp_path / "in" / "paper"
    _page(folder, "t", "Bus fares rise", teaser, "https://paper.example/fares",
          "2026-11-20T08:00:00+00:00")  # fmt: skip
    cfg = build_config(
        {
            "lake": str(tmp_path / "lake"),
            "validate": {"min_words": 20},
            "sources": [{"name": "paper", "type": "html", "path": str(folder)}],
        }
    )
    assert run_ingest(cfg, date(2026, 11, 20)).written == 1
    con = duckdb.connect(str(tmp_path / "lake" / "catalog.duckdb"), read_only=True)
    flags, text = con.execute("SELECT quality_flags, text FROM articles").fetchone()  # type: ignore[misc]
    assert "paywall_stub" in flags and "short_text" in flags
    assert "Subscribe" not in text  # the prompt itself is boilerplate, removed from the body


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 2\n\t-—é年😀.\u00a0_")), max_size=60))
def test_non_alpha_share_counts_words_without_letters(text: str) -> None:
    import re

    words = text.split()
    want = sum(not re.search(r"[^\W\d_]", w) for w in words) / max(1, len(words))
    assert quality.signals(text, 0)["non_alpha_share"] == round(want, 4)


def test_band_keys_blocks_agree_with_row_by_row() -> None:
    rng = np.random.default_rng(7)
    sigs = rng.integers(0, 2**32, size=(40_000, 128), dtype=np.uint64).astype(np.uint32)
    keys = neardup.band_keys(sigs, 32)
    assert keys.shape == (40_000, 32) and keys.dtype == np.uint64
    for i in (0, 16_383, 16_384, 32_768, 39_999):  # around the block edges
        assert np.array_equal(keys[i], neardup.band_keys(sigs[i : i + 1], 32)[0])
    assert len(np.unique(keys[:, 0])) == 40_000  # random signatures: no band collides
