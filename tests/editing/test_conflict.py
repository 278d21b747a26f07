"""Edit conflicts: two saves from the same version -- the second is refused, the first is kept,
and the refused user sees the newer saved text beside their own."""
from __future__ import annotations

import threading

from tests.editing.conftest import form_fields, sheet24
from tests.factories import login
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.models import Sheet


def _two_colleagues(app24, f):
    """Two coordinators of 大分県, each logged in on their own client."""
    a, b = app24.test_client(), app24.test_client()
    login(a, f.coordinator("大分県", email="sato@oita.example.jp"))
    login(b, f.coordinator("大分県", email="tanaka@oita.example.jp"))
    return a, b


def test_second_form_save_from_the_same_version_is_refused_and_shows_both_texts(app24, f):
    a, b = _two_colleagues(app24, f)
    sheet = sheet24(f)
    form_a, form_b = form_fields(a, sheet.id), form_fields(b, sheet.id)
    assert form_a["version"] == form_b["version"] == "1"

    form_a["challenges"] = "・佐藤が書いた課題"
    assert a.post(f"/sheets/{sheet.id}/edit", data=form_a).status_code == 303

    form_b["challenges"] = "・田中が書いた課題"
    form_b["purpose"] = form_b["purpose"] + "（田中が追記）"
    response = b.post(f"/sheets/{sheet.id}/edit", data=form_b)
    assert response.status_code == 409
    page = Page(response)
    message = page.by_id("conflict-message")
    assert message is not None
    assert "この個票は、あなたが編集を始めた後にcoordinator" in page.text
    assert "さんが保存しました（" in page.text
    assert "上書きはしていません。あなたの入力はそのまま残っています。" in page.text
    # both versions of each differing field are on the page, side by side
    rows = page.table_rows(next(t for t in page.all("table") if "conflict-table" in (t.get("class") or "")))
    by_label = {r[0]: r[1:] for r in rows}
    assert by_label["プロジェクトを推進する上での課題"] == ["・佐藤が書いた課題", "・田中が書いた課題"]
    assert by_label["目的"][1].endswith("（田中が追記）")
    textareas = {e.get("name"): "".join(e.itertext()) for e in page.all("textarea")}
    assert textareas["challenges"] == "・田中が書いた課題"          # the user's own input, kept
    theirs = page.by_id("challenges-theirs")                          # the newer text, to take over
    assert theirs.get("name") is None and "".join(theirs.itertext()) == "・佐藤が書いた課題"
    assert page.input_value("version") == "2"                       # saving again = merged

    db.session.expire_all()
    kept = db.session.get(Sheet, sheet.id)
    assert kept.text("challenges") == "・佐藤が書いた課題" and kept.version == 2

    # After looking at both, the user saves their merge: now it goes through.
    merged = {**form_b, "version": "2", "challenges": "・佐藤が書いた課題\n・田中が書いた課題"}
    assert b.post(f"/sheets/{sheet.id}/edit", data=merged).status_code == 303
    db.session.expire_all()
    final = db.session.get(Sheet, sheet.id)
    assert final.text("challenges") == "・佐藤が書いた課題\n・田中が書いた課題" and final.version == 3


def test_second_autosave_from_the_same_version_gets_409_and_the_first_is_kept(app24, f):
    a, b = _two_colleagues(app24, f)
    sheet = sheet24(f)
    form_a, form_b = form_fields(a, sheet.id), form_fields(b, sheet.id)
    form_a["kpis-0-series-7-actual"] = "２，１３４"
    first = a.post(f"/sheets/{sheet.id}/autosave", data=form_a)
    assert first.status_code == 200 and first.json["version"] == 2

    form_b["kpis-0-series-7-actual"] = "2,200"
    second = b.post(f"/sheets/{sheet.id}/autosave", data=form_b)
    assert second.status_code == 409
    body = second.json
    assert body["ok"] is False and body["reason"] == "conflict" and body["version"] == 2
    assert "上書きはしていません" in body["message"]
    kpi = next(d for d in body["fields"] if d["key"] == "kpi-1")
    assert "2024年度：目標 － / 実績 2,134" in kpi["theirs"]
    assert "2024年度：目標 － / 実績 2,200" in kpi["mine"]
    db.session.expire_all()
    assert db.session.get(Sheet, sheet.id).kpis[0].values[-1].actual == 2134


def test_a_stale_save_of_identical_content_is_not_a_conflict(app24, f):
    a, b = _two_colleagues(app24, f)
    sheet = sheet24(f)
    form_a, form_b = form_fields(a, sheet.id), form_fields(b, sheet.id)
    form_a["challenges"] = form_b["challenges"] = "・同じ文章"
    assert a.post(f"/sheets/{sheet.id}/autosave", data=form_a).json["version"] == 2
    again = b.post(f"/sheets/{sheet.id}/autosave", data=form_b)
    assert again.status_code == 200 and again.json == {**again.json, "changed": False, "version": 2}


def test_saving_unchanged_content_does_not_bump_the_version(app24, f, client24, oita):
    sheet = sheet24(f)
    # The first save of the carried-forward sheet, as it stands, starts it: 未着手 → 作成中.
    fields = form_fields(client24, sheet.id)
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, follow_redirects=True)
    assert "保存しました（" in Page(response).text
    db.session.refresh(sheet)
    assert (sheet.state, sheet.version) == ("draft", 2)
    # After that, saving the same content again changes nothing.
    fields = form_fields(client24, sheet.id)
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, follow_redirects=True)
    assert "保存しました（入力内容は保存済みで、変更はありませんでした）。" in Page(response).text
    db.session.refresh(sheet)
    assert (sheet.state, sheet.version) == ("draft", 2)


def test_two_simultaneous_saves_from_one_version_one_wins(app24, f):
    """Two database sessions save at the same moment: exactly one compare-and-set succeeds."""
    from webapp.editing.saving import ConflictError, load_sheet, save_content
    from webapp.sheet_content import sheet_to_dict
    user_ids = [f.coordinator("大分県").id, f.coordinator("大分県").id]
    sheet_id = sheet24(f).id
    barrier = threading.Barrier(2)
    outcome: dict[int, str] = {}

    def worker(n: int) -> None:
        with app24.app_context():
            from webapp.models import User
            user = db.session.get(User, user_ids[n])
            sheet = load_sheet(sheet_id)
            content = sheet_to_dict(sheet)
            content["challenges"] = f"・担当{n}の課題"
            images = [None for _ in content["figures"]]
            barrier.wait(timeout=30)
            try:
                save_content(user, sheet, 1, content, images)
                db.session.commit()
                outcome[n] = "saved"
            except ConflictError:
                outcome[n] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["conflict", "saved"]
    winner = next(n for n, result in outcome.items() if result == "saved")
    db.session.expire_all()
    sheet = db.session.get(Sheet, sheet_id)
    assert sheet.version == 2 and sheet.text("challenges") == f"・担当{winner}の課題"
