"""Locate the IPAex font files that every printed page embeds.

The stylesheet names the files explicitly with ``@font-face`` rather than
relying on fontconfig's family substitution: a machine without IPAex would
otherwise silently print in some other font (or boxes) and nobody would
notice until the report is handed out.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass

from .errors import FontMissingError

__all__ = ["FontFiles", "find_fonts", "font_face_css", "GOTHIC", "MINCHO"]

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"

# Where Debian/Ubuntu and common hand installs put the files; used when
# fontconfig is unavailable or does not know the family.
_KNOWN_PATHS = {
    GOTHIC: (
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/ipaex/ipaexg.ttf",
        "/usr/local/share/fonts/ipaexg.ttf",
    ),
    MINCHO: (
        "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/truetype/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/ipaex/ipaexm.ttf",
        "/usr/local/share/fonts/ipaexm.ttf",
    ),
}

#: Environment variable naming a directory holding ipaexg.ttf/ipaexm.ttf,
#: for installations that ship the fonts next to the app.
FONT_DIR_ENV = "PRINT_FONT_DIR"
_FILE_NAMES = {GOTHIC: "ipaexg.ttf", MINCHO: "ipaexm.ttf"}


@dataclass(frozen=True)
class FontFiles:
    gothic: str
    mincho: str

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.gothic, self.mincho)

    def fingerprint(self) -> str:
        """Identity of the installed files, for cache keys: an updated font
        changes glyph metrics and thus the fitted size."""
        parts = []
        for path in self.paths:
            st = os.stat(path)
            parts.append(f"{path}:{st.st_size}:{int(st.st_mtime)}")
        return "|".join(parts)


def _fc_match(family: str) -> str | None:
    """Ask fontconfig for the file of ``family``; None unless it is that family.

    fc-match always answers with *some* font, so the family it reports is
    checked: a substitute is as bad as no font here.
    """
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}", family],
            capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.split("\n")
    if len(lines) < 2:
        return None
    families = [name.strip() for name in lines[0].split(",")]
    if family not in families:
        return None
    path = os.path.realpath(lines[1].strip())
    return path if os.path.isfile(path) else None


def _find(family: str) -> str:
    env_dir = os.environ.get(FONT_DIR_ENV)
    if env_dir:
        path = os.path.join(env_dir, _FILE_NAMES[family])
        if os.path.isfile(path):
            return os.path.realpath(path)
    for path in _KNOWN_PATHS[family]:
        if os.path.isfile(path):
            return os.path.realpath(path)
    path = _fc_match(family)
    if path:
        return path
    raise FontMissingError(family)


@functools.lru_cache(maxsize=1)
def _cached_fonts() -> FontFiles:
    return FontFiles(gothic=_find(GOTHIC), mincho=_find(MINCHO))


def find_fonts() -> FontFiles:
    """Paths of the IPAex font files; raises FontMissingError.

    The lookup is cached per process, but a file removed since is reported
    rather than handed to WeasyPrint.
    """
    fonts = _cached_fonts()
    if not all(os.path.isfile(p) for p in fonts.paths):
        _cached_fonts.cache_clear()
        fonts = _cached_fonts()
    return fonts


def _css_url(path: str) -> str:
    from pathlib import Path
    return Path(path).as_uri()


def font_face_css(fonts: FontFiles, mincho: bool = True) -> str:
    """@font-face rules binding the IPAex family names to the exact files.

    The embedded PDF fonts are named after these families, which is how a
    reader of the PDF (and our tests) can tell that IPAex was used.  Sheets
    use the gothic only; each face declared costs every rendering process
    the loading of a multi-megabyte font file.
    """
    faces = [(GOTHIC, fonts.gothic)] + ([(MINCHO, fonts.mincho)] if mincho else [])
    return "\n".join(f'@font-face {{ font-family: "{family}"; src: url("{_css_url(path)}"); }}'
                     for family, path in faces)
