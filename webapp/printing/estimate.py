"""Cheap text-length model of a sheet's height, without WeasyPrint.

It serves two purposes: choosing the split between the two columns (so
that they come out about equally long), and the first size the fit search
tries.  A good first guess is what keeps the search at about two layouts
per sheet, so the constants in layout_constants.py are fitted to the real
layout of the FY2023 sheets; but nothing depends on them being exact: the
search verifies every size it settles on.
"""
from __future__ import annotations

import functools
import math
import os
import unicodedata

from . import layout_constants as LC
from .kpis import PLOT_DEFAULT, KpiView, chart_height_em
from .textblocks import marker_width_em, parse
from webapp.sheet_schema import LEFT, RIGHT, template_of

__all__ = ["balanced_split", "column_heights_em", "estimate_size", "text_em"]

MIN_SPLIT, MAX_SPLIT = 35.0, 65.0


def text_em(text: str) -> float:
    """Width of ``text`` in em: full-width 1, half-width about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


@functools.lru_cache(maxsize=4096)
def _block_widths(text: str) -> tuple[tuple[float, float], ...]:
    """(indent, text width) in em for each line of a text field."""
    return tuple((b.level * 1.0 + marker_width_em(b.marker), text_em(b.body) + 0.001)
                 for b in parse(text))


def _lines(text: str, width_em: float) -> int:
    """Printed lines of a text field in a box ``width_em`` wide.

    A line holds whole characters: of full-width text (most of a sheet) a
    line 40.7 em wide holds 40, so the room counted is the whole em."""
    if not text:
        return 0
    return sum(max(1, math.ceil(w / math.floor(max(width_em - indent, 4.0) + 1e-6)))
               for indent, w in _block_widths(text))


def _image_aspect(path: str) -> float:
    """Width / height of an uploaded image (1.5 when it cannot be read)."""
    try:
        stat = os.stat(path)
    except OSError:
        return 1.5
    return _image_aspect_cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _image_aspect_cached(path: str, mtime_ns: int, size: int) -> float:
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as image:       # reads the header only
            width, height = image.size
    except (OSError, UnidentifiedImageError):
        return 1.5
    return width / height if height else 1.5


def _kpi_height_em(view: KpiView, kpi: dict, width_em: float, chart_scale: float,
                   plot: float | None) -> float:
    """Height of one KPI block with a table: name, table (+ chart), note.
    ``chart_scale``: the chart's em in the sheet's (the chart stops shrinking
    at CHART_FLOOR_PT); ``plot``: the charts' plot height (None: the default)."""
    height = math.ceil((text_em(view.name) + text_em(view.unit_note) + 1) / width_em) * LC.LINE_EM
    rows = 1 + (2 if view.yearly_targets else 1)
    table = rows * LC.TABLE_ROW_EM
    chart = 0.0
    if view.chart is not None:
        chart = chart_scale * chart_height_em(kpi, plot or PLOT_DEFAULT)
    height += max(table, chart) if view.beside else table + chart + 0.15
    if kpi.get("note"):
        height += _lines(kpi["note"], (width_em - 1) / 0.88) * LC.LINE_EM * 0.88
    for words, value in view.extras:
        height += _lines(f"{words}：{value}", (width_em - 1) / 0.88) * LC.LINE_EM * 0.88
    return height + LC.KPI_GAP_EM


def _plain_kpis_height_em(pairs, width_em: float) -> float:
    """The shared table of KPIs that have only a target."""
    name_w = (width_em - 1.0) * 0.70 / LC.TABLE_FONT - 1.8
    target_w = (width_em - 1.0) * 0.30 / LC.TABLE_FONT - 0.8
    height = LC.TABLE_ROW_EM + LC.KPI_GAP_EM
    for view, kpi in pairs:
        lines = math.ceil((text_em(view.name) + text_em(view.unit_note) + 1) / name_w)
        if kpi.get("note"):
            lines += _lines(kpi["note"], name_w)
        lines += sum(_lines(f"{words}：{value}", name_w) for words, value in view.extras)
        lines = max(lines, math.ceil((text_em(view.target_label) + 6.5) / target_w))
        height += lines * LC.TABLE_LINE_EM + LC.TABLE_PAD_EM
    return height


def _kpis_heights_em(kpis: list[KpiView], items: list[dict], width: float, size_pt: float,
                     plot: float | None) -> tuple[float, float, float]:
    """(KPIs without a table, KPIs with one, the charts' legend): added one after the other."""
    pairs = list(zip(kpis, items))
    plain = [(v, k) for v, k in pairs if not v.has_table]
    with_table = [(v, k) for v, k in pairs if v.has_table]
    scale = max(size_pt, LC.CHART_FLOOR_PT) / size_pt
    if with_table and with_table[0][0].paired:
        half = (width - 0.5) / 2
        heights = [_kpi_height_em(v, k, half, scale, plot) for v, k in with_table]
        tables = sum(max(heights[i:i + 2]) for i in range(0, len(heights), 2))
    else:
        tables = sum(_kpi_height_em(v, k, width, scale, plot) for v, k in with_table)
    legend = LC.LEGEND_EM if any(v.chart is not None for v in kpis) else 0.0
    return (_plain_kpis_height_em(plain, width) if plain else 0.0), tables, legend


def column_heights_em(sheet: dict, kpis: list[KpiView], left_pct: float, size_pt: float,
                      plot: float | None = None):
    """Estimated (left, right) column heights in em at ``size_pt``, the KPI
    charts' plots ``plot`` high (kpis.bar_chart_svg; None: the default)."""
    page_w_em = LC.CONTENT_WIDTH_MM / (size_pt * LC.MM_PER_PT)
    inner = LC.BOX_PADDING_EM * 2 + LC.BOX_BORDER_EM
    lw = page_w_em * left_pct / 100 - LC.COLUMN_GAP_EM / 2 - inner
    rw = page_w_em * (100 - left_pct) / 100 - LC.COLUMN_GAP_EM / 2 - inner
    targets = sheet.get("targets") or {}
    template = template_of(sheet)

    def text_h(text, width):
        return _lines(text or "", width) * LC.LINE_EM

    def box_text_h(box, width):
        """A box's text sections: a sub-heading and its lines for each headed one
        that has text, the lines alone for one the box's heading names."""
        parts = [(LC.SUBHEAD_EM + text_h(text, width) if text.strip() else 0) if s.heading
                 else text_h(text, width)
                 for s in template.in_box(box.key) if s.is_text
                 for text in (template.text(sheet, s.key),)]
        return parts

    # Added up in the order the boxes print (the figures come out the same to the last bit).
    left = 0.0
    for box in template.column(LEFT):
        if not box.optional:
            left += LC.BOX_EM
            left += sum(box_text_h(box, lw))

    right = 0.0
    for box in template.column(RIGHT):
        if box.key == "targets":
            right += LC.BOX_EM
            right += sum(box_text_h(box, rw))
            for part in _kpis_heights_em(kpis, targets.get("kpis") or [], rw, size_pt, plot):
                right += part
        elif not box.optional:
            # a box of headed sections prints a line even when they are all empty
            right += LC.BOX_EM + (sum(box_text_h(box, rw)) or LC.LINE_EM)

    roadmap = sheet.get("roadmap") or None
    if roadmap and roadmap.get("rows"):
        right += LC.BOX_EM + LC.TABLE_ROW_EM
        cell_w = (rw - 1.0) / LC.TABLE_FONT
        previous = None
        for row in roadmap["rows"]:
            lines = math.ceil(text_em(row.get("detail") or "") / (cell_w * 0.36 - 0.7))
            if row.get("activity") != previous:
                lines = max(lines, math.ceil(
                    text_em(row.get("activity") or "") / (cell_w * 0.24 - 0.7)))
            previous = row.get("activity")
            right += max(lines, 1) * LC.TABLE_LINE_EM + LC.TABLE_PAD_EM

    figures = sheet.get("figures") or []
    if figures:
        right += LC.BOX_EM
        fig_w = rw / 2 - 1.5 if len(figures) > 1 else rw - 1.0
        heights = []
        for fig in figures:
            if fig.get("image_path"):
                # scaled to the box width, at most IMAGE_MAX_EM tall (sheet.css)
                aspect = _image_aspect(fig["image_path"])
                h = min(LC.IMAGE_MAX_EM, fig_w / aspect) + LC.LINE_EM + 0.4
            else:
                h = LC.FIGURE_EM + (text_h(fig.get("caption"), fig_w / 0.92)
                                    + text_h(fig.get("note"), fig_w / 0.92)) * 0.92
            heights.append(h)
        # two figures per row when there are several
        right += sum(max(heights[i:i + 2]) for i in range(0, len(heights), 2)) \
            if len(figures) > 1 else heights[0]
    return left, right


def balanced_split(sheet: dict, kpis: list[KpiView], size_pt: float = LC.NOMINAL_PT) -> float:
    """Left column width (percent, half steps, within 35–65 %) at which the
    two columns are about equally long.

    A fixed split leaves the shorter column half empty and shrinks the type
    of the whole sheet for the longer one.  When the model misjudges a
    column badly enough for the sheet not to fit, the fit search corrects
    the split from the measured layout (fitting.fit_and_print).
    """
    lo, hi = MIN_SPLIT, MAX_SPLIT
    for _ in range(8):
        mid = (lo + hi) / 2
        left, right = column_heights_em(sheet, kpis, mid, size_pt)
        if left > right:
            lo = mid        # left too long: widen it
        else:
            hi = mid
    return round((lo + hi) / 2 * 2) / 2


def estimate_size(sheet: dict, kpis: list[KpiView], left_pct: float, sizes) -> float:
    """Largest of ``sizes`` (descending) at which the model says the sheet fits."""
    for size in sizes:
        avail_em = LC.COLUMN_HEIGHT_MM / (size * LC.MM_PER_PT) - LC.END_PAD_EM
        left, right = column_heights_em(sheet, kpis, left_pct, size)
        if max(left, right) <= avail_em:
            return size
    return sizes[-1]
