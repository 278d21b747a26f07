"""Optional sub-fields (a KPI's 注記, say) are read generically: any tuple of dataclasses with
`optional`/`enabled` on a section (the template's `Field`s). Switching one off is a change the audit names, and is
refused while a sheet of the year holds a value in it."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.models import Sheet
from webapp.sheet_schema import COUNCIL_SHEET, LINE, TEXT, Field
from webapp.sheet_templates import compare, dropped, optional_fields, sheet_names


def with_note(enabled: bool):
    """The built-in template with the KPI's 注記 made optional, and switched on or off."""
    kpis = COUNCIL_SHEET["kpis"]
    section = dataclasses.replace(kpis, fields=tuple(
        dataclasses.replace(f, optional=True, enabled=enabled) if f.key == "note" else f
        for f in kpis.fields))
    return dataclasses.replace(COUNCIL_SHEET, sections=tuple(
        section if s.key == "kpis" else s for s in COUNCIL_SHEET.sections))


def test_only_optional_sub_fields_can_be_switched(app24):
    assert [(attr, f.key) for attr, f in optional_fields(with_note(True)["kpis"])] == [("fields", "note")]
    assert optional_fields(COUNCIL_SHEET["kpis"]) == []


def test_switching_a_field_off_is_a_change_in_words(app24):
    change = compare(with_note(True), with_note(False), 2024)
    assert change.lines == ["指標（KPI）: 項目「注記」を使わない"]
    assert change.changes == {"sections.kpis.fields.note.enabled": (True, False)}
    assert change.structural


def test_a_field_holding_values_cannot_be_switched_off(app24, f):
    cycle = get_cycle(2024)
    sheets = list(db.session.scalars(select(Sheet).where(Sheet.cycle_id == cycle.id)))
    found = dropped(with_note(True), with_note(False), sheets)
    assert list(found) == ["指標（KPI）／注記"]
    assert sheet_names(found["指標（KPI）／注記"]).startswith(
        "1番『九州水素エネルギー社会実現プロジェクト』、2番『地熱・温泉熱エネルギー産業拠点化推進プロジェクト』、")
    assert len(found["指標（KPI）／注記"]) == 15
    assert dropped(with_note(False), with_note(True), sheets) == {}


def test_sub_fields_are_checked_generically():
    from webapp.template_json import sub_field_problems
    kpis = with_note(True)["kpis"]
    assert sub_field_problems(kpis, "sections[6]") == []
    broken = dataclasses.replace(kpis, fields=(
        Field("name", TEXT, "指標名", enabled=False), Field("name", LINE, ""),
        Field("note", TEXT, "{X}の注記")))
    assert sub_field_problems(broken, "sections[6]") == [
        "sections[6].fields[0].enabled: 任意の項目（optional）でないため、使わない設定にはできません",
        "sections[6].fields[1].key: 「name」が重複しています",
        "sections[6].fields[1].label: 空にはできません",
        "sections[6].fields[2].label: 「{X}」は使えません（使えるのは {Y}（年度）と {Y1}（翌年度）だけです）",
    ]
