"""A KPI figure's commas are thousands separators only: 「1,2,3」 is refused, never stored as 123."""
from __future__ import annotations

from decimal import Decimal

import pytest

from forms.sheet import NumberError, parse_number
from tests.editing.conftest import form_fields, sheet24
from tests.htmlpage import Page
from webapp.extensions import db

KPI2 = "KPI 1『九州内における地熱・温泉熱活用プロジェクト組成…』"
COMMAS = "カンマは3桁ごとの区切りにだけ使えます（例: 12,345）"


@pytest.mark.parametrize("raw,value", [
    ("１，２３４", Decimal("1234")),
    ("12,345", Decimal("12345")),
    ("1,234.5", Decimal("1234.5")),
    ("−1,234,567", Decimal("-1234567")),
    ("△１２，３４５．２５", Decimal("-12345.25")),
    ("999", Decimal("999")),
])
def test_commas_in_groups_of_three_are_thousands_separators(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["1,2,3", "12,34", "1,2345", ",123", "123,", "1,,234",
                                 "1,234,56", "0.123,456", "１，２，３"])
def test_other_commas_are_refused(raw):
    with pytest.raises(NumberError) as exc:
        parse_number(raw)
    assert str(exc.value) == COMMAS


def test_a_coordinator_typing_1_2_3_is_told_and_nothing_is_saved(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data["kpis-0-series-7-actual"] = "1,2,3"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=data)
    assert response.status_code == 422
    assert f"{KPI2}2024年度の実績: {COMMAS}（\"1,2,3\"）" in Page(response).text
    db.session.refresh(sheet)
    assert sheet.version == 1


def test_full_width_thousands_are_saved_as_the_number(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data["kpis-0-series-7-actual"] = "１２，３４５"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=data).status_code == 303
    db.session.refresh(sheet)
    from webapp.sheet_content import sheet_to_dict
    assert sheet_to_dict(sheet)["targets"]["kpis"][0]["series"][7]["actual"] == 12345
