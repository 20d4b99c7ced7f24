from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import (
    ConfigError,
    CsvSource,
    JsonlSource,
    config_from_snapshot,
    load_config,
    source_name_for,
)


def test_sources_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    f = tmp_path / "conf" / "sources.yaml"
    f.parent.mkdir()
    f.write_text(
        "lake: ../lake\n"
        "sources:\n"
        "  - {name: wire, type: jsonl, path: dumps/wire.jsonl, fields: {url: link}}\n"
    )
    cfg = load_config(f)
    src = cfg.sources[0]
    assert isinstance(src, JsonlSource) and src.fields.url == "link" and src.fields.html == "html"
    assert src.paths == (tmp_path / "conf" / "dumps" / "wire.jsonl",)
    assert Path(cfg.lake).resolve() == (tmp_path / "lake").resolve()
    # Flags win, relative to the working directory; object-store URLs are kept as they are.
    assert load_config(f, {"lake": "elsewhere"}).lake == "elsewhere"
    f.write_text(f.read_text().replace("lake: ../lake", "lake: s3://bucket/news"))
    assert load_config(f).lake == "s3://bucket/news"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("sources: []", "sources"),
        ("sources:\n  - {name: Bad Name, type: html, path: x}", "source name"),
        ("sources:\n  - {name: a, type: ftp, path: x}", "type"),
        (
            "sources:\n  - {name: a, type: html, path: x}\n  - {name: a, type: text, path: y}",
            "repeated: a",
        ),
        ("sources:\n  - {name: a, type: html, path: x, timezone: Mars/Olympus}", "time zone"),
        ("sources:\n  - {name: a, type: html, path: x}\nextract: {timeout_s: -1}", "timeout_s"),
        ("sources:\n  - {name: a, type: html, path: x, colour: red}", "colour"),
        ("sources:\n  - {name: a, type: csv, path: x, delimiter: '\"'}", "sources.0.delimiter"),
        ("sources:\n  - {name: a, type: html, paths: [x, 3]}", "sources.0.paths.1"),
        ("sources:\n  - {name: a, type: html, path: [x, {y: 1}]}", "sources.0.paths.1"),
        ("sources:\n  - {name: a, type: html, path: ''}", "source a: an empty path"),
        ("sources:\n  - {name: a, type: html, paths: [x, null]}", "source a: an empty path"),
        ("- just a list", "mapping"),
        ("sources: [", "not valid YAML"),
    ],
)
def test_invalid_config_says_where(tmp_path: Path, yaml_text: str, expected: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(yaml_text)
    with pytest.raises(ConfigError, match=expected):
        load_config(f)


def test_a_list_under_path_means_paths(tmp_path: Path) -> None:
    f = tmp_path / "sources.yaml"
    f.write_text("sources:\n  - {name: a, type: html, path: [one, two/]}\n")
    assert load_config(f).sources[0].paths == (tmp_path / "one", tmp_path / "two")


def test_an_entry_that_does_not_validate_is_set_aside_while_another_does(
    tmp_path: Path,
) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "sources:\n"
        "  - {name: a, type: html, path: x}\n"
        "  - {name: b, type: htlm, path: y}\n"
        "  - {name: Bad Name, type: html, path: z}\n"
        "  - {name: d, type: html, path: z, colour: red}\n"
    )
    cfg = load_config(f)
    assert [s.name for s in cfg.sources] == ["a"]
    assert list(cfg.rejected_sources) == ["b", "#3", "d"]
    assert cfg.rejected_sources["b"].startswith("invalid configuration: sources.1: Input tag")
    assert "sources.3.colour: Extra inputs are not permitted" in cfg.rejected_sources["d"]
    # An empty path would read the sources file's own folder: that entry alone is set aside.
    f.write_text(
        "sources:\n  - {name: a, type: html, path: x}\n  - {name: e, type: html, path: ''}\n"
    )
    assert load_config(f).rejected_sources == {
        "e": "invalid configuration: sources.1.paths: an empty path"
    }
    # Recorded in the snapshot the DAG's tasks read back.
    assert config_from_snapshot(cfg.snapshot(), cfg.fingerprint()) == cfg
    # A name shared with a valid entry, or nothing valid left: the whole file is refused.
    f.write_text(
        "sources:\n  - {name: a, type: html, path: x}\n  - {name: a, type: html, path: x, t: 1}\n"
    )
    with pytest.raises(ConfigError, match="sources.1.t"):
        load_config(f)
    f.write_text("sources:\n  - {name: a, type: html, path: x}\nrejected_sources: {a: no}\n")
    with pytest.raises(ConfigError, match="rejected_sources: not a setting"):
        load_config(f)


def test_source_names_from_paths() -> None:
    assert source_name_for(Path("/data/The Harbor Ledger.jsonl.gz")) == "the-harbor-ledger"
    assert source_name_for(Path("../../")) == "input"


def test_a_csv_source_names_its_columns_and_delimiter(tmp_path: Path) -> None:
    f = tmp_path / "sources.yaml"
    f.write_text(
        "sources:\n"
        "  - name: export\n"
        "    type: csv\n"
        "    path: exports/\n"
        '    delimiter: "\\t"\n'
        "    fields: {title: headline, text: body}\n"
    )
    [src] = load_config(f).sources
    assert isinstance(src, CsvSource) and src.delimiter == "\t"
    assert (src.fields.title, src.fields.text, src.fields.url) == ("headline", "body", "url")
    assert src.paths == (tmp_path / "exports",)
