"""The one font subset of the compiled report: cut from IPAex's raw glyph data,
it must draw every kept glyph exactly as the full font does, at the same id."""
from __future__ import annotations

import io

from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from webapp.printing.fonts import find_fonts
from webapp.printing.subset import subset_font

# ids of glyphs the FY2023 report uses: kana, kanji, digits and punctuation
SPACE = 3
KEPT = [SPACE, 17, 20, 642, 643, 700, 1085, 1400, 2088, 4417, 6017, 8231]


def _outline(font: TTFont, gid: int):
    name = font.getGlyphOrder()[gid]
    pen = RecordingPen()
    font.getGlyphSet()[name].draw(pen)
    return pen.value, font["hmtx"][name][0]


def test_kept_glyphs_draw_as_in_the_full_font_at_their_own_ids():
    for path in (find_fonts().gothic, find_fonts().mincho):
        with open(path, "rb") as fh:
            data = fh.read()
        full = TTFont(io.BytesIO(data))
        small = TTFont(io.BytesIO(subset_font(data, KEPT)))
        for gid in KEPT:
            assert _outline(small, gid) == _outline(full, gid), (path, gid)
            assert gid == SPACE or _outline(small, gid)[0] != []
        # the other ids are empty, and nothing past the last kept id is carried
        assert _outline(small, 18) == ([], 0)
        assert small["maxp"].numGlyphs == 8232


def test_the_subset_carries_no_hinting_and_no_tables_a_pdf_viewer_ignores():
    with open(find_fonts().gothic, "rb") as fh:
        small = TTFont(io.BytesIO(subset_font(fh.read(), KEPT)))
    assert sorted(small.keys()) == ["GlyphOrder", "OS/2", "gasp", "glyf", "head", "hhea",
                                    "hmtx", "loca", "maxp", "name", "post"]
    glyph = small["glyf"][small.getGlyphOrder()[1085]]
    assert glyph.numberOfContours > 0 and len(glyph.program.getBytecode()) == 0


def test_the_same_glyphs_give_the_same_bytes():
    with open(find_fonts().gothic, "rb") as fh:
        data = fh.read()
    assert subset_font(data, KEPT) == subset_font(data, list(reversed(KEPT)) + [3])
