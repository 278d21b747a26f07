"""Split a plain-text sheet field into list items.

Sheet fields are plain text typed (or pasted from Word/Excel) by
coordinators, one item per line.  Both the printed sheet and the on-screen
sheet page show such a field as a list with hanging indents, so the parsing
lives here, free of any HTML: callers escape ``body`` themselves (Jinja2
autoescape does it in our templates).

    >>> parse("・水素\\n  ※近年のプロジェクト")
    [Block(level=0, marker='・', body='水素'), Block(level=1, marker='※', body='近年のプロジェクト')]
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Block", "parse", "MAX_LEVEL", "MAX_MARKER_EM", "marker_width_em", "is_fullwidth"]

#: Widest hanging indent, in em; a longer "marker" is not a list marker.
MAX_MARKER_EM = 5.0

#: Deeper nesting than this is printed at this level: a sheet is one page and
#: every level costs width in a half-page column.
MAX_LEVEL = 3

# Symbols that start a list item on their own.  "-" is handled separately
# because it is also a minus sign.
_BULLETS = "・○〇●◎◉◯◆◇■□▪▫※•◦▶▷►▸▹➢➤★☆＊*⇒→⇨⇒▼▽△▲"

# Single characters that are numbers in a circle, in parentheses or followed
# by a full stop (①, ⑴, ⒈, ❶ ...).
_NUMBER_SYMBOLS = "".join(
    chr(c) for start, end in (
        (0x2460, 0x249B),   # ①-⑳ ⑴-⒇ ⒈-⒛
        (0x24EB, 0x24FF),   # ⓫-⓴ ⓵-⓾ ⓿
        (0x2776, 0x2793),   # ❶-❿ ➀-➉ ➊-➓
        (0x3251, 0x325F),   # ㉑-㉟
        (0x32B1, 0x32BF),   # ㊱-㊿
        (0x3280, 0x3289),   # ㊀-㊉
    ) for c in range(start, end + 1))

_DIGITS = "0-9０-９"
_KANJI_NUMERALS = "一二三四五六七八九十"
_ITEM_TOKEN = (
    rf"(?:[{_DIGITS}]{{1,3}}|[{_KANJI_NUMERALS}]{{1,3}}|[ア-ンｱ-ﾝ]|[a-zA-Zａ-ｚＡ-Ｚ]"
    r"|[ⅰ-ⅿⅠ-Ⅿ])")

_MARKER_RE = re.compile(
    "|".join((
        # （１） (1) （一） (ア) (a) — either kind of bracket on either side
        rf"[（(][ 　]?{_ITEM_TOKEN}[ 　]?[）)]",
        # １． 1. 1) １） ア． 一、 — but not "2.5GW" or "2024.3月"
        rf"(?:[{_DIGITS}]{{1,2}}|[{_KANJI_NUMERALS}]{{1,3}}|[ア-ン]|[ⅰ-ⅿⅠ-Ⅿ])"
        rf"[．.）)、](?![{_DIGITS}])",
        # a) Ａ） — a bare Latin letter needs a closing bracket, else "e.g." matches
        r"[a-zA-Zａ-ｚＡ-Ｚ][）)]",
        rf"[{re.escape(_NUMBER_SYMBOLS)}]",
        rf"[{re.escape(_BULLETS)}]",
        # "- item", "– item": a dash only counts when a space follows
        r"[-–—－―](?=[ 　])",
    )))

_SEPARATORS = " 　\t"


@dataclass(frozen=True)
class Block:
    """One line of a text field.

    ``level`` is the nesting depth (0 = not indented), ``marker`` the list
    marker as typed (empty for a plain paragraph line), ``body`` the text
    after the marker with the separating spaces removed.
    """

    level: int
    marker: str
    body: str


def _indent(line: str) -> tuple[int, str]:
    """Return (indent width in half-width spaces, rest of the line).

    A tab counts as one level.  A leading full-width space is the Japanese
    paragraph indent and stays part of the text, unless a list marker
    follows it — then the writer clearly meant to indent the item.
    """
    width = 0
    pos = 0
    while pos < len(line):
        ch = line[pos]
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 2
        elif ch == "\u3000":
            rest = line[pos:].lstrip(" \t\u3000")
            if not _MARKER_RE.match(rest):
                break
            width += 2
        else:
            break
        pos += 1
    return width, line[pos:]


def parse(text: str | None) -> list[Block]:
    """Parse a text field into blocks; blank lines are dropped."""
    if not text:
        return []
    blocks = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        width, rest = _indent(line)
        level = min(width // 2, MAX_LEVEL)
        match = _MARKER_RE.match(rest)
        if match:
            marker = match.group(0)
            body = rest[match.end():].lstrip(_SEPARATORS)
        else:
            marker, body = "", rest
        blocks.append(Block(level, marker, body))
    return blocks


def marker_width_em(marker: str) -> float:
    """Width to reserve for ``marker`` in a hanging indent, in em.

    Full-width characters take 1em and others about half of it; rounding up
    to half an em keeps the body text of sibling items aligned.
    """
    if not marker:
        return 0.0
    width = sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55
                for ch in marker)
    # A half-width marker needs a gap before the body; full-width glyphs
    # carry their own side bearings.
    if unicodedata.east_asian_width(marker[-1]) not in "WFA":
        width += 0.3
    return min(MAX_MARKER_EM, max(1.0, -(-width * 2 // 1) / 2))


def is_fullwidth(marker: str) -> bool:
    """True when every character of ``marker`` is full width (1em)."""
    return bool(marker) and all(unicodedata.east_asian_width(ch) in "WF" for ch in marker)
