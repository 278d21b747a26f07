"""Comparing two contents of a sheet, field by field, with changed words highlighted.

Japanese text has no spaces, so the diff runs on tokens that stand in for
words: runs of kanji, of hiragana, of katakana, of Latin letters, whole
figures and dates (「2024.8.29」「12,345」), and single other characters.
A changed date is then one replacement, not stray digits left unmarked.
Lines are paired first so that a long field does not cost a quadratic match
over its whole length. A lone particle or punctuation mark left "unchanged"
between two changes is folded into them, so that a rewritten sentence reads
as one change rather than confetti.

What is compared is always sheet_content's dict (the export format), so a
stored version, the current content and last year's approved sheet compare
alike.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from webapp.content_text import field_text, section_texts
from webapp.jptext import format_number
from webapp.sheet_schema import KPIS, schema

_TOKEN = re.compile(
    r"[0-9０-９]+(?:[.,/:．，／：][0-9０-９]+)*"     # a figure or a date, separators included
    r"|[A-Za-zＡ-Ｚａ-ｚ]+"
    r"|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+"
    r"|[\u3041-\u309f]+"
    r"|[\u30a1-\u30ffー\uff66-\uff9f]+"
    r"|.", re.DOTALL)
# An unchanged one-character hiragana or punctuation island between two changes is noise.
_NOISE = re.compile(r"[\u3041-\u309f]|[^\w\s]")


@dataclass
class SectionDiff:
    key: str
    label: str           # the section as the newer side's year heads it
    left: Markup
    right: Markup
    changed: bool
    left_label: str = ""  # the older side's heading, where its year words it differently
    # "left" / "right": the section is in that side's template only (the years' templates differ)
    only: str = ""


@dataclass
class KpiChange:
    kpi: str
    item: str
    left: str
    right: str
    kind: str            # 'changed', 'added', 'removed'


@dataclass
class Comparison:
    fields: list[SectionDiff]
    kpi_changes: list[KpiChange] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return sum(1 for f in self.fields if f.changed)


# --- words ------------------------------------------------------------------------------

def tokens(text: str) -> list[str]:
    """「2024.8.29に開催」 → ["2024.8.29", "に", "開催"]; joined, they give the text back."""
    return _TOKEN.findall(text)


def _segments(a: str, b: str) -> list[tuple[str, str, str]]:
    """[(tag, a_text, b_text)] with tag 'equal' or 'change', noise folded in."""
    segs: list[tuple[str, str, str]] = []
    a_lines, b_lines = a.splitlines(keepends=True), b.splitlines(keepends=True)
    lines = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        a_part, b_part = "".join(a_lines[i1:i2]), "".join(b_lines[j1:j2])
        if tag == "equal":
            segs.append(("equal", a_part, b_part))
        elif tag == "replace":
            a_words, b_words = tokens(a_part), tokens(b_part)
            words = difflib.SequenceMatcher(None, a_words, b_words, autojunk=False)
            for wtag, k1, k2, l1, l2 in words.get_opcodes():
                segs.append(("equal" if wtag == "equal" else "change",
                             "".join(a_words[k1:k2]), "".join(b_words[l1:l2])))
        else:
            segs.append(("change", a_part, b_part))
    # Fold short unchanged islands between changes into the change, then merge neighbours.
    for i in range(1, len(segs) - 1):
        tag, a_text, b_text = segs[i]
        if (tag == "equal" and _NOISE.fullmatch(a_text)
                and segs[i - 1][0] == "change" and segs[i + 1][0] == "change"):
            segs[i] = ("change", a_text, b_text)
    merged: list[tuple[str, str, str]] = []
    for seg in segs:
        if merged and merged[-1][0] == seg[0]:
            tag, a_text, b_text = merged[-1]
            merged[-1] = (tag, a_text + seg[1], b_text + seg[2])
        elif seg[1] or seg[2]:
            merged.append(seg)
    return merged


def char_diff(a: str | None, b: str | None) -> tuple[Markup, Markup, bool]:
    """(left HTML with deletions marked, right HTML with insertions marked, changed?)."""
    a, b = a or "", b or ""
    if a == b:
        return escape(a), escape(b), False
    left, right = [], []
    for tag, a_text, b_text in _segments(a, b):
        if tag == "equal":
            left.append(escape(a_text))
            right.append(escape(b_text))
            continue
        if a_text:
            left.append(Markup('<del class="diff-del"><span class="visually-hidden">［削除］</span>'
                               '{}</del>').format(a_text))
        if b_text:
            right.append(Markup('<ins class="diff-ins"><span class="visually-hidden">［追加］</span>'
                                '{}</ins>').format(b_text))
    return Markup("").join(left), Markup("").join(right), True


# --- a sheet's fields as text -------------------------------------------------------------

# --- KPI figures --------------------------------------------------------------------------

def _kpi_cells(kpi: dict, sheet_schema) -> dict[tuple, object]:
    """(item label, occurrence) -> value, for every figure of a KPI, and each field the
    template adds without a place in the table (a year's 「出典」)."""
    part = sheet_schema.part(KPIS)
    word = {f.key: f.label for f in part.fields}
    point_word = {f.key: f.words for f in part.point_fields}
    cells: dict[tuple, object] = {}
    baseline = kpi.get("baseline")
    if baseline:
        label = baseline.get("label") or f"{baseline.get('year')}年度"
        cells[(f"{word['baseline_value']}（{label}）", 0)] = baseline.get("value")
    seen: dict[str, int] = {}
    for point in kpi.get("series") or []:
        year = f"{point.get('year')}年度" + (f"（{point['label']}）" if point.get("label") else "")
        n = seen.get(year, 0)
        seen[year] = n + 1
        cells[(f"{year} {point_word['target']}", n)] = point.get("target")
        cells[(f"{year} {point_word['actual']}", n)] = point.get("actual")
    target = kpi.get("target") or {}
    goal = target.get("text") if target.get("text") else target.get("value")
    cells[(f"最終目標（{target.get('year') or ''}年）", 0)] = goal
    for f in part.entry_fields:
        if not f.slot and not f.is_empty(f.get(kpi)):
            cells[(f.words, 0)] = field_text(f, f.get(kpi))
    return cells


def _pair_kpis(a: list, b: list) -> list[tuple[dict | None, dict | None]]:
    """Pair KPIs by name, then the rest by position."""
    pairs: list[tuple[dict | None, dict | None]] = []
    b_left = list(b)
    a_left = []
    for k in a:
        match = next((x for x in b_left if x.get("name") == k.get("name")), None)
        if match is not None:
            b_left.remove(match)
            pairs.append((k, match))
        else:
            a_left.append(k)
    for i in range(max(len(a_left), len(b_left))):
        pairs.append((a_left[i] if i < len(a_left) else None,
                      b_left[i] if i < len(b_left) else None))
    return pairs


def _show(value) -> str:
    if value is None:
        return "－"
    return value if isinstance(value, str) else format_number(value)


def kpi_changes(a: dict | None, b: dict | None, sheet_schema=None) -> list[KpiChange]:
    """Changed KPI figures, named as `sheet_schema` (default: the template in force) words them."""
    sheet_schema = sheet_schema or schema()
    a_kpis = ((a or {}).get("targets") or {}).get("kpis") or []
    b_kpis = ((b or {}).get("targets") or {}).get("kpis") or []
    changes = []
    for old, new in _pair_kpis(a_kpis, b_kpis):
        name = (new or old).get("name", "")
        if old is not None and new is not None and old.get("name") != new.get("name"):
            name = f"{old.get('name')} → {new.get('name')}"
        old_cells = _kpi_cells(old, sheet_schema) if old else {}
        new_cells = _kpi_cells(new, sheet_schema) if new else {}
        for key in list(old_cells) + [k for k in new_cells if k not in old_cells]:
            before, after = old_cells.get(key), new_cells.get(key)
            if key not in old_cells:
                if after is None:
                    continue
                kind = "added"
            elif key not in new_cells:
                if before is None:
                    continue
                kind = "removed"
            elif before == after:
                continue
            else:
                kind = "changed"
            changes.append(KpiChange(kpi=name, item=key[0], left=_show(before),
                                     right=_show(after), kind=kind))
    return changes


def compare(a: dict | None, b: dict | None, year: int, left_year: int | None = None) -> Comparison:
    """Field by field, sections paired by key, in the newer (right) side's order. Each side
    is headed as its own year's template prints it: last year's evaluation is
    「○２０２３年度の評価」, not this year's heading. When the two years' templates differ,
    a section of one side only is compared with nothing and says so (`only`); those of
    the older side only come last."""
    then = left_year if left_year is not None else year
    right_schema, left_schema = schema(year), schema(then)
    left, right = section_texts(a, left_schema), section_texts(b, right_schema)
    fields = []
    for s in right_schema.sections:
        l_html, r_html, changed = char_diff(left.get(s.key, ""), right[s.key])
        label = right_schema.label(s.key, year)
        if s.key not in left_schema:
            fields.append(SectionDiff(key=s.key, label=label, left=l_html, right=r_html,
                                    changed=changed, only="right"))
            continue
        left_label = left_schema.label(s.key, then)
        fields.append(SectionDiff(key=s.key, label=label, left=l_html, right=r_html,
                                changed=changed,
                                left_label=left_label if left_label != label else ""))
    for s in left_schema.sections:
        if s.key not in right_schema:
            l_html, r_html, changed = char_diff(left[s.key], "")
            fields.append(SectionDiff(key=s.key, label=left_schema.label(s.key, then),
                                    left=l_html, right=r_html, changed=changed, only="left"))
    return Comparison(fields=fields, kpi_changes=kpi_changes(a, b, right_schema))
