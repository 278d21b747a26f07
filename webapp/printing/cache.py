"""A directory of cached print results, safe to share between processes.

Every file is written to a temporary name in the same directory and then
renamed over the final name, so a reader (another gunicorn worker, an RQ
job, a pool process) sees either the old complete file or the new one,
never a partial write.  Entries are content-addressed, so two processes
writing the same key write the same bytes and the race is harmless.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

__all__ = ["PrintCache", "as_cache"]

# Bump to orphan every entry written by an incompatible layout of the folder.
_LAYOUT = "printing-v1"


class PrintCache:
    def __init__(self, directory: str | os.PathLike):
        self.root = Path(directory) / _LAYOUT

    def __repr__(self):
        return f"PrintCache({str(self.root)!r})"

    def _path(self, kind: str, name: str) -> Path:
        return self.root / kind / name

    def read_bytes(self, kind: str, name: str) -> bytes | None:
        try:
            return self._path(kind, name).read_bytes()
        except FileNotFoundError:
            return None

    def write_bytes(self, kind: str, name: str, data: bytes) -> None:
        path = self._path(kind, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def read_json(self, kind: str, name: str):
        data = self.read_bytes(kind, name + ".json")
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None  # a file from an older format: recompute

    def write_json(self, kind: str, name: str, value) -> None:
        self.write_bytes(kind, name + ".json",
                         json.dumps(value, ensure_ascii=False, sort_keys=True).encode())

    def prune(self, max_age_days: float = 30) -> int:
        """Delete entries not written for ``max_age_days``; returns the count.

        Content-addressed entries of old sheet versions are never read
        again, so an occasional prune (e.g. when a cycle closes) keeps the
        folder small.
        """
        limit = time.time() - max_age_days * 86400
        removed = 0
        if not self.root.exists():
            return 0
        for path in self.root.rglob("*"):
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                pass
        return removed


class _NoCache(PrintCache):
    """Used when the caller passes no cache directory: remembers nothing."""

    def __init__(self):
        self.root = None

    def __repr__(self):
        return "PrintCache(None)"

    def read_bytes(self, kind, name):
        return None

    def write_bytes(self, kind, name, data):
        pass

    def prune(self, max_age_days=30):
        return 0


def as_cache(cache) -> PrintCache:
    if isinstance(cache, PrintCache):
        return cache
    if cache is None:
        return _NoCache()
    return PrintCache(cache)
