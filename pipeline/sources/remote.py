"""Seekable readers for input files that live elsewhere: object stores and HTTP(S) servers.

WARC damage recovery needs to seek (back to the last good record, forward to the next gzip
member), so remote files are read through seekable views rather than one long stream: pyarrow's
filesystems for s3://, and HTTP range requests for http(s):// (Common Crawl serves both).
"""

from __future__ import annotations

import io
import logging
import re
import time
from typing import IO, TYPE_CHECKING, cast

# httpx and pyarrow.fs are imported when a remote file is opened: listing WARCs (planning a
# night) must not pay for them.
if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class HttpRangeFile(io.RawIOBase):
    """A read-only, seekable view of one HTTP resource, fetched in blocks with Range requests.

    Memory is one block whatever the file size. Transient transport errors (timeouts, resets, cut
    bodies), 5xx and 429 are retried with back-off; every failure ends as OSError. A server that
    ignores Range (answers 200 with the whole body) is refused rather than downloaded whole.
    """

    def __init__(
        self,
        url: str,
        *,
        block_size: int = 4 << 20,
        timeout_s: float = 60.0,
        retries: int = 4,
        user_agent: str = "broadsheet (WARC reader)",
    ) -> None:
        import httpx

        super().__init__()
        self.url = url
        self.block_size = block_size
        self.retries = retries
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            headers={"User-Agent": user_agent, "Accept-Encoding": "identity"},
            follow_redirects=True,
            max_redirects=5,
        )
        self._pos = 0
        self._buf = b""
        self._buf_start = 0
        self.size = -1
        self._fill(0)  # fails early (404, no range support) and learns the size

    def _get(self, start: int, end: int) -> httpx.Response:
        import httpx

        from pipeline.fetch import TRANSIENT_ERRORS

        delay = 0.5
        for attempt in range(self.retries + 1):
            try:
                resp = self._client.get(self.url, headers={"Range": f"bytes={start}-{end}"})
            except (httpx.HTTPError, httpx.InvalidURL) as e:
                # Too many redirects, a redirect to another scheme, a bad URL: the same next time.
                if attempt == self.retries or not isinstance(e, TRANSIENT_ERRORS):
                    raise OSError(f"GET {self.url}: {type(e).__name__}: {e}") from e
            else:
                if resp.status_code < 500 and resp.status_code != 429:
                    return resp
                if attempt == self.retries:
                    raise OSError(f"GET {self.url}: HTTP {resp.status_code}")
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _fill(self, pos: int) -> None:
        if self.size >= 0 and pos >= self.size:
            self._buf, self._buf_start = b"", pos
            return
        resp = self._get(pos, pos + self.block_size - 1)
        if resp.status_code == 416:  # past the end
            self._buf, self._buf_start = b"", pos
            self.size = max(self.size, pos)
            return
        if resp.status_code != 206:
            raise OSError(
                f"GET {self.url}: HTTP {resp.status_code}; "
                "the server must answer range requests (206) for WARC files"
            )
        m = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
        if not m or int(m.group(1)) != pos:
            raise OSError(f"GET {self.url}: bad Content-Range {resp.headers.get('Content-Range')}")
        if m.group(3) != "*":
            self.size = int(m.group(3))
        body = resp.content
        if len(body) > self.block_size:
            raise OSError(f"GET {self.url}: server sent more than the range asked for")
        self._buf, self._buf_start = body, pos

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = offset
        elif whence == io.SEEK_CUR:
            self._pos += offset
        elif whence == io.SEEK_END:
            if self.size < 0:
                raise OSError("size unknown")
            self._pos = self.size + offset
        self._pos = max(self._pos, 0)
        return self._pos

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        want = len(b)
        if want == 0:
            return 0
        rel = self._pos - self._buf_start
        if not 0 <= rel < len(self._buf):
            self._fill(self._pos)
            rel = 0
        chunk = self._buf[rel : rel + want]
        n = len(chunk)
        b[:n] = chunk
        self._pos += n
        return n

    def close(self) -> None:
        self._client.close()
        super().close()


def open_location(location: str) -> IO[bytes]:
    """A seekable binary reader for a local path, an s3:// object or an http(s):// URL."""
    if location.startswith(("http://", "https://")):
        return cast(IO[bytes], io.BufferedReader(HttpRangeFile(location), buffer_size=1 << 16))
    if "://" in location and not location.startswith("file://"):
        import pyarrow.fs as pafs

        fs, path = pafs.FileSystem.from_uri(location)
        return cast(IO[bytes], fs.open_input_file(path))
    return open(location.removeprefix("file://"), "rb")  # noqa: SIM115 - the caller closes it


def join_location(base: str, entry: str) -> str | None:
    """base/entry for a listing entry, or None when the entry could escape base.

    Listing entries are data, not configuration: absolute paths, URLs, '..' segments and
    control characters are refused.
    """
    entry = entry.strip()
    if (
        not entry
        or entry.startswith(("/", "\\"))
        or "://" in entry
        or any(ord(c) < 32 for c in entry)
        or any(part in ("..", ".") for part in re.split(r"[/\\]", entry))
    ):
        return None
    return base.rstrip("/") + "/" + entry
