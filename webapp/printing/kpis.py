"""KPI figures of a sheet: the compact table, the progress rate, the chart.

A KPI record (see fy2023_report.json) has a target (year, numeric value or
null, optional qualitative ``text``), an optional baseline, and a series of
(year, target, actual) points, each optionally ``label``-led ("2024年3月末時点").
"""
from __future__ import annotations

import numbers
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from webapp.content_text import field_text
from webapp.jptext import circled, format_number
from webapp.sheet_schema import KPIS, schema
from .textblocks import parse

__all__ = ["KpiView", "kpi_view", "progress_rate", "latest_actual", "bar_chart_svg", "chart_alt", "point_label",
           "column_widths_em", "table_width_em", "chart_width_em"]


def _num(value):
    """A usable number, or None (bools and strings are not figures)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return value


def latest_actual(kpi: dict):
    """The most recent actual value: the last point in series order.

    Series are stored oldest first; two points may share a year (e.g. 20.3
    and 20.12), so list order rather than the year decides.
    """
    for point in reversed(kpi.get("series") or []):
        value = _num(point.get("actual"))
        if value is not None:
            return value
    return None


def progress_rate(kpi: dict) -> float | None:
    """Latest actual / target value, as a fraction; None when not computable.

    For cumulative KPIs this is the share of the goal already reached.  For
    level KPIs (a rate, a yearly count) the target is also a level to reach,
    and the council's sheets report the same ratio as 進捗率/達成率 (e.g.
    "0.6568GW/2.5GW（進捗率26.3％）"), so the same formula applies.  A
    baseline does not enter: targets are stated as absolute values.  No rate
    for qualitative targets, a missing or non-positive target, or no actual.
    """
    target = _num((kpi.get("target") or {}).get("value"))
    actual = latest_actual(kpi)
    if target is None or actual is None or target <= 0:
        return None
    return actual / target


@dataclass
class KpiColumn:
    header: str
    target: str        # yearly target ("" for the baseline column)
    actual: str


@dataclass
class KpiView:
    mark: str
    name: str
    unit: str
    cumulative: bool
    note: list
    target_header: str         # 目標（2030）
    target_year: int | None
    target_label: str          # the final target as printed: value or text
    columns: list[KpiColumn] = field(default_factory=list)
    yearly_targets: bool = False   # print a 目標 row above the 実績 row
    progress: str | None = None
    achieved: bool = False
    chart: Markup | None = None
    beside: bool = True          # chart to the right of the table (else below)
    paired: bool = False         # two KPI blocks side by side in the column
    #: the KPI record, to draw the chart again at another height
    source: dict | None = field(default=None, repr=False, compare=False)
    #: 「printed：value」 lines after the note: fields the year's template adds
    #: without a place of their own in the block (e.g. a 「出典」)
    extras: list = field(default_factory=list)

    @property
    def has_table(self) -> bool:
        return bool(self.columns)

    @property
    def unit_note(self) -> str:
        parts = []
        word = _words()
        if self.unit:
            parts.append(f"{word['unit']}：{self.unit}")
        if self.cumulative:
            parts.append(word["cumulative"])
        return "（" + "、".join(parts) + "）" if parts else ""


def _target_text(target: dict) -> str:
    """The final target as printed: the stored wording wins over the value
    ("３５７（修正後）", "累計130社以上"), as the sheet's author wrote it."""
    text = (target.get("text") or "").strip()
    if text:
        return text
    return format_number(_num(target.get("value")))


def _words() -> dict[str, str]:
    """How print words each KPI field (the template's `printed`, else its label)."""
    part = schema().part(KPIS)
    return {f.key: f.words for f in part.fields} | {"point_" + f.key: f.words for f in part.point_fields}


def extra_fields(kpi: dict) -> list[tuple[str, str]]:
    """(printed, value) of each filled field without a place of its own in the block."""
    part = schema().part(KPIS)
    return [(f.words, field_text(f, f.get(kpi))) for f in part.entry_fields
            if not f.slot and not f.is_empty(f.get(kpi))]


def kpi_view(kpi: dict, index: int) -> KpiView:
    word = _words()
    target = kpi.get("target") or {}
    baseline = kpi.get("baseline") or None
    series = kpi.get("series") or []
    year = target.get("year")
    view = KpiView(
        mark=circled(index), name=kpi.get("name") or "", unit=kpi.get("unit") or "",
        cumulative=bool(kpi.get("cumulative")), note=parse(kpi.get("note") or ""),
        target_header=f"{word['target_value']}（{year}）" if year else word["target_value"],
        target_year=year, target_label=_target_text(target), source=kpi, extras=extra_fields(kpi))
    if baseline:
        view.columns.append(KpiColumn(
            header=baseline.get("label") or f"{word['baseline_value']}（{baseline.get('year')}）",
            target="", actual=format_number(_num(baseline.get("value")))))
    for point in series:
        yearly = _num(point.get("target"))
        view.columns.append(KpiColumn(
            header=point.get("label") or str(point.get("year")),
            target=format_number(yearly),
            actual=format_number(_num(point.get("actual")))))
    view.yearly_targets = any(_num(p.get("target")) is not None for p in series)
    rate = progress_rate(kpi)
    if rate is not None:
        view.progress = f"{rate * 100:.1f}％"
        view.achieved = rate >= 1
    view.chart = bar_chart_svg(kpi)
    view.beside = view.chart is None or (
        table_width_em(view) + chart_width_em(kpi) <= BESIDE_LIMIT_EM)
    return view


#: Widest table + chart (in em of the sheet's type) still printed side by
#: side.  The right column is at least 35 % of the page, about 26em at the
#: largest type size, so below this the pair never wraps at any size — the
#: layout is decided here, not by the line breaker, and estimate.py can
#: predict it.
BESIDE_LIMIT_EM = 25.0
_TABLE_FONT = 0.9
_CELL_PAD_EM = 0.8 + 0.1


def _text_em(text: str) -> float:
    # IPAex's half-width glyphs are proportional, about 0.5em; a little more
    # keeps this an upper bound.
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.58 for ch in text)


def column_widths_em(view: "KpiView") -> list[float]:
    """Width of each column of the KPI table (row heads, figures, target,
    progress), in em of the table's own type, padding and border included.
    An upper estimate: the widest text of the column."""
    cols = [2.0]                           # 目標/実績 row heads
    cols += [max(_text_em(c.header), _text_em(c.target), _text_em(c.actual))
             for c in view.columns]
    cols.append(max(_text_em(view.target_header), _text_em(view.target_label)))
    if view.progress:
        cols.append(max(3.0, _text_em(view.progress)))
    return [round(w + _CELL_PAD_EM, 2) for w in cols]


def table_width_em(view: "KpiView") -> float:
    """Upper estimate of the width of the KPI table with its 1em indent, in
    em of the sheet's type."""
    return 1.0 + sum(column_widths_em(view)) * _TABLE_FONT


# --- chart ---------------------------------------------------------------

_ACTUAL = "#2f6db5"
_BASE = "#9aa7b4"
_TARGET = "#e08a1e"


def _chart_categories(kpi: dict) -> list[tuple]:
    """(label, bar value, yearly target, kind) for each bar of the chart."""
    target = kpi.get("target") or {}
    baseline = kpi.get("baseline") or None
    cats = []
    word = _words()
    if baseline and _num(baseline.get("value")) is not None:
        cats.append((word["baseline_value"], _num(baseline.get("value")), None, "base"))
    for point in kpi.get("series") or []:
        a, t = _num(point.get("actual")), _num(point.get("target"))
        if a is None and t is None:
            continue
        # Under a bar there is room for about four characters: a long
        # label ("2024年3月末時点") is in the table, the bar gets the year.
        label = point.get("label") or ""
        if not label or len(label) > 5:
            label = str(point.get("year"))
        cats.append((label, a, t, "actual"))
    final = _num(target.get("value"))
    if final is not None:
        cats.append((word["target_value"], final, None, "target"))
    return cats


# Chart geometry, in viewBox units: 10 per em of the chart's type (which
# sheet.css keeps from shrinking below the legibility floor).  The plot's
# height is the default below while the type size is searched; then the
# charts take the room the column has left (fitting._grow_charts).
_HEAD, _PLOT_H, _FOOT = 8.5, 26.0, 8.5
_SLOT, _BAR_W, _PAD = 21.0, 13.0, 2.0
#: label size: 0.7 of the chart's em; .kpi-chart's font-size never goes
#: below CHART_FLOOR_PT (8.6pt), so a label never prints below 6pt
_LABEL = 7.0
#: the shortest bar drawn for a value above zero: 7 of 500 stays visible
_MIN_BAR = 2.0
#: the tallest plot the charts grow to (about 25 mm at 9pt)
PLOT_MAX = 80.0
PLOT_DEFAULT = _PLOT_H
CHART_HEIGHT_EM = (_HEAD + _PLOT_H + _FOOT) / 10


def _chart_width(count: int) -> float:
    return _PAD * 2 + _SLOT * count


def chart_width_em(kpi: dict) -> float:
    return _chart_width(len(_chart_categories(kpi))) / 10 + 0.6   # + margin


def point_label(point: dict) -> str:
    """A KPI point as screens and messages name it: its fiscal year, with the author's label
    beside it when there is one (「2020年度（20.12）」), which tells two points of one year apart.
    A label alone (「23.12」) reads as a year where a year is expected."""
    year, label = point.get("year"), point.get("label")
    return f"{year}年度（{label}）" if label else f"{year}年度"


def chart_alt(kpi: dict) -> str:
    """What the chart shows, in words, for a screen reader: the name, then
    each figure with its year, e.g. 「水素利活用プロジェクト件数：2023年度
    実績28件、目標（2030年）40件」."""
    unit = kpi.get("unit") or ""
    parts = []
    baseline = kpi.get("baseline") or None
    word = _words()
    if baseline and _num(baseline.get("value")) is not None:
        base = word["baseline_value"]
        label = baseline.get("label") or (
            f"{base}（{baseline.get('year')}年度）" if baseline.get("year") else base)
        parts.append(f"{label} {format_number(_num(baseline.get('value')))}{unit}")
    for point in kpi.get("series") or []:
        actual, yearly = _num(point.get("actual")), _num(point.get("target"))
        if actual is None and yearly is None:
            continue
        when = point_label(point)
        figures = []
        if yearly is not None:
            figures.append(f"{word['point_target']}{format_number(yearly)}{unit}")
        if actual is not None:
            figures.append(f"{word['point_actual']}{format_number(actual)}{unit}")
        parts.append(f"{when} " + "・".join(figures))
    target = kpi.get("target") or {}
    final = _num(target.get("value"))
    if final is not None:
        year = f"（{target['year']}年）" if target.get("year") else ""
        parts.append(f"{word['target_value']}{year}{format_number(final)}{unit}")
    return f"{kpi.get('name') or ''}：" + "、".join(parts)


def _chart_geometry(kpi: dict, plot: float):
    """(categories, the tallest value, the head's height) of the KPI's chart,
    or None when there is too little to draw (fewer than two figures)."""
    cats = _chart_categories(kpi)
    values = [v for c in cats for v in (c[1], c[2]) if v is not None]
    if len(values) < 2 or max(values) <= 0:
        return None
    top = max(values)
    _, lowest = _bars(cats, top, 0.0, plot)
    # room above the plot for the highest label
    return cats, top, max(_HEAD, _LABEL + 0.5 - lowest)


def chart_height_em(kpi: dict, plot: float = _PLOT_H) -> float:
    """The height of the KPI's chart in em of the chart's type (0 without a chart):
    what bar_chart_svg draws, for the size estimate."""
    geometry = _chart_geometry(kpi, plot)
    return 0.0 if geometry is None else (geometry[2] + plot + _FOOT) / 10


def bar_chart_svg(kpi: dict, plot: float = _PLOT_H) -> Markup | None:
    """A small bar chart of the KPI's series, or None when there is too
    little to draw (fewer than two figures).  ``plot``: the height of the
    bars' area, in viewBox units (10 per em).

    Bars: baseline (grey), actuals (blue) and the final target (orange
    outline), each with its value over it; a yearly target is an orange
    rule across its year's bar with 「目標」 and its value over it (the
    higher of two labels that would overlap goes on top).  The targets box
    prints one legend for the sheet's charts (_macros.html chart_legend).
    It is sized in em so that it shrinks with the sheet's type.
    """
    geometry = _chart_geometry(kpi, plot)
    if geometry is None:
        return None
    cats, top, head = geometry
    width = _chart_width(len(cats))
    body, _ = _bars(cats, top, head, plot)
    height = head + plot + _FOOT
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width / 10:.2f}em" '
        f'height="{height / 10:.2f}em" font-family="IPAexGothic" font-size="{_LABEL:g}" '
        f'text-anchor="middle" role="img"><title>{escape(chart_alt(kpi))}</title>']
    parts += body
    parts.append(f'<line x1="0" y1="{head + plot:.1f}" x2="{width:g}" '
                 f'y2="{head + plot:.1f}" stroke="#777" stroke-width="0.5"/>')
    parts.append('</svg>')
    return Markup("".join(parts))


_TARGET_TEXT = "#a65b00"


def _bars(cats, top, head: float, plot: float) -> tuple[list[str], float]:
    """The bars, rules and labels of a plot below ``head``; and the highest
    label's baseline (to size the head)."""
    base_y = head + plot

    def y(v):
        return base_y - plot * max(v, 0) / top

    parts, highest = [], base_y
    for i, (label, value, ytarget, kind) in enumerate(cats):
        cx = _PAD + _SLOT * i + _SLOT / 2
        x0 = cx - _BAR_W / 2
        labels = []          # (y of the bar's top or the rule, text, colour)
        if value is not None:
            if kind == "target":
                style = f'fill="#fff4e5" stroke="{_TARGET}" stroke-width="0.8"'
            else:
                style = f'fill="{_BASE if kind == "base" else _ACTUAL}"'
            # a small value beside a large one still shows as a bar
            bar = base_y - y(value)
            if value > 0:
                bar = max(bar, _MIN_BAR)
            parts.append(f'<rect x="{x0:.1f}" y="{base_y - bar:.1f}" width="{_BAR_W:.1f}" '
                         f'height="{max(bar, 0.4):.1f}" {style}/>')
            labels.append((base_y - bar, format_number(value), "#222"))
        if ytarget is not None:
            ty = y(ytarget)
            parts.append(f'<line x1="{x0 - 1.5:.1f}" y1="{ty:.1f}" x2="{x0 + _BAR_W + 1.5:.1f}" '
                         f'y2="{ty:.1f}" stroke="{_TARGET}" stroke-width="1.2"/>')
            labels.append((ty, "目標" + format_number(ytarget), _TARGET_TEXT))
        ceiling = None
        for at, text, colour in sorted(labels, key=lambda item: item[0], reverse=True):
            baseline = at - 1.4
            if ceiling is not None:
                baseline = min(baseline, ceiling - _LABEL - 0.3)
            ceiling = baseline
            highest = min(highest, baseline)
            parts.append(f'<text x="{cx:.1f}" y="{baseline:.1f}" fill="{colour}">{escape(text)}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{base_y + _FOOT - 1.5:.1f}" '
                     f'fill="#444">{escape(label)}</text>')
    return parts, highest - head
