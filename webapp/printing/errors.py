"""Exceptions of the printing package.

Messages are bilingual: coordinators and the secretariat read the Japanese
half in the UI, operators read the English half in logs.
"""
from __future__ import annotations

__all__ = ["PrintingError", "FontMissingError", "ForbiddenResourceError"]


class PrintingError(Exception):
    """Base class: a sheet or report could not be printed."""


class FontMissingError(PrintingError):
    """A required Japanese font file is not installed.

    Raised instead of printing, because WeasyPrint would otherwise fall back
    to whatever font it finds and print tofu boxes.
    """

    def __init__(self, family: str, hint: str = ""):
        self.family, self.hint = family, hint
        super().__init__(
            f"PDF用の日本語フォント「{family}」が見つかりません。"
            f"fonts-ipaexfont をインストールしてください。 / "
            f"Japanese font {family!r} not found; install the IPAex fonts "
            f"(Debian: apt-get install fonts-ipaexfont).{(' ' + hint) if hint else ''}")

    def __reduce__(self):
        # rebuilt from its arguments when it crosses a process boundary
        return type(self), (self.family, self.hint)


class ForbiddenResourceError(PrintingError):
    """A sheet refers to a file or URL that printing must not read."""

    def __init__(self, url: str, reason: str = ""):
        self.url, self.reason = url, reason
        super().__init__(
            f"印刷に使用できないファイルまたはURLです: {url} / "
            f"resource not allowed in print: {url}{(' (' + reason + ')') if reason else ''}")

    def __reduce__(self):
        return type(self), (self.url, self.reason)
