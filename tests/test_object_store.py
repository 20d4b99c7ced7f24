"""The lake on an object store: a real S3-compatible server (moto) on 127.0.0.1, no mocks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.fs as pafs
import pytest

from pipeline import storage as storage_mod
from pipeline.cli import main
from pipeline.lake import Lake
from tests.conftest import EXAMPLES

DATE = "2026-11-25"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "broadsheet")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "broadsheet")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = "news-" + request.node.name.replace("_", "-")[:40].lower()
    fs = pafs.S3FileSystem(endpoint_override=s3_endpoint, allow_bucket_creation=True)
    fs.create_dir(name)
    return name


def _keys(bucket: str, prefix: str) -> list[str]:
    fs, _ = pafs.FileSystem.from_uri(f"s3://{bucket}")  # honours AWS_ENDPOINT_URL
    infos = fs.get_file_info(
        pafs.FileSelector(f"{bucket}/{prefix}", recursive=True, allow_not_found=True)
    )
    return sorted(i.path for i in infos if i.type == pafs.FileType.File)


def _ingest(uri: str, *extra: str) -> int:
    return main(
        [
            "ingest",
            "--config",
            str(EXAMPLES / "sources.yaml"),
            "--lake",
            uri,
            "--date",
            DATE,
            "--no-progress",
            "--workers",
            "1",
            *extra,
        ]
    )


def test_ingest_to_s3_and_query_it(bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    uri = f"s3://{bucket}/lake"
    assert _ingest(uri) == 0
    keys = _keys(bucket, "lake")
    # A partition is a version folder and a pointer naming it.
    part = f"{bucket}/lake/articles/ingest_date={DATE}/source=wire"
    [pointer] = [k for k in keys if k.startswith(f"{part}/_current.")]
    version = pointer.rsplit("/", 1)[1].split(".", 2)[2]
    assert f"{part}/_v/{version}/part-00000.parquet" in keys
    assert not [k for k in keys if "/_staging/" in k or "/_journal/" in k or "/_trash/" in k]
    con = Lake(uri).connect()
    counts = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM duplicates), "
        "(SELECT count(*) FROM quarantine), (SELECT written FROM runs)"
    ).fetchone()
    assert counts == (34, 4, 10, 34)
    day = con.execute("SELECT DISTINCT ingest_date::VARCHAR FROM articles").fetchall()
    assert day == [(DATE,)]
    capsys.readouterr()
    assert (
        main(
            [
                "sql",
                "--lake",
                uri,
                "--format",
                "json",
                "SELECT language, count(*) AS n FROM articles GROUP BY 1 ORDER BY 1",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [
        {"language": "de", "n": 7},
        {"language": "en", "n": 22},
        {"language": "es", "n": 1},
        {"language": "fr", "n": 4},
    ]


def test_rerun_on_s3_replaces_partitions(bucket: str) -> None:
    uri = f"s3://{bucket}/lake"
    assert _ingest(uri) == 0
    before = Lake(uri).connect().execute("SELECT article_id FROM articles ORDER BY 1").fetchall()
    assert _ingest(uri) == 0
    after = Lake(uri).connect().execute("SELECT article_id FROM articles ORDER BY 1").fetchall()
    assert after == before and len(after) == 34
    assert Lake(uri).connect().execute("SELECT count(*) FROM runs").fetchone() == (2,)


def test_interrupted_publish_on_s3_is_rolled_forward(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"s3://{bucket}/lake"
    assert _ingest(uri) == 0
    real = storage_mod.Storage.move_file
    calls = {"n": 0}

    def flaky(self: storage_mod.Storage, src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 15:  # mid-way through the swaps
            raise OSError("connection reset")
        real(self, src, dst)

    monkeypatch.setattr(storage_mod.Storage, "move_file", flaky)
    assert _ingest(uri) == 1  # could not publish: exit code 1
    monkeypatch.setattr(storage_mod.Storage, "move_file", real)
    assert _keys(bucket, "lake/_journal")  # committed, not yet applied
    with Lake(uri).locked():
        pass
    assert not _keys(bucket, "lake/_journal") and not _keys(bucket, "lake/_trash")
    con = Lake(uri).connect()
    assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone() == (
        34,
        34,
    )
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (10,)


def test_warc_listing_with_an_object_store_base(
    bucket: str, tmp_path: pytest.TempPathFactory
) -> None:
    """CC-NEWS style: warc.paths names WARCs under an s3:// prefix; damage is still contained."""
    from pipeline.config import WarcSource
    from pipeline.records import RawDoc, Rejected
    from pipeline.sources import warc
    from tests.warcgen import Writer, news_page

    local = Path(str(tmp_path)) / "a.warc.gz"
    w = Writer(local)
    for i in range(4):
        w.response(news_page(i))
    w.close()
    data = bytearray(local.read_bytes())
    data[w.offsets[1] + 50 : w.offsets[1] + 90] = b"\x00" * 40
    fs, _ = pafs.FileSystem.from_uri(f"s3://{bucket}")
    with fs.open_output_stream(f"{bucket}/crawl/2026/11/a.warc.gz", compression=None) as out:
        out.write(bytes(data))
    listing = Path(str(tmp_path)) / "warc.paths"
    listing.write_text("2026/11/a.warc.gz\n")
    src = WarcSource(name="cc", type="warc", paths=(listing,), base=f"s3://{bucket}/crawl")
    [loc] = list(warc.locations(src))
    assert loc == f"s3://{bucket}/crawl/2026/11/a.warc.gz"
    items = list(warc.read(loc, src, 10**6))
    assert [type(i).__name__ for i in items] == ["RawDoc", "Rejected", "RawDoc", "RawDoc"]
    assert isinstance(items[1], Rejected) and items[1].input_ref == f"{loc}@{w.offsets[1]}"
    assert all(i.hints.url for i in items if isinstance(i, RawDoc))


def _small_night(uri: str, folders: dict[str, Path], day: date) -> None:
    """A night of tests.test_readers' small corpus, published into `uri` by the real pipeline."""
    from pipeline.config import build_config
    from pipeline.run import run_ingest

    cfg = build_config(
        {
            "lake": uri,
            "sources": [
                {"name": name, "type": "html", "paths": [str(path)]}
                for name, path in folders.items()
            ],
            "validate": {"min_words": 20, "batch_checks": False},
        }
    )
    run_ingest(cfg, day)


def test_s3_views_read_columns_the_oldest_partition_lacks(bucket: str, tmp_path: Path) -> None:
    """A partition written before a column existed (contract 1.0 had no `quality_flags`) must
    not hide that column from the views of the newer ones."""
    import pyarrow.parquet as pq

    from tests.test_readers import NIGHTS, _night

    uri = f"s3://{bucket}/lake"
    _small_night(uri, _night(tmp_path / "in", 0), NIGHTS[0])
    fs, _ = pafs.FileSystem.from_uri(uri)
    [old] = [k for k in Lake(uri).files("articles") if NIGHTS[0].isoformat() in k][:1]
    t = pq.read_table(old, filesystem=fs)
    pq.write_table(t.drop_columns(["quality_flags", "story_id"]), old, filesystem=fs)
    _small_night(uri, _night(tmp_path / "in", 1), NIGHTS[1])
    con = Lake(uri).connect()
    rows = con.execute(
        "SELECT ingest_date::VARCHAR, source, count(*), count(quality_flags), count(story_id) "
        "FROM articles GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    d0, d1 = (str(d) for d in NIGHTS)
    assert rows == [
        (d0, "harbor", 2, 0, 0),
        (d0, "wire", 1, 1, 1),
        (d1, "harbor", 2, 2, 2),
        (d1, "wire", 1, 1, 1),
    ]
    # The partition keys are typed as the local catalog types them.
    types = con.execute("SELECT typeof(ingest_date), typeof(source) FROM articles LIMIT 1")
    assert types.fetchall() == [("DATE", "VARCHAR")]
    # The same dataset for pandas (what the README gives object-store readers).
    frame = Lake(uri).dataset("articles").to_table().to_pandas()
    assert len(frame) == 6 and frame["quality_flags"].isna().sum() == 2
    assert sorted(set(frame["source"])) == ["harbor", "wire"]


def test_readers_never_see_a_half_published_partition_on_s3(
    bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader querying through the catalog path (`Lake.connect()`) while a re-run replaces
    the partition sees the old rows or the new ones, never a mix or a part. Object writes are
    slowed so the publish takes long enough for the reader to look many times."""
    import threading
    import time

    from pipeline.config import build_config
    from pipeline.run import run_ingest
    from tests.test_lake import _corpus

    n = 8
    _corpus(tmp_path / "in", n)
    cfg = build_config(
        {
            "lake": f"s3://{bucket}/lake",
            "sources": [{"name": "harbor", "type": "html", "paths": [str(tmp_path / "in")]}],
            "validate": {"min_words": 20, "batch_checks": False},
            "lake_options": {"rows_per_file": 1},  # one object per row: a wide window
            "dedup": {"near": False},
        }
    )
    day = date(2026, 11, 20)
    first = run_ingest(cfg, day).run_id
    seen: list[tuple[int, int, str]] = []
    done = threading.Event()

    errors: list[str] = []

    def read() -> None:
        while not done.is_set():
            try:
                con = Lake(cfg.lake).connect()
                row = con.execute(
                    "SELECT count(*), count(DISTINCT run_id), min(run_id) FROM articles "
                    "WHERE source = 'harbor'"
                ).fetchall()[0]
                con.close()
            except Exception as e:  # an object listed, then gone: a half-swapped partition
                errors.append(str(e))
                continue
            seen.append((int(row[0]), int(row[1]), str(row[2])))

    real = storage_mod.Storage.move_file

    def slow(self: storage_mod.Storage, src: str, dst: str) -> None:
        time.sleep(0.05)
        real(self, src, dst)

    monkeypatch.setattr(storage_mod.Storage, "move_file", slow)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        second = run_ingest(cfg, day).run_id
    finally:
        done.set()
        reader.join()
    read_again = Lake(cfg.lake).connect()
    final = read_again.execute("SELECT count(*), min(run_id) FROM articles").fetchone()
    assert final == (n, second)
    states = set(seen)
    assert not errors, errors[:3]
    assert states <= {(n, 1, first), (n, 1, second)}, sorted(states)
    assert (n, 1, first) in states and len(seen) >= 5
    # The previous version stays for readers that chose it a moment ago; nothing older.
    part = f"lake/articles/ingest_date={day.isoformat()}/source=harbor"
    names = {k.split(part + "/", 1)[1].split("/")[:2][-1] for k in _keys(bucket, part)}
    assert names == {f"_current.{1:012d}.{first}", f"_current.{2:012d}.{second}", first, second}


def test_versions_replace_flat_partitions_and_keep_one_previous(bucket: str) -> None:
    """A partition published before versions (flat objects) is read as it is, replaced by the
    first version, and swept once a second one lands; a repeated swap changes nothing."""
    st = storage_mod.Storage(f"s3://{bucket}/lake")
    part = st.path("quarantine/ingest_date=2026-11-20/source=a")

    def stage(name: str, files: int) -> str:
        folder = st.path("_staging", name)
        for i in range(files):
            st.write_bytes_durably(f"{folder}/part-{i:05d}.parquet", name.encode())
        return folder

    def current() -> list[str]:
        return [
            st.read_bytes(f).decode()
            for f in st.current_files(st.path("quarantine"), 2, "*.parquet")
        ]

    st.write_bytes_durably(f"{part}/part-00000.parquet", b"flat")
    assert current() == ["flat"]
    for run in ("r1", "r1"):  # the second time: a publish rolled forward after a crash
        st.swap_dir(stage(run, 2), part, "", run)
        assert current() == ["r1", "r1"]
    assert f"{bucket}/lake/quarantine/ingest_date=2026-11-20/source=a/part-00000.parquet" in (
        _keys(bucket, "lake/quarantine")
    )
    st.swap_dir(stage("r2", 1), part, "", "r2")
    assert current() == ["r2"]
    st.swap_dir(stage("r3", 1), part, "", "r3")
    left = {k.split("source=a/", 1)[1] for k in _keys(bucket, "lake/quarantine")}
    assert left == {
        f"_current.{2:012d}.r2",
        f"_current.{3:012d}.r3",
        "_v/r2/part-00000.parquet",
        "_v/r3/part-00000.parquet",
    }
    assert current() == ["r3"]


def test_a_swap_begun_before_versions_is_finished_as_a_version(bucket: str) -> None:
    """A publish interrupted under the object-by-object swap (old objects in the trash, some
    new ones already in place) and rolled forward by this release keeps every new object."""
    st = storage_mod.Storage(f"s3://{bucket}/lake")
    part = st.path("quarantine/ingest_date=2026-11-20/source=a")
    staged, trash = st.path("_staging/r1/q"), st.path("_trash/r1/00000")
    st.write_bytes_durably(f"{trash}/part-00000.parquet", b"old")
    st.write_bytes_durably(f"{trash}/.cleared", b"")
    st.write_bytes_durably(f"{part}/part-00000.parquet", b"new0")  # moved before the crash
    st.write_bytes_durably(f"{staged}/part-00001.parquet", b"new1")
    st.swap_dir(staged, part, trash, "r1")
    files = st.current_files(st.path("quarantine"), 2, "*.parquet")
    assert [st.read_bytes(f) for f in files] == [b"new0", b"new1"]
