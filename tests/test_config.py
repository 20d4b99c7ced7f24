from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, CsvSource, JsonlSource, load_config, source_name_for


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
