"""Issue #18 item 7: out-of-range ids and control characters in the admin forms.

A lead id of 2**31 or a 20-digit one on /admin/projects/new, and a NUL in an
organisation or display name, answered 500 on PostgreSQL. Every admin form now
answers such input with a message (200 or 400) and saves nothing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import login
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.models import AuditEvent, Organisation, Project, ReportingCycle, User

BAD_IDS = {"2**31": "2147483648", "10**20": "100000000000000000000", "letters": "abc"}
BAD_NAMES = {"NUL": "大分\x00県", "BEL": "大分\x07県"}


@pytest.fixture
def admin_client(app, factory):
    factory.organisation("大分県")
    client = app.test_client()
    login(client, factory.admin())
    return client


def saved_nothing(before: dict) -> bool:
    db.session.expire_all()
    return counts() == before


def counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, Project, User, ReportingCycle, AuditEvent)}


def oita_id() -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == "大分県"))


def project_form(**values) -> dict:
    return {"number": "30", "title": "新しいプロジェクト", "lead_label": "大分県",
            "lead_0": str(oita_id()), "active": "1", **values}


@pytest.mark.parametrize("slot", ["lead_0", "co_0"])
@pytest.mark.parametrize("value", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_a_new_project_with_an_organisation_id_out_of_range_is_refused(app, admin_client, slot, value):
    before = counts()
    answer = admin_client.post("/admin/projects/new", data=project_form(**{slot: value}))
    label = "幹事 1" if slot == "lead_0" else "共同幹事 1"
    assert answer.status_code == 400
    assert f"{label}の指定が正しくありません。画面を開き直してください。" in Page(answer).text
    assert saved_nothing(before)


@pytest.mark.parametrize("value", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_an_edited_project_with_an_organisation_id_out_of_range_is_refused(app, factory, admin_client,
                                                                           value):
    project = factory.project(5, "既存のプロジェクト", lead=("大分県",))
    before = counts()
    answer = admin_client.post(f"/admin/projects/{project.id}",
                               data=project_form(number="5", lead_0=value))
    assert answer.status_code == 400
    assert "幹事 1の指定が正しくありません。画面を開き直してください。" in Page(answer).text
    assert saved_nothing(before)


@pytest.mark.parametrize("number", ["10000", "2147483648", "100000000000000000000", "abc"])
def test_a_project_number_out_of_range_is_refused(app, admin_client, number):
    before = counts()
    answer = admin_client.post("/admin/projects/new", data=project_form(number=number))
    assert answer.status_code == 200
    assert "番号は1～9999の整数で入力してください。" in Page(answer).text
    assert saved_nothing(before)


@pytest.mark.parametrize("field", ["title", "lead_label"])
@pytest.mark.parametrize("text", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_a_project_text_with_a_control_character_is_refused(app, admin_client, field, text):
    before = counts()
    answer = admin_client.post("/admin/projects/new", data=project_form(**{field: text}))
    label = {"title": "プロジェクト名", "lead_label": "印刷する幹事の表記"}[field]
    assert answer.status_code == 400
    assert f"{label}に使用できない文字（制御文字）が含まれています。" in Page(answer).text
    assert saved_nothing(before)


@pytest.mark.parametrize("text", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_an_organisation_name_with_a_control_character_is_refused(app, admin_client, text):
    before = counts()
    answer = admin_client.post("/admin/organisations", data={"name": text, "kind": "prefecture"})
    assert answer.status_code == 400
    assert "組織名に使用できない文字（制御文字）が含まれています。" in Page(answer).text
    answer = admin_client.post(f"/admin/organisations/{oita_id()}",
                               data={"name": text, "kind": "prefecture", "active": "1"})
    assert answer.status_code == 400
    assert "組織名に使用できない文字（制御文字）が含まれています。" in Page(answer).text
    assert saved_nothing(before)
    assert db.session.get(Organisation, oita_id()).name == "大分県"


def user_form(**values) -> dict:
    return {"email": "new.person@example.jp", "display_name": "新しい担当者", "role": "coordinator",
            "organisation_id": str(oita_id()), "active": "y", "password": "kabosu orchard at dusk",
            **values}


@pytest.mark.parametrize("field, text, message", [
    ("display_name", "新しい\x00担当者", "表示名に使用できない文字（制御文字）が含まれています。"),
    ("display_name", "新しい\x07担当者", "表示名に使用できない文字（制御文字）が含まれています。"),
    ("email", "new\x00person@example.jp",
     "メールアドレス（ログインID）に使用できない文字（制御文字）が含まれています。"),
    ("password", "kabosu\x00orchard at dusk", "パスワードに使用できない文字（制御文字）が含まれています。"),
], ids=["NUL in the name", "BEL in the name", "NUL in the e-mail", "NUL in the password"])
def test_a_user_with_a_control_character_is_refused(app, factory, admin_client, field, text, message):
    coordinator = factory.coordinator("大分県")
    before = counts()
    answer = admin_client.post("/admin/users/new", data=user_form(**{field: text}))
    assert answer.status_code == 200 and message in Page(answer).text
    answer = admin_client.post(f"/admin/users/{coordinator.id}",
                               data=user_form(**{"email": coordinator.email, field: text}))
    assert answer.status_code == 200 and message in Page(answer).text
    assert saved_nothing(before)
    assert db.session.get(User, coordinator.id).display_name == coordinator.display_name


@pytest.mark.parametrize("value", [*BAD_IDS.values(), "\x00"], ids=[*BAD_IDS.keys(), "NUL"])
def test_a_user_with_an_organisation_id_out_of_range_is_refused(app, admin_client, value):
    before = counts()
    answer = admin_client.post("/admin/users/new", data=user_form(organisation_id=value))
    assert answer.status_code == 200
    assert "所属組織の指定が正しくありません。画面を開き直してください。" in Page(answer).text
    assert saved_nothing(before)


def test_a_role_that_is_not_offered_is_refused_in_japanese(app, admin_client):
    before = counts()
    answer = admin_client.post("/admin/users/new", data=user_form(role="\x00"))
    assert answer.status_code == 200 and "選択肢が正しくありません。" in Page(answer).text
    assert saved_nothing(before)


def test_a_report_title_with_a_control_character_is_refused(app, admin_client):
    before = counts()
    answer = admin_client.post("/cycles/open", data={"year": "2024", "report_title": "報告書\x00"})
    assert answer.status_code == 422
    assert "報告書の表題に使用できない文字（制御文字）が含まれています。" in Page(answer).text
    assert saved_nothing(before)


def test_line_ends_and_tabs_stay_allowed_in_multi_line_text(app):
    from forms.review import CommentForm
    from werkzeug.datastructures import MultiDict
    form = CommentForm(formdata=MultiDict({"body": "一行目\r\n\t二行目"}), meta={"csrf": False})
    assert form.validate()
    form = CommentForm(formdata=MultiDict({"body": "一行目\x0c二行目"}), meta={"csrf": False})
    assert not form.validate()
    assert form.body.errors == ["コメントに使用できない文字（制御文字）が含まれています。"]
