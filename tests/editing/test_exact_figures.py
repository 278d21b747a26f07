"""A KPI figure typed into the form comes back out of the export exactly, digit for digit."""
from __future__ import annotations

from tests.editing.conftest import form_fields, sheet24
from webapp.extensions import db


def test_fourteen_digits_and_six_decimals_survive_form_database_and_export(app24, client24, oita, f):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["kpis-0-series-7-actual"] = "１２,３４５,６７８,９０１,２３４.１２３４５６"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()

    result = app24.test_cli_runner().invoke(args=["export-report", "--year", "2024", "-"])
    assert result.exit_code == 0, result.output
    assert '"actual": 12345678901234.123456' in result.output
    # and the form shows it again as typed, with separators
    again = form_fields(client24, sheet.id)
    assert again["kpis-0-series-7-actual"] == "12,345,678,901,234.123456"
