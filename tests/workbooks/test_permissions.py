"""Who may download and upload workbooks: every route × sheet state × role.

The world is tests.editing.test_permissions': ② led by 大分県 ("lead"), 福岡県
co-leading ("co"), 長崎県 ("other") unrelated. Reading the sheet is enough to
download it; uploading is editing (lead coordinators, editable sheet, open year).
"""
from __future__ import annotations

import io

import pytest

from tests.editing.test_permissions import _put, make_world
from tests.factories import Factory, login
from webapp.extensions import db
from webapp.models import Sheet
from webapp.workbooks import export

COVERED_ENDPOINTS = {
    "workbooks.sheet_workbook",
    "workbooks.organisation_workbook",
    "workbooks.import_workbook",
    "workbooks.confirm_import",
}

ROLES = ("anonymous", "lead", "co", "other", "secretariat", "admin")
LOGIN = 302
READERS = {"anonymous": LOGIN, "lead": 200, "co": 200, "other": 404, "secretariat": 200, "admin": 200}
ORG = {"anonymous": LOGIN, "lead": 200, "co": 200, "other": 404, "secretariat": 404, "admin": 404}
EDITORS = {"anonymous": LOGIN, "lead": 200, "co": 403, "other": 404, "secretariat": 403, "admin": 403}
LOCKED = {**EDITORS, "lead": 302}          # back to the sheet page, with the reason
CONFIRM = {**EDITORS, "lead": 400}         # a token that is no token: refused, nothing saved
NOBODY = {"anonymous": LOGIN, "lead": 404, "co": 404, "other": 404, "secretariat": 404, "admin": 404}

DOWNLOAD = "/sheets/{sheet}/workbook.xlsx"
IMPORT = "/sheets/{sheet}/workbook/import"
CONFIRM_URL = "/sheets/{sheet}/workbook/confirm"

MATRIX = [
    ("workbooks.sheet_workbook", "draft", True, "GET", DOWNLOAD, None, READERS),
    ("workbooks.sheet_workbook", "approved", False, "GET", DOWNLOAD, None, READERS),
    ("workbooks.sheet_workbook", "draft", True, "GET", "/sheets/999999/workbook.xlsx", None, NOBODY),
    ("workbooks.organisation_workbook", "draft", True, "GET", "/workbooks/2024/organisation.xlsx", None, ORG),
    ("workbooks.organisation_workbook", "draft", True, "GET", "/workbooks/2031/organisation.xlsx", None,
     {**NOBODY, "anonymous": LOGIN}),
    ("workbooks.import_workbook", "draft", True, "GET", IMPORT, None, EDITORS),
    ("workbooks.import_workbook", "draft", True, "POST", IMPORT, "file", EDITORS),
    ("workbooks.import_workbook", "returned", True, "POST", IMPORT, "file", EDITORS),
    ("workbooks.import_workbook", "submitted", True, "POST", IMPORT, "file", LOCKED),
    ("workbooks.import_workbook", "approved", True, "GET", IMPORT, None, LOCKED),
    ("workbooks.import_workbook", "draft", False, "POST", IMPORT, "file", LOCKED),
    ("workbooks.confirm_import", "draft", True, "POST", CONFIRM_URL, {"token": "x.y"}, CONFIRM),
    ("workbooks.confirm_import", "submitted", True, "POST", CONFIRM_URL, {"token": "x.y"}, LOCKED),
    ("workbooks.confirm_import", "draft", True, "POST", "/sheets/999999/workbook/confirm", {"token": "x.y"},
     NOBODY),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint,state,cycle_open,method,url,data,expected", MATRIX,
                         ids=[f"{m[0]}:{m[4]}:{m[1]}{'' if m[2] else ':closed'}:{m[3]}" for m in MATRIX])
def test_who_may_use_what(app, client, role, endpoint, state, cycle_open, method, url, data, expected):
    sheet, people = make_world(Factory())
    version = sheet.version
    if data == "file":
        data = {"file": (io.BytesIO(export.workbook([sheet])), "f.xlsx")}
    _put(sheet, state, cycle_open, people["admin"])
    if role != "anonymous":
        login(client, people[role])
    response = client.open(url.format(sheet=sheet.id), method=method, data=data)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert db.session.get(Sheet, sheet.id).version == version   # no route here saves without a token
