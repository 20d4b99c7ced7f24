"""Full-text search: the index the publish builds, queried through the catalog's search()."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.config import Config, build_config, load_config
from pipeline.lake import Lake
from pipeline.run import run_ingest
from tests.conftest import EXAMPLES, article_html
from tests.test_object_store import bucket, s3_endpoint  # noqa: F401 (fixtures)

NIGHT = date(2026, 11, 20)
Key = tuple[date, str, str]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus (four languages, eight sources) ingested by the real pipeline."""
    root = tmp_path_factory.mktemp("search") / "lake"
    cfg = load_config(EXAMPLES / "sources.yaml", {"lake": str(root), "workers": 1})
    validate = cfg.validate_.model_copy(update={"batch_checks": False})  # the gate is not tested
    summary = run_ingest(cfg.model_copy(update={"validate_": validate}), NIGHT)
    assert summary.written == 34
    return root


def _search(con: duckdb.DuckDBPyConnection, query: str, whole: bool = False) -> set[Key]:
    rows = con.execute(
        "SELECT ingest_date, source, article_id FROM search(?, whole := ?)", [query, whole]
    ).fetchall()
    return set(rows)


def _ilike(con: duckdb.DuckDBPyConnection, word: str) -> set[Key]:
    rows = con.execute(
        "SELECT ingest_date, source, article_id FROM articles "
        "WHERE title ILIKE '%' || ? || '%' OR text ILIKE '%' || ? || '%'",
        [word, word],
    ).fetchall()
    return set(rows)


def test_search_agrees_with_ilike_for_single_words(lake: Path) -> None:
    con = Lake(lake).connect()
    try:
        terms = [
            t
            for (t,) in con.execute("SELECT DISTINCT term FROM search_terms ORDER BY 1").fetchall()
        ]
        # Every 25th term of the vocabulary, accented and non-Latin ones, pieces of words (ILIKE
        # finds `port` inside `report`), and the same words in other cases.
        words = terms[::25] + [t for t in terms if not t.isascii()][:15]
        words += [t[1:4] for t in terms[7::60] if len(t) > 5]
        words += [w.upper() for w in words[:10]] + [w.title() for w in words[10:20]]
        words += ["port", "Straße", "économie", "zzqx"]
        found_inside = 0
        for word in words:
            expected = _ilike(con, word)
            assert _search(con, word) == expected, word
            found_inside += expected != _search(con, word, whole=True)
        assert sum(bool(_ilike(con, w)) for w in words) > len(words) // 2
        assert found_inside > 5  # the sample does test substrings, not only whole words
    finally:
        con.close()


def test_every_word_of_a_query_must_match_and_whole_matches_whole_terms(lake: Path) -> None:
    con = Lake(lake).connect()
    try:
        a, b = "harbor", "council"
        both = _search(con, f"{a.upper()}, {b}!")
        assert both and both == _ilike(con, a) & _ilike(con, b)
        whole = _search(con, "port", whole=True)
        assert whole < _search(con, "port")  # `report`, `sports`, ... hold `port` too
        words = {
            w
            for (text,) in con.execute(
                "SELECT lower(title || ' ' || text) FROM articles a "
                "SEMI JOIN search('port', whole := true) s USING (ingest_date, source, article_id)"
            ).fetchall()
            for w in text.replace("-", " ").split()
        }
        assert any(w.strip(".,;:'\"()") == "port" for w in words)
        assert _search(con, "") == set() and _search(con, " ,;") == set()
        # in_title and hits: a title word counts, and occurrences add up.
        [(title, in_title, hits)] = con.execute(
            "SELECT a.title, s.in_title, s.hits FROM articles a JOIN "
            "search('valdemar ampl\u00eda terminal') s USING (ingest_date, source, article_id)"
        ).fetchall()
        assert in_title and "Valdemar" in title and hits >= 3
    finally:
        con.close()


def test_index_covers_exactly_the_published_articles(lake: Path) -> None:
    con = Lake(lake).connect()
    try:
        indexed = set(
            con.execute(
                "SELECT DISTINCT ingest_date, source, article_id FROM search_index"
            ).fetchall()
        )
        published = set(
            con.execute("SELECT ingest_date, source, article_id FROM articles").fetchall()
        )
        assert indexed == published
        # search_terms is the vocabulary of the postings, with each term's article count.
        diff = con.execute(
            "SELECT count(*) FROM (SELECT ingest_date, source, term, count(*) AS docs "
            "FROM search_index GROUP BY ALL) i FULL JOIN search_terms t "
            "USING (ingest_date, source, term) WHERE i.docs IS DISTINCT FROM t.docs"
        ).fetchone()
        assert diff == (0,)
        # The catalog's vocabulary, which search() scans, is the lake's distinct terms.
        vocabulary = con.execute("SELECT term FROM search_vocabulary ORDER BY term").fetchall()
        distinct = con.execute("SELECT DISTINCT term FROM search_index ORDER BY term").fetchall()
        assert vocabulary == distinct
    finally:
        con.close()
    # Sorted by term within each file: what lets row-group statistics skip the rest.
    for table in ("search_index", "search_terms"):
        files = sorted((lake / table).glob("ingest_date=*/source=*/*.parquet"))
        assert files
        for f in files:
            terms = pq.read_table(f, columns=["term"]).column("term").to_pylist()
            assert terms == sorted(terms)


def _night(tmp_path: Path, pages: dict[str, str]) -> Config:
    """One html source whose pages each carry one made-up word, named by the page."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.html"):
        old.unlink()
    for name, word in pages.items():
        paras = [
            f"The harbour board met on {name} to hear about the {word} plan for the northern "
            "breakwater, which engineers say has lost a third of its armour stone since spring.",
            "Residents asked who would pay for the repairs, and the board said the port "
            "authority and the regional government would share the bill over five years.",
            f"A levy on cruise passengers would cover the rest, the {name} meeting was told.",
        ]
        html = article_html(
            title=f"Board hears {name} plan", url=f"https://h.example/{name}", paragraphs=paras
        )
        (folder / f"{name}.html").write_text(html)
    return build_config(
        {
            "lake": str(tmp_path / "lake"),
            "validate": {"min_words": 20, "batch_checks": False},
            "dedup": {"near": False},
            "lake_options": {"rows_per_file": 1, "row_group_rows": 1},  # a file per article
            "allow_empty": True,
            "sources": [{"name": "h", "type": "html", "paths": [str(folder)]}],
        }
    )


def test_a_rerun_replaces_the_partitions_index_with_its_articles(tmp_path: Path) -> None:
    pages = {"monday": "Zephyrine", "tuesday": "quorbattle", "wednesday": "Ålandsbrücke"}
    assert run_ingest(_night(tmp_path, pages), NIGHT).written == 3
    lake = Lake(tmp_path / "lake")
    assert len(list((tmp_path / "lake/search_index").rglob("*.parquet"))) == 3
    con = lake.connect()
    assert len(_search(con, "zephyrine")) == 1 and len(_search(con, "ÅLANDSBRÜCKE")) == 1
    # hits: the occurrences in title and text, each counted once (terms are listed per file)
    hits = con.execute(
        "SELECT s.hits, len(regexp_extract_all(lower(a.title || ' ' || a.text), 'board')) "
        "FROM search('BOARD') s JOIN articles a USING (ingest_date, source, article_id)"
    ).fetchall()
    assert len(hits) == 3 and all(h == n > 1 for h, n in hits)
    con.close()

    del pages["monday"]  # the page is gone when the night is re-run
    assert run_ingest(_night(tmp_path, pages), NIGHT).written == 2
    con = lake.connect()
    try:
        assert _search(con, "zephyrine") == set() == _ilike(con, "zephyrine")
        assert len(_search(con, "quorbattle")) == 1
        assert _search(con, "board") == _ilike(con, "board") and len(_ilike(con, "board")) == 2
    finally:
        con.close()

    # A night published empty (allow_empty) leaves no index behind either.
    run_ingest(_night(tmp_path, {}), NIGHT)
    con = lake.connect()
    try:
        assert _search(con, "board") == set()
        assert con.execute("SELECT count(*) FROM search_index").fetchone() == (0,)
    finally:
        con.close()


def test_slices_of_a_large_file_give_the_same_index(
    lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big files are indexed a few thousand articles at a time (bounded memory): same postings,
    same vocabulary, each row group still a narrow, sorted range of terms."""
    from pipeline import search
    from pipeline.config import LakeConfig
    from pipeline.storage import Storage

    biggest = max(
        (lake / "articles").glob("ingest_date=*/source=*/*.parquet"),
        key=lambda p: pq.read_metadata(p).num_rows,
    )
    files = [biggest.as_posix()]
    storage = Storage(tmp_path)

    def build(name: str) -> tuple[pa.Table, pa.Table]:
        index, terms = (
            (tmp_path / name / "index").as_posix(),
            (tmp_path / name / "terms").as_posix(),
        )
        search.index_partition(storage, files, index, terms, LakeConfig())
        return pq.read_table(index), pq.read_table(terms)

    whole_index, whole_terms = build("whole")
    monkeypatch.setattr(search, "ARTICLES_PER_SLICE", 2)
    sliced_index, sliced_terms = build("sliced")
    assert pq.read_metadata(files[0]).num_rows >= 5  # so there are three slices
    key = [("term", "ascending"), ("article_id", "ascending")]
    assert sliced_index.sort_by(key).equals(whole_index.sort_by(key))
    assert sliced_terms.equals(whole_terms)
    terms = sliced_index.column("term").to_pylist()
    assert terms != sorted(terms)  # several sorted runs, one per slice


def test_search_and_export_on_an_object_store_lake(
    bucket: str,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    """The same index and macro on S3 (moto on 127.0.0.1): built through pyarrow's S3
    filesystem at publish, read through the Arrow views `Lake.connect()` registers."""
    from pipeline.export import export_by_language
    from tests.test_object_store import _ingest

    uri = f"s3://{bucket}/lake"
    assert _ingest(uri) == 0
    con = Lake(uri).connect()
    try:
        for word in ("harbor", "Hafen", "économie", "port"):
            assert _search(con, word) == _ilike(con, word), word
        assert _search(con, "harbor")
    finally:
        con.close()
    counts = export_by_language(uri, date(2026, 11, 25), "parquet", tmp_path)
    assert counts == {"de": 7, "en": 22, "es": 1, "fr": 4}
