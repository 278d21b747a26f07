"""Subset a TrueType font to a set of glyph ids, keeping the ids.

Used once per font after the report is assembled: every sheet PDF carries
its own subset of the same font, and WeasyPrint keeps glyph ids (its CID
fonts map CID = glyph id), so one subset holding the union of their glyphs
can replace them all without touching any content stream.

The subset is cut from the font's raw glyph data rather than through
fontTools' subsetter: with glyph ids retained, the subsetter decompiles and
recompiles every glyph of IPAexGothic's twelve thousand (0.7 s a rebuild),
whereas copying the kept glyphs' bytes and dropping their hinting takes a
few milliseconds. fontTools still reads and writes the other tables. HarfBuzz
6.0's subsetter refuses to retain glyph ids for this font. The result is
also cached by font and glyph set.
"""
from __future__ import annotations

import hashlib
import io
import struct

__all__ = ["subset_font", "cached_subset"]

# Shaping tables are of no use to a PDF viewer (text is already shaped),
# nor is cmap (a CIDFontType2 with CIDToGIDMap /Identity is reached by glyph
# id) or vertical metrics (the report sets no vertical text). The hinting
# programs go with the glyphs' own instructions, which are stripped: they
# are about 40 % of the glyph data, and PDF viewers rarely run them.
_DROP = ["BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG",
         "cmap", "GDEF", "vhea", "vmtx", "fpgm", "prep", "cvt ", "hdmx", "VDMX", "kern"]

# Composite glyph flags (OpenType 'glyf' table).
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_HAVE_XY_SCALE = 0x0040
_HAVE_TWO_BY_TWO = 0x0080
_HAVE_INSTRUCTIONS = 0x0100


def _components(glyph: bytes) -> tuple[list[int], int]:
    """(component glyph ids, offset where the components end) of a composite glyph."""
    ids, pos = [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", glyph, pos)
        ids.append(gid)
        pos += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        if flags & _HAVE_SCALE:
            pos += 2
        elif flags & _HAVE_XY_SCALE:
            pos += 4
        elif flags & _HAVE_TWO_BY_TWO:
            pos += 8
        if not flags & _MORE_COMPONENTS:
            return ids, pos


def _simple_end(glyph: bytes, contours: int, pos: int) -> int:
    """Where a simple glyph's outline data ends (its padding is not kept:
    the glyph is padded again where it lands)."""
    if contours == 0:
        return pos
    points = struct.unpack_from(">H", glyph, 10 + 2 * (contours - 1))[0] + 1
    x_bytes = y_bytes = 0
    while points > 0:
        flags = glyph[pos]
        pos += 1
        repeat = 1
        if flags & 0x08:                            # REPEAT_FLAG
            repeat += glyph[pos]
            pos += 1
        x_bytes += repeat * (1 if flags & 0x02 else 0 if flags & 0x10 else 2)
        y_bytes += repeat * (1 if flags & 0x04 else 0 if flags & 0x20 else 2)
        points -= repeat
    return pos + x_bytes + y_bytes


def _without_hinting(glyph: bytes) -> bytes:
    """The glyph's bytes with its instructions taken out (outline unchanged)."""
    if not glyph:
        return glyph
    contours = struct.unpack_from(">h", glyph)[0]
    if contours >= 0:
        at = 10 + 2 * contours                      # instructionLength
        length = struct.unpack_from(">H", glyph, at)[0]
        start = at + 2 + length
        return glyph[:at] + b"\0\0" + glyph[start:_simple_end(glyph, contours, start)]
    _, end = _components(glyph)
    out = bytearray(glyph[:end])
    pos = 10
    while True:                                     # clear WE_HAVE_INSTRUCTIONS on every component
        flags = struct.unpack_from(">H", out, pos)[0]
        struct.pack_into(">H", out, pos, flags & ~_HAVE_INSTRUCTIONS)
        pos += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        pos += 2 if flags & _HAVE_SCALE else 4 if flags & _HAVE_XY_SCALE else 8 if flags & _HAVE_TWO_BY_TWO else 0
        if not flags & _MORE_COMPONENTS:
            return bytes(out)


def subset_font(data: bytes, gids) -> bytes:
    """``data`` (a TrueType font) reduced to glyph ids ``gids`` (and .notdef,
    and the parts of composite glyphs), every kept glyph at its original id;
    the other ids are left as empty glyphs."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables.DefaultTable import DefaultTable
    # no timestamp: the same glyphs must give the same bytes
    font = TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    count = font["maxp"].numGlyphs
    offsets = list(font["loca"].locations)
    glyf = font.reader["glyf"]

    def raw(gid: int) -> bytes:
        return glyf[offsets[gid]:offsets[gid + 1]]

    keep, todo = set(), [g for g in set(gids) | {0} if 0 <= g < count]
    while todo:
        gid = todo.pop()
        if gid in keep:
            continue
        keep.add(gid)
        glyph = raw(gid)
        if len(glyph) >= 10 and struct.unpack_from(">h", glyph)[0] < 0:
            todo.extend(g for g in _components(glyph)[0] if g < count)

    # Ids above the last kept glyph are cut off, as fontTools' subsetter does.
    count = max(keep) + 1
    parts, locations, position = [], [0], 0
    for gid in range(count):
        glyph = _without_hinting(raw(gid)) if gid in keep else b""
        glyph += b"\0" * (-len(glyph) % 4)
        parts.append(glyph)
        position += len(glyph)
        locations.append(position)
    new_glyf, new_loca = DefaultTable("glyf"), DefaultTable("loca")
    new_glyf.data = b"".join(parts)
    new_loca.data = struct.pack(f">{count + 1}I", *locations)
    font["head"].indexToLocFormat = 1
    order = font.getGlyphOrder()[:count]
    metrics = font["hmtx"].metrics
    font["hmtx"].metrics = {name: metrics[name] if gid in keep else (0, 0)
                            for gid, name in enumerate(order)}
    font.setGlyphOrder(order)
    font["maxp"].numGlyphs = count
    # No glyph names (a PDF viewer never asks for them): post format 3.
    font["post"].formatType = 3.0
    for tag in _DROP:
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    if maxp.tableVersion >= 0x00010000:
        maxp.maxSizeOfInstructions = 0
        maxp.maxFunctionDefs = maxp.maxInstructionDefs = maxp.maxStackElements = 0
        maxp.maxStorage = maxp.maxTwilightPoints = 0
    font["glyf"], font["loca"] = new_glyf, new_loca
    out = io.BytesIO()
    font.save(out, reorderTables=False)
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
