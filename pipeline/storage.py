"""Where a lake lives: a local folder or an object-store prefix (s3://...), through pyarrow.fs.

Object stores have no directories and no rename: a "folder" is a key prefix, and moving one is a
copy and a delete per object. The lake's publish protocol (journal, then moves that can be
resumed) is written against this small interface so it works on both. On object stores a
partition is replaced by writing a new version beside the old one and then a pointer to it, one
PUT: readers that follow pointers (`current_files`) see the old partition or the new one,
never a mix.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import posixpath
from collections.abc import Iterable
from pathlib import Path

import pyarrow.fs as pafs

# On object stores a partition holds versions (folders under _v/) and pointers, empty objects
# named _current.<n>.<version>: the newest names the version readers see. A pointer is found
# by the listing readers make anyway, so following it costs no extra request.
VERSIONS = "_v"
POINTER = "_current."


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

    def swap_dir(self, staged: str, target: str, trash: str, version: str) -> None:
        """Put `staged`'s files in place of `target`'s; resumable after a crash at any point.

        Local folders are renamed (each step atomic). Object stores get a new version and a
        pointer to it (`_publish_version`).
        """
        if not self.local:
            if self.exists(posixpath.join(trash, ".cleared")):
                # Rolling forward a swap begun by a release before versions: the objects it
                # already moved in are this publish's, so they join the version.
                for f in self.files(target):
                    if "/" not in posixpath.relpath(f, target):
                        self.move_file(f, posixpath.join(staged, posixpath.relpath(f, target)))
            self._publish_version(staged, target, version)
            return
        if not os.path.exists(staged):
            return  # done by an earlier, interrupted attempt
        if os.path.exists(target):
            os.makedirs(posixpath.dirname(trash), exist_ok=True)
            os.replace(target, trash)
        os.makedirs(posixpath.dirname(target), exist_ok=True)
        os.replace(staged, target)
        _fsync_dir(posixpath.dirname(target))

    def _publish_version(self, staged: str, target: str, version: str) -> None:
        """Move `staged`'s objects to `target/_v/<version>/`, then put the pointer
        `target/_current.<n>.<version>`, n one more than the newest: the one atomic step.
        The previous version stays for readers that chose it a moment ago; older versions and
        pointers, and the flat files of a partition published before versions, are deleted.
        Resumable: every step can be done again."""
        new = posixpath.join(target, VERSIONS, version)
        for f in self.files(staged):
            self.move_file(f, posixpath.join(new, posixpath.relpath(f, staged)))
        pointers = _pointers(posixpath.relpath(f, target) for f in self.files(target))
        if not pointers or pointers[-1][1] != version:  # else put by an interrupted attempt
            n = pointers[-1][0] + 1 if pointers else 1
            self.write_bytes_durably(posixpath.join(target, f"{POINTER}{n:012d}.{version}"), b"")
            pointers.append((n, version))
        kept = pointers[-2:]
        for f in self.files(target):
            rel = posixpath.relpath(f, target).split("/")
            if rel[0] == VERSIONS and len(rel) > 2:
                stale = rel[1] not in {v for _, v in kept}
            elif len(rel) == 1 and rel[0].startswith(POINTER):
                stale = _pointers(rel)[0] not in kept
            else:  # flat files from before versions: the previous version until now
                stale = len(rel) == 1 and len(kept) > 1
            if stale:
                self.delete(f)

    def current_files(self, prefix: str, depth: int, pattern: str = "*") -> list[str]:
        """The files of every partition `depth` folders below `prefix`, sorted, from one
        listing: those of the version its newest pointer names, else (a partition published
        before versions) the files directly in it. `pattern` matches file names."""
        parts: dict[str, list[str]] = {}
        for f in self.files(prefix):
            rel = posixpath.relpath(f, prefix).split("/")
            if len(rel) > depth:
                part = posixpath.join(prefix, *rel[:depth])
                parts.setdefault(part, []).append("/".join(rel[depth:]))
        out = []
        for part, names in parts.items():
            pointers = _pointers(names)
            if pointers:
                inside = f"{VERSIONS}/{pointers[-1][1]}/"
                chosen = [n for n in names if n.startswith(inside)]
            else:
                chosen = [n for n in names if "/" not in n]
            out += [
                posixpath.join(part, n)
                for n in chosen
                if fnmatch.fnmatchcase(posixpath.basename(n), pattern)
            ]
        return sorted(out)


def _pointers(names: Iterable[str]) -> list[tuple[int, str]]:
    """(n, version) of the pointers among a partition's names, oldest first."""
    out = []
    for name in names:
        if name.startswith(POINTER) and "/" not in name:
            n, _, version = name.removeprefix(POINTER).partition(".")
            if n.isdigit() and version:
                out.append((int(n), version))
    return sorted(out)


def _fsync_dir(path: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
