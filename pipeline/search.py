"""Full-text search over the articles' titles and texts: an inverted index kept in the lake.

Two tables, partitioned like `articles` and built from it at publish, one file per articles
file: `search_index` holds one row per (term, article), sorted by term, so Parquet row-group
statistics let DuckDB read only the row groups that can hold a queried term; `search_terms`
holds each file's distinct terms, from which the catalog's `search_vocabulary` (the lake's
distinct terms, what a substring query scans) is rebuilt with the catalog. The publish writes
both into the run's final partitions and `Lake.publish` swaps them in under the same journal as
the articles, so a re-run, requeue or re-extraction replaces a partition's index together with
its rows, and a crash leaves both old or both new.

A term is a maximal run of letters, combining marks and digits of `lower(title)` or
`lower(text)` (DuckDB's `lower()`, the case folding `ILIKE` uses); accents are kept, as `ILIKE`
keeps them (`café` is not `cafe`). The catalog's `search(query)` table macro returns the
articles whose title or text contains every word of the query, each as `ILIKE '%word%'` finds
it (a word has no separator in it, so it lies inside one term); `search(query, whole := true)`
matches whole terms only.
"""

from __future__ import annotations

import logging
import posixpath
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import LakeConfig
from pipeline.storage import Storage

if TYPE_CHECKING:
    from pipeline.staging import RunStage

log = logging.getLogger(__name__)

INDEX, TERMS, VOCABULARY = "search_index", "search_terms", "search_vocabulary"
# What separates terms: anything but letters, combining marks and digits (RE2 classes).
SEPARATORS = r"[^\p{L}\p{M}\p{N}]+"
# Small row groups: a term's postings are a few rows, and DuckDB reads whole row groups.
ROW_GROUP_ROWS = 20_000
# Articles indexed at a time. Each slice's postings are written sorted by term, so every row
# group still spans a narrow term range (a word is found in one row group per slice), and
# memory stays bounded (about 150 MB for 2,000 articles) whatever the size of the file.
ARTICLES_PER_SLICE = 2_000

# The tables as readers see them; `source` (like `ingest_date`) is in the path, not the files.
SEARCH_INDEX_SCHEMA = pa.schema(
    [
        pa.field("term", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("in_title", pa.bool_(), nullable=False),  # the term is in the title
        pa.field("hits", pa.int32(), nullable=False),  # its occurrences in title and text
    ]
)
SEARCH_TERMS_SCHEMA = pa.schema(
    [
        pa.field("term", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("docs", pa.int32(), nullable=False),  # articles of the file holding it
    ]
)
_INDEX_FILE = SEARCH_INDEX_SCHEMA.remove(SEARCH_INDEX_SCHEMA.get_field_index("source"))
_TERMS_FILE = SEARCH_TERMS_SCHEMA.remove(SEARCH_TERMS_SCHEMA.get_field_index("source"))

# A slice of articles (registered as `a`) -> its postings, sorted by term.
_POSTINGS = f"""
WITH words AS (
    SELECT article_id, true AS in_title,
        unnest(regexp_split_to_array(lower(title), '{SEPARATORS}')) AS term
    FROM a WHERE title IS NOT NULL
    UNION ALL
    SELECT article_id, false,
        unnest(regexp_split_to_array(lower(text), '{SEPARATORS}'))
    FROM a WHERE text IS NOT NULL
)
SELECT term, article_id, bool_or(in_title) AS in_title, count(*)::INTEGER AS hits
FROM words WHERE term <> ''
GROUP BY term, article_id
ORDER BY term, article_id
"""

# `search_words(q)`: the query's distinct words, as the index splits and folds text.
# `search(q, whole)`: the terms holding each word (from the lake's vocabulary), then their
# postings; an article is kept when it holds every word. One row per article: its keys (join
# `articles` USING (ingest_date, source, article_id) for the rest), the occurrences of the
# matched terms, and whether one is in the title.
_MATCH = "lambda w: CASE WHEN whole THEN term = w ELSE contains(term, w) END"
CATALOG_SQL = (
    "CREATE OR REPLACE MACRO search_words(query) AS list_distinct(list_filter("
    f"regexp_split_to_array(lower(query), '{SEPARATORS}'), lambda w: w <> ''))",
    f"""CREATE OR REPLACE MACRO search(query, whole := false) AS TABLE
    WITH terms AS (
        SELECT term, list_filter(search_words(query), {_MATCH}) AS words
        FROM search_vocabulary
        WHERE len(list_filter(search_words(query), {_MATCH})) > 0
            -- whole terms lie between the least and the greatest word: the sorted
            -- vocabulary's blocks outside that range are skipped on their min/max
            AND CASE WHEN whole THEN term BETWEEN list_min(search_words(query))
                AND list_max(search_words(query)) ELSE true END
    )
    SELECT i.ingest_date, i.source, i.article_id, sum(i.hits)::BIGINT AS hits,
        bool_or(i.in_title) AS in_title
    FROM search_index i JOIN terms t ON i.term = t.term
    GROUP BY ALL
    HAVING len(list_distinct(flatten(list(t.words)))) = len(search_words(query))""",
)


def vocabulary(con: duckdb.DuckDBPyConnection, *, materialize: bool) -> None:
    """`search_vocabulary`: the distinct terms of the whole lake, what a substring query scans
    (76,000 rows for the benchmark's million articles, where search_terms has 24 million). In the
    catalog file it is a table rebuilt with the catalog (after every publish, on recovery and by
    `broadsheet catalog`); on a connection to an object-store lake, a view."""
    kind = "TABLE" if materialize else "VIEW"
    con.execute("SET enable_progress_bar = false")  # a publish on a terminal draws no bar
    con.execute(
        f"CREATE OR REPLACE {kind} {VOCABULARY} AS SELECT DISTINCT term FROM {TERMS} ORDER BY term"
    )


class _TermCounts:
    """The distinct terms of streams sorted by term, with how many rows (articles) each has."""

    def __init__(self) -> None:
        self.values: list[pa.Array] = []
        self.counts: list[np.ndarray] = []
        self._continues = False  # the next batch goes on from the last one's sorted stream
        self.slices = 0

    def end_slice(self) -> None:
        self._continues = False
        self.slices += 1

    def add(self, terms: pa.Array) -> None:
        runs = pc.run_end_encode(terms)
        values = runs.values
        counts = np.diff(runs.run_ends.to_numpy(), prepend=0)
        if self._continues and len(self.values[-1]) and values[0] == self.values[-1][-1]:
            self.counts[-1][-1] += counts[0]  # the term goes on from the previous batch
            values, counts = values.slice(1), counts[1:]
        self.values.append(values)
        self.counts.append(counts)
        self._continues = True

    def table(self) -> pa.Table:
        terms = pa.concat_arrays(self.values) if self.values else pa.array([], pa.string())
        docs = np.concatenate(self.counts) if self.counts else np.array([], np.int32)
        t = pa.table({"term": terms, "docs": pa.array(docs, pa.int64())})
        if self.slices > 1:  # slices repeat terms: add their counts up
            t = t.group_by("term").aggregate([("docs", "sum")]).rename_columns(["term", "docs"])
            t = t.sort_by("term")
        return t.cast(_TERMS_FILE)


def index_file(
    con: duckdb.DuckDBPyConnection,
    storage: Storage,
    articles_file: str,
    index_out: str,
    terms_out: str,
    opts: LakeConfig,
) -> int:
    """Write the postings and the terms of one articles file; returns the postings."""
    terms = _TermCounts()
    n = 0
    options = {
        "compression": "zstd",
        "compression_level": opts.zstd_level,
        "write_statistics": True,
        "filesystem": storage.fs,
    }
    columns = ["article_id", "title", "text"]
    with (
        storage.fs.open_input_file(articles_file) as fh,
        pq.ParquetWriter(index_out, _INDEX_FILE, **options) as writer,
    ):
        for articles in pq.ParquetFile(fh).iter_batches(ARTICLES_PER_SLICE, columns=columns):
            con.register("a", articles)
            try:
                for batch in con.sql(_POSTINGS).to_arrow_reader(ROW_GROUP_ROWS):
                    if batch.num_rows:
                        writer.write_batch(batch.cast(_INDEX_FILE), row_group_size=ROW_GROUP_ROWS)
                        terms.add(batch.column("term"))
                        n += batch.num_rows
                terms.end_slice()
            finally:
                con.unregister("a")
    # Distinct, sorted terms: a dictionary saves nothing, and DuckDB scans them faster plain.
    vocabulary = terms.table()
    pq.write_table(
        vocabulary, terms_out, row_group_size=ROW_GROUP_ROWS, use_dictionary=False, **options
    )
    return n


def index_partition(
    storage: Storage, articles: Sequence[str], index_dir: str, terms_dir: str, opts: LakeConfig
) -> int:
    """Replace `index_dir` and `terms_dir` with the index of one partition's articles files."""
    for folder in (index_dir, terms_dir):
        storage.rmtree(folder)
        storage.makedirs(folder)
    n = 0
    con = duckdb.connect()
    try:
        for i, path in enumerate(articles):
            name = f"part-{i:05d}.parquet"
            index = posixpath.join(index_dir, name)
            n += index_file(con, storage, path, index, posixpath.join(terms_dir, name), opts)
    finally:
        con.close()
    return n


def index_stage(stage: RunStage) -> int:
    """Index the final articles of every source the run publishes, into the run's final
    partitions, which `Lake.publish` swaps in with the rest. Returns the postings written."""
    t = time.perf_counter()
    n = 0
    for source in stage.sources:
        n += index_partition(
            stage.storage,
            stage.storage.files(stage.final_dir("articles", source), "*.parquet"),
            stage.final_dir(INDEX, source),
            stage.final_dir(TERMS, source),
            stage.opts,
        )
    log.info(
        "search index built",
        extra={
            "postings": n,
            "sources": len(stage.sources),
            "seconds": round(time.perf_counter() - t, 3),
        },
    )
    return n
