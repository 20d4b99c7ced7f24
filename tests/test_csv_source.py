"""The CSV export source: real files written here, read row by row, and ingested end to end."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import CsvSource, build_config
from pipeline.records import RawDoc, Rejected
from pipeline.run import run_ingest
from pipeline.sources import csv_export, read_source, source_files
from pipeline.sources.files import ref_of
from tests.conftest import article_html

OTHER = [
    "The council voted late on Monday to keep the old library open for another year, after a "
    "petition signed by more than four thousand residents asked it to reconsider the closure.",
    "Librarians said the building needed a new roof and better heating, and that the money "
    "set aside for the move to the shopping centre could pay for both repairs next spring.",
    "Opponents on the council warned that the decision only delayed a choice the town would "
    "have to make once the lease on the shopping centre space ran out in two years' time.",
]
HEADER = ["url", "title", "text", "html", "published_at", "authors"]
MAX_BYTES = 20_000


def _export(path: Path) -> Path:
    """A CSV export with two good rows and one of each kind of bad row, lines as commented."""
    good = io.StringIO(newline="")
    w = csv.writer(good, lineterminator="\n")
    w.writerow(HEADER)  # line 1
    w.writerow(  # line 2; its text spans lines 2-6 (a quoted cell with blank lines)
        [
            "https://town.example/library",
            "Council keeps the library open",
            "\n\n".join(OTHER),
            "",
            "2026-11-19T18:00:00Z",
            "Ana Ruiz; Tom Baker",
        ]
    )
    w.writerow(["https://town.example/empty", "No body", "", "", "", ""])  # line 7
    w.writerow(["https://town.example/huge", "Huge", "x" * (MAX_BYTES + 1), "", "", ""])  # 8
    head = good.getvalue().encode()
    latin1 = b'https://town.example/caf\xe9,Caf\xe9 news,"Some text",,,\n'  # line 9: not UTF-8
    short = b"https://town.example/short,Two cells only\n"  # line 10
    tail = io.StringIO(newline="")
    csv.writer(tail, lineterminator="\n").writerow(  # line 11; the page's quotes are doubled
        ["https://harbor.example/news/breakwater", "", "", article_html(), "", ""]
    )
    path.write_bytes(head + latin1 + short + tail.getvalue().encode())
    return path


def _src(path: Path) -> CsvSource:
    return CsvSource(name="export", type="csv", paths=(path,))


def test_each_row_is_one_input_and_each_bad_row_one_quarantine_row(tmp_path: Path) -> None:
    f = _export(tmp_path / "export.csv")
    items = list(read_source(_src(f), MAX_BYTES))
    ref = ref_of(f)
    got = [
        (i.input_ref, i.reason if isinstance(i, Rejected) else "doc", i.input_format) for i in items
    ]
    assert got == [
        (f"{ref}:2", "doc", "jsonl"),
        (f"{ref}:7", "missing_field", "jsonl"),
        (f"{ref}:8", "too_large", "jsonl"),
        (f"{ref}:9", "decode_error", "jsonl"),
        (f"{ref}:10", "bad_record", "jsonl"),
        (f"{ref}:11", "doc", "jsonl"),
    ]
    text_row, *_, html_row = items
    assert isinstance(text_row, RawDoc) and text_row.text == "\n\n".join(OTHER)
    assert text_row.hints.url == "https://town.example/library"
    assert text_row.hints.title == "Council keeps the library open"
    assert text_row.hints.authors == ("Ana Ruiz", "Tom Baker")
    assert text_row.hints.published_at == "2026-11-19T18:00:00Z"
    assert isinstance(html_row, RawDoc) and html_row.html == article_html().encode()
    assert "2 cells where the header has 6" in items[4].message  # type: ignore[union-attr]


def test_columns_are_mapped_by_fields_and_the_delimiter_is_configurable(tmp_path: Path) -> None:
    f = tmp_path / "wire.tsv.csv"
    f.write_text("headline\tbody\tlink\nBreakwater\tThe harbour board met.\thttps://h.example/a\n")
    src = CsvSource(
        name="w",
        type="csv",
        paths=(f,),
        delimiter="\t",
        fields={"title": "headline", "text": "body", "url": "link"},  # type: ignore[arg-type]
    )
    [doc] = read_source(src, MAX_BYTES)
    assert isinstance(doc, RawDoc) and doc.text == "The harbour board met."
    assert (doc.hints.title, doc.hints.url) == ("Breakwater", "https://h.example/a")


def test_folders_give_csv_files_compressed_or_not(tmp_path: Path) -> None:
    rows = b"url,text\nhttps://a.example/1,Body one\n"
    (tmp_path / "a.csv").write_bytes(rows)
    (tmp_path / "b.csv.gz").write_bytes(gzip.compress(rows))
    (tmp_path / "c.csv.zst").write_bytes(zstandard.ZstdCompressor().compress(rows))
    (tmp_path / "notes.txt").write_bytes(rows)
    src = CsvSource(name="c", type="csv", paths=(tmp_path,))
    assert [Path(loc).name for loc in source_files(src)] == ["a.csv", "b.csv.gz", "c.csv.zst"]
    items = list(read_source(src, MAX_BYTES))
    assert [type(i).__name__ for i in items] == ["RawDoc"] * 3
    assert {i.text for i in items if isinstance(i, RawDoc)} == {"Body one"}


def test_cells_past_the_csv_module_default_limit_are_read_up_to_max_bytes(tmp_path: Path) -> None:
    f = tmp_path / "long.csv"
    body = "word " * 60_000  # 300 kB: over csv's default field limit (128 kB)
    f.write_text(f"url,text\nhttps://a.example/1,{body}\nhttps://a.example/2,{body}{body}\n")
    before = csv.field_size_limit()
    items = list(read_source(_src(f), 400_000))
    assert isinstance(items[0], RawDoc) and items[0].text == body
    assert isinstance(items[1], Rejected) and items[1].reason == "too_large"
    assert csv.field_size_limit() == before  # the process-wide limit is left as it was


def test_an_unreadable_header_is_one_row_for_the_file(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_bytes(b"\n\nur\xffl,text\nhttps://a.example/1,Body\n")
    [row] = read_source(_src(f), MAX_BYTES)
    assert isinstance(row, Rejected) and row.reason == "decode_error"
    assert row.input_ref == f"{ref_of(f)}:3" and row.message.startswith("header row")


def test_a_cut_gzip_export_keeps_the_rows_before_the_damage(tmp_path: Path) -> None:
    body = b"url,text\n" + b"".join(b"https://a.example/%d,Body %d\n" % (i, i) for i in range(5000))
    f = tmp_path / "cut.csv.gz"
    f.write_bytes(gzip.compress(body)[:-200])
    items = list(read_source(_src(f), MAX_BYTES))
    assert all(isinstance(i, RawDoc) for i in items[:-1]) and len(items) > 1000
    last = items[-1]
    assert isinstance(last, Rejected) and last.reason == "unreadable"
    # The row being read when the file ended: after the last one kept, never one of them.
    assert int(last.input_ref.rsplit(":", 1)[1]) == int(items[-2].input_ref.rsplit(":", 1)[1]) + 1


def test_an_export_is_ingested_and_every_row_accounted_for(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    f = _export(tmp_path / "in" / "export.csv")
    lake = tmp_path / "lake"
    cfg = build_config(
        {
            "lake": str(lake),
            "extract": {"max_bytes": MAX_BYTES},
            "validate": {"batch_checks": False},
            "sources": [{"name": "export", "type": "csv", "paths": [str(f)]}],
        }
    )
    summary = run_ingest(cfg, date(2026, 11, 20))
    c = summary.by_source["export"]
    assert (c.inputs, c.written, c.quarantined, c.duplicates, c.skipped) == (6, 2, 4, 0, 0)
    assert summary.reconciles() and summary.status == "published"
    articles = _rows(lake, "articles", ["input_ref", "title", "authors", "input_format"])
    ref = ref_of(f)
    assert sorted((a["input_ref"], a["title"]) for a in articles) == [
        (f"{ref}:11", "Harbour board backs breakwater rebuild"),
        (f"{ref}:2", "Council keeps the library open"),
    ]
    assert {a["input_format"] for a in articles} == {"jsonl"}
    quarantine = _rows(lake, "quarantine", ["input_ref", "reason"])
    assert sorted((q["input_ref"], q["reason"]) for q in quarantine) == [
        (f"{ref}:10", "bad_record"),
        (f"{ref}:7", "missing_field"),
        (f"{ref}:8", "too_large"),
        (f"{ref}:9", "decode_error"),
    ]


def _rows(lake: Path, table: str, columns: list[str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for p in sorted((lake / table).rglob("*.parquet")):
        out.extend(pq.read_table(p, columns=columns).to_pylist())
    return out


# -- properties -------------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.lists(st.sampled_from([b"a", b",", b'"', b"\n", b"\r", b"\xff", b"\x00", b" "])).map(
            b"".join
        ),
    ),
    how=st.sampled_from(["plain", "gzip", "cut gzip"]),
    max_bytes=st.sampled_from([8, 64, 10**6]),
)
def test_any_bytes_are_read_without_raising(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, how: str, max_bytes: int
) -> None:
    folder = tmp_path_factory.mktemp("csv")
    f = folder / ("x.csv" if how == "plain" else "x.csv.gz")
    packed = gzip.compress(data, mtime=0)
    f.write_bytes({"plain": data, "gzip": packed, "cut gzip": packed[: len(packed) * 3 // 4]}[how])
    items = list(csv_export.read(f, _src(f), max_bytes, ref_of(f), deadline_s=5))
    refs = [i.input_ref for i in items]
    assert len(set(refs)) == len(refs)  # one item per row, never two for one
    assert all(isinstance(i, RawDoc | Rejected) for i in items)


_CSV_BYTES = st.lists(st.sampled_from([b"ab", b",", b'"', b"\n", b'""', b" "]), max_size=60).map(
    b"".join
)


@PROPERTY
@given(data=_CSV_BYTES, cuts=st.lists(st.integers(1, 40), max_size=10))
def test_rows_are_cut_as_the_csv_module_reads_them_wherever_blocks_end(
    data: bytes, cuts: list[int]
) -> None:
    blocks, at = [], 0
    for n in cuts:
        blocks.append(data[at : at + n])
        at += n
    blocks.append(data[at:])
    found = list(csv_export.rows(blocks, b",", 10**6))
    assert found == list(csv_export.rows([data], b",", 10**6))
    parsed = [cells for _, row in found for cells in csv.reader([(row or b"").decode()])]
    assert parsed == list(csv.reader(io.StringIO(data.decode(), newline="")))
    # Each row starts on the line the newlines before it say.
    sizes = [len(row or b"") for _, row in found]
    starts = [data[: sum(sizes[:k])].count(b"\n") + 1 for k in range(len(found))]
    assert [line for line, _ in found] == starts
