"""Subset a TrueType font to a set of glyph ids, keeping the ids.

Used once per font after the report is assembled: every sheet PDF carries
its own subset of the same font, and WeasyPrint keeps glyph ids (its CID
fonts map CID = glyph id), so one subset holding the union of their glyphs
can replace them all without touching any content stream.

Subsetting IPAexGothic takes about half a second (fontTools; HarfBuzz
6.0's subsetter refuses to retain glyph ids for this font), so the result
is cached by font and glyph set.
"""
from __future__ import annotations

import hashlib
import io

__all__ = ["subset_font", "cached_subset"]

# Shaping tables are of no use to a PDF viewer (text is already shaped),
# nor is cmap (a CIDFontType2 with CIDToGIDMap /Identity is reached by glyph
# id) or vertical metrics (the report sets no vertical text); leaving them
# out makes the subset a quarter faster and smaller.
_DROP = ["BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG",
         "cmap", "GDEF", "vhea", "vmtx"]


def subset_font(data: bytes, gids) -> bytes:
    """``data`` (a TrueType font) reduced to glyph ids ``gids`` (and .notdef),
    every kept glyph at its original id."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    options = subset.Options(retain_gids=True, passthrough_tables=True,
                             ignore_missing_glyphs=True, hinting=False,
                             desubroutinize=True, notdef_outline=True,
                             # these read cmap, which is dropped
                             prune_unicode_ranges=False, prune_codepage_ranges=False)
    options.drop_tables += _DROP
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(set(gids) | {0}))
    # no timestamp: the same glyphs must give the same bytes
    font = TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cached_subset(path: str, gids, cache) -> bytes:
    """The subset of the font file at ``path`` to exactly ``gids``, cached.

    Exactly, not "at least": the same report must give the same bytes
    whatever was built before it.  A rebuild after an edit that uses no new
    character reuses the cached subset.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    needed = sorted(set(gids) | {0})
    digest = hashlib.sha256(data + repr(needed).encode()).hexdigest()[:32]
    font = cache.read_bytes("fontsubset", digest + ".ttf")
    if font is None:
        font = subset_font(data, needed)
        cache.write_bytes("fontsubset", digest + ".ttf", font)
    return font
