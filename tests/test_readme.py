"""The README's machine-checkable statements, checked against the code.

The sources-file example parses and shows the defaults; the quarantine and skip reason tables
are the code's closed sets, both ways; every exit code the README states is the CLI's and is
exercised (here, or by the test named); the numbers it states about the code (limits,
defaults) are the code's; the `article_id` recipe recomputes real ids; the exact-dedup index
costs what it says.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline import cli
from pipeline.config import (
    DedupConfig,
    ExtractConfig,
    FetchConfig,
    LakeConfig,
    SitemapSource,
    ValidateConfig,
    build_config,
)
from pipeline.records import REASONS, SKIP_REASONS
from tests.conftest import REPO

README = (REPO / "README.md").read_text()
FLAT = re.sub(r"\s+", " ", README)  # statements wrap across lines


def _section(title: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    m = re.search(rf"^(#+) {re.escape(title)}\n", README, re.M)
    assert m, f"README has no section {title!r}"
    level = len(m.group(1))
    rest = README[m.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def _stated(pattern: str) -> tuple[str, ...]:
    """The groups of the one place the README says this (whitespace-insensitive)."""
    found = re.findall(pattern, FLAT)
    assert len(found) >= 1, f"README no longer says {pattern!r}"
    first = found[0]
    return first if isinstance(first, tuple) else (first,)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


# -- the sources file ----------------------------------------------------------------------------


def _example() -> dict[str, Any]:
    block = re.search(r"```yaml\n(.*?)```", _section("The sources file"), re.S)
    assert block
    data: dict[str, Any] = yaml.safe_load(block.group(1))
    return data


# Values in the example that are examples, not defaults.
EXAMPLE_VALUES = {"lake", "workers", "validate.severity", "dedup.source_priority", "sources"}


def _leaves(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for k, v in d.items():
        key = prefix + k
        if key in EXAMPLE_VALUES:
            continue
        if isinstance(v, dict):
            out += _leaves(v, key + ".")
        else:
            out.append((key, v))
    return out


def test_the_sources_file_example_parses() -> None:
    cfg = build_config(_example())  # dates as YAML reads them (unquoted: a date)
    assert [s.name for s in cfg.sources] == [
        "harbor-ledger",
        "wire",
        "cc-news",
        "ledger-web",
        "ledger-sitemaps",
    ]


def test_the_sources_file_example_shows_the_defaults() -> None:
    one = [{"name": "x", "type": "html", "path": "x"}]
    defaults = build_config({"sources": one}).model_dump(by_alias=True)
    leaves = _leaves({k: v for k, v in _example().items()})
    assert len(leaves) >= 20
    for key, shown in leaves:
        value: Any = defaults
        for part in key.split("."):
            value = value[part]
        if isinstance(shown, date):  # YAML reads an unquoted date as a date
            shown = shown.isoformat()
            value = value.isoformat() if isinstance(value, date) else value
        assert value == shown, f"{key}: the README shows {shown!r}, the default is {value!r}"


def test_every_fetch_key_is_shown_with_its_default() -> None:
    """`fetch:  # every key optional; defaults shown` — all of them, and only those."""
    [web] = [s for s in _example()["sources"] if s["name"] == "ledger-web"]
    assert web["fetch"] == FetchConfig().model_dump()


def test_defaults_in_the_example_comments() -> None:
    assert int(_stated(r"as does max_text_chars: (\d+)")[0]) == ValidateConfig().max_text_chars
    [sm] = [s for s in _example()["sources"] if s["name"] == "ledger-sitemaps"]
    fields = SitemapSource.model_fields
    assert sm["lookback_days"] == fields["lookback_days"].default
    assert sm["include_undated"] == fields["include_undated"].default
    assert _stated(r"how to read naive dates of this source \(default (\w+)\)") == ("UTC",)


# -- reason tables -------------------------------------------------------------------------------


def _first_column(table_text: str) -> list[str]:
    return re.findall(r"^\s*\| `([a-z_]+)` \|", table_text, re.M)


def test_quarantine_reasons_table_is_the_closed_set() -> None:
    documented = _first_column(_section("Quarantine reasons"))
    assert sorted(documented) == sorted(REASONS)
    assert len(documented) == len(set(documented))


def test_skip_reasons_table_is_the_closed_set() -> None:
    table = README[README.index("| skip reason | meaning |") :]
    table = table[: table.index("\n- ")]
    documented = _first_column(table)
    assert sorted(documented) == sorted(SKIP_REASONS)
    assert len(documented) == len(set(documented))


# -- exit codes ----------------------------------------------------------------------------------

# Each exit code the README states, the phrase that states it, and the test that exercises it
# (those not exercised in this file).
EXIT_STATEMENTS = [
    (0, r"It exits 0 when the run published", "tests/test_cli.py", "test_paths_mode_with"),
    (1, r"1 when it could not publish", "tests/test_readme.py", "test_a_critical_expectation"),
    (2, r"2 for a bad command line or sources file", "tests/test_readme.py", "test_usage"),
    (2, r"naming them \(exit code 2, nothing run\)", "tests/test_safety.py", "test_a_typo_or"),
    (1, r"first night or not, exit code 1", "tests/test_safety.py", "test_a_typo_in_one"),
    (1, r"the CLI: exit 1\) with the first worker's traceback", "tests/test_pool.py", "test_cli_"),
    (1, r"is refused \(exit code 1, its staging", "tests/test_safety.py", "test_of_two_runs"),
    (130, r"exit with 130", "tests/test_safety.py", "test_an_interrupted_run"),
    (1, r"top quarantine reasons and exits 1", "tests/test_safety.py", "test_a_typo_or"),
    (1, r"refuses \(lake untouched, exit code 1\)", "tests/test_run.py", "test_publish_refuses_c"),
    (1, r"With `--baseline` it exits 1", "tests/test_evaluate.py", "test_main_exit_codes"),
    (1, r"the CLI exits 1 and the Airflow", "tests/test_readme.py", "test_a_critical_expectation"),
]


def test_every_exit_code_the_readme_states_is_the_clis_and_exercised() -> None:
    codes = {cli.EXIT_OK, cli.EXIT_FAILED, cli.EXIT_USAGE, cli.EXIT_INTERRUPTED}
    assert {code for code, *_ in EXIT_STATEMENTS} == codes == {0, 1, 2, 130}
    stated = {int(n) for n in re.findall(r"\bexit(?:s| code| with)? (\d+)", FLAT)}
    assert stated == codes, "the README states an exit code the CLI does not have"
    for _code, phrase, test_file, test_prefix in EXIT_STATEMENTS:
        _stated(phrase)
        source = (REPO / test_file).read_text()
        assert re.search(rf"^def {test_prefix}", source, re.M), (phrase, test_file)


def _sources_file(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_text("<html><body><p>x</p></body></html>")
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "lake": str(tmp_path / "lake"),
                "sources": [{"name": "alpha", "type": "html", "path": "in"}],
            }
        )
    )
    return path


@pytest.mark.parametrize("command", ["ingest", "requeue", "reextract"])
def test_usage_mistakes_exit_2_whichever_command(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source name the file does not have, a sources file that does not parse: the same
    mistake gives the same exit code (2) in every command, before anything runs."""
    sources = _sources_file(tmp_path)
    extra = ["--no-progress"] if command == "ingest" else []
    day = ["--date", "2026-11-20"]
    unknown = [command, "--config", str(sources), *day, "--source", "nosuch", *extra]
    assert cli.main(unknown) == cli.EXIT_USAGE
    assert "unknown source(s): nosuch; known: alpha" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources: [name: {\n")
    assert cli.main([command, "--config", str(broken), *day, *extra]) == cli.EXIT_USAGE
    assert not (tmp_path / "lake" / "articles").exists()


def test_a_critical_expectation_exits_1_and_publishes_nothing(tmp_path: Path) -> None:
    from tests.conftest import article_html, german_only_suites

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        paras = [
            f"Story {i} opens with the council debating the harbour plan for most of an evening "
            "session, with residents filling the public gallery from the first minute.",
            f"Officials said decision {i} would be published with the minutes next week, and "
            "that a second reading could follow in January if the committee asks for one.",
        ]
        url = f"https://harbor.example/news/{i}"
        (folder / f"{i}.html").write_text(article_html(f"Council story {i}", url, paras))
    sources = tmp_path / "sources.yaml"
    suites = german_only_suites(tmp_path / "suites")
    validate = {"min_words": 20, "suite_dir": str(suites), "isolate_sources": False}
    data = {"lake": str(tmp_path / "lake"), "validate": validate}
    data["sources"] = [{"name": "alpha", "type": "html", "path": str(folder)}]
    sources.write_text(yaml.safe_dump(data))
    args = ["ingest", "--config", str(sources), "--date", "2026-11-20", "--no-progress"]
    assert cli.main(args) == cli.EXIT_FAILED
    assert not list((tmp_path / "lake").glob("articles/**/*.parquet"))


# -- numbers the README states about the code ----------------------------------------------------


def _dag() -> ast.Module:
    return ast.parse((REPO / "dags" / "broadsheet_nightly.py").read_text())


def _dag_param_default(name: str) -> Any:
    for node in ast.walk(_dag()):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == name and isinstance(v, ast.Call):
                    return ast.literal_eval(v.args[0])
    raise AssertionError(f"the DAG has no param {name}")


def _dag_keyword(name: str) -> Any:
    for node in ast.walk(_dag()):
        if isinstance(node, ast.keyword) and node.arg == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"the DAG sets no {name}")


def _dag_hours(name: str) -> float:
    for node in ast.walk(_dag()):
        if isinstance(node, ast.keyword) and node.arg == name and isinstance(node.value, ast.Call):
            [hours] = [k for k in node.value.keywords if k.arg == "hours"]
            return float(ast.literal_eval(hours.value))
    raise AssertionError(f"the DAG sets no {name}")


def _numbers() -> list[tuple[str, float]]:
    """(pattern with one number group, the code's value) pairs."""
    from pipeline import document, pool, records
    from pipeline.fetch import MAX_URL_CHARS
    from pipeline.normalize import BOILERPLATE_MAX_WORDS
    from pipeline.shards import SHARD_MB
    from pipeline.sources import files
    from pipeline.sources.remote import HttpRangeFile

    block = inspect.signature(HttpRangeFile).parameters["block_size"].default
    dedup = DedupConfig()
    return [
        (r"\((\d+) per worker\)", document.IN_FLIGHT_PER_WORKER),
        (r"reading deadline \((\d+) s without progress", files.READ_DEADLINE_S),
        (r"its deadline \((\d+) s\)", files.READ_DEADLINE_S),
        (r"stops past (\d+) times its compressed size", files.MAX_RATIO),
        (r"its compressed size once over (\d+) MiB", files.RATIO_FLOOR / 2**20),
        (r"range requests in (\d+) MiB blocks", block / 2**20),
        (r"longer than ([\d,]+) characters \(message says which\)", MAX_URL_CHARS),
        (r"the first ([\d,]+) characters of the bad input", records.RAW_EXCERPT_CHARS),
        (r"A paragraph of more than (\d+) words is never removed", BOILERPLATE_MAX_WORDS),
        (r"fails on (\d+) documents in a row", pool.FAILURES_IN_A_ROW),
        (r"or on more than half of (\d+) or more", pool.MIN_FOR_SHARE),
        (r"`shard_mb` \(param, default (\d+)\)", SHARD_MB),
        (r"`shard_mb` \(param, default (\d+)\)", _dag_param_default("shard_mb")),
        (r"`files_per_shard` \(param, default (\d+)\)", _dag_param_default("files_per_shard")),
        (r"at most (\d+) at once per run", _dag_keyword("max_active_tis_per_dagrun")),
        (r"`state_window_days` \((\d+)\)", FetchConfig().state_window_days),
        (r"(\d+)-byte signature", dedup.permutations * 4),  # uint32 per permutation
        (r"LSH banding \((\d+) bands of", dedup.bands),
        (r"bands of (\d+) rows\)", dedup.permutations // dedup.bands),
        (r"MinHash signature \((\d+) permutations", dedup.permutations),
        (r"`validate.max_title_chars` \((\d+)\)", ValidateConfig().max_title_chars),
        (r"`validate.max_text_chars` \(([\d,]+)\)", ValidateConfig().max_text_chars),
        (r"`validate.future_skew_minutes` \((\d+)\)", ValidateConfig().future_skew_minutes),
        (
            r"compare each source with its last (\d+) published nights",
            ValidateConfig().drift_window,
        ),
        (r"`dagrun_timeout` (\d+) h", _dag_hours("dagrun_timeout")),
    ]


def test_numbers_the_readme_states_are_the_codes() -> None:
    for pattern, value in _numbers():
        [stated] = _stated(pattern)[:1]
        assert _number(stated) == value, f"README {pattern!r} says {stated}, the code {value}"
    earliest = _stated(r"`validate.earliest_published` \((\d{4}-\d\d-\d\d)\)")[0]
    assert earliest == str(ValidateConfig().earliest_published)


def test_the_hard_limit_formula_is_the_pools() -> None:
    from pipeline.document import DocWork
    from pipeline.normalize import NormalizeContext

    twice, plus = _stated(r"killed after (twice) `extract.timeout_s` plus (\d+) s")
    assert twice == "twice"
    ctx = NormalizeContext("r", datetime(2026, 1, 1, tzinfo=UTC), "1.4.0")
    for timeout in (1.0, 30.0):
        work = DocWork(ExtractConfig(timeout_s=timeout), ValidateConfig(), ctx)
        assert work.hard_limit_s == 2 * timeout + int(plus)


def test_the_worker_defaults_are_the_configs() -> None:
    """One isolated worker by default, 0 for the chain in the run's own process."""
    [default] = _stated(r"`workers: (\d+)`, the default, is one isolated worker")
    _stated(r"`--workers 0` runs the chain in the run's own process, without that isolation")
    one = [{"name": "x", "type": "html", "path": "x"}]
    assert build_config({"sources": one}).workers == int(default) == 1
    assert build_config({"sources": one, "workers": 0}).workers == 0


def test_the_gate_thresholds_are_the_suites() -> None:
    from pipeline.gate import load_suite

    cfg = ValidateConfig()
    by_name = {
        e["meta"]["name"]: e["kwargs"]
        for s in ("articles", "sources")
        for e in load_suite(s, cfg)["expectations"]
    }
    gate = re.sub(r"\s+", " ", _section("Validation, reports and the contract"))
    ceilings = dict(re.findall(r"(title|`published_at`|authors|language) \((\d+)%\)", gate))
    assert 1 - by_name["title_null_rate"]["mostly"] == pytest.approx(int(ceilings["title"]) / 100)
    assert 1 - by_name["published_at_null_rate"]["mostly"] == pytest.approx(
        int(ceilings["`published_at`"]) / 100
    )
    assert 1 - by_name["authors_empty_rate"]["min_value"] == pytest.approx(
        int(ceilings["authors"]) / 100
    )
    assert 1 - by_name["language_null_rate"]["mostly"] == pytest.approx(
        int(ceilings["language"]) / 100
    )
    share, inputs = _stated(r"\(critical above (\d+)% for sources of (\d+)\+ inputs\)")
    q = by_name["quarantine_share"]
    assert (q["max_value"], q["row_condition"]["parameter"]) == (int(share) / 100, int(inputs))
    low, high = _stated(r"\(critical outside ([\d.]+)×–([\d.]+)×\)")
    r = by_name["run_row_count_vs_history"]
    assert (r["min_value"], r["max_value"]) == (float(low), float(high))
    low, high = _stated(r"yield outside ([\d.]+)×–([\d.]+)× of the source's median")
    y = by_name["source_yield_drift"]
    assert (y["min_value"], y["max_value"]) == (float(low), float(high))
    [points] = _stated(r"up by more than (\d+) points")
    for name in ("source_date_drift", "source_author_drift"):
        assert by_name[name]["max_value"] == int(points) / 100
    low, high = _stated(r"mean length outside ([\d.]+)×–([\d.]+)×")
    m = by_name["source_length_drift"]
    assert (m["min_value"], m["max_value"]) == (float(low), float(high))
    share, inputs = _stated(r"with (\d+) or more inputs\) above ([\d.]+) is critical")[::-1]
    e = by_name["extraction_failure_share"]
    assert (e["max_value"], e["row_condition"]["parameter"]) == (float(share), int(inputs))


def test_lake_options_defaults_are_the_writers() -> None:
    opts = LakeConfig()
    assert int(_stated(r"a file is cut once its rows hold (\d+) MB")[0]) == opts.file_buffer_mb


# -- article_id ----------------------------------------------------------------------------------


def _readme_article_id(canonical_url: str | None, content_sha256: str) -> str:
    """The id as the README's data dictionary tells a reader to compute it."""
    row = next(line for line in README.splitlines() if line.startswith("| `article_id` |"))
    m = re.search(
        r"the first (\d+) hex digits of the SHA-256 of the UTF-8 string `([a-z]+:)` \+ "
        r"`canonical_url`, or, without a URL, `([a-z]+:)` \+ `content_sha256`",
        row,
    )
    assert m, row
    n, url_prefix, text_prefix = int(m.group(1)), m.group(2), m.group(3)
    key = url_prefix + canonical_url if canonical_url else text_prefix + content_sha256
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:n]


def test_article_ids_recompute_from_the_readmes_recipe() -> None:
    """Real records from the document chain, one with a URL and one without."""
    from pipeline.document import DocWork, process_doc
    from pipeline.normalize import NormalizeContext
    from pipeline.records import Article, Hints, RawDoc
    from tests.conftest import article_html

    paras = [
        "The harbour council met on Tuesday evening and voted to rebuild the ferry pier before "
        "the winter storms arrive, after two hours of debate in a crowded hall.",
        "Residents asked for a timetable and the mayor promised one within a month, with the "
        "contractors named and the cost split between the town and the region.",
    ]
    url = "HTTPS://Harbor.Example:443/news/pier?utm_source=rss&b=2&a=1#top"
    html = article_html("Council votes to rebuild the pier", url, paras)
    ctx = NormalizeContext("r", datetime(2026, 11, 21, tzinfo=UTC), "1.4.0")
    work = DocWork(ExtractConfig(), ValidateConfig(min_words=10), ctx)
    with_url, _ = process_doc(
        RawDoc("s", "a.html", "html", html=html.encode(), hints=Hints(url=url)), work
    )
    text = "Council votes to rebuild the pier\n\n" + "\n\n".join(paras)
    without, _ = process_doc(RawDoc("s", "b.txt", "text", text=text), work)
    articles = [r for r in (with_url, without) if isinstance(r, Article)]
    assert len(articles) == 2, (with_url, without)
    a, b = articles
    assert a.canonical_url == "https://harbor.example/news/pier?a=1&b=2"
    assert b.canonical_url is None
    for art in articles:
        assert art.content_sha256 == hashlib.sha256(art.text.encode("utf-8")).hexdigest()
        assert art.article_id == _readme_article_id(art.canonical_url, art.content_sha256)


# -- the exact-dedup index -----------------------------------------------------------------------


def test_the_exact_dedup_index_costs_what_the_readme_says() -> None:
    from pipeline.dedup import ExactDeduper
    from pipeline.normalize import make_article_id

    per_article, url_chars = (
        int(x) for x in _stated(r"about (\d+) bytes per article with a (\d+)-character URL")
    )
    n = 20_000
    stem = "https://www.harborledger.example/news/2026/11/20/item-"
    urls = [stem + f"{i:0{url_chars - len(stem)}d}" for i in range(n)]
    assert {len(u) for u in urls} == {url_chars}
    shas = [hashlib.sha256(u.encode()).hexdigest() for u in urls]
    ids = [make_article_id(u, s) for u, s in zip(urls, shas, strict=True)]
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        d = ExactDeduper()
        for i in range(n):
            # Fresh strings, as each article brings its own; the index keeps them alive.
            d.key("".join(ids[i]), "".join(urls[i]), "".join(shas[i]))
        used = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert 0.75 * per_article <= used / n <= 1.25 * per_article, used / n
