"""The batch gate: Great Expectations suites stop a bad night before it is published."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import publish as publish_mod
from pipeline import run as run_mod
from pipeline.config import build_config
from pipeline.gate import ValidationFailed, load_suite
from pipeline.iso639 import LANGUAGE_CODES
from pipeline.run import run_ingest
from tests.conftest import article_html, german_only_suites

DAY = date(2026, 11, 20)
_WORDS = """harbour council ferry budget school library river bridge market festival tram museum
hospital election harvest storm airport stadium theatre factory"""
WORDS = _WORDS.split()


def _page(source: str, n: int, night: int) -> str:
    """A distinct article: its own URL and sentences (no exact duplicates)."""
    w = [WORDS[(n * 7 + night * 3 + i) % len(WORDS)] for i in range(6)]
    paras = [
        f"The {w[0]} story number {n} of night {night} from {source} opens with officials "
        f"debating the {w[1]} and the {w[2]} for most of an evening session downtown.",
        f"Residents quoted in report {n} said the {w[3]} mattered more to them than the "
        f"{w[4]}, and several asked for a second hearing before any money is committed.",
        f"A final vote on the {w[5]} plan from night {night} is expected next month, after "
        "the finance committee publishes its estimates and the public comment period ends.",
    ]
    url = f"https://{source}.example/news/{night}/{n}"
    return article_html(f"Story {n} of night {night} at {source}", url, paras)


def _write_night(root: Path, night: int, per_source: dict[str, int], bad: int = 0) -> Path:
    folder = root / f"night-{night}"
    for source, n in per_source.items():
        d = folder / source
        d.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (d / f"{i:03d}.html").write_text(_page(source, i, night))
        for i in range(bad):
            (d / f"bad-{i:03d}.html").write_text("<html><body><nav>Home</nav></body></html>")
    return folder


def _cfg(lake: Path, folder: Path, sources: list[str], **validate: Any) -> Any:
    return build_config(
        {
            "lake": str(lake),
            "validate": {"min_words": 20, **validate},
            "sources": [{"name": s, "type": "html", "path": str(folder / s)} for s in sources],
        }
    )


def _articles(lake: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT ingest_date, source, count(*) FROM articles GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()


def _lake_files(lake: Path) -> list[str]:
    return sorted(
        str(p.relative_to(lake))
        for t in ("articles", "duplicates", "quarantine", "runs")
        for p in (lake / t).rglob("*.parquet")
    )


def _history(tmp_path: Path, per_source: dict[str, int], nights: int = 3) -> Path:
    lake = tmp_path / "lake"
    for k in range(nights):
        folder = _write_night(tmp_path / "in", k, per_source)
        run_ingest(_cfg(lake, folder, list(per_source)), DAY + timedelta(days=k))
    return lake


def test_clean_night_passes_with_report_and_data_docs(tmp_path: Path) -> None:
    folder = _write_night(tmp_path / "in", 0, {"alpha": 4, "beta": 3})
    lake = tmp_path / "lake"
    s = run_ingest(_cfg(lake, folder, ["alpha", "beta"]), DAY)
    assert s.checks == "passed" and s.warnings == []
    report = lake / str(s.report)
    data = json.loads((report / "validation.json").read_text())
    assert data["status"] == "passed"
    names = {c["name"] for c in data["checks"]}
    assert {"unique_article_id", "language_codes", "quarantine_share"} <= names
    assert all(c["success"] for c in data["checks"])
    page = lake / str(s.data_docs)
    assert page == report / "validation.html"
    html = page.read_text()
    for suite in data["great_expectations"].values():  # every result Great Expectations gave
        for r in suite["results"]:
            assert f"<code>{r['expectation_config']['type']}</code>" in html
    assert all(c["name"] in html for c in data["checks"])
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    assert con.execute("SELECT checks, report, data_docs FROM runs").fetchone() == (
        "passed",
        s.report,
        s.data_docs,
    )


def test_gate_in_its_helper_process_gives_the_same_verdict(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`gate_process: true` (the default of a fresh CLI process) validates in a spawned helper
    that imported Great Expectations while the shards ran: same checks, same report, and a
    critical failure still stops the publish."""
    folder = _write_night(tmp_path / "in", 0, {"alpha": 4, "beta": 3})
    lake = tmp_path / "lake"
    cfg = _cfg(lake, folder, ["alpha", "beta"], gate_process=True)
    s_cfg = cfg.validate_
    s = run_ingest(cfg, DAY)
    assert s.checks == "passed" and s.written == 7
    data = json.loads((lake / str(s.report) / "validation.json").read_text())
    defined = sum(len(load_suite(n, s_cfg)["expectations"]) for n in ("articles", "sources"))
    assert data["status"] == "passed" and len(data["checks"]) == defined == 20
    assert (lake / str(s.data_docs)).exists()
    bad = _write_night(tmp_path / "in2", 1, {"alpha": 8}, bad=14)
    cfg = _cfg(tmp_path / "lake2", bad, ["alpha"], gate_process=True)
    msg = _broken_stops_publish(tmp_path / "lake2", cfg, DAY, "quarantine_share")
    assert "0.6364" in msg
    assert "gate process died" not in caplog.text  # the helper did the work, no fallback


def _broken_stops_publish(lake: Path, cfg: Any, day: date, expectation: str) -> str:
    before = _lake_files(lake) if lake.exists() else []
    with pytest.raises(ValidationFailed) as err:
        run_ingest(cfg, day)
    assert expectation in str(err.value)
    assert _lake_files(lake) == before, "a failed gate must leave the lake as it was"
    assert not list((lake / "_staging").glob("*")) if (lake / "_staging").exists() else True
    reports = sorted((lake / "reports" / f"ingest_date={day.isoformat()}").glob("run-*"))
    data = json.loads((reports[-1] / "validation.json").read_text())
    assert data["status"] == "failed"
    assert any(line.startswith(expectation) for line in data["critical_failures"])
    # The index lists the stopped run with the expectation that stopped it.
    index = (lake / "reports" / "index.html").read_text()
    row = next(r for r in index.split("<tr>") if data["run_id"] in r)
    assert "not published" in row and expectation in row
    return str(err.value)


def test_duplicate_article_ids_stop_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _write_night(tmp_path / "in", 0, {"alpha": 3})
    (folder / "alpha" / "copy.html").write_text((folder / "alpha" / "000.html").read_text())

    class NoDedup:
        def __call__(self, a: Any) -> Any:
            return a

        def key(self, *a: Any) -> None:
            return None

    monkeypatch.setattr(run_mod, "ExactDeduper", NoDedup)
    monkeypatch.setattr(publish_mod, "ExactDeduper", NoDedup)
    cfg = _cfg(tmp_path / "lake", folder, ["alpha"])
    # The copy would be settled before extraction (same bytes): extract both, so only the
    # gate stands between the repeated id and the lake.
    cfg = cfg.model_copy(update={"extract": cfg.extract.model_copy(update={"skip_known": False})})
    msg = _broken_stops_publish(tmp_path / "lake", cfg, DAY, "unique_article_id")
    assert "2 of 4 unexpected" in msg


def test_foreign_language_codes_stop_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import normalize

    folder = _write_night(tmp_path / "in", 0, {"alpha": 3})
    monkeypatch.setattr(normalize, "detect_language", lambda *a, **k: ("en-gb", 0.9))
    # Patched here, so the chain must run here, not in a worker.
    cfg = _cfg(tmp_path / "lake", folder, ["alpha"]).model_copy(update={"workers": 0})
    # The record rule would quarantine "en-gb"; switch it off to reach the batch gate.
    monkeypatch.setattr("pipeline.validate.LANGUAGE_CODES", frozenset(["en-gb"]))
    monkeypatch.setattr("pipeline.validate._validator", lambda: _Lenient())
    _broken_stops_publish(tmp_path / "lake", cfg, DAY, "language_codes")


class _Lenient:
    def iter_errors(self, _: Any) -> list[Any]:
        return []


def test_other_major_schema_version_stops_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _write_night(tmp_path / "in", 0, {"alpha": 3})
    monkeypatch.setattr(run_mod, "schema_version", lambda: "2.0.0")
    cfg = _cfg(tmp_path / "lake", folder, ["alpha"])
    _broken_stops_publish(tmp_path / "lake", cfg, DAY, "schema_major_1")


def test_mostly_quarantined_source_stops_the_publish(tmp_path: Path) -> None:
    folder = _write_night(tmp_path / "in", 0, {"alpha": 8}, bad=14)
    cfg = _cfg(tmp_path / "lake", folder, ["alpha"])
    msg = _broken_stops_publish(tmp_path / "lake", cfg, DAY, "quarantine_share")
    assert "0.6364" in msg  # 14 of 22


def test_a_night_where_extraction_fails_for_most_inputs_stops_the_publish(tmp_path: Path) -> None:
    """Not bad pages but a broken extractor (here: a time limit nothing can meet). The sources
    are too small (6 and 4 inputs) for quarantine_share to judge: the run row catches it."""
    folder = _write_night(tmp_path / "in", 0, {"alpha": 6, "beta": 4})
    (folder / "beta" / "000.html").write_text("<html><body><nav>Home</nav></body></html>")
    cfg = _cfg(tmp_path / "lake", folder, ["alpha", "beta"])
    cfg = cfg.model_copy(update={"extract": cfg.extract.model_copy(update={"timeout_s": 1e-6})})
    msg = _broken_stops_publish(tmp_path / "lake", cfg, DAY, "extraction_failure_share")
    assert "extraction_failure_share" in msg and "quarantine_share" not in msg
    # Mended, the same night publishes everything: nothing was lost to the failed run.
    s = run_ingest(_cfg(tmp_path / "lake", folder, ["alpha", "beta"]), DAY)
    assert (s.written, s.quarantined) == (9, 1)


def test_a_mostly_quarantined_source_is_held_back_and_the_others_publish(tmp_path: Path) -> None:
    folder = _write_night(tmp_path / "in", 0, {"alpha": 8}, bad=14)
    _write_night(tmp_path / "in", 0, {"beta": 5})
    s = run_ingest(_cfg(tmp_path / "lake", folder, ["alpha", "beta"]), DAY)
    assert s.status == "partial" and list(s.held_back) == ["alpha"]
    why = s.held_back["alpha"]
    assert why.startswith("quarantine_share") and "0.6364" in why and "too_short=14" in why
    assert _articles(tmp_path / "lake") == [(DAY, "beta", 5)]


def test_sudden_drop_of_the_night_stops_the_publish(tmp_path: Path) -> None:
    lake = _history(tmp_path, {"alpha": 6, "beta": 6})
    assert len(_articles(lake)) == 6
    folder = _write_night(tmp_path / "in", 9, {"alpha": 1, "beta": 1})
    cfg = _cfg(lake, folder, ["alpha", "beta"])
    msg = _broken_stops_publish(lake, cfg, DAY + timedelta(days=3), "run_row_count_vs_history")
    assert "0.1667" in msg  # 2 articles against a median of 12


def test_source_drift_is_a_warning_that_names_the_source(tmp_path: Path) -> None:
    lake = _history(tmp_path, {"alpha": 6, "beta": 6})
    folder = _write_night(tmp_path / "in", 9, {"alpha": 6, "beta": 2})
    s = run_ingest(_cfg(lake, folder, ["alpha", "beta"]), DAY + timedelta(days=3))
    assert s.checks == "warnings"
    [warning] = s.warnings
    assert warning.startswith("source_yield_drift") and "0.3333" in warning
    data = json.loads((lake / str(s.report) / "validation.json").read_text())
    beta = next(r for r in data["sources"] if r["source"] == "beta")
    assert beta["written_vs_median"] == pytest.approx(2 / 6)
    assert (DAY + timedelta(days=3), "beta", 2) in _articles(lake)  # published anyway
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    row = con.execute("SELECT checks, warnings FROM runs ORDER BY started_at DESC LIMIT 1")
    assert row.fetchone() == ("warnings", [warning])


def test_severity_override_makes_a_warning_critical(tmp_path: Path) -> None:
    lake = _history(tmp_path, {"alpha": 6, "beta": 6})
    folder = _write_night(tmp_path / "in", 9, {"alpha": 6, "beta": 2})
    strict = {"severity": {"source_yield_drift": "critical"}, "isolate_sources": False}
    cfg = _cfg(lake, folder, ["alpha", "beta"], **strict)
    _broken_stops_publish(lake, cfg, DAY + timedelta(days=3), "source_yield_drift")


def test_a_source_failing_a_critical_check_alone_is_held_back_while_the_rest_publishes(
    tmp_path: Path,
) -> None:
    """One noisy source does not stop the night: beta (2 articles against 6) fails a critical
    check on its own, so only beta's partitions keep what they held; alpha publishes."""
    lake = _history(tmp_path, {"alpha": 6, "beta": 6})
    day = DAY + timedelta(days=3)
    folder = _write_night(tmp_path / "in", 9, {"alpha": 7, "beta": 2})
    cfg = _cfg(lake, folder, ["alpha", "beta"], severity={"source_yield_drift": "critical"})
    s = run_ingest(cfg, day)
    assert s.status == "partial"
    assert list(s.held_back) == ["beta"]
    assert s.held_back["beta"].startswith("source_yield_drift") and "0.3333" in s.held_back["beta"]
    assert (day, "alpha", 7) in _articles(lake)
    assert not [r for r in _articles(lake) if r[0] == day and r[1] == "beta"]
    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    status, warnings = con.execute(
        "SELECT status, warnings FROM runs WHERE ingest_date = ?", [day]
    ).fetchone()
    assert status == "partial" and any(w.startswith("held back beta:") for w in warnings)
    # Re-run for beta alone once it is mended (here: its missing pages are back).
    _write_night(tmp_path / "in", 9, {"beta": 6})
    again = run_ingest(cfg, day, only_sources=["beta"])
    assert again.status == "published" and (day, "beta", 6) in _articles(lake)
    assert (day, "alpha", 7) in _articles(lake)


def test_custom_suite_dir_and_switching_the_gate_off(tmp_path: Path) -> None:
    suites = german_only_suites(tmp_path / "suites")
    folder = _write_night(tmp_path / "in", 0, {"alpha": 3})
    cfg = _cfg(tmp_path / "lake", folder, ["alpha"], suite_dir=str(suites))
    _broken_stops_publish(tmp_path / "lake", cfg, DAY, "german_only")
    off = _cfg(tmp_path / "lake", folder, ["alpha"], suite_dir=str(suites), batch_checks=False)
    s = run_ingest(off, DAY)
    assert s.checks == "skipped" and s.written == 3


def test_suite_files_are_valid_and_match_the_code() -> None:
    cfg = build_config({"sources": [{"name": "a", "type": "html", "path": "x"}]}).validate_
    arts = load_suite("articles", cfg)
    codes = next(
        e["kwargs"]["value_set"]
        for e in arts["expectations"]
        if e["meta"]["name"] == "language_codes"
    )
    assert set(codes) == set(LANGUAGE_CODES)
    for name in ("articles", "sources"):
        suite = load_suite(name, cfg)
        names = [e["meta"]["name"] for e in suite["expectations"]]
        assert len(names) == len(set(names)), "meta.name identifies an expectation"
        assert all(e["severity"] in ("critical", "warning") for e in suite["expectations"])


def test_an_empty_night_only_warns_that_it_is_empty(tmp_path: Path) -> None:
    folder = _write_night(tmp_path / "in", 0, {"alpha": 0}, bad=3)
    s = run_ingest(_cfg(tmp_path / "lake", folder, ["alpha"]), DAY)
    assert (s.written, s.quarantined, s.checks) == (0, 3, "warnings")
    assert [w.split(" ")[0] for w in s.warnings] == ["articles_not_empty"]


@pytest.mark.parametrize(
    ("column", "value", "expectation"),
    [
        ("text_chars", None, "text_present"),
        ("input_format", "pdf", "input_formats"),
        ("language", "klingon", "language_codes"),
        ("schema_version", "2.0.0", "schema_major_1"),
    ],
)
def test_each_critical_article_expectation_stops_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: Any, expectation: str
) -> None:
    """Rows the record rules would never let through, injected into the batch the gate sees."""
    from pipeline import gate

    real = gate.articles_frame

    def corrupted(stage: Any) -> Any:
        df = real(stage)
        df[column] = df[column].astype(object)
        df.loc[df.index[0], column] = value
        return df

    monkeypatch.setattr(gate, "articles_frame", corrupted)
    folder = _write_night(tmp_path / "in", 0, {"alpha": 3})
    _broken_stops_publish(
        tmp_path / "lake", _cfg(tmp_path / "lake", folder, ["alpha"]), DAY, expectation
    )


def test_an_allowed_empty_night_starts_no_worker_and_no_great_expectations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing read and `allow_empty`: no batch to validate, so no Great Expectations (its
    warm-up helper is killed, not waited for) and no worker process is started."""
    from pipeline import gate, pool

    started: list[object] = []
    closed: list[float] = []
    real_worker, real_close = pool.Worker, pool.Helper.close

    def worker(*a: Any, **k: Any) -> Any:
        started.append(a)
        return real_worker(*a, **k)

    def close(self: Any, timeout: float = 2.0) -> None:
        closed.append(timeout)
        real_close(self, timeout)

    def no_gate(*a: Any, **k: Any) -> Any:
        raise AssertionError("the gate ran on an empty night")

    monkeypatch.setattr(pool, "Worker", worker)
    monkeypatch.setattr(pool.Helper, "close", close)
    monkeypatch.setattr(gate, "run_gate", no_gate)
    monkeypatch.setattr(gate.GateProcess, "run", no_gate)
    (tmp_path / "in" / "alpha").mkdir(parents=True)
    cfg = _cfg(tmp_path / "lake", tmp_path / "in", ["alpha"], gate_process=True)
    cfg = cfg.model_copy(update={"allow_empty": True, "workers": 2})
    s = run_ingest(cfg, DAY)
    assert (s.status, s.inputs, s.checks) == ("published", 0, "skipped")
    assert "no inputs and allow_empty: batch checks not run" in s.warnings
    assert len(started) == 1  # the gate's helper only: no extraction workers
    assert closed and all(t == 0.0 for t in closed)
    assert s.run_id in (tmp_path / "lake" / "reports" / "index.html").read_text()


def test_a_process_that_loaded_great_expectations_validates_without_a_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper only hides Great Expectations' import: where it is loaded already (a second
    run in one process), `gate_process: null` validates here; `true` still forces the helper."""
    import great_expectations  # noqa: F401

    from pipeline import gate

    def no_helper() -> Any:
        raise AssertionError("a helper process was started")

    monkeypatch.setattr(gate, "GateProcess", no_helper)
    folder = _write_night(tmp_path / "in", 0, {"alpha": 3})
    s = run_ingest(_cfg(tmp_path / "lake", folder, ["alpha"]), DAY, gate_process=True)
    assert s.checks == "passed" and s.written == 3
    forced = _cfg(tmp_path / "lake2", folder, ["alpha"], gate_process=True)
    with pytest.raises(AssertionError, match="helper process was started"):
        run_ingest(forced, DAY)


def _loaded_in_helper() -> list[str]:
    import sys

    return sorted({m.partition(".")[0] for m in sys.modules})


def _executed_in_helper(names: frozenset[str]) -> list[str]:
    """Which of `names` were really executed (a deferred module not yet touched is a lazy
    placeholder in sys.modules)."""
    import sys

    return sorted(
        n for n in names if n in sys.modules and type(sys.modules[n]).__name__ != "_LazyModule"
    )


def test_the_gate_helper_warms_up_in_the_background_and_is_hurried_when_needed() -> None:
    """Niced while the shards run; back at the run's priority once the run waits for it (where
    the system allows raising it), or a busy machine would starve it while the run waits. Its
    warm-up loads Great Expectations without the SQL and S3 backends the gate never uses."""
    import os

    from pipeline.gate import _DEFERRED, _UNUSED_BACKENDS, GateProcess

    ours = os.getpriority(os.PRIO_PROCESS, 0)
    helper = GateProcess()
    try:
        pid = helper._helper.pid
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(ours + 10, 19)
        loaded = set(helper._helper.result(helper._helper.submit(_loaded_in_helper)))
        assert "great_expectations" in loaded and "pandas" in loaded
        assert not loaded & _UNUSED_BACKENDS
        # Nor the distribution tests and chart library it imports for checks the gate never runs.
        executed = helper._helper.result(helper._helper.submit(_executed_in_helper, _DEFERRED))
        assert executed == []
        if os.geteuid() != 0:
            pytest.skip("raising a priority back needs root or CAP_SYS_NICE")
        assert helper.hurry()
        assert os.getpriority(os.PRIO_PROCESS, pid) == ours
    finally:
        helper.close()


def test_validations_in_one_process_never_reuse_each_others_metrics() -> None:
    """The Data Context is shared by a process's validations; Great Expectations caches metrics
    by batch id, which is the same for every night's frame, so a clean night validated first
    must not make a later night's duplicate ids pass."""
    from pipeline.gate import _warm_frames, run_suites

    cfg = build_config({"sources": [{"name": "a", "type": "html", "path": "x"}]}).validate_
    clean = _warm_frames()
    checks, _ = run_suites(clean, cfg)
    assert next(c for c in checks if c.name == "unique_article_id").success
    dup = {**clean, "articles": clean["articles"].iloc[[0, 0]].reset_index(drop=True)}
    checks, _ = run_suites(dup, cfg)
    [unique] = [c for c in checks if c.name == "unique_article_id"]
    assert not unique.success and unique.observed.startswith("2 of 2 unexpected")
