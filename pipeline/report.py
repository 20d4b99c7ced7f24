"""Run reports people would rather look at than read: one HTML page per run, one page of its
validation results, an index over runs.

Everything on the pages comes from the lake (DuckDB views, run files) and from the run's
validation.json; styles are inline and charts are inline SVG, so every page is one
self-contained file that renders offline and loads nothing from the network.
"""

from __future__ import annotations

import html
import json
import logging
import posixpath
from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.lake import Lake, LakeError

log = logging.getLogger(__name__)

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;
text-align:left}td.n,th.n{text-align:right}.ok{color:#1a7f37}.warn{color:#9a6700}
.bad{color:#cf222e}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
svg text{font:12px system-ui,sans-serif}.muted{color:#666}
code{font-size:12px;word-break:break-word}
"""


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def bar_chart(rows: Sequence[tuple[str, float]], title: str, fmt: str = "{:,.0f}") -> str:
    """A horizontal bar chart as inline SVG."""
    if not rows:
        return f"<h3>{_e(title)}</h3><p class=muted>no data</p>"
    label_w, bar_w, row_h = 170, 300, 20
    top = max(v for _, v in rows) or 1.0
    height = row_h * len(rows) + 10
    parts = [f'<svg width="{label_w + bar_w + 90}" height="{height}" role="img">']
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        w = max(1.0, bar_w * value / top) if value else 0.0
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_e(label[:28])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="#4f7cac"><title>{_e(label)}: {_e(fmt.format(value))}</title></rect>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + 14}">{_e(fmt.format(value))}</text>'
        )
    parts.append("</svg>")
    return f"<div><h3>{_e(title)}</h3>{''.join(parts)}</div>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]) -> str:
    head = "".join(
        f'<th class="{"n" if i in numeric else ""}">{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if i in numeric else ""}">{c if isinstance(c, _Raw) else _e(c)}</td>'
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


class _Raw(str):
    """Already-escaped HTML for a table cell."""


def _expectations_table(checks: list[dict[str, Any]]) -> str:
    """The gate's checks, one row each (the run report and the validation page share it)."""
    rows = [
        [
            c["suite"],
            c["name"],
            _Raw(f"<span class={_check_cls(c)}>{'pass' if c['success'] else 'FAIL'}</span>"),
            c["severity"],
            c["observed"],
            c.get("why", ""),
        ]
        for c in checks
    ]
    head = ["suite", "expectation", "result", "severity", "observed", "why"]
    return "<h2>Expectations</h2>" + _table(head, rows, set())


def _check_cls(c: dict[str, Any]) -> str:
    if c["success"]:
        return "ok"
    return "bad" if c["severity"] == "critical" else "warn"


def _status_cls(status: str | None) -> str:
    return {"passed": "ok", "published": "ok", "warnings": "warn"}.get(status or "", "bad")


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>"
    )


def render_run(lake: Lake, run_id: str) -> str:
    """The HTML report of one published run."""
    con = lake.connect()
    try:
        run = con.execute(
            "SELECT run_id, ingest_date, status, checks, started_at, finished_at, inputs, written, "
            "duplicates, quarantined, skipped, by_source, by_reason, by_skip, timings, warnings, "
            "report, data_docs FROM runs WHERE run_id = ?",
            [run_id],
        ).fetchone()
        if run is None:
            raise KeyError(run_id)
        (_, day, status, checks, started, finished, inputs, written, dups, quar, skipped,
         by_source, by_reason, by_skip, timings, warnings, report, docs) = run  # fmt: skip
        per_source = con.execute(
            "SELECT source, count(*) FROM articles WHERE run_id = ? GROUP BY 1 ORDER BY 2 DESC",
            [run_id],
        ).fetchall()
        languages = con.execute(
            "SELECT coalesce(language, 'unknown'), count(*) FROM articles WHERE run_id = ? "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
            [run_id],
        ).fetchall()
        lengths = con.execute(
            "SELECT CASE WHEN word_count < 100 THEN '<100' WHEN word_count < 250 THEN '100-249' "
            "WHEN word_count < 500 THEN '250-499' WHEN word_count < 1000 THEN '500-999' "
            "WHEN word_count < 2000 THEN '1000-1999' ELSE '2000+' END AS b, count(*), "
            "min(word_count) FROM articles WHERE run_id = ? GROUP BY 1 ORDER BY 3",
            [run_id],
        ).fetchall()
        reasons = con.execute(
            "SELECT source, reason, count(*) FROM quarantine WHERE run_id = ? "
            "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 30",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    checks_json = _validation(lake, report)
    rates = []
    for s in by_source or []:
        considered = (s["inputs"] or 0) - (s.get("skipped") or 0)
        if considered:
            rates.append((s["source"], s["duplicates"] / considered, s["quarantined"] / considered))
    body = [
        f"<h1>Broadsheet run {_e(run_id)}</h1>",
        f"<p>ingest date <b>{_e(day)}</b> · status <b class={_status_cls(status)}>{_e(status)}"
        f"</b> · checks <b class={_status_cls(checks)}>{_e(checks)}</b> · {_e(started)} → "
        f"{_e(finished)} · <a href=../../index.html>all runs</a>",
    ]
    links = []
    if docs:
        links.append(f'<a href="{_e(posixpath.relpath(docs, report))}">validation results</a>')
    if report:
        links.append('<a href="validation.json">validation.json</a>')
    body.append("<p>" + " · ".join(links) + "</p>")
    body.append(
        _table(
            ["inputs", "written", "duplicates", "quarantined", "skipped"],
            [[inputs, written, dups, quar, skipped]],
            {0, 1, 2, 3, 4},
        )
    )
    if warnings:
        body.append(
            "<h2>Warnings</h2><ul>"
            + "".join(f"<li class=warn>{_e(w)}</li>" for w in warnings)
            + "</ul>"
        )
    body.append("<div class=grid>")
    body.append(bar_chart([(s, float(n)) for s, n in per_source], "Articles per source"))
    body.append(bar_chart([(lang, float(n)) for lang, n in languages], "Language mix"))
    body.append(bar_chart([(s, d) for s, d, _ in rates], "Duplicate rate by source", "{:.1%}"))
    body.append(bar_chart([(s, q) for s, _, q in rates], "Quarantine rate by source", "{:.1%}"))
    body.append(bar_chart([(b, float(n)) for b, n, _ in lengths], "Text length (words)"))
    body.append(
        bar_chart(
            [(r["stage"], float(r["seconds"])) for r in timings or []],
            "Seconds per stage",
            "{:.2f}",
        )
    )
    body.append("</div>")
    if checks_json:
        body.append(_expectations_table(checks_json.get("checks", [])))
    body.append("<h2>Quarantine by source and reason</h2>")
    body.append(_table(["source", "reason", "inputs"], reasons, {2}))
    body.append("<h2>Counts by source</h2>")
    body.append(
        _table(
            ["source", "inputs", "written", "duplicates", "quarantined", "skipped"],
            [
                [
                    s["source"],
                    s["inputs"],
                    s["written"],
                    s["duplicates"],
                    s["quarantined"],
                    s.get("skipped"),
                ]
                for s in by_source or []
            ],
            {1, 2, 3, 4, 5},
        )
    )
    skips = [[r["reason"], r["count"]] for r in by_skip or []]
    quarantines = [[r["reason"], r["count"]] for r in by_reason or []]
    body.append(
        "<div class=grid><div><h2>Quarantine reasons</h2>"
        + _table(["reason", "inputs"], quarantines, {1})
        + "</div>"
    )
    body.append(
        "<div><h2>Skip reasons</h2>" + _table(["reason", "inputs"], skips, {1}) + "</div></div>"
    )
    return _page(f"Broadsheet run {run_id}", "".join(body))


def _validation(lake: Lake, report: str | None) -> dict[str, Any] | None:
    if not report:
        return None
    path = lake.storage.path(report, "validation.json")
    if not lake.storage.exists(path):
        return None
    with lake.storage.fs.open_input_stream(path, compression=None) as fh:
        data: dict[str, Any] = json.loads(fh.read().decode("utf-8"))
        return data


def render_validation(report: dict[str, Any]) -> str:
    """The page of one run's validation: our checks, then Great Expectations' own results per
    expectation (what it measured, counts, a sample of unexpected values), from validation.json."""
    status = report.get("status")
    body = [
        f"<h1>Validation of run {_e(report.get('run_id'))}</h1>",
        f"<p>ingest date <b>{_e(report.get('ingest_date'))}</b> · checks "
        f"<b class={_status_cls(status)}>{_e(status)}</b> · "
        "<a href=report.html>run report</a> (published runs) · "
        "<a href=validation.json>validation.json</a> · <a href=../../index.html>all runs</a></p>",
    ]
    for title, cls, lines in (
        ("Critical failures: not published", "bad", report.get("critical_failures") or []),
        ("Warnings", "warn", report.get("warnings") or []),
    ):
        if lines:
            items = "".join(f"<li class={cls}>{_e(x)}</li>" for x in lines)
            body.append(f"<h2>{title}</h2><ul>{items}</ul>")
    body.append(_expectations_table(report.get("checks", [])))
    sources = report.get("sources") or []
    if sources:
        cols = list(sources[0])
        body.append("<h2>The night by source, against recent nights</h2>")
        body.append(
            _table(
                cols,
                [[_num(r.get(c)) for c in cols] for r in sources],
                {i for i, c in enumerate(cols) if c not in ("scope", "source")},
            )
        )
    for suite, vr in (report.get("great_expectations") or {}).items():
        stats = vr.get("statistics") or {}
        meta = vr.get("meta") or {}
        body.append(
            f"<h2>Great Expectations: suite {_e(suite)}</h2><p class=muted>"
            f"{_e(stats.get('successful_expectations'))} of "
            f"{_e(stats.get('evaluated_expectations'))} expectations met · Great Expectations "
            f"{_e(meta.get('great_expectations_version'))} · validated "
            f"{_e(meta.get('validation_time'))}</p>"
        )
        body.append(
            _table(
                ["expectation", "kwargs", "success", "result"],
                [_ge_row(r) for r in vr.get("results") or []],
                set(),
            )
        )
    return _page(f"Validation of run {report.get('run_id')}", "".join(body))


def _num(v: object) -> object:
    return f"{v:.4g}" if isinstance(v, float) else v


def _ge_row(r: dict[str, Any]) -> list[object]:
    conf = r.get("expectation_config") or {}
    kwargs = {k: v for k, v in (conf.get("kwargs") or {}).items() if k != "batch_id"}
    shown = {k: v for k, v in (r.get("result") or {}).items() if v not in (None, [], {})}
    exc = (r.get("exception_info") or {}).get("exception_message")
    if exc:
        shown["exception"] = exc
    ok = bool(r.get("success"))
    return [
        _Raw(f"<code>{_e(conf.get('type'))}</code>"),
        _Raw(f"<code>{_e(_short(kwargs))}</code>"),
        _Raw(f"<span class={'ok' if ok else 'bad'}>{ok}</span>"),
        _Raw(f"<code>{_e(_short(shown))}</code>"),
    ]


def _short(x: object, limit: int = 400) -> str:
    text = json.dumps(x, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


VALIDATION_PAGE = "validation.html"  # written by the gate next to validation.json
_INDEX_COLUMNS = ("ingest_date", "run_id", "status", "checks", "inputs", "written", "duplicates",
                  "quarantined", "skipped")  # fmt: skip


def _run_rows(lake: Lake) -> list[dict[str, Any]]:
    """Every run row, from the run files (the catalog holds only what was published, and a
    first night that failed has none)."""
    cols = [*_INDEX_COLUMNS, "report", "started_at", "message", "warnings"]
    rows: list[dict[str, Any]] = []
    for path in lake.storage.files(lake.storage.path("runs"), "*.parquet"):
        with lake.storage.fs.open_input_file(path) as fh:
            t = pq.read_table(fh)
        day = posixpath.basename(posixpath.dirname(path)).removeprefix("ingest_date=")
        if "ingest_date" not in t.column_names:
            t = t.append_column("ingest_date", pa.array([day] * t.num_rows))
        have = [c for c in cols if c in t.column_names]
        for row in t.select(have).to_pylist():
            row["ingest_date"] = str(row["ingest_date"])
            rows.append(row)
    return rows


def _stopped_by_the_gate(lake: Lake, files: set[str], known: set[str]) -> list[dict[str, Any]]:
    """Runs the gate stopped: no run row, but their validation.json says why."""
    out = []
    for rel in sorted(f for f in files if f.endswith("/validation.json")):
        folder = posixpath.dirname(rel)
        rid = posixpath.basename(folder).removeprefix("run-")
        if rid in known:
            continue
        path = lake.storage.path(rel)
        with lake.storage.fs.open_input_stream(path, compression=None) as fh:
            data = json.loads(fh.read().decode("utf-8"))
        out.append(
            {
                "ingest_date": data.get("ingest_date"),
                "run_id": rid,
                "status": "not published",
                "checks": data.get("status"),
                "report": folder,
                "message": "critical expectation failed: "
                + "; ".join(data.get("critical_failures") or []),
                "started_at": None,
            }
        )
    return out


def _cause(row: dict[str, Any]) -> str:
    if row.get("status") in ("published", "running"):
        return ""
    if row.get("status") == "partial":
        return "; ".join(w for w in row.get("warnings") or [] if w.startswith("held back "))
    return str(row.get("message") or "")


def _run_link(files: set[str], row: dict[str, Any]) -> object:
    report = row.get("report")
    for page in ("report.html", VALIDATION_PAGE):
        if report and posixpath.join(report, page) in files:
            href = posixpath.join(posixpath.relpath(report, "reports"), page)
            return _Raw(f'<a href="{_e(href)}">{_e(row["run_id"])}</a>')
    return row["run_id"]


def render_index(lake: Lake) -> str:
    """Every run, newest night first, published or not; a run that did not publish says why."""
    runs = _run_rows(lake)
    # One listing of the reports (not a request per run: the lake may be an object store).
    files = {lake.storage.rel(f) for f in lake.storage.files(lake.storage.path("reports"))}
    runs += _stopped_by_the_gate(lake, files, {r["run_id"] for r in runs})
    runs.sort(key=lambda r: (r["ingest_date"] or "", str(r.get("started_at") or "")), reverse=True)
    try:
        con = lake.connect()
    except LakeError:  # nothing published yet
        nights: list[tuple[Any, ...]] = []
    else:
        try:
            nights = con.execute(
                "SELECT ingest_date::VARCHAR, count(*) FROM articles "
                "GROUP BY 1 ORDER BY 1 DESC LIMIT 30"
            ).fetchall()
        finally:
            con.close()
    rows = []
    for r in runs:
        st = _Raw(f"<span class={_status_cls(r.get('status'))}>{_e(r.get('status'))}</span>")
        ck = _Raw(f"<span class={_status_cls(r.get('checks'))}>{_e(r.get('checks'))}</span>")
        counts = [r.get(k) for k in ("inputs", "written", "duplicates", "quarantined", "skipped")]
        cause = _cause(r)
        rows.append([r["ingest_date"], _run_link(files, r), st, ck, *counts, cause[:500]])
    body = (
        "<h1>Broadsheet runs</h1>"
        + bar_chart([(d, float(n)) for d, n in reversed(nights)], "Articles per ingest date")
        + _table(
            [
                "ingest date",
                "run",
                "status",
                "checks",
                "inputs",
                "written",
                "duplicates",
                "quarantined",
                "skipped",
                "why not published",
            ],
            rows,
            {4, 5, 6, 7, 8},
        )
    )
    return _page("Broadsheet runs", body)


def write_index(lake: Lake) -> str:
    """Rewrite reports/index.html (after every run, published or not); its lake path."""
    page = posixpath.join("reports", "index.html")
    _write(lake, lake.storage.path(page), render_index(lake))
    return page


def write_reports(lake: Lake, run_id: str, report_dir: str | None) -> str | None:
    """Write reports/<run>/report.html (when the run has a report folder) and
    reports/index.html; the run page's lake path."""
    page = None
    if report_dir is not None:
        page = posixpath.join(report_dir, "report.html")
        _write(lake, lake.storage.path(page), render_run(lake, run_id))
    write_index(lake)
    return page


def _write(lake: Lake, path: str, text: str) -> None:
    lake.storage.makedirs(posixpath.dirname(path))
    with lake.storage.fs.open_output_stream(path, compression=None) as out:
        out.write(text.encode("utf-8"))


def runs_on(lake: Lake, day: date) -> list[dict[str, Any]]:
    """The runs of an ingest date with where their reports are (for `broadsheet report`)."""
    out = []

    def where(rel: str | None) -> str | None:
        return lake.storage.uri_of(lake.storage.path(rel)) if rel else None

    # Read from the run files, not the catalog: a night that never published has no catalog.
    for row in sorted(lake.runs_on(day), key=lambda r: r["started_at"]):
        report = row["report"]
        out.append(
            {
                "run_id": row["run_id"],
                "status": row["status"],
                "checks": row["checks"],
                "written": row["written"],
                "quarantined": row["quarantined"],
                "report": where(posixpath.join(report, "report.html") if report else None),
                "validation": where(posixpath.join(report, "validation.json") if report else None),
                "data_docs": where(row["data_docs"]),
                "warnings": list(row["warnings"] or []),
                "message": row["message"] if row["status"] != "published" else None,
            }
        )
    # Runs the gate stopped have no run row: their validation reports are still on disk.
    failed = lake.storage.files(
        lake.storage.path("reports", f"ingest_date={day.isoformat()}"), "*/validation.json"
    )
    known = {r["run_id"] for r in out}
    for path in failed:
        rid = posixpath.basename(posixpath.dirname(path)).removeprefix("run-")
        if rid not in known:
            out.append({"run_id": rid, "status": "not published", "checks": "failed",
                        "validation": lake.storage.uri_of(path)})  # fmt: skip
    return out
