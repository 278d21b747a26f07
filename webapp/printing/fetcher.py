"""The only way WeasyPrint may read anything while printing.

Sheet text is user input.  It is always escaped, so it cannot add elements,
but the fetcher is the second wall: only ``data:`` URIs and files inside
known folders (our templates, the fonts, the uploads folder) can be read; no
network, no redirects, no ``file:`` elsewhere.  See WeasyPrint's "Security"
documentation.
"""
from __future__ import annotations

import mimetypes
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import ForbiddenResourceError

__all__ = ["SafeURLFetcher", "is_inside", "check_upload_path"]


def is_inside(path: str, root: str) -> bool:
    """True when the real ``path`` is ``root`` or below it.

    Both sides are resolved (symlinks, ``..``) first, and compared by path
    components: ``/srv/uploads-evil`` is not inside ``/srv/uploads``.
    """
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    try:
        return os.path.commonpath([real, real_root]) == real_root
    except ValueError:  # different drives on Windows
        return False


def check_upload_path(path: str, uploads_dir: str | None) -> str:
    """Return the real path of an uploaded figure, or raise.

    Called before rendering so that a figure pointing outside the uploads
    folder is refused with a clear error instead of silently missing.
    """
    if not uploads_dir:
        raise ForbiddenResourceError(path, "no uploads folder configured")
    if not os.path.isabs(path):
        raise ForbiddenResourceError(path, "image path must be absolute")
    if not is_inside(path, uploads_dir):
        raise ForbiddenResourceError(path, "outside the uploads folder")
    real = os.path.realpath(path)
    if not os.path.isfile(real):
        raise ForbiddenResourceError(path, "no such file")
    return real


class SafeURLFetcher(URLFetcher):
    """URLFetcher allowing ``data:`` URIs and files below ``roots``.

    ``files`` are single files allowed in addition (the font files, which
    live in a system folder we do not want to open as a whole).  Refused
    URLs raise ForbiddenResourceError — which WeasyPrint logs and skips —
    and are kept in :attr:`refused` so callers can fail the build.
    """

    def __init__(self, roots=(), files=(), **kwargs):
        kwargs.setdefault("timeout", 5)
        super().__init__(allowed_protocols={"data", "file"},
                         allow_redirects=False, **kwargs)
        self._roots = tuple(os.path.realpath(r) for r in roots if r)
        self._files = frozenset(os.path.realpath(f) for f in files if f)
        self._lock = threading.Lock()
        self.refused: list[str] = []

    def _refuse(self, url: str, reason: str):
        with self._lock:
            self.refused.append(url)
        raise ForbiddenResourceError(url, reason)

    def allows_path(self, path: str) -> bool:
        real = os.path.realpath(path)
        if real in self._files:
            return True
        return any(is_inside(real, root) for root in self._roots)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            # urllib's DataHandler decodes it; nothing leaves the process.
            return super().fetch(url, headers)
        if scheme != "file":
            self._refuse(url, f"scheme {scheme or '(none)'} not allowed")
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "remote file URL")
        path = url2pathname(unquote(parts.path))
        if not self.allows_path(path):
            self._refuse(url, "outside the allowed folders")
        real = os.path.realpath(path)
        if not os.path.isfile(real):
            self._refuse(url, "no such file")
        mime, _ = mimetypes.guess_type(real)
        body = Path(real).read_bytes()
        return URLFetcherResponse(
            Path(real).as_uri(), body,
            {"Content-Type": mime or "application/octet-stream"})
