"""Shared fixtures: small pages and configs written here, never downloaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"

_PARAS = [
    "The harbour commission approved a plan on Tuesday to rebuild the northern breakwater, "
    "ending two years of arguments about who should pay for the repairs after the storms.",
    "Engineers told the commission that the existing wall had lost almost a third of its "
    "armour stone and that another winter without work could put the ferry terminal at risk.",
    "The plan splits the cost between the port authority and the regional government, with "
    "a smaller share coming from a levy on cruise passengers over the next five years.",
    "Fishermen who use the inner basin said they welcomed the decision but worried that "
    "construction barges would block the channel during the busiest months of the season.",
]


def article_html(
    title: str = "Harbour board backs breakwater rebuild",
    url: str = "https://harbor.example/news/breakwater",
    paragraphs: list[str] | None = None,
    date: str = "2026-11-20T08:30:00+01:00",
    author: str = "Maria Okafor",
    lang: str = "en",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in (paragraphs or _PARAS))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | The Harbor Ledger</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="The Harbor Ledger">
<meta property="article:published_time" content="{date}">
<meta name="author" content="{author}">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1>
<p class="byline">By {author}</p>
{body}
<p>Sign up for our newsletter</p>
</article>
<footer>Copyright The Harbor Ledger</footer>
</body></html>"""


@pytest.fixture
def paragraphs() -> list[str]:
    return list(_PARAS)


@pytest.fixture(scope="session", autouse=True)
def _great_expectations_loaded() -> None:
    """Great Expectations loaded once per test process, as most tests validate in-process
    anyway: the CLI's runs then validate here too (run_ingest starts its gate helper only where
    Great Expectations is not loaded) instead of importing it again in a helper each time.
    The helper itself is tested where `gate_process: true` forces it (tests/test_gate.py)."""
    import great_expectations  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _worker_pool_kept_across_runs() -> Iterator[None]:
    """A run closes the process's worker pool before it publishes (the publish gets its
    memory); a test process runs a few hundred small nights, and starting each one's worker
    anew costs about a CPU-second. Here the publish leaves the pool to the next run (a pool of
    another size still replaces it) and it is closed at the end. Tests that need fresh workers
    (another environment) start their own pool or process."""
    import types

    from pipeline import pool, publish

    kept = types.SimpleNamespace(**vars(pool))
    kept.close_shared = lambda: None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publish, "pool", kept)
        yield
    pool.close_shared()


EXAMPLE_DATE = "2026-11-25"


@pytest.fixture(scope="session")
def example_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example night ingested once by the CLI (gate in its helper process, reports and
    all), shared by the tests that only read it: each ingest starts Great Expectations."""
    from pipeline.cli import main

    root = tmp_path_factory.mktemp("example-night") / "lake"
    args = ["ingest", "--config", str(EXAMPLES / "sources.yaml"), "--lake", str(root)]
    assert main([*args, "--date", EXAMPLE_DATE, "--workers", "2", "--no-progress"]) == 0
    return root


def german_only_suites(folder: Path) -> Path:
    """The shipped expectation suites plus one critical expectation English news breaks."""
    import json

    folder.mkdir(parents=True)
    for name in ("articles", "sources"):
        data = json.loads((REPO / "schemas" / "expectations" / f"{name}.json").read_text())
        if name == "articles":
            data["expectations"].append(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "language", "value_set": ["de"]},
                    "severity": "critical",
                    "meta": {"name": "german_only"},
                }
            )
        (folder / f"{name}.json").write_text(json.dumps(data))
    return folder
