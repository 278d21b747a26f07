"""A small server-side SVG of one KPI over every year in the database.

No script, no external file; every text escaped. The figures themselves are
in the row beside it, and `chart_text()` says the same in words for screen
readers and for anyone who cannot see the colours.
"""
from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from webapp.jptext import format_number

W, H, PAD_X, PAD_TOP, PAD_BOTTOM = 160, 56, 8, 8, 12
ACTUAL, TARGET = "#2f6db5", "#e08a1e"


def chart_text(row) -> str:
    parts = []
    for year, target, actual in row.history:
        bits = []
        if actual is not None:
            bits.append(f"実績{format_number(actual)}")
        if target is not None:
            bits.append(f"目標{format_number(target)}")
        parts.append(f"{year}年度 " + "・".join(bits))
    if row.target_value is not None:
        parts.append(f"最終目標{format_number(row.target_value)}（{row.target_year or ''}）")
    return "、".join(parts) if parts else "グラフにする数値がありません"


def history_svg(row) -> Markup | None:
    """Actuals as a blue line with points, yearly targets as orange ticks, the
    final target as a dashed orange rule; None with fewer than two figures.
    Screen readers get `chart_text()` beside it instead (the page prints it
    visually hidden); the title is the tooltip."""
    points = [(y, t, a) for y, t, a in row.history]
    values = [v for _, t, a in points for v in (t, a) if v is not None]
    if row.target_value is not None:
        values.append(row.target_value)
    if len(values) < 2 or not points:
        return None
    top = max(max(values), Decimal(0))
    bottom = min(min(values), Decimal(0))
    span = (top - bottom) or Decimal(1)
    years = [y for y, _, _ in points]
    first, last = min(years), max(years)

    def x(year):
        if last == first:
            return W / 2
        return PAD_X + (W - 2 * PAD_X) * (year - first) / (last - first)

    def y(value):
        return PAD_TOP + float((top - value) / span) * (H - PAD_TOP - PAD_BOTTOM)

    label = escape(f"{row.name}の推移：{chart_text(row)}")
    out = [f'<svg class="kpi-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" '
           f'width="{W}" height="{H}" aria-hidden="true" focusable="false"><title>{label}</title>']
    out.append(f'<line x1="0" y1="{y(Decimal(0)):.1f}" x2="{W}" y2="{y(Decimal(0)):.1f}" '
               'stroke="#999" stroke-width="0.5"/>')
    if row.target_value is not None:
        ty = y(row.target_value)
        out.append(f'<line x1="0" y1="{ty:.1f}" x2="{W}" y2="{ty:.1f}" stroke="{TARGET}" '
                   'stroke-width="1" stroke-dasharray="3 2"/>')
    for year, target, _ in points:
        if target is not None:
            out.append(f'<line x1="{x(year) - 4:.1f}" y1="{y(target):.1f}" x2="{x(year) + 4:.1f}" '
                       f'y2="{y(target):.1f}" stroke="{TARGET}" stroke-width="1.5"/>')
    actuals = [(x(yr), y(a)) for yr, _, a in points if a is not None]
    if len(actuals) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in actuals)
        out.append(f'<polyline points="{path}" fill="none" stroke="{ACTUAL}" stroke-width="1.5"/>')
    for px, py in actuals:
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2" fill="{ACTUAL}"/>')
    out.append(f'<text x="{PAD_X}" y="{H - 2}" font-size="8" fill="#444">{escape(str(first))}</text>')
    if last != first:
        out.append(f'<text x="{W - PAD_X}" y="{H - 2}" font-size="8" fill="#444" '
                   f'text-anchor="end">{escape(str(last))}</text>')
    out.append("</svg>")
    return Markup("".join(out))
