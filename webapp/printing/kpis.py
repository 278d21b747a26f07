"""KPI figures of a sheet: the compact table, the progress rate, the chart.

A KPI record (see fy2023_report.json) has a target (year, numeric value or
null, optional qualitative ``text``), an optional baseline, and a series of
(year, target, actual) points, each optionally ``label``-led ("2024年3月末時点").
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .jptext import circled, format_number

__all__ = ["KpiView", "kpi_view", "progress_rate", "latest_actual", "bar_chart_svg"]


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
class KpiView:
    mark: str
    name: str
    unit: str
    cumulative: bool
    note: str
    target_year: int | None
    target_label: str          # as printed in the target cell
    headers: list[str] = field(default_factory=list)
    target_row: list[str] = field(default_factory=list)
    actual_row: list[str] = field(default_factory=list)
    show_target_row: bool = False
    progress: str | None = None
    achieved: bool = False
    chart: Markup | None = None

    @property
    def has_table(self) -> bool:
        return bool(self.headers)


def _target_text(target: dict, unit: str) -> str:
    text = (target.get("text") or "").strip()
    if text:
        return text
    value = _num(target.get("value"))
    if value is None:
        return "－"
    return format_number(value)


def kpi_view(kpi: dict, index: int) -> KpiView:
    target = kpi.get("target") or {}
    unit = kpi.get("unit") or ""
    baseline = kpi.get("baseline") or None
    series = kpi.get("series") or []
    target_year = target.get("year")
    view = KpiView(
        mark=circled(index), name=kpi.get("name") or "", unit=unit,
        cumulative=bool(kpi.get("cumulative")), note=kpi.get("note") or "",
        target_year=target_year, target_label=_target_text(target, unit))

    if baseline or series:
        if baseline:
            view.headers.append(baseline.get("label") or f"基準（{baseline.get('year')}）")
            view.target_row.append("")
            view.actual_row.append(format_number(_num(baseline.get("value"))))
        for point in series:
            view.headers.append(point.get("label") or str(point.get("year")))
            t = _num(point.get("target"))
            view.target_row.append(format_number(t) if t is not None else "－")
            view.actual_row.append(format_number(_num(point.get("actual"))))
        view.show_target_row = any(_num(p.get("target")) is not None for p in series)
        view.headers.append(f"目標（{target_year}）" if target_year else "目標")
        view.target_row.append(view.target_label)
        view.actual_row.append("")

    rate = progress_rate(kpi)
    if rate is not None:
        view.progress = f"{rate * 100:.1f}％"
        view.achieved = rate >= 1
    view.chart = bar_chart_svg(kpi)
    return view


# --- chart ---------------------------------------------------------------

_ACTUAL = "#2f6db5"
_BASE = "#9aa7b4"
_TARGET = "#e08a1e"


def _nice_max(value: float) -> float:
    """Round the axis maximum up to 1, 2, 2.5 or 5 × 10^n."""
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp


def bar_chart_svg(kpi: dict) -> Markup | None:
    """A small bar chart of the KPI's series, or None when there is too
    little to draw (fewer than two figures).

    Bars: baseline (grey), actuals (blue), and the final target (orange
    outline); yearly targets are drawn as short orange ticks over the bars.
    The SVG is sized in em so that it shrinks with the sheet's type.
    """
    target = kpi.get("target") or {}
    series = kpi.get("series") or []
    baseline = kpi.get("baseline") or None
    cats = []  # (label, actual, yearly target, kind)
    if baseline and _num(baseline.get("value")) is not None:
        cats.append(("基準", _num(baseline.get("value")), None, "base"))
    for point in series:
        a, t = _num(point.get("actual")), _num(point.get("target"))
        if a is None and t is None:
            continue
        label = point.get("label") or str(point.get("year"))
        cats.append((label, a, t, "actual"))
    final = _num(target.get("value"))
    if final is not None:
        cats.append((f"目標{target.get('year') or ''}", None, final, "target"))
    values = [v for c in cats for v in (c[1], c[2]) if v is not None]
    if len(values) < 2:
        return None

    # headroom for the value printed above the tallest bar
    top = _nice_max(max(values) * 1.12)
    n = len(cats)
    # viewBox units: 10 per em of the sheet's type, so font-size 6.5 = 0.65em
    left, right, head, foot = 34, 4, 8, 14
    slot = 26 if n <= 4 else 20
    width = left + right + slot * n
    height = 74
    plot_h = height - head - foot
    bar_w = slot * 0.56

    def y(v):
        return head + plot_h * (1 - v / top)

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width / 10:.1f}em" height="{height / 10:.1f}em" '
        f'font-family="Sheet Gothic" font-size="6.5">']
    for frac in (0, 0.5, 1):
        gy = y(top * frac)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" '
                     f'stroke="#c8ced6" stroke-width="0.5"/>')
        parts.append(f'<text x="{left - 2}" y="{gy + 2.2:.1f}" text-anchor="end" '
                     f'fill="#555">{escape(format_number(top * frac))}</text>')
    for i, (label, actual, ytarget, kind) in enumerate(cats):
        cx = left + slot * i + slot / 2
        x0 = cx - bar_w / 2
        value = actual if kind != "target" else ytarget
        if value is not None:
            if kind == "target":
                style = f'fill="#fff4e5" stroke="{_TARGET}" stroke-width="0.9"'
            else:
                style = f'fill="{_BASE if kind == "base" else _ACTUAL}"'
            parts.append(f'<rect x="{x0:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                         f'height="{max(y(0) - y(value), 0.3):.1f}" {style}/>')
            parts.append(f'<text x="{cx:.1f}" y="{y(value) - 1.5:.1f}" text-anchor="middle" '
                         f'font-size="5.5" fill="#222">{escape(format_number(value))}</text>')
        if kind == "actual" and ytarget is not None:
            ty = y(ytarget)
            parts.append(f'<line x1="{x0 - 2:.1f}" y1="{ty:.1f}" x2="{x0 + bar_w + 2:.1f}" '
                         f'y2="{ty:.1f}" stroke="{_TARGET}" stroke-width="1.2"/>')
        parts.append(f'<text x="{cx:.1f}" y="{height - foot + 7.5:.1f}" text-anchor="middle" '
                     f'font-size="5.5" fill="#333">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" '
                 f'stroke="#666" stroke-width="0.6"/>')
    parts.append('</svg>')
    return Markup("".join(parts))
