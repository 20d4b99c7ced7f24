"""Record types passed between stages: frozen, slotted, and small enough to cross a process pool."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

InputFormat = Literal["html", "text", "jsonl", "warc", "web"]

Stage = Literal["read", "extract", "normalize", "validate"]

# The closed set of reasons an input can be quarantined for. README "Quarantine reasons" documents
# each one; tests check that the two lists agree.
Reason = Literal[
    "unreadable",  # the file or stream could not be opened or decompressed
    "special_file",  # a FIFO, socket or device where an input file was listed: never opened
    "outside_root",  # a symlink out of the input folder, or a path under no input: not followed
    "decode_error",  # bytes that are not text in any encoding we try
    "bad_json",  # a JSONL line that is not a JSON object
    "missing_field",  # a JSONL object without the mapped html/text field
    "bad_field",  # a JSONL field of the wrong type
    "truncated",  # a WARC record shorter than its declared length: the capture was cut
    "bad_record",  # WARC framing or an HTTP message that cannot be parsed; reading resumed after it
    "too_large",  # input above extract.max_bytes
    "timeout",  # reading made no progress within its deadline, or extraction exceeded its own
    "extractor_error",  # the extractor raised
    "no_content",  # nothing article-like was extracted
    "http_error",  # the server answered with an error status (after retries); message has it
    "fetch_error",  # network error, timeout, redirect loop, bad encoding (message: error class)
    "blocked_url",  # not http(s), or resolves to a loopback/private/link-local/metadata address
    "bad_url",  # a URL-list line or listed link that is not an http(s) URL we would request
    "too_short",  # fewer words than validate.min_words after boilerplate removal
    "too_long",  # title or text beyond validate.max_title_chars / max_text_chars
    "bad_date",  # published_at after the fetch (beyond the skew) or before the configured floor
    "schema_violation",  # the record breaks schemas/article.schema.json
]

REASONS: tuple[str, ...] = get_args(Reason)

# Why an input was read but deliberately not processed: not bad data, so not quarantined, but
# counted (inputs = written + duplicates + quarantined + skipped). README documents each.
SkipReason = Literal[
    "not_response",  # a WARC record other than a response (warcinfo, request, metadata, ...)
    "revisit",  # a WARC revisit record: the payload is in an earlier capture
    "not_http",  # a WARC response without an HTTP message (e.g. dns:)
    "http_status",  # an HTTP status other than 2xx (redirects, errors)
    "not_html",  # a content type that is not HTML (images, JSON, PDF, ...)
    "domain_filtered",  # the URL's domain is outside the source's domain filters
    "url_filtered",  # the URL does not pass the source's URL patterns
    "language_filtered",  # the detected language is not among the source's languages
    "robots_disallowed",  # robots.txt disallows the URL for our user agent: never requested
    "unchanged",  # fetched on an earlier night (same canonical URL): not fetched again
    "time_budget",  # the shard's fetch.time_budget_s ran out before this URL was started
]

SKIP_REASONS: tuple[str, ...] = get_args(SkipReason)


@dataclass(frozen=True, slots=True)
class Hints:
    """Metadata the input already carries (JSONL fields, text headers): fills extractor gaps."""

    url: str | None = None
    title: str | None = None
    description: str | None = None
    published_at: str | None = None
    modified_at: str | None = None
    authors: tuple[str, ...] = ()
    sitename: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    fetched_at: str | None = None


@dataclass(frozen=True, slots=True)
class Signals:
    """What the publisher says about reuse of a page it served us."""

    tdm_reserved: bool | None = None
    robots_ai_disallowed: bool | None = None
    noai: bool | None = None
    noarchive: bool | None = None


@dataclass(frozen=True, slots=True)
class RawDoc:
    """One input document as read: either HTML bytes or pre-extracted text, never both."""

    source: str
    input_ref: str
    input_format: InputFormat
    html: bytes | None = None
    text: str | None = None
    hints: Hints = field(default_factory=Hints)
    # The charset the transport declared (HTTP Content-Type); tried first, never trusted blindly.
    charset: str | None = None
    # Reuse signals of a fetched page (web sources): applied to the article as written.
    signals: Signals | None = None

    @property
    def size(self) -> int:
        if self.html is not None:
            return len(self.html)
        return len(self.text.encode("utf-8")) if self.text is not None else 0

    def reject(self, stage: Stage, reason: Reason, message: str, keep: bool = True) -> Rejected:
        """This input's quarantine record; `keep` stores an excerpt of it for diagnosis."""
        raw = excerpt(self.html if self.html is not None else self.text) if keep else None
        return Rejected(self.source, self.input_ref, self.input_format, stage, reason, message, raw)


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found, still raw: strings as the page gives them, dates unparsed."""

    source: str
    input_ref: str
    input_format: InputFormat
    extractor: str
    text: str
    title: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    modified_at: str | None = None
    sitename: str | None = None
    url: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    fetched_at: str | None = None
    # Where title, publication date and authors were taken from (the record's provenance
    # columns; vocabularies in pipeline.metadata and README "Provenance").
    title_source: str | None = None
    date_source: str | None = None
    authors_source: str | None = None
    # True when `text` is already split in paragraphs by blank lines (text dumps); extractor
    # output has one paragraph per line instead.
    blank_line_paragraphs: bool = False
    # Furniture paragraphs the text-dump parser already dropped (counted in the run summary).
    boilerplate_removed: int = 0


@dataclass(frozen=True, slots=True)
class Article:
    """One normalized record; fields and order follow schemas/article.schema.json."""

    article_id: str
    url: str | None
    canonical_url: str | None
    domain: str | None
    source: str
    sitename: str | None
    title: str | None
    description: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    modified_at: datetime | None
    language: str | None
    language_score: float | None
    text: str
    word_count: int
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    image_url: str | None
    content_sha256: str
    duplicate_of: str | None
    input_format: InputFormat
    input_ref: str
    fetched_at: datetime | None
    ingested_at: datetime
    run_id: str
    extractor: str
    schema_version: str
    # Publishers' reuse signals, known for pages Broadsheet fetched itself (null otherwise).
    tdm_reserved: bool | None = None
    robots_ai_disallowed: bool | None = None
    noai: bool | None = None
    noarchive: bool | None = None
    # The near-duplicate story (set to the article's own id until the publish clusters it).
    story_id: str = ""
    near_duplicate: bool = False
    quality: dict[str, float | int] | None = None
    quality_flags: tuple[str, ...] = ()
    # The publisher's clock (contract 1.4.0): its calendar day and declared UTC offset, and
    # whether the input gave an instant, a local time or a day; then each field's provenance.
    published_date: date | None = None
    published_offset_minutes: int | None = None
    published_precision: str | None = None
    title_source: str | None = None
    date_source: str | None = None
    authors_source: str | None = None
    # Not part of the contract: how many boilerplate paragraphs normalization removed, and the
    # MinHash signature the near-duplicate stage compares (uint32 little-endian bytes).
    boilerplate_removed: int = 0
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not become an article: quarantined with the stage and reason."""

    source: str
    input_ref: str
    input_format: InputFormat
    stage: Stage
    reason: Reason
    message: str
    raw_excerpt: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input read but not processed, by design (a non-HTML WARC record, a filter)."""

    source: str
    input_ref: str
    reason: SkipReason


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An article not written because an earlier record has the same URL or text."""

    article: Article
    duplicate_of: str
    match: Literal["canonical_url", "content_sha256"]
    # The kept record was published by an earlier run (another ingest date or source).
    previous_run: bool = False


RAW_EXCERPT_CHARS = 2000


def excerpt(data: bytes | str | None) -> str | None:
    """A bounded, printable piece of a bad input, kept in quarantine for diagnosis."""
    if data is None:
        return None
    if isinstance(data, bytes):
        data = data[: RAW_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    return data[:RAW_EXCERPT_CHARS]
