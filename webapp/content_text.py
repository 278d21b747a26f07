"""A sheet's structured parts (KPIs, roadmap, figures) written out as plain text.

The comparison view diffs these texts and the conflict view shows them side
by side, so both read one rendering.
"""
from __future__ import annotations

from webapp.jptext import format_number
from webapp.sheet_schema import CHOICE, FIGURES, FLAG, KPIS, NUMBER, ROADMAP, Field, schema


def field_text(f: Field, value) -> str:
    """A field's value as plain text: a choice by its label, a figure formatted, a flag ✓."""
    if f.kind == CHOICE:
        return f.choice_label(value) or (value or "")
    if f.kind == NUMBER:
        return format_number(value, empty="")
    if f.kind == FLAG:
        return "✓" if value else ""
    if isinstance(value, list):
        return "・".join(str(v) for v in value)
    return "" if value is None else str(value)


def extra_lines(fields, item: dict, indent: str = "  ") -> list[str]:
    """「label：value」 for each filled field without a place of its own in the layout."""
    return [f"{indent}{f.words}：{field_text(f, f.get(item))}" for f in fields
            if not f.slot and not f.is_empty(f.get(item))]


def kpi_text(k: dict, series: bool = True, sheet_schema=None) -> str:
    """One KPI, worded as `sheet_schema` (default: the template in force) words it;
    `series=False` leaves out the yearly figures (the comparison lists changed figures
    in a table of their own)."""
    part = (sheet_schema or schema()).part(KPIS)
    word = {f.key: f.words for f in part.fields + part.point_fields}
    direction = part.field("direction")
    target = k.get("target") or {}
    unit = f"（{k.get('unit')}）" if k.get("unit") else ""
    lines = [f"{k.get('name', '')}{unit}" + (f"［{word['cumulative']}］" if k.get("cumulative") else "")]
    goal = target.get("text") or format_number(target.get("value"), empty="")
    if target.get("year") or goal:
        lines.append(f"  {word['target_value']}（{target.get('year') or ''}年）：{goal}")
    if direction is not None and direction.enabled and direction.choice_label(k.get("direction")):
        lines.append(f"  {direction.label}：{direction.choice_label(k['direction'])}")
    baseline = k.get("baseline")
    if series and baseline:
        lines.append(f"  {word['baseline_value']}（{baseline.get('label') or baseline.get('year')}）："
                     f"{format_number(baseline.get('value'))}")
    for point in (k.get("series") or []) if series else []:
        label = f"（{point['label']}）" if point.get("label") else ""
        lines.append(f"  {point['year']}年度{label}：{word['target']} {format_number(point.get('target'))}"
                     f" / {word['actual']} {format_number(point.get('actual'))}")
    lines += extra_lines(part.entry_fields, k)
    if k.get("note"):
        lines.append(f"  注：{k['note']}")
    return "\n".join(lines)


def kpis_text(targets: dict, series: bool = False, sheet_schema=None) -> str:
    return "\n".join(f"{i}. {kpi_text(k, series, sheet_schema)}"
                     for i, k in enumerate(targets.get("kpis") or [], 1))


def roadmap_text(roadmap: dict | None) -> str:
    if not roadmap:
        return ""
    lines = [roadmap.get("title") or "", "年度：" + "・".join(roadmap.get("years") or [])]
    for r in roadmap.get("rows") or []:
        detail = f"｜{r.get('detail')}" if r.get("detail") else ""
        lines.append(f"・{r.get('activity', '')}{detail}（{r.get('from', '')}～{r.get('to', '')}）")
    return "\n".join(lines)


def figure_text(f: dict, sheet_schema=None) -> str:
    part = (sheet_schema or schema()).part(FIGURES)
    kind = part.field("kind")
    text = f"［{kind.choice_label(f.get('kind')) or f.get('kind')}］{f.get('caption', '')}"
    alt = part.field("alt_text")
    if alt is not None and f.get("alt_text"):
        text += f"\n  {alt.label}：{f['alt_text']}"
    return text + (f"\n  {f['note']}" if f.get("note") else "")


def figures_text(figures: list | None, sheet_schema=None) -> str:
    return "\n".join(figure_text(f, sheet_schema) for f in figures or [])


def section_texts(content: dict | None, sheet_schema=None) -> dict[str, str]:
    """Section key -> the section as plain text (structured parts written out as lines),
    for the sections of `sheet_schema` (default: the template in force)."""
    c = content or {}
    sheet_schema = sheet_schema or schema()
    texts = {}
    for section in sheet_schema.sections:
        if section.is_text:
            text = sheet_schema.text(c, section.key)
            if section.key == "target_text" and (c.get("targets") or {}).get("label"):
                text = f"［{c['targets']['label']}］\n" + text
            texts[section.key] = text
        elif section.kind == KPIS:
            texts[section.key] = kpis_text(c.get("targets") or {}, sheet_schema=sheet_schema)
        elif section.kind == ROADMAP:
            texts[section.key] = roadmap_text(c.get("roadmap"))
        elif section.kind == FIGURES:
            texts[section.key] = figures_text(c.get("figures"), sheet_schema)
    return texts
