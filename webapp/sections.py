"""The sheet's sections in printed order, with their headings for a given year.

The sheet page, the edit form, comments (which attach to a section key),
comparisons and fit messages all name sections through this table.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.timeutil import fullwidth


@dataclass(frozen=True)
class Section:
    key: str            # also the Sheet attribute holding the text, for text sections
    group: str          # the printed box it sits in
    heading: str        # with {Y} / {Y1} placeholders for the year and the next
    required: bool = False
    text: bool = True

    def title(self, year: int) -> str:
        return self.heading.format(Y=fullwidth(year), Y1=fullwidth(year + 1))


GROUPS = {
    "purpose": "目的",
    "results": "{Y}年度の活動実績（主要な取組）と評価",
    "challenges": "プロジェクトを推進する上での課題",
    "targets": "設定目標",
    "plans": "{Y1}年度以降の取組（計画）",
    "extras": "ロードマップ・図表",
}

SECTIONS: list[Section] = [
    Section("purpose", "purpose", "目的", required=True),
    Section("results_actions", "results", "○具体的取組", required=True),
    Section("results_perspectives", "results",
            "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組"),
    Section("results_evaluation", "results", "○{Y}年度の評価", required=True),
    Section("challenges", "challenges", "プロジェクトを推進する上での課題", required=True),
    Section("target_text", "targets", "設定目標（本文）"),
    Section("kpis", "targets", "指標（KPI）", text=False),
    Section("plans_actions", "plans", "○具体的取組"),
    Section("plans_outlook", "plans", "○今後の目標、達成見込み"),
    Section("roadmap", "extras", "ロードマップ", text=False),
    Section("figures", "extras", "図表・写真", text=False),
]

BY_KEY = {s.key: s for s in SECTIONS}
TEXT_SECTIONS = [s for s in SECTIONS if s.text]


def group_title(group: str, year: int, target_label: str = "") -> str:
    if group == "targets" and target_label:
        return target_label
    return GROUPS[group].format(Y=fullwidth(year), Y1=fullwidth(year + 1))


def section_label(key: str | None, year: int) -> str:
    """A human name for a section key, e.g. for a comment: 「○２０２３年度の評価」."""
    if key is None:
        return "個票全体"
    section = BY_KEY.get(key)
    if section is None:
        return key
    if section.group in ("results", "plans"):
        return f"{group_title(section.group, year)}／{section.title(year)}"
    return section.title(year)
