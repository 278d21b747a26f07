"""Turn a sheet dict into what the sheet template prints.

Everything derived from the reporting year (headings with full-width
digits), the list parsing of text fields and the KPI figures is decided here,
so the template only lays things out.  The result is plain data: the
on-screen sheet page can use it too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import layout_constants as LC
from .estimate import balanced_split, estimate_size
from .fetcher import check_upload_path
from webapp.jptext import circled
from webapp.sheet_schema import FIGURES, KPIS, LEFT, RIGHT, ROADMAP, SheetSchema, targets_heading, template_of
from .kpis import PLOT_DEFAULT, KpiView, bar_chart_svg, chart_width_em, kpi_view, table_width_em
from .textblocks import Block, parse

__all__ = ["SheetView", "sheet_view", "section_texts", "headings"]

def headings(sheet_schema: SheetSchema, year: int) -> dict[str, str]:
    """Headings of a year-``year`` sheet, as printed: each box's (by box key) and each
    sub-section's (by section key), from the sheet's template."""
    titles = {b.key: sheet_schema.box_title(b.key, year) for b in sheet_schema.boxes}
    titles.update({s.key: sheet_schema.heading(s.key, year)
                   for s in sheet_schema.sections if s.heading})
    return titles


@dataclass
class Subsection:
    heading: str
    blocks: list[Block]
    key: str = ""          # section key (webapp/sheet_schema.py), e.g. "results_actions"


@dataclass
class RoadmapRow:
    activity: str
    activity_rowspan: int      # 0: merged into the row above
    detail: str
    before: int                # empty year cells before the bar
    span: int                  # year cells covered by the bar
    after: int


@dataclass
class RoadmapView:
    title: str
    years: list[str]
    rows: list[RoadmapRow]


@dataclass
class FigureView:
    kind: str
    caption: str
    note: list[Block]
    image_url: str | None
    #: what the image shows, for readers who cannot see it (the caption is
    #: read as the figure's caption, so it is not repeated here)
    alt_text: str = ""


@dataclass
class SheetView:
    number: int
    mark: str
    title: str
    lead_label: str
    bookmark: str
    year: int
    headings: dict[str, str]
    #: each box's text sections with something in them, by box key
    texts: dict[str, list[Subsection]]
    targets_label: str
    kpis: list[KpiView]
    roadmap: RoadmapView | None
    figures: list[FigureView] = field(default_factory=list)
    size_pt: float | None = None
    left_width: float = 50.0
    #: height limit of uploaded images (mm), chosen by the fit search; None:
    #: the stylesheet's default
    figure_mm: float | None = None
    #: 「未承認（…）」 stamp of the 確認用 draft, e.g. "提出済"
    draft_mark: str | None = None
    #: height of the charts' plots (kpis.bar_chart_svg), chosen by the fit
    #: search; None: the default
    chart_plot: float | None = None
    #: the sheet's template (webapp.sheet_schema.template_of): which boxes go in which column
    template: SheetSchema | None = None

    def apply_fit(self, fit) -> None:
        """Print as ``fit`` (a fitting.Fit) says: type size, split, image and chart heights."""
        self.size_pt, self.left_width, self.figure_mm = fit.size_pt, fit.left_width, fit.figure_mm
        if fit.chart_plot is not None:
            self.set_chart_plot(fit.chart_plot)

    def set_chart_plot(self, plot: float | None) -> None:
        """Draw the KPI charts with plots ``plot`` high (None: the default)."""
        self.chart_plot = plot
        for k in self.kpis:
            if k.chart is not None:
                k.chart = bar_chart_svg(k.source, PLOT_DEFAULT if plot is None else plot)

    @property
    def chart_rows(self) -> int:
        """Rows of charts, one above the other, in the right column."""
        charts = sum(1 for k in self.kpis if k.chart is not None)
        paired = any(k.paired for k in self.kpis)
        return (charts + 1) // 2 if paired else charts

    @property
    def right_width(self) -> float:
        return 100.0 - self.left_width

    @property
    def plain_kpis(self) -> list[KpiView]:
        """KPIs with nothing but a target: printed together in one table."""
        return [k for k in self.kpis if not k.has_table]

    @property
    def series_kpis(self) -> list[KpiView]:
        return [k for k in self.kpis if k.has_table]

    @property
    def kpi_groups(self) -> list[tuple[str, list[KpiView]]]:
        """The KPIs in their numbered order, in runs of one kind: ("plain",
        [...]) print as one table, ("series", [...]) as blocks with charts."""
        groups = []
        for k in self.kpis:
            kind = "series" if k.has_table else "plain"
            if groups and groups[-1][0] == kind:
                groups[-1][1].append(k)
            else:
                groups.append((kind, [k]))
        return groups

    @property
    def kpis_in_one_table(self) -> bool:
        """KPIs of both kinds print in one table (_macros.html all_kpis), so
        that their targets line up in one column."""
        kinds = {kind for kind, _ in self.kpi_groups}
        return kinds == {"plain", "series"}

    @property
    def targets_text(self) -> list[Subsection]:
        return self.texts.get("targets", [])

    def _boxes(self, column: str) -> list[str]:
        """Boxes of a column that have something to print, in the schema's order: an
        empty section is left out rather than printed 「（記載なし）」."""
        parts = {"targets": self.targets_text or self.kpis, "roadmap": self.roadmap,
                 "figures": self.figures}
        return [b.key for b in (self.template or template_of({})).column(column)
                if parts.get(b.key, self.texts.get(b.key))]

    @property
    def left_boxes(self) -> list[str]:
        return self._boxes(LEFT)

    @property
    def right_boxes(self) -> list[str]:
        return self._boxes(RIGHT)

    @property
    def has_images(self) -> bool:
        return any(f.image_url for f in self.figures)


def _get(d, *keys, default=""):
    for key in keys:
        if not isinstance(d, dict):
            return default
        d = d.get(key)
    return default if d is None else d


def section_texts(sheet: dict, year: int) -> list[tuple[str, str]]:
    """(section name, text) for every free-text part of the sheet, in the schema's order.

    Used to tell a coordinator which sections to shorten, so the names are
    the ones they see.
    """
    sheet_schema = template_of(sheet)
    targets = sheet.get("targets") or {}
    parts = []
    for section in sheet_schema.sections:
        if section.is_text:
            parts.append((sheet_schema.label(section.key, year), sheet_schema.text(sheet, section.key)))
        elif section.kind == KPIS:
            text = "".join((k.get("name") or "") + (k.get("note") or "")
                           for k in targets.get("kpis") or [])
            if text:
                parts.append((sheet_schema.label(section.key, year), text))
        elif section.kind == ROADMAP and sheet.get("roadmap"):
            parts.append((sheet_schema.label(section.key, year), "".join(
                (r.get("activity") or "") + (r.get("detail") or "")
                for r in sheet["roadmap"].get("rows") or [])))
        elif section.kind == FIGURES and sheet.get("figures"):
            parts.append((sheet_schema.label(section.key, year), "".join(
                (f.get("caption") or "") + (f.get("note") or "") for f in sheet["figures"])))
    return parts


def _texts(sheet: dict, year: int) -> dict[str, list[Subsection]]:
    """Each box's text sections that have text (an empty one is left out of the print)."""
    sheet_schema = template_of(sheet)
    boxes: dict[str, list[Subsection]] = {}
    for section in sheet_schema.text_sections:
        text = sheet_schema.text(sheet, section.key)
        if text.strip():
            heading = sheet_schema.heading(section.key, year) if section.heading else ""
            boxes.setdefault(section.box, []).append(Subsection(heading, parse(text), section.key))
    return boxes


def _roadmap(roadmap: dict | None) -> RoadmapView | None:
    if not roadmap or not roadmap.get("rows"):
        return None
    years = [str(y) for y in roadmap.get("years") or []]
    rows = []
    for row in roadmap["rows"]:
        start, end = str(row.get("from")), str(row.get("to"))
        if start in years and end in years and years.index(start) <= years.index(end):
            before = years.index(start)
            span = years.index(end) - before + 1
        else:
            # An unknown span prints no bar rather than a wrong one.
            before, span = len(years), 0
        rows.append(RoadmapRow(
            activity=row.get("activity") or "", activity_rowspan=1,
            detail=row.get("detail") or "", before=before, span=span,
            after=len(years) - before - span))
    # Consecutive rows of the same activity share one cell, as in the original.
    head = 0
    for i in range(1, len(rows)):
        if rows[i].activity == rows[head].activity:
            rows[head].activity_rowspan += 1
            rows[i].activity_rowspan = 0
        else:
            head = i
    return RoadmapView(title=roadmap.get("title") or "取組内容", years=years, rows=rows)


def _figures(figures, uploads_dir: str | None) -> list[FigureView]:
    views = []
    for fig in figures or []:
        url = None
        path = fig.get("image_path")
        if path:
            url = Path(check_upload_path(path, uploads_dir)).as_uri()
        views.append(FigureView(
            kind=fig.get("kind") or "", caption=(fig.get("caption") or "").strip(),
            note=parse(fig.get("note") or ""), image_url=url,
            alt_text=(fig.get("alt_text") or "").strip()))
    return views


def _right_column_em(left_pct: float) -> float:
    """Inner width of the right column at the largest type size, in em."""
    width_mm = LC.CONTENT_WIDTH_MM * (100 - left_pct) / 100
    return width_mm / (LC.MAX_PT * LC.MM_PER_PT) - LC.COLUMN_GAP_EM / 2 \
        - LC.BOX_PADDING_EM * 2 - LC.BOX_BORDER_EM


def _layout_columns(sheet: dict, kpis: list[KpiView]) -> float:
    """Choose the column split and how the KPI blocks are arranged; returns
    the left column's width in percent.

    Charts first go beside their table only where that fits even in the
    narrowest right column (35 %); once the split is known, charts of wider
    tables move beside them too, and narrow KPI blocks go two to a row,
    where the right column is wide enough at the largest type size.  All of
    this is decided here, not by the line breaker, so that the estimate
    models exactly the layout that will be printed.  The split balances the
    columns at the size the sheet will about print at: wrapping, and so the
    balance, changes with the size.
    """
    left = balanced_split(sheet, kpis)
    left = balanced_split(sheet, kpis, estimate_size(sheet, kpis, left, LC.SIZES))
    raw = (sheet.get("targets") or {}).get("kpis") or []
    tables = [(view, kpi) for view, kpi in zip(kpis, raw) if view.has_table]

    def block_em(view, kpi, beside):
        chart = chart_width_em(kpi) if view.chart is not None and beside else 0.0
        return table_width_em(view) + chart

    def arrange(left_pct):
        room = _right_column_em(left_pct)
        for view, kpi in tables:
            view.beside = view.chart is None or block_em(view, kpi, True) <= room
        half = (room - 0.5) / 2
        pair = len(tables) >= 2 and all(
            block_em(view, kpi, view.beside) <= half for view, kpi in tables)
        for view, _ in tables:
            view.paired = pair

    before = [(v.beside, v.paired) for v, _ in tables]
    arrange(left)
    if [(v.beside, v.paired) for v, _ in tables] != before:
        # a narrower right column then may not hold what was decided for the
        # wider one: decide again, and keep the split
        left = balanced_split(sheet, kpis, estimate_size(sheet, kpis, left, LC.SIZES))
        room_before = [(v.beside, v.paired) for v, _ in tables]
        arrange(left)
        for (view, _), (beside, paired) in zip(tables, room_before):
            view.beside = view.beside and beside
            view.paired = view.paired and paired
    return left


def sheet_view(sheet: dict, year: int, *, uploads_dir: str | None = None,
               size_pt: float | None = None) -> SheetView:
    number = int(sheet.get("number") or 0)
    targets = sheet.get("targets") or {}
    kpis = [kpi_view(k, i + 1) for i, k in enumerate(targets.get("kpis") or [])]
    title = sheet.get("title") or ""
    template = template_of(sheet)
    view = SheetView(
        number=number, mark=circled(number), title=title,
        lead_label=sheet.get("lead_label") or "",
        bookmark=f"{circled(number)} {title}",
        year=year, headings=headings(template, year), template=template,
        texts=_texts(sheet, year),
        targets_label=targets_heading(sheet),
        kpis=kpis,
        roadmap=_roadmap(sheet.get("roadmap")),
        figures=_figures(sheet.get("figures"), uploads_dir),
        size_pt=size_pt,
    )
    view.left_width = _layout_columns(sheet, kpis)
    return view
