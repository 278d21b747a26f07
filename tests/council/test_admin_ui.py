"""Organisations and projects changed through the screens, each with one audit record."""
from __future__ import annotations

from sqlalchemy import select

from tests.factories import login
from webapp.cycles import open_cycle
from webapp.extensions import db
from webapp.models import Organisation, Project, ReportBuild, Sheet
from webapp.sheet_content import sheet_to_dict


def _admin(app, fy):
    admin = fy.admin()
    client = app.test_client()
    login(client, admin)
    return client, admin


def _org_id(name):
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def test_add_rename_and_deactivate_an_organisation(fy2023_app, fy, audit_calls):
    client, admin = _admin(fy2023_app, fy)
    response = client.post("/admin/organisations", data={"name": "北九州市", "kind": "municipality"})
    assert response.status_code == 302
    org_id = _org_id("北九州市")
    response = client.post(f"/admin/organisations/{org_id}",
                           data={"name": "北九州市役所", "kind": "municipality", "active": "1"})
    assert response.status_code == 302
    response = client.post(f"/admin/organisations/{org_id}/deactivate")
    assert response.status_code == 302
    org = db.session.get(Organisation, org_id)
    assert (org.name, org.active) == ("北九州市役所", False)
    assert [(c["action"], c["id"], c["changes"]) for c in audit_calls] == [
        ("organisation_create", org_id, {"name": [None, "北九州市"], "kind": [None, "municipality"]}),
        ("organisation_update", org_id, {"name": ["北九州市", "北九州市役所"]}),
        ("organisation_deactivate", org_id, {"active": [True, False]}),
    ]
    assert {c["actor"] for c in audit_calls} == {admin.email}


def test_a_rename_shows_everywhere_but_printed_labels_stay(fy2023_app, fy, audit_calls):
    client, _ = _admin(fy2023_app, fy)
    oita = _org_id("大分県")
    client.post(f"/admin/organisations/{oita}", data={"name": "大分県庁", "kind": "prefecture",
                                                      "active": "1"})
    html = client.get("/admin/projects").get_data(as_text=True)
    assert "大分県庁" in html
    # The printed label is the project's own text.
    assert sheet_to_dict(fy.sheet_of(7))["lead_label"] == "大分県（福岡県・宮崎県）"


def test_an_organisation_in_use_cannot_be_deleted_and_the_screen_says_why(fy2023_app, fy,
                                                                          audit_calls):
    client, _ = _admin(fy2023_app, fy)
    oita = _org_id("大分県")
    response = client.post(f"/admin/organisations/{oita}/delete", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "削除できません" in html and "無効にする" in html
    assert db.session.get(Organisation, oita) is not None
    assert audit_calls == []
    client.post("/admin/organisations", data={"name": "使わない組織", "kind": "association"})
    unused = _org_id("使わない組織")
    # 削除 asks first, and the question changes nothing
    listing = client.get("/admin/organisations").get_data(as_text=True)
    assert f'href="/admin/organisations/{unused}/delete"' in listing
    asked = client.get(f"/admin/organisations/{unused}/delete").get_data(as_text=True)
    assert "「使わない組織」を削除しますか？" in asked and "元に戻せません" in asked
    assert _org_id("使わない組織") is not None
    in_use = client.get(f"/admin/organisations/{oita}/delete").get_data(as_text=True)
    assert "削除できません" in in_use and 'action="/admin/organisations/' not in in_use
    client.post(f"/admin/organisations/{unused}/delete")
    assert _org_id("使わない組織") is None
    assert [c["action"] for c in audit_calls] == ["organisation_create", "organisation_delete"]


def test_duplicate_names_and_numbers_are_refused_with_a_message(fy2023_app, fy, audit_calls):
    client, _ = _admin(fy2023_app, fy)
    html = client.post("/admin/organisations", data={"name": "大分県", "kind": "prefecture"},
                       follow_redirects=True).get_data(as_text=True)
    assert "「大分県」は既に登録されています。" in html
    html = client.post("/admin/projects/new", data={
        "number": "7", "title": "重複", "lead_label": "福岡県", "lead_0": _org_id("福岡県"),
        "active": "1"}).get_data(as_text=True)
    assert "番号 7 は既に他のプロジェクトが使っています。" in html
    assert audit_calls == []


def test_project_22_added_mid_year_is_on_the_dashboard_and_editable(fy2023_app, fy, audit_calls):
    admin = fy.admin()
    open_cycle(2024, None, admin)
    db.session.commit()
    client = fy2023_app.test_client()
    login(client, admin)
    fukuoka_city = _org_id("福岡市")
    response = client.post("/admin/projects/new", data={
        "number": "22", "title": "九州スタートアップ連携プロジェクト", "lead_label": "福岡市",
        "lead_0": fukuoka_city, "co_0": _org_id("福岡県"), "active": "1"}, follow_redirects=True)
    assert "2024年度の個票を「未着手」で作成しました。" in response.get_data(as_text=True)
    project = db.session.scalar(select(Project).where(Project.number == 22))
    sheet = fy.sheet_of(22, 2024)
    assert sheet.state == "not_started"
    assert [c["action"] for c in audit_calls] == ["project_create"]
    assert audit_calls[0]["changes"]["lead"] == [None, ["福岡市"]]
    assert audit_calls[0]["changes"]["co"] == [None, ["福岡県"]]

    dashboard = client.get("/dashboard/2024").get_data(as_text=True)
    assert "㉒" in dashboard and "九州スタートアップ連携プロジェクト" in dashboard

    coordinator = fy.coordinator("福岡市")
    city = fy2023_app.test_client()
    login(city, coordinator)
    assert city.get(f"/sheets/{sheet.id}/edit").status_code == 200
    assert "九州スタートアップ連携プロジェクト" in city.get("/").get_data(as_text=True)
    # A co-lead reads it but does not edit it.
    prefecture = fy2023_app.test_client()
    login(prefecture, fy.coordinator("福岡県"))
    assert prefecture.get(f"/sheets/{sheet.id}").status_code == 200
    assert prefecture.get(f"/sheets/{sheet.id}/edit").status_code == 403
    assert project.active


def test_without_an_open_year_no_sheet_is_made(fy2023_app, fy, audit_calls):
    client, _ = _admin(fy2023_app, fy)
    client.post("/admin/projects/new", data={
        "number": "22", "title": "新規", "lead_label": "福岡市", "lead_0": _org_id("福岡市"),
        "active": "1"})
    project = db.session.scalar(select(Project).where(Project.number == 22))
    assert db.session.scalar(select(Sheet).where(Sheet.project_id == project.id)) is None


def _edit(client, project, **changes):
    data = {"number": project.number, "title": project.title, "lead_label": project.lead_label,
            "active": "1" if project.active else ""}
    for i, org in enumerate(project.lead_organisations):
        data[f"lead_{i}"] = org.id
    for i, org in enumerate(project.co_organisations):
        data[f"co_{i}"] = org.id
    data.update(changes)
    return client.post(f"/admin/projects/{project.id}", data=data, follow_redirects=True)


def test_a_lead_change_edits_at_once_and_approved_sheets_keep_their_label(fy2023_app, fy,
                                                                          audit_calls):
    admin = fy.admin()
    open_cycle(2024, None, admin)
    db.session.commit()
    client = fy2023_app.test_client()
    login(client, admin)
    project = fy.sheet_of(7).project
    miyazaki = _org_id("宮崎県")
    # 宮崎県 becomes the lead, 大分県 a co-lead.
    _edit(client, project, lead_label="宮崎県（大分県・福岡県）", lead_0=miyazaki,
          co_0=_org_id("大分県"), co_1=_org_id("福岡県"))
    db.session.expire_all()
    assert [o.name for o in project.lead_organisations] == ["宮崎県"]
    assert audit_calls[-1]["action"] == "project_update"
    assert audit_calls[-1]["changes"]["lead_label"] == ["大分県（福岡県・宮崎県）",
                                                         "宮崎県（大分県・福岡県）"]
    # The approved FY2023 sheet prints as approved; the FY2024 draft takes the new label.
    assert sheet_to_dict(fy.sheet_of(7, 2023))["lead_label"] == "大分県（福岡県・宮崎県）"
    assert sheet_to_dict(fy.sheet_of(7, 2024))["lead_label"] == "宮崎県（大分県・福岡県）"
    new_lead, old_lead = fy2023_app.test_client(), fy2023_app.test_client()
    login(new_lead, fy.coordinator("宮崎県"))
    login(old_lead, fy.coordinator("大分県"))
    draft = fy.sheet_of(7, 2024)
    assert new_lead.get(f"/sheets/{draft.id}/edit").status_code == 200
    assert old_lead.get(f"/sheets/{draft.id}/edit").status_code == 403


def test_a_reopened_sheet_takes_the_current_label(fy2023_app, fy, audit_calls):
    from webapp.operations import transition
    admin = fy.admin()
    client = fy2023_app.test_client()
    login(client, admin)
    project = fy.sheet_of(7).project
    _edit(client, project, lead_label="大分県")
    sheet = fy.sheet_of(7)
    assert sheet_to_dict(sheet)["lead_label"] == "大分県（福岡県・宮崎県）"
    sheet.cycle.is_open = True
    db.session.commit()
    transition(admin, sheet, "reopen", comment="幹事の変更を反映")
    db.session.commit()
    assert sheet.approved_lead_label is None
    assert sheet_to_dict(sheet)["lead_label"] == "大分県"


def test_renumbering_after_a_report_build_needs_confirmation(fy2023_app, fy, audit_calls):
    client, admin = _admin(fy2023_app, fy)
    sheet = fy.sheet_of(21)
    db.session.add(ReportBuild(cycle_id=sheet.cycle_id, content_key="x", status="done"))
    db.session.commit()
    project = sheet.project
    html = _edit(client, project, number="30").get_data(as_text=True)
    assert "2023年度の報告書が既に作成されています" in html and "番号の変更を確認しました" in html
    db.session.expire_all()
    assert project.number == 21 and audit_calls == []
    _edit(client, project, number="30", confirm_renumber="1")
    db.session.expire_all()
    assert project.number == 30
    assert audit_calls[-1]["changes"] == {"number": [21, 30]}


def test_deactivating_keeps_history_and_the_next_year_leaves_it_out(fy2023_app, fy, audit_calls):
    client, admin = _admin(fy2023_app, fy)
    project = fy.sheet_of(5).project
    client.post(f"/admin/projects/{project.id}/deactivate")
    assert [c["action"] for c in audit_calls] == ["project_deactivate"]
    assert fy.sheet_of(5, 2023) is not None
    open_cycle(2024, None, admin)
    db.session.commit()
    assert fy.sheet_of(5, 2024) is None and fy.sheet_of(6, 2024) is not None


def test_the_database_keeps_numbers_and_names_unique_when_two_admins_race(fy2023_app, fy,
                                                                          audit_calls,
                                                                          monkeypatch):
    import pytest
    from webapp.council import operations as ops
    admin = fy.admin()
    # As if the other admin's row arrived between the check and the write.
    monkeypatch.setattr(ops, "_name_taken", lambda name, exclude_id=None: False)
    with pytest.raises(ops.CouncilError, match="「大分県」は既に登録されています。"):
        ops.create_organisation(admin, "大分県", "prefecture")
    assert db.session.scalar(select(Organisation.id).where(Organisation.name == "福岡県"))
    assert audit_calls == []


def _link(page, text: str) -> str:
    """The address of the link whose visible words start with `text`."""
    from tests.htmlpage import text_of
    return next(a.get("href") for a in page.all("a") if text_of(a).startswith(text))


def test_ending_a_project_asks_first_and_says_what_follows(fy2023_app, fy, audit_calls):
    from tests.htmlpage import Page
    client, admin = _admin(fy2023_app, fy)
    open_cycle(2024, None, admin)
    db.session.commit()
    project = fy.sheet_of(7).project
    # 「終了にする」 on the list opens a page; nothing has changed yet.
    listing = Page(client.get("/admin/projects"))
    href = _link(listing, "終了にする（⑦）")
    assert href == f"/admin/projects/{project.id}/deactivate"
    asked = Page(client.get(href))
    assert asked.texts("h1") == ["⑦ ヘルスケア産業振興プロジェクト を終了しますか？"]
    assert asked.texts("li")[-4:] == [
        "次に開始する年度から、このプロジェクトの個票は作られません。",
        "これまでの個票はそのまま残り、閲覧や作成済みの報告書も変わりません（2023年度・承認済、2024年度・未着手）。",
        "受付中の2024年度の個票も残り、これまでどおり作成・提出・承認できます。",
        "後から「編集」で「実施中」に戻すと、次の年度からまた個票が作られます。"]
    assert _link(asked, "やめる") == "/admin/projects"
    db.session.expire_all()
    assert project.active and audit_calls == []
    # 「終了する」 there ends it.
    assert [f.get("action") for f in asked.all("form") if f.get("action") == href] == [href]
    done = client.post(href, follow_redirects=True).get_data(as_text=True)
    assert "⑦ ヘルスケア産業振興プロジェクト を終了（無効）にしました。" in done
    db.session.expire_all()
    assert not project.active
    assert [c["action"] for c in audit_calls] == ["project_deactivate"]
    # Asked again, the page says it is already ended and offers no button.
    again = Page(client.get(href))
    assert "このプロジェクトは既に終了（無効）になっています。" in again.text
    assert not [f for f in again.all("form") if f.get("action") == href]


def test_deactivating_an_organisation_asks_first_and_says_what_follows(fy2023_app, fy, audit_calls):
    from tests.htmlpage import Page
    client, _ = _admin(fy2023_app, fy)
    fy.coordinator("大分県")
    oita = _org_id("大分県")
    listing = Page(client.get("/admin/organisations"))
    href = _link(listing, "無効にする（大分県）")
    assert href == f"/admin/organisations/{oita}/deactivate"
    asked = Page(client.get(href))
    assert asked.texts("h1") == ["「大分県」を無効にしますか？"]
    assert asked.texts("li")[-4:] == [
        "プロジェクトの幹事・共同幹事として新しく選べなくなります。",
        "所属するユーザー（1名）はこれまでどおりログインできます。",
        "幹事・共同幹事を務めるプロジェクト（4件）とその個票はそのまま残り、次の年度も個票が作られます。"
        "プロジェクトを終えるときは「プロジェクトの管理」で終了にしてください。",
        "後から「編集」で「有効」に戻せます。"]
    assert db.session.get(Organisation, oita).active and audit_calls == []
    client.post(href)
    db.session.expire_all()
    assert not db.session.get(Organisation, oita).active
    assert [c["action"] for c in audit_calls] == ["organisation_deactivate"]


def test_a_municipality_s_project_556_is_added_and_listed_with_a_plain_number(fy2023_app, fy):
    client, _ = _admin(fy2023_app, fy)
    open_cycle(2024, None, fy.admin())
    db.session.commit()
    response = client.post("/admin/projects/new", data={
        "number": "556", "title": "市民協働推進事業", "lead_label": "福岡市",
        "lead_0": _org_id("福岡市"), "active": "1"}, follow_redirects=True)
    assert "2024年度の個票を「未着手」で作成しました。" in response.get_data(as_text=True)
    assert fy.sheet_of(556, 2024).project.circled_number == "556"
    projects = client.get("/admin/projects").get_data(as_text=True)
    assert "<td>556</td><td>市民協働推進事業</td>" in projects
    assert 'max="9999"' in client.get("/admin/projects/new").get_data(as_text=True)
