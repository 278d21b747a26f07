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
import time
from pathlib import Path

from webapp.files import write_atomic

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
        write_atomic(str(path), data)

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

    # Kinds whose file names start with a sheet's content key (fit/<key>.json,
    # sheet/<key>-<size>.pdf); the other kinds are not tied to one sheet.
    KEYED_KINDS = ("fit", "sheet")

    def prune(self, max_age_days: float = 30, keep_keys: set[str] | None = None) -> list[Path]:
        """Delete entries not written for ``max_age_days``; returns what was removed.

        With ``keep_keys`` (the content keys of the sheets as they are now),
        a sheet's entries are kept whatever their age while the sheet still
        has that content, so a prune never makes an unchanged sheet render
        again. Entries of old sheet versions are never read again; hints
        (one small file per project) are kept.
        """
        limit = time.time() - max_age_days * 86400
        removed: list[Path] = []
        if self.root is None or not self.root.exists():
            return removed
        for path in sorted(self.root.rglob("*")):
            try:
                if not path.is_file() or not self.prunable(path.parent.name, path.name,
                                                           path.stat().st_mtime, limit, keep_keys):
                    continue
                path.unlink()
                removed.append(path)
            except OSError:
                pass
        return removed

    @classmethod
    def prunable(cls, kind: str, name: str, mtime: float, limit: float,
                 keep_keys: set[str] | None) -> bool:
        """Whether prune removes entry ``kind/name`` last written at ``mtime`` (the one
        rule, for this folder and for an object store's copy of it)."""
        if mtime >= limit:
            return False
        if kind == "hint" and not name.startswith(".tmp-"):
            return False
        if keep_keys is not None and kind in cls.KEYED_KINDS:
            key = name.split("-", 1)[0].split(".", 1)[0]
            if key in keep_keys:
                return False
        return True


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

    def prune(self, max_age_days=30, keep_keys=None):
        return []


def as_cache(cache) -> PrintCache:
    if isinstance(cache, PrintCache):
        return cache
    if cache is None:
        return _NoCache()
    return PrintCache(cache)
