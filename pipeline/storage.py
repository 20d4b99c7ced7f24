"""Where a lake lives: a local folder or an object-store prefix (s3://...), through pyarrow.fs.

Object stores have no directories and no rename: a "folder" is a key prefix, and moving one is a
copy and a delete per object. The lake's publish protocol (journal, then moves that can be
resumed) is written against this small interface so it works on both.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import posixpath
from pathlib import Path

import pyarrow.fs as pafs


class Storage:
    """A root location and the few file operations the lake needs, with paths as strings."""

    def __init__(self, location: str | Path) -> None:
        loc = str(location)
        if "://" in loc and not loc.startswith("file://"):
            # s3://bucket/prefix; endpoint and credentials come from the standard AWS
            # variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), or ?endpoint_override=.
            fs, root = pafs.FileSystem.from_uri(loc)
            self.fs: pafs.FileSystem = fs
            self.root = root.rstrip("/")
            self.local = False
            self.uri = loc.split("?", 1)[0].rstrip("/")
        else:
            path = Path(loc.removeprefix("file://")).resolve()
            self.fs = pafs.LocalFileSystem()
            self.root = path.as_posix()
            self.local = True
            self.uri = self.root

    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    def uri_of(self, path: str) -> str:
        """A path as other tools (DuckDB, users) spell it."""
        if self.local:
            return path
        return self.uri + path[len(self.root) :]

    def rel(self, path: str) -> str:
        return posixpath.relpath(path, self.root)

    def exists(self, path: str) -> bool:
        return bool(self.fs.get_file_info(path).type != pafs.FileType.NotFound)

    def makedirs(self, path: str) -> None:
        self.fs.create_dir(path, recursive=True)

    def files(self, prefix: str, pattern: str | None = None) -> list[str]:
        """Files under prefix (recursively), sorted; `pattern` is matched on the relative path."""
        if self.fs.get_file_info(prefix).type != pafs.FileType.Directory:
            return []
        infos = self.fs.get_file_info(pafs.FileSelector(prefix, recursive=True))
        out = []
        for info in infos:
            if info.type != pafs.FileType.File:
                continue
            if pattern is None or fnmatch.fnmatchcase(
                posixpath.relpath(info.path, prefix), pattern
            ):
                out.append(info.path)
        return sorted(out)

    def newest_mtime(self, prefix: str) -> float:
        infos = [self.fs.get_file_info(prefix)]
        if infos[0].type == pafs.FileType.Directory:
            infos += self.fs.get_file_info(pafs.FileSelector(prefix, recursive=True))
        times = [i.mtime.timestamp() for i in infos if i.mtime is not None]
        return max(times, default=0.0)

    def rmtree(self, path: str) -> None:
        if self.fs.get_file_info(path).type == pafs.FileType.Directory:
            self.fs.delete_dir(path)

    def delete(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_file(path)

    def read_bytes(self, path: str) -> bytes:
        with self.fs.open_input_stream(path) as fh:
            data: bytes = fh.read()
        return data

    def write_bytes_durably(self, path: str, data: bytes) -> None:
        """Write all or nothing: a temporary name, fsync, rename (local); one PUT (object store)."""
        if not self.local:
            with self.fs.open_output_stream(path) as fh:
                fh.write(data)
            return
        os.makedirs(posixpath.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(posixpath.dirname(path))

    def move_file(self, src: str, dst: str) -> None:
        self.makedirs(posixpath.dirname(dst))
        self.fs.move(src, dst)

    def swap_dir(self, staged: str, target: str, trash: str) -> None:
        """Put `staged`'s files in place of `target`'s; resumable after a crash at any point.

        Local folders are renamed (each step atomic). On object stores every object is copied
        and deleted; a marker in `trash` records that the old objects are all out of the way, so
        a resumed swap never mistakes new objects for old ones.
        """
        if self.local:
            if not os.path.exists(staged):
                return  # done by an earlier, interrupted attempt
            if os.path.exists(target):
                os.makedirs(posixpath.dirname(trash), exist_ok=True)
                os.replace(target, trash)
            os.makedirs(posixpath.dirname(target), exist_ok=True)
            os.replace(staged, target)
            _fsync_dir(posixpath.dirname(target))
            return
        marker = posixpath.join(trash, ".cleared")
        if not self.exists(marker):
            for f in self.files(target):
                self.move_file(f, posixpath.join(trash, posixpath.relpath(f, target)))
            self.write_bytes_durably(marker, b"")
        for f in self.files(staged):
            self.move_file(f, posixpath.join(target, posixpath.relpath(f, staged)))


def _fsync_dir(path: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
