"""The lake on an object store: a real S3-compatible server (moto) on 127.0.0.1, no mocks."""

from __future__ import annotations

import json
from collections.abc import Iterator

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
    assert f"{bucket}/lake/articles/ingest_date={DATE}/source=wire/part-00000.parquet" in keys
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
    from pathlib import Path

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
