"""One typed configuration, built once at the edge (CLI or DAG) from a sources file and flags."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.web_util import bare_host

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class ConfigError(ValueError):
    """The sources file or flags are invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JsonlFields(_Strict):
    """Where each record field lives in a JSONL object; dotted paths reach into nested objects."""

    url: str | None = "url"
    html: str | None = "html"
    text: str | None = "text"
    title: str | None = "title"
    description: str | None = "description"
    published_at: str | None = "published_at"
    modified_at: str | None = "modified_at"
    authors: str | None = "authors"
    sitename: str | None = "sitename"
    language: str | None = "language"
    categories: str | None = "categories"
    tags: str | None = "tags"
    image_url: str | None = "image_url"
    fetched_at: str | None = "fetched_at"


def _domain(v: str) -> str:
    d = bare_host(v)
    if not d or not re.fullmatch(r"[a-z0-9.-]+", d):
        raise ValueError(f"not a domain name: {v!r}")
    return d


class Filters(_Strict):
    """Which inputs of a source to keep; cheap URL checks run before extraction.

    A record whose URL is unknown before extraction is checked once the page gave one; a record
    without any URL passes the URL filters. Filtered inputs are counted as skipped, not
    quarantined: they are not bad data.
    """

    # Keep only these domains (and their subdomains); empty keeps all.
    domains: tuple[str, ...] = ()
    exclude_domains: tuple[str, ...] = ()
    # Regular expressions searched in the URL: keep a URL matching one (empty keeps all) ...
    url_patterns: tuple[str, ...] = ()
    # ... unless it matches one of these.
    exclude_url_patterns: tuple[str, ...] = ()
    # ISO 639-1 codes; applied after extraction and language detection. Empty keeps all.
    languages: tuple[str, ...] = ()

    @field_validator("domains", "exclude_domains")
    @classmethod
    def _domains_ok(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_domain(d) for d in v)

    @field_validator("url_patterns", "exclude_url_patterns")
    @classmethod
    def _patterns_ok(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            try:
                re.compile(p)
            except re.error as e:
                raise ValueError(f"invalid regular expression {p!r}: {e}") from None
        return v

    @field_validator("languages")
    @classmethod
    def _langs_ok(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(code.strip().lower() for code in v)
        bad = [c for c in out if not re.fullmatch(r"[a-z]{2,3}", c)]
        if bad:
            raise ValueError(f"not ISO 639 language codes: {', '.join(bad)}")
        return out

    @property
    def active(self) -> bool:
        return bool(
            self.domains
            or self.exclude_domains
            or self.url_patterns
            or self.exclude_url_patterns
            or self.languages
        )


class _SourceBase(_Strict):
    name: str
    paths: tuple[Path, ...] = Field(min_length=1)
    # Interpret naive dates of this source in this zone (IANA name).
    timezone: str = "UTC"
    filters: Filters = Filters()

    @field_validator("name")
    @classmethod
    def _name_ok(cls, v: str) -> str:
        if not SOURCE_NAME.match(v):
            raise ValueError(
                "source name must be lower-case letters, digits, '_', '.', '-' (max 64), "
                f"starting with a letter or digit: {v!r}"
            )
        return v

    @field_validator("timezone")
    @classmethod
    def _tz_ok(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {v!r}") from e
        return v


class FilesSource(_SourceBase):
    """Files and folders; each file's shape is chosen by its extension."""

    type: Literal["files"] = "files"
    fields: JsonlFields = JsonlFields()


class HtmlSource(_SourceBase):
    type: Literal["html"]


class TextSource(_SourceBase):
    type: Literal["text"]


class JsonlSource(_SourceBase):
    type: Literal["jsonl"]
    fields: JsonlFields = JsonlFields()


class CsvSource(_SourceBase):
    """A CSV export of articles (`.csv`, plus .gz/.zst): a header row, then one article per row.
    `fields` names the columns; authors, categories and tags cells are `;`-separated lists."""

    type: Literal["csv"]
    fields: JsonlFields = JsonlFields()
    # One ASCII character other than the quote: "," (default), ";", "\t", "|", ...
    delimiter: str = Field(default=",", pattern=r"^[\t !#-~]$")


# Names a WARC source reads: archives and listings of them (Common Crawl's warc.paths.gz).
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
LISTING_SUFFIXES = (".paths", ".paths.gz")
WARC_NAMES = WARC_SUFFIXES + LISTING_SUFFIXES


class WarcSource(_SourceBase):
    """WARC/ARC files (.warc, .warc.gz, .arc.gz), folders of them, or `*.paths(.gz)` listings.

    A listing (Common Crawl's warc.paths) names one WARC per line, relative to `base`: a folder,
    an object-store prefix (s3://bucket/prefix) or an HTTP(S) prefix read with range requests.
    Without `base`, entries are relative to the listing's folder.
    """

    type: Literal["warc"]
    base: str | None = None
    # Read only the first N files of the listings (a sample of a month of CC-NEWS).
    max_files: int | None = Field(default=None, gt=0)
    # Keep only responses with a 2xx status (redirects and errors carry no article).
    only_ok_status: bool = True


class FetchConfig(_Strict):
    """How a web source fetches: politely, within caps, and never into private networks."""

    user_agent: str = "BroadsheetBot/1.0 (+https://github.com/broadsheet/broadsheet)"
    connect_timeout_s: float = Field(default=10.0, gt=0)
    read_timeout_s: float = Field(default=20.0, gt=0)
    # Whole response, body included: a server that drips bytes cannot hold a request longer.
    total_timeout_s: float = Field(default=60.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0)
    max_retry_after_s: float = Field(default=120.0, ge=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    # Per response, on the wire and again after decompression (gzip bombs).
    max_bytes: int = Field(default=5_000_000, gt=0)
    concurrency: int = Field(default=8, ge=1, le=64)
    per_host_concurrency: int = Field(default=2, ge=1, le=16)
    # Between two requests to one host (robots.txt Crawl-delay raises it).
    min_delay_s: float = Field(default=1.0, ge=0)
    # Per shard (one feed or sitemap): URLs not started by then are skipped (`time_budget`).
    time_budget_s: float = Field(default=1800.0, gt=0)
    # How far back the fetch state is read: URLs fetched earlier than this count as new again
    # (feeds and news sitemaps list recent items only, and the state stays cheap to read).
    state_window_days: int = Field(default=90, ge=1)
    # Let the source's own seed hosts (host:port) be loopback/private addresses (tests,
    # intranets). Off by default; redirects elsewhere into private space stay refused.
    allow_private: bool = False


class _WebSourceBase(_Strict):
    """Sources fetched over HTTP(S): seed URLs inline (`urls`) or in files (`paths`)."""

    name: str
    urls: tuple[str, ...] = ()
    paths: tuple[Path, ...] = ()
    timezone: str = "UTC"
    filters: Filters = Filters()
    fetch: FetchConfig = FetchConfig()

    _name_ok = field_validator("name")(_SourceBase._name_ok.__func__)  # type: ignore[attr-defined]
    _tz_ok = field_validator("timezone")(_SourceBase._tz_ok.__func__)  # type: ignore[attr-defined]

    @field_validator("urls")
    @classmethod
    def _urls_ok(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in v if not re.match(r"^https?://[^/\s]+", u)]
        if bad:
            raise ValueError(f"only http(s) URLs: {', '.join(bad[:3])}")
        return v

    @model_validator(mode="after")
    def _has_seeds(self) -> _WebSourceBase:
        if not self.urls and not self.paths:
            raise ValueError("give `urls` or `paths` (files with one URL per line)")
        return self


class FeedSource(_WebSourceBase):
    """RSS 0.9x/1.0/2.0 and Atom feeds; each feed is one unit of work."""

    type: Literal["feed"]


class SitemapSource(_WebSourceBase):
    """XML sitemaps, sitemap indexes and Google News sitemaps, or a site's home page (its
    robots.txt names the sitemaps). Each seed is one unit of work."""

    type: Literal["sitemap"]
    # Only URLs whose news:publication_date or lastmod is this recent.
    lookback_days: float = Field(default=2.0, gt=0)
    # Sitemap entries without any date: skipped unless this is set.
    include_undated: bool = False
    max_sitemaps: int = Field(default=50, ge=1)
    max_depth: int = Field(default=3, ge=1, le=10)


class UrlsSource(_WebSourceBase):
    """A plain list of article URLs."""

    type: Literal["urls"]


WebSource = FeedSource | SitemapSource | UrlsSource

SourceConfig = Annotated[
    FilesSource
    | HtmlSource
    | TextSource
    | JsonlSource
    | WarcSource
    | FeedSource
    | SitemapSource
    | UrlsSource
    | CsvSource,
    Field(discriminator="type"),
]


class ExtractConfig(_Strict):
    timeout_s: float = Field(default=30.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=0)
    include_tables: bool = True
    favor_precision: bool = False
    # fast: trafilatura's fast pass (no fallback extractors) on the article's region (the
    # deepest element holding 90% of the paragraph text), the whole page where there is none or
    # it fails, the full cascade only where the pass misses the page's prose; accurate: the full
    # cascade on every whole page. Both read the page's metadata the same way. fast is the
    # default: on both gold sets its body F1 is level or higher and its extraction costs a third
    # less (README "Extraction modes").
    mode: Literal["accurate", "fast"] = "fast"
    # Count inputs the lake already holds (canonical URL published in the last
    # `skip_known_days` nights) or the shard already read (same URL or raw bytes) as duplicates
    # without extracting them; `ingest --force-extract` sets false. requeue/reextract always
    # extract. 0 days: only repeats within the shard.
    skip_known: bool = True
    skip_known_days: int = Field(default=7, ge=0, le=366)


Severity = Literal["critical", "warning"]


class ValidateConfig(_Strict):
    """Record rules (a failing record is quarantined) and the batch gate (Great Expectations)."""

    min_words: int = Field(default=50, ge=0)
    max_title_chars: int = Field(default=400, gt=0)
    max_text_chars: int = Field(default=1_000_000, gt=0)
    # published_at may be at most this far after the fetch (or the run, when the fetch time is
    # unknown): clocks and time zones are a little off, a date next year is an error.
    future_skew_minutes: int = Field(default=120, ge=0)
    earliest_published: str = "1990-01-01"
    # The batch gate: Great Expectations suites in `suite_dir` (default: schemas/expectations).
    batch_checks: bool = True
    # A critical failure that some sources cause on their own holds back only their partitions
    # (the rest of the night publishes, the run is marked partial); false: all or nothing.
    isolate_sources: bool = True
    # Run the gate in a helper process started with the run, so importing Great Expectations
    # (about 10 s) overlaps extraction. Default (null): yes in `broadsheet ingest`, no when
    # `run_ingest` is called from Python. Airflow's publish task validates in its own process.
    gate_process: bool | None = None
    suite_dir: Path | None = None
    # Override the severity an expectation has in its suite file, by its meta.name.
    severity: dict[str, Severity] = Field(default_factory=dict)
    # Write the validation results as an offline HTML page (validation.html) for every run.
    data_docs: bool = True
    # Drift is judged against this source's last `drift_window` published nights, once there
    # are at least `drift_min_nights` of them.
    drift_window: int = Field(default=7, ge=1, le=90)
    drift_min_nights: int = Field(default=3, ge=1)

    @field_validator("earliest_published", mode="before")
    @classmethod
    def _floor_ok(cls, v: object) -> str:
        """YYYY-MM-DD; YAML reads an unquoted date (as the README's example has it) as a date."""
        from datetime import date, datetime

        if isinstance(v, date) and not isinstance(v, datetime):
            return v.isoformat()
        try:
            date.fromisoformat(str(v))
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {v!r}") from None
        return str(v)


class DedupConfig(_Strict):
    """Near-duplicate detection: MinHash over word shingles, LSH banding, a window of nights."""

    near: bool = True
    shingle_words: int = Field(default=3, ge=1, le=10)
    permutations: int = Field(default=128, ge=16, le=512)
    bands: int = Field(default=32, ge=1)
    # Estimated Jaccard similarity of shingle sets at or above which two texts are one story.
    threshold: float = Field(default=0.7, gt=0, le=1)
    # Compare tonight with the stories of the last N nights (the index under LAKE/near_index).
    window_days: int = Field(default=7, ge=0, le=90)
    # Ties in choosing a story's canonical record go to the source listed first here.
    source_priority: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _bands_divide(self) -> DedupConfig:
        if self.permutations % self.bands:
            raise ValueError(
                f"dedup.bands ({self.bands}) must divide dedup.permutations ({self.permutations})"
            )
        return self


class LakeConfig(_Strict):
    # Rows per Parquet file; each file is sorted on its own, so this bounds writer memory.
    rows_per_file: int = Field(default=20_000, gt=0)
    # ...and so does this: a file is cut early once its rows hold this much data in memory.
    file_buffer_mb: int = Field(default=64, gt=0)
    row_group_rows: int = Field(default=5_000, gt=0)
    zstd_level: int = Field(default=6, ge=1, le=22)


class Config(_Strict):
    # A folder, or an object-store URL (s3://bucket/prefix) that workers on other hosts share.
    lake: str = "lake"
    # Worker processes for the document chain. 1 (the default) is one isolated worker: a page
    # that crashes or hangs it is quarantined and the night goes on. 0 runs the chain in this
    # process without that isolation (embedding, debugging, tests), not for production nights.
    workers: int = Field(default=1, ge=0, le=256)
    sources: tuple[SourceConfig, ...] = Field(min_length=1)
    extract: ExtractConfig = ExtractConfig()
    validate_: ValidateConfig = Field(default=ValidateConfig(), alias="validate")
    lake_options: LakeConfig = Field(default=LakeConfig(), alias="lake_options")
    dedup: DedupConfig = DedupConfig()
    # A source that read nothing tonight may replace a night it published before with nothing.
    # Off by default: an empty source is far more often a moved folder or a typo than news.
    allow_empty: bool = False
    # Set by build_config, never by the file: sources whose own entry does not validate, by
    # name, with why. The others run; a run over all of them holds these back (red).
    rejected_sources: dict[str, str] = {}

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, v: tuple[SourceConfig, ...]) -> tuple[SourceConfig, ...]:
        names = [s.name for s in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
        return v

    def snapshot(self) -> bytes:
        """The effective configuration as canonical JSON (paths resolved): what a run records
        at its start and `fingerprint` hashes."""
        data = self.model_dump(mode="json", by_alias=True)
        if not data["rejected_sources"]:  # the fingerprint of a file with none stays as it was
            del data["rejected_sources"]
        blob = json.dumps(data, sort_keys=True)
        return blob.encode()

    def fingerprint(self) -> str:
        """sha256 of the effective configuration, recorded in the run row."""
        return hashlib.sha256(self.snapshot()).hexdigest()


def config_from_snapshot(data: bytes, fingerprint: str) -> Config:
    """The configuration a run recorded, or ConfigError when `data` is not what the run's
    fingerprint says (tampered, truncated, another run's): never a silent substitute."""
    got = hashlib.sha256(data).hexdigest()
    if got != fingerprint:
        raise ConfigError(
            f"configuration snapshot does not match the run's fingerprint: sha256 {got}, "
            f"the run recorded {fingerprint}"
        )
    try:
        cfg = Config.model_validate_json(data)
    except ValidationError as e:
        raise ConfigError("invalid configuration snapshot:\n" + _format_errors(e)) from None
    if cfg.fingerprint() != fingerprint:  # a model change since the snapshot was written
        raise ConfigError(f"configuration snapshot {fingerprint} no longer reads back the same")
    return cfg


# The `type:` names of the SourceConfig union.
_SOURCE_TYPES = {
    name
    for model in get_args(get_args(SourceConfig)[0])
    for name in get_args(model.model_fields["type"].annotation)
}


def _format_errors(err: ValidationError) -> str:
    errors = err.errors()
    lines = []
    for e in errors:
        loc = list(e["loc"])
        # Drop the union tag pydantic inserts after a source's index ("sources.0.html.name").
        loc = [
            p
            for i, p in enumerate(loc)
            if not (i and isinstance(loc[i - 1], int) and p in _SOURCE_TYPES)
        ]
        where = ".".join(str(p) for p in loc) or "(top level)"
        # A list with a bad item also fails its length check: report the item only.
        if e["type"] == "too_short" and any(len(o["loc"]) > len(e["loc"]) for o in errors):
            continue
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  {where}: {msg}")
    return "\n".join(lines)


def build_config(data: dict[str, Any], base_dir: Path | None = None) -> Config:
    """Validate a config mapping; relative paths resolve against base_dir (the file's folder)."""
    if not isinstance(data, dict):
        raise ConfigError("the sources file must be a mapping with a 'sources' list")
    data = dict(data)
    # An empty path would resolve to the sources file's own folder: never read, whatever else.
    empty: dict[int, str] = {}
    for i, raw in enumerate(data.get("sources") or []):
        if isinstance(raw, dict):
            given = raw.get("paths", raw.get("path", ...))
            entries = given if isinstance(given, list) else [given]
            if given is not ... and any(p is None or str(p).strip() == "" for p in entries):
                empty[i] = f"source {raw.get('name', f'#{i + 1}')}: an empty path"
    if base_dir is not None:
        sources = []
        for raw in data.get("sources") or []:
            if isinstance(raw, dict):
                raw = dict(raw)
                if "path" in raw and "paths" not in raw:
                    raw["paths"] = _as_list(raw.pop("path"))
                if isinstance(raw.get("paths"), list):
                    # Only strings are joined: anything else is left for validation to name.
                    raw["paths"] = [
                        str(base_dir / p) if isinstance(p, str) else p for p in raw["paths"]
                    ]
                base = raw.get("base")
                if isinstance(base, str) and "://" not in base:
                    raw["base"] = str(base_dir / base)
            sources.append(raw)
        data["sources"] = sources
        if data.get("lake") is not None and "://" not in str(data["lake"]):
            data["lake"] = str(base_dir / str(data["lake"]))
    else:
        for raw in data.get("sources") or []:
            if isinstance(raw, dict) and "path" in raw and "paths" not in raw:
                raw["paths"] = _as_list(raw.pop("path"))
    if "rejected_sources" in data:
        raise ConfigError("invalid configuration:\n  rejected_sources: not a setting")
    data["rejected_sources"] = _reject_invalid_sources(data, empty)
    if empty and not data["rejected_sources"]:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(empty.values()))
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError("invalid configuration:\n" + _format_errors(e)) from None


_ONE_SOURCE: TypeAdapter[Any] = TypeAdapter(list[SourceConfig])


def _reject_invalid_sources(data: dict[str, Any], invalid: dict[int, str]) -> dict[str, str]:
    """Take the entries that do not validate on their own out of `data["sources"]`, while one
    that does is left: a typo in one source's entry must not cost the others their night.
    With none left, nothing is taken, and validation names every error as it always did."""
    raw = data.get("sources")
    if not isinstance(raw, list):
        return {}
    kept: list[Any] = []
    rejected: dict[str, str] = {}
    for i, entry in enumerate(raw):
        name = entry.get("name") if isinstance(entry, dict) else None
        key = name if isinstance(name, str) and SOURCE_NAME.match(name) else f"#{i + 1}"
        where = f"sources.{i}"  # each error's place, as the whole file's validation says it
        if i in invalid:
            rejected[key] = f"invalid configuration: {where}.paths: an empty path"
            continue
        try:
            _ONE_SOURCE.validate_python([entry])
        except ValidationError as e:
            lines = [where + ln.strip()[1:] for ln in _format_errors(e).splitlines()]
            rejected[key] = "invalid configuration: " + "; ".join(lines)
            continue
        kept.append(entry)
    names = [e.get("name") for e in kept if isinstance(e, dict)]
    if not kept or len(rejected) + len(kept) != len(raw) or set(rejected) & set(names):
        return {}  # nothing left, or names shared: validation reports it all as before
    data["sources"] = kept
    return rejected


def _as_list(value: Any) -> list[Any]:
    """`path:` given a list means what `paths:` does."""
    return list(value) if isinstance(value, list) else [value]


def load_config(path: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read a YAML (or JSON) sources file and apply CLI overrides on top."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read sources file {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"sources file {path} is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"sources file {path} must be a mapping with a 'sources' list")
    cfg = build_config(data, base_dir=path.resolve().parent)
    # Flags are relative to the working directory, not to the sources file.
    updates = {k: v for k, v in (overrides or {}).items() if v is not None}
    if "lake" in updates:
        updates["lake"] = str(updates["lake"])
    return cfg.model_copy(update=updates) if updates else cfg


def source_name_for(path: Path) -> str:
    """A valid source name derived from a path given on the command line."""
    stem = path.name.split(".")[0] if path.name else "input"
    name = re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-._") or "input"
    return name[:64]
