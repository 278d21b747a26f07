"""The round trip: export, fill in as a person would, read back field by field."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.workbooks.conftest import cells_of, fill
from webapp.extensions import db
from webapp.models import Sheet
from webapp.workbooks import export
from webapp.workbooks.reading import prepare, read_file


def test_every_fy2023_sheet_comes_back_unchanged(fy_app, f):
    reader = f.secretariat()
    sheets = db.session.query(Sheet).all()
    assert len(sheets) == 21
    for sheet in sheets:
        entries = read_file(export.workbook([sheet]), "x.xlsx")
        assert [e.sheet_id for e in entries] == [sheet.id]
        item = prepare(reader, entries[0])
        assert item.changes == [], (sheet.project.number, item.changes)
        assert item.unchanged, sheet.project.number


def test_an_untouched_workbook_of_every_fy2023_sheet_reads_as_untouched_after_a_later_save(fy_app, f):
    """Every cell's value as exported matches its recorded base, however Excel stores it
    (numbers as floats, years as integers, はい／いいえ, figure kinds by label)."""
    from sqlalchemy import update
    reader = f.secretariat()
    sheets = db.session.query(Sheet).all()
    files = {sheet.id: export.workbook([sheet]) for sheet in sheets}
    # A later save that changed nothing the workbook shows still makes every file stale.
    db.session.execute(update(Sheet).values(version=Sheet.version + 1))
    db.session.commit()
    db.session.expire_all()
    for sheet in db.session.query(Sheet).all():
        item = prepare(reader, read_file(files[sheet.id], "x.xlsx")[0])
        assert item.stale, sheet.project.number
        assert (item.edited, item.conflicts, item.kept, item.changes) == ([], [], [], []), sheet.project.number


def test_a_workbook_filled_in_as_a_person_would_lands_field_by_field(app24, oita, f):
    from tests.workbooks.conftest import sheet24
    from webapp.editing.saving import save_content
    sheet = sheet24(f)
    data = export.workbook([sheet])
    kpi = sheet.kpis[0]
    new_row = len(kpi.values)
    filled = fill(data, {
        "results_actions": "・地熱の説明会を開催\n・事業者を訪問",        # Alt+Enter is a line feed in the cell
        "challenges": "  ・人材の確保　\t",
        f"kpis-0-series-{new_row}-year": dt.datetime(2026, 4, 1),         # a year typed as a date
        f"kpis-0-series-{new_row}-target": "１，２００",
        f"kpis-0-series-{new_row}-actual": "△３０",
        "target_year": "令和11年度",
    })
    item = prepare(oita, read_file(filled, "f.xlsx")[0])
    assert [c.key for c in item.changes] == ["results_actions", "challenges", "target_year", "kpi-1"]
    save_content(oita, sheet, item.base_version, item.content, item.images)
    db.session.commit()
    db.session.expire_all()
    saved = sheet24(f)
    assert saved.text("results_actions") == "・地熱の説明会を開催\n・事業者を訪問"
    assert saved.text("challenges") == "  ・人材の確保"
    assert saved.target_year == 2029
    point = saved.kpis[0].values[new_row]
    assert (point.year, point.target, point.actual) == (2026, Decimal("1200"), Decimal("-30"))
    # The same file again: nothing to change.
    again = prepare(oita, read_file(filled, "f.xlsx")[0])
    assert again.unchanged and again.changes == []


def test_text_that_looks_like_a_formula_is_written_as_text(app24, oita, f):
    from openpyxl import load_workbook
    import io
    from tests.workbooks.conftest import sheet24
    sheet = sheet24(f)
    sheet.texts = {**sheet.texts, "challenges": "=HYPERLINK(\"http://x\")", "purpose": "＋増加"}
    db.session.commit()
    data = export.workbook([sheet])
    ws = load_workbook(io.BytesIO(data))[export._title(sheet)]
    cells = cells_of(data)[ws.title]
    assert ws[cells["challenges"]].data_type == "s"
    assert ws[cells["challenges"]].value == "=HYPERLINK(\"http://x\")"
    assert ws[cells["purpose"]].data_type == "s"


def test_figures_excel_cannot_hold_exactly_come_back_digit_for_digit(app24, oita, f):
    from tests.workbooks.conftest import sheet24
    sheet = sheet24(f)
    sheet.kpis[0].values[0].actual = Decimal("12345678901234.123456")
    sheet.kpis[0].target_value = Decimal("0.1")
    db.session.commit()
    item = prepare(oita, read_file(export.workbook([sheet]), "f.xlsx")[0])
    assert item.changes == [] and item.unchanged
    assert item.content["targets"]["kpis"][0]["series"][0]["actual"] == Decimal("12345678901234.123456")



def _direction_cell(data: bytes):
    import io
    from openpyxl import load_workbook
    title, fields = next(iter(cells_of(data).items()))
    return load_workbook(io.BytesIO(data))[title][fields["kpis-0-direction"]].value


def test_a_kpi_s_direction_is_chosen_in_the_workbook_by_its_word(app24, oita, f):
    from tests.workbooks.conftest import sheet24
    from webapp.editing.saving import save_content
    from webapp.workbooks.reading import WorkbookError
    sheet = sheet24(f)
    data = export.workbook([sheet])
    assert _direction_cell(data) is None            # unset: judged from the baseline
    item = prepare(oita, read_file(fill(data, {"kpis-0-direction": "減らす"}), "f.xlsx")[0])
    assert [c.key for c in item.changes] == ["kpi-1"]
    save_content(oita, sheet, item.base_version, item.content, item.images)
    db.session.commit()
    db.session.expire_all()
    assert sheet24(f).kpis[0].direction == "decrease"
    data = export.workbook([sheet24(f)])
    assert _direction_cell(data) == "減らす"
    with pytest.raises(WorkbookError) as refused:
        prepare(oita, read_file(fill(data, {"kpis-0-direction": "横ばい"}), "f.xlsx")[0])
    assert any("目標の向き: 「増やす」「減らす」から選ぶか、空欄にしてください（\"横ばい\"）" in m
               for m in refused.value.messages), refused.value.messages
