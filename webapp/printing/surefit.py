"""A fit answered by the text-length model alone, when it is far from the page's end.

The editor asks "does the sheet fit one page?" after every pause in typing;
under load each answer is a WeasyPrint layout (estimate.py's model is only
the first guess of fitting.py's search).  A sheet whose model says it fills
the page only up to ``1 - FIT_MARGIN`` at some size needs no layout to know
that it fits: the model's error on the FY2023 sheets is far smaller than the
margin (bench/fit_margin.py measures it; README, 「1ページに収まるかの確認」).
Near the boundary, or for a sheet with uploaded images (which the model
knows only by their shape), the answer is None and the sheet is laid out.

The answer is the largest such size: the sheet prints at that size or a
larger one (the search decides), never at a smaller one.
"""
from __future__ import annotations

from . import layout_constants as LC
from .estimate import column_heights_em
from .sheetview import sheet_view

__all__ = ["FIT_MARGIN", "estimated_fill", "sure_size"]

#: How far inside the page the model must put a sheet for its answer to stand
#: without a layout.  On the 21 FY2023 sheets and their halved copies at 10.5-7pt
#: (336 layouts, bench/fit_margin.py) the real fill was at most 1.11 times the
#: model's, which calls for 0.10; 0.20 leaves room for 1.25.  Of the samples the
#: model put 20 % inside, the fullest really filled 81 % of the page.
FIT_MARGIN = 0.20


def estimated_fill(sheet: dict, view, size_pt: float) -> float:
    """The fuller column's height over the room for it at ``size_pt``, as the model puts it
    (the same measure as fitting._measure's: above 1 the column overflows)."""
    room_em = LC.COLUMN_HEIGHT_MM / (size_pt * LC.MM_PER_PT)
    left, right = column_heights_em(sheet, view.kpis, view.left_width, size_pt)
    return (max(left, right) + LC.END_PAD_EM) / room_em


def sure_size(sheet: dict, year: int, margin: float = FIT_MARGIN) -> float | None:
    """The largest size at which the model puts the sheet at least ``margin`` inside
    the page, or None (near the boundary or past it, or with images: lay it out)."""
    if any(fig.get("image_path") for fig in sheet.get("figures") or []):
        return None
    view = sheet_view(sheet, year)
    for size in LC.SIZES:
        if estimated_fill(sheet, view, size) <= 1.0 - margin:
            return size
    return None
