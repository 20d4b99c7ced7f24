"""The batch gate: Great Expectations suites run on a night's staged batch before it is published.

Two suites live as versioned files in schemas/expectations/: `articles.json` on the articles the
run is about to publish (one row per article, text reduced to its length), and `sources.json` on
one row per source plus one for the whole run, holding tonight's counts next to the source's
recent published nights (yield, empty dates and authors, text length). Each expectation has a
severity: a failed critical one stops the publish, a failed warning is recorded in the run row.
Results go to LAKE/reports/ingest_date=…/run-<id>/ as JSON (Great Expectations' own results
included) and as one small self-contained HTML page.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.abc
import importlib.util
import itertools
import json
import logging
import math
import os
import posixpath
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import ValidateConfig
from pipeline.contract import SCHEMAS_DIR
from pipeline.lake import Lake, LakeError, part_of, with_partition_columns
from pipeline.report import VALIDATION_PAGE, render_validation
from pipeline.staging import RunStage

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

SUITES = ("articles", "sources")
_ARTICLE_COLUMNS = [
    "article_id",
    "source",
    "title",
    "published_at",
    "authors",
    "language",
    "input_format",
    "word_count",
    "schema_version",
    "text",
]


# The sources frame's ratio columns: float64 even when every value is missing.
_FLOAT_COLUMNS = (
    "quarantine_share",
    "extraction_failure_share",
    "written_vs_median",
    "null_published_delta",
    "empty_authors_delta",
    "mean_words_ratio",
)


class ValidationFailed(LakeError):
    """A critical expectation failed: the night is not published."""


@dataclass
class Check:
    """One expectation's outcome, in the words the run row and the CLI use."""

    suite: str
    name: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    observed: str
    why: str = ""

    def line(self) -> str:
        col = f" on {self.column}" if self.column else ""
        return f"{self.name} ({self.expectation}{col}): {self.observed}"


@dataclass
class GateResult:
    checks: list[Check] = field(default_factory=list)
    report_dir: str | None = None
    data_docs: str | None = None

    @property
    def critical_failures(self) -> list[Check]:
        return [c for c in self.checks if not c.success and c.severity == "critical"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if not c.success and c.severity != "critical"]

    @property
    def status(self) -> str:
        if self.critical_failures:
            return "failed"
        return "warnings" if self.warnings else "passed"


# -- suites ---------------------------------------------------------------------------------------


def suite_path(name: str, suite_dir: Path | None = None) -> Path | None:
    if suite_dir is not None:
        return suite_dir / f"{name}.json"
    path = SCHEMAS_DIR / "expectations" / f"{name}.json"
    return path if path.exists() else None


@cache
def _packaged_suite(name: str) -> str:
    return resources.files("pipeline").joinpath("expectations", f"{name}.json").read_text("utf-8")


def load_suite(name: str, cfg: ValidateConfig) -> dict[str, Any]:
    """A suite file as a dict, with severities overridden from the config."""
    path = suite_path(name, cfg.suite_dir)
    try:
        text = path.read_text(encoding="utf-8") if path is not None else _packaged_suite(name)
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError) as e:
        raise LakeError(f"cannot read expectation suite {name!r}: {e}") from e
    known = {str(x.get("meta", {}).get("name")) for x in data["expectations"]}
    for x in data["expectations"]:
        override = cfg.severity.get(str(x.get("meta", {}).get("name")))
        if override is not None:
            x["severity"] = override
    unknown = set(cfg.severity) - known
    if unknown and name == SUITES[-1]:
        log.warning("severity overrides name no expectation", extra={"names": sorted(unknown)})
    return data


# -- the batch frames -----------------------------------------------------------------------------


@dataclass
class _Stats:
    articles: int = 0
    null_published: int = 0
    empty_authors: int = 0
    words: int = 0

    def add(self, t: pa.Table) -> None:
        self.articles += t.num_rows
        self.null_published += t.column("published_at").null_count
        lengths = pc.fill_null(pc.list_value_length(t.column("authors")), 0)
        self.empty_authors += int(pc.sum(pc.equal(lengths, 0)).as_py() or 0)
        self.words += int(pc.sum(t.column("word_count")).as_py() or 0)

    def shares(self) -> tuple[float | None, float | None, float | None]:
        if not self.articles:
            return None, None, None
        n = self.articles
        return self.null_published / n, self.empty_authors / n, self.words / n


def articles_frame(stage: RunStage) -> pd.DataFrame:
    """The articles this run would publish, text reduced to its length (bounded memory)."""
    import pandas as pd

    frames = []
    for source in stage.sources:
        for path in stage.storage.files(stage.final_dir("articles", source), "*.parquet"):
            with stage.storage.fs.open_input_file(path) as fh:
                pf = pq.ParquetFile(fh)
                # Small batches: the texts are read only to be measured.
                # `source` is in the partition's path, not in its files.
                cols = [c for c in _ARTICLE_COLUMNS if c != "source"]
                for batch in pf.iter_batches(batch_size=2_000, columns=cols):
                    t = with_partition_columns("articles", pa.Table.from_batches([batch]), source)
                    text_chars = pc.utf8_length(t.column("text"))
                    title_chars = pc.utf8_length(t.column("title"))
                    n_authors = pc.fill_null(pc.list_value_length(t.column("authors")), 0)
                    t = t.drop_columns(["text", "authors"])
                    t = t.append_column("text_chars", text_chars)
                    t = t.append_column("title_chars", title_chars)
                    t = t.append_column("has_authors", pc.cast(pc.greater(n_authors, 0), pa.int8()))
                    frames.append(t.to_pandas())
    pa.default_memory_pool().release_unused()
    if not frames:
        cols = [c for c in _ARTICLE_COLUMNS if c not in ("text", "authors")]
        return pd.DataFrame(columns=[*cols, "text_chars", "title_chars", "has_authors"])
    return pd.concat(frames, ignore_index=True)


def _history(
    lake: Lake, ingest_date: date, sources: Sequence[str], window: int
) -> dict[str, dict[date, _Stats]]:
    """Per source and night, the published articles of the last `window` nights before tonight."""
    first = ingest_date - timedelta(days=window)
    out: dict[str, dict[date, _Stats]] = defaultdict(lambda: defaultdict(_Stats))
    wanted = set(sources)
    for path in lake.files("articles"):
        day, source = part_of(path)
        if source not in wanted or not first <= day < ingest_date:
            continue
        with lake.storage.fs.open_input_file(path) as fh:
            t = pq.read_table(fh, columns=["published_at", "authors", "word_count"])
        out[source][day].add(t)
    return out


# Quarantine reasons that say the extractor (or its worker) failed, not that the input is bad.
EXTRACTION_FAILURES = ("extractor_error", "timeout")


def _crashes(stage: RunStage, source: str) -> int:
    """Tonight's inputs of `source` whose extraction raised, crashed or hung."""
    n = 0
    for path in stage.storage.files(stage.final_dir("quarantine", source), "*.parquet"):
        with stage.storage.fs.open_input_file(path) as fh:
            reasons = pq.read_table(fh, columns=["reason"]).column("reason").to_pylist()
        n += sum(1 for r in reasons if r in EXTRACTION_FAILURES)
    return n


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def sources_frame(
    stage: RunStage,
    counts: Mapping[str, Mapping[str, int]],
    history: Mapping[str, Mapping[date, _Stats]],
    min_nights: int,
) -> pd.DataFrame:
    """One row per source and one for the run: tonight against recent nights."""
    import pandas as pd

    rows = []
    tonight: dict[str, _Stats] = {}
    for source in stage.sources:
        st = _Stats()
        for path in stage.storage.files(stage.final_dir("articles", source), "*.parquet"):
            with stage.storage.fs.open_input_file(path) as fh:
                st.add(pq.read_table(fh, columns=["published_at", "authors", "word_count"]))
        tonight[source] = st
    crashes = {source: _crashes(stage, source) for source in stage.sources}
    run_hist: dict[date, int] = defaultdict(int)
    for nights in history.values():
        for day, st in nights.items():
            run_hist[day] += st.articles
    for source in stage.sources:
        c = counts.get(source, {})
        st = tonight[source]
        nights = history.get(source, {})
        enough = len(nights) >= min_nights
        null_pub, empty_auth, mean_words = st.shares()
        if enough:
            h = list(nights.values())
            med = statistics.median(x.articles for x in h)
            h_pub = statistics.mean(x.shares()[0] or 0.0 for x in h)
            h_auth = statistics.mean(x.shares()[1] or 0.0 for x in h)
            h_words = statistics.mean(x.shares()[2] or 0.0 for x in h)
        inputs = int(c.get("inputs", 0))
        considered = inputs - int(c.get("skipped", 0))
        rows.append(
            {
                "scope": "source",
                "source": source,
                "inputs": inputs,
                "written": int(c.get("written", 0)),
                "quarantined": int(c.get("quarantined", 0)),
                "quarantine_share": (int(c.get("quarantined", 0)) / considered)
                if considered
                else None,
                "extraction_failure_share": crashes[source] / considered if considered else None,
                "history_nights": len(nights),
                "written_vs_median": _ratio(st.articles, med) if enough else None,
                "null_published_delta": (null_pub - h_pub)
                if enough and null_pub is not None
                else None,
                "empty_authors_delta": (empty_auth - h_auth)
                if enough and empty_auth is not None
                else None,
                "mean_words_ratio": _ratio(mean_words, h_words) if enough else None,
            }
        )
    total = sum(st.articles for st in tonight.values())
    enough = len(run_hist) >= min_nights
    rows.append(
        {
            "scope": "run",
            "source": "*",
            "inputs": sum(int(c.get("inputs", 0)) for c in counts.values()),
            "written": total,
            "quarantined": sum(int(c.get("quarantined", 0)) for c in counts.values()),
            "quarantine_share": None,
            "extraction_failure_share": _share(
                sum(crashes.values()),
                sum(int(c.get("inputs", 0)) - int(c.get("skipped", 0)) for c in counts.values()),
            ),
            "history_nights": len(run_hist),
            "written_vs_median": _ratio(total, statistics.median(run_hist.values()))
            if enough
            else None,
            "null_published_delta": None,
            "empty_authors_delta": None,
            "mean_words_ratio": None,
        }
    )
    df = pd.DataFrame(rows)
    for col in _FLOAT_COLUMNS:
        df[col] = df[col].astype("float64")
    return df


# -- running the suites ---------------------------------------------------------------------------


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result and result["observed_value"] is not None:
        v = result["observed_value"]
        if isinstance(v, float):
            return f"observed {v:.4g}"
        return f"observed {json.dumps(v, default=str)[:200]}"
    if "unexpected_count" in result:
        pct = result.get("unexpected_percent") or 0.0
        sample = result.get("partial_unexpected_list") or []
        shown = ", ".join(_fmt(x) for x in sample[:5])
        return (
            f"{result['unexpected_count']} of {result.get('element_count')} unexpected "
            f"({pct:.1f}%)" + (f": {shown}" if shown else "")
        )
    return "failed"


def _severity(conf: Any) -> str:
    sev = getattr(conf, "severity", None)
    return str(getattr(sev, "value", sev) or "critical").lower()


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "null" if math.isnan(x) else f"{x:.4g}"
    return json.dumps(x, default=str)[:60]


# Optional backends Great Expectations imports when they happen to be installed (Airflow brings
# SQLAlchemy, the S3 extras boto3). The gate validates pandas frames only, so its helper process
# imports Great Expectations without them, as a pandas-only install would: about a fifth less.
_UNUSED_BACKENDS = frozenset({"sqlalchemy", "boto3", "botocore", "s3transfer", "trino"})


class _WithoutBackends(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] in _UNUSED_BACKENDS:
            raise ModuleNotFoundError(f"No module named {name!r} (not used by the gate)", name=name)
        return None


# Modules Great Expectations imports at start-up for expectations and renderers the gate never
# runs (distribution tests, charts): loaded on first attribute access instead. Measured in the
# helper (bytecode compiled): the import drops from 3.6-4.6 s to 1.8-2.0 s; a check that needs
# one of them still gets it, loaded then.
_DEFERRED = frozenset({"altair", "scipy.stats"})


class _Deferred(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in _DEFERRED:
            return None
        sys.meta_path.remove(self)  # the real finders locate it; this one only wraps the loader
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def slim_imports() -> None:
    """In the gate's helper process, before Great Expectations is imported: no unused
    backends, heavy optional modules deferred. Not in the run's own process, where other code
    may want them whole."""
    if not _UNUSED_BACKENDS & set(sys.modules):
        sys.meta_path.insert(0, _WithoutBackends())
    if not _DEFERRED & set(sys.modules):
        sys.meta_path.insert(0, _Deferred())


@cache
def _gx() -> Any:
    """One ephemeral Data Context per process, reused by every validation (building one costs
    more than validating a night's small frames)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


_validations = itertools.count()


def run_suites(
    frames: Mapping[str, pd.DataFrame], cfg: ValidateConfig
) -> tuple[list[Check], dict[str, Any]]:
    """Validate each frame with its suite: our checks, and Great Expectations' own results."""
    import great_expectations as gx

    checks: list[Check] = []
    raw: dict[str, Any] = {}
    # A data source per validation, so validations share nothing but the context: a data
    # source's execution engine keeps a metric cache keyed by batch id, the same every night.
    source = f"broadsheet-{next(_validations)}"
    ds = _gx().data_sources.add_pandas(source)
    try:
        results = {}
        for name, df in frames.items():
            data = load_suite(name, cfg)
            if df.empty:
                # Column statistics of nothing are not failures; only table-level checks apply.
                data["expectations"] = [
                    x for x in data["expectations"] if str(x["type"]).startswith("expect_table_")
                ]
            batch_def = ds.add_dataframe_asset(name).add_batch_definition_whole_dataframe("night")
            batch = batch_def.get_batch(batch_parameters={"dataframe": df})
            results[name] = batch.validate(gx.ExpectationSuite(**data), result_format="SUMMARY")
    finally:
        _gx().data_sources.delete(source)
    for name, vr in results.items():
        raw[name] = vr.to_json_dict()
        for r in vr.results:
            conf = r.expectation_config
            meta = conf.meta or {}
            checks.append(
                Check(
                    suite=name,
                    name=str(meta.get("name") or conf.type),
                    expectation=conf.type,
                    column=conf.kwargs.get("column"),
                    severity=_severity(conf),
                    success=bool(r.success),
                    observed="ok" if r.success else _observed(r.result or {}),
                    why=str(meta.get("why", "")),
                )
            )
    return checks, raw


def report_rel(ingest_date: date, run_id: str) -> str:
    return posixpath.join("reports", f"ingest_date={ingest_date.isoformat()}", f"run-{run_id}")


def run_gate(
    lake: Lake,
    stage: RunStage,
    counts: Mapping[str, Mapping[str, int]],
    cfg: ValidateConfig,
) -> GateResult:
    """Validate the staged night; writes the report whatever the outcome, raises nothing."""
    frames = {
        "articles": articles_frame(stage),
        "sources": sources_frame(
            stage,
            counts,
            _history(lake, stage.ingest_date, stage.sources, cfg.drift_window),
            cfg.drift_min_nights,
        ),
    }
    rel = report_rel(stage.ingest_date, stage.run_id)
    out_dir = lake.storage.path(rel)
    checks, raw = run_suites(frames, cfg)
    result = GateResult(checks, report_dir=rel)
    report = {
        "run_id": stage.run_id,
        "ingest_date": stage.ingest_date.isoformat(),
        "status": result.status,
        "critical_failures": [c.line() for c in result.critical_failures],
        "warnings": [c.line() for c in result.warnings],
        "checks": [asdict(c) for c in checks],
        "sources": frames["sources"]
        .astype(object)
        .where(frames["sources"].notna(), None)
        .to_dict(orient="records"),
        "great_expectations": raw,
    }
    lake.storage.makedirs(out_dir)
    text = json.dumps(report, indent=2, default=str)
    _write(lake, posixpath.join(out_dir, "validation.json"), text)
    if cfg.data_docs:
        # Great Expectations' Data Docs load their styles and scripts from CDNs (blank offline)
        # and copy 4 MB of assets per run: one small self-contained page of its results instead.
        _write(lake, posixpath.join(out_dir, VALIDATION_PAGE), render_validation(json.loads(text)))
        result.data_docs = posixpath.join(rel, VALIDATION_PAGE)
    return result


def blame_sources(
    lake: Lake,
    stage: RunStage,
    counts: Mapping[str, Mapping[str, int]],
    cfg: ValidateConfig,
) -> dict[str, str]:
    """After a critical failure of the night: the sources that fail the suites on their own,
    with their first failing expectation. Empty when no source does (the failure belongs to the
    night as a whole, e.g. its total against recent nights)."""
    quiet = cfg.model_copy(update={"data_docs": False})
    blamed: dict[str, str] = {}
    for source in list(stage.sources):
        view = copy.copy(stage)
        view.sources = [source]
        frames = {
            "articles": articles_frame(view),
            "sources": sources_frame(
                view,
                {source: counts.get(source, {})},
                _history(lake, stage.ingest_date, [source], cfg.drift_window),
                cfg.drift_min_nights,
            ),
        }
        checks, _ = run_suites(frames, quiet)
        failed = GateResult(checks).critical_failures
        if failed:
            blamed[source] = failed[0].line()
    return blamed


def log_result(result: GateResult) -> None:
    for c in result.warnings:
        log.warning("expectation failed (warning)", extra={"check": c.line()})
    for c in result.critical_failures:
        log.error("expectation failed (critical)", extra={"check": c.line()})


def _warm_frames() -> dict[str, pd.DataFrame]:
    """One made-up row per suite: enough for Great Expectations to build every metric once."""
    import pandas as pd

    articles = pd.DataFrame(
        {
            "article_id": ["warm-up"],
            "source": ["warm-up"],
            "title": ["A title"],
            "published_at": pd.to_datetime(["2026-01-01T00:00:00Z"]),
            "language": ["en"],
            "input_format": ["html"],
            "word_count": [300],
            "schema_version": ["1.0.0"],
            "text_chars": [1800],
            "title_chars": [7],
            "has_authors": pd.Series([1], dtype="int8"),
        }
    )
    row: dict[str, Any] = {"scope": "run", "source": "*", "inputs": 1, "written": 1}
    row |= {"quarantined": 0, "history_nights": 0}
    for col in _FLOAT_COLUMNS:
        row[col] = 0.0
    return {"articles": articles, "sources": pd.DataFrame([row])}


def warm_up() -> None:
    """Import Great Expectations and validate made-up rows once, in the helper process while
    the shards run, so the night's own validation pays none of the first-use costs."""
    slim_imports()
    from pipeline.config import ValidateConfig

    run_suites(_warm_frames(), ValidateConfig())


class GateProcess:
    """The gate in a process of its own, started with the run: importing Great Expectations
    (with pandas, scipy and altair) takes 5 to 10 s, which then overlaps extraction instead of
    following it. `run` falls back to this process if the helper failed."""

    def __init__(self) -> None:
        from pipeline.pool import Helper

        self._helper = Helper()
        # In the background: the run's workers come first (set from here, so that `hurry`
        # always comes after it).
        with contextlib.suppress(OSError):
            nice = os.getpriority(os.PRIO_PROCESS, 0) + 10
            os.setpriority(os.PRIO_PROCESS, self._helper.pid, nice)
        self._helper.submit(warm_up)
        self._used = False

    def run(
        self,
        lake: Lake,
        stage: RunStage,
        counts: Mapping[str, Mapping[str, int]],
        cfg: ValidateConfig,
    ) -> GateResult:
        from pipeline.pool import PoolError

        self._used = True
        self.hurry()
        try:
            seq = self._helper.submit(run_gate, lake, stage, counts, cfg)
            result: GateResult = self._helper.result(seq)
            return result
        except PoolError as e:
            log.warning("the gate process failed (%s); validating in the run's own process", e)
            return run_gate(lake, stage, counts, cfg)
        finally:
            self.close()

    def hurry(self) -> bool:
        """The run now waits for the helper: back to the run's own priority if the system lets
        us raise it (root, CAP_SYS_NICE); otherwise a busy machine starves the nice-10 warm-up
        while everything else waits for it. True if it did."""
        try:
            os.setpriority(os.PRIO_PROCESS, self._helper.pid, os.getpriority(os.PRIO_PROCESS, 0))
        except OSError:
            log.debug("the gate process keeps its low priority", exc_info=True)
            return False
        return True

    def close(self) -> None:
        # Never asked to validate (an empty night, a failed run): its warm-up is not waited for.
        self._helper.close(timeout=2.0 if self._used else 0.0)


def _write(lake: Lake, path: str, text: str) -> None:
    with lake.storage.fs.open_output_stream(path, compression=None) as out:
        out.write(text.encode("utf-8"))


def summary_lines(checks: Iterable[Check]) -> list[str]:
    return [c.line() for c in checks]
