"""A conflict with one's own save in another tab says so, instead of blaming someone else."""
from __future__ import annotations

from tests.editing.conftest import form_fields, sheet24
from tests.htmlpage import Page, text_of

OWN = ("この個票は、ここでの編集を始めた後に、別の画面（タブ）で、あなたが保存しました（")


def test_a_save_over_ones_own_save_in_another_tab_names_the_other_tab(app24, f, client24, oita):
    sheet = sheet24(f)
    first_tab, second_tab = form_fields(client24, sheet.id), form_fields(client24, sheet.id)
    first_tab["challenges"] = "・一つ目のタブで書いた課題"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=first_tab).status_code == 303
    second_tab["challenges"] = "・二つ目のタブで書いた課題"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=second_tab)
    assert response.status_code == 409
    page = Page(response)
    box = page.by_id("conflict-message")
    assert text_of(next(box.iter("{http://www.w3.org/1999/xhtml}h2"))) == "別の画面（タブ）で、あなたが先に保存しました"
    assert OWN in text_of(box)
    assert "他の方" not in page.text


def test_autosave_over_ones_own_save_in_another_tab_says_so(app24, f, client24, oita):
    sheet = sheet24(f)
    first_tab, second_tab = form_fields(client24, sheet.id), form_fields(client24, sheet.id)
    first_tab["challenges"] = "・一つ目のタブで書いた課題"
    assert client24.post(f"/sheets/{sheet.id}/autosave", data=first_tab).json["ok"] is True
    second_tab["challenges"] = "・二つ目のタブで書いた課題"
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=second_tab)
    assert answer.status_code == 409
    assert answer.json["heading"] == "別の画面（タブ）で、あなたが新しい内容を保存しました。自動保存を止めました。"
    assert answer.json["message"].startswith(OWN)


def test_someone_elses_save_still_names_them(app24, f, client24, oita):
    from tests.factories import login
    sheet = sheet24(f)
    mine = form_fields(client24, sheet.id)
    colleague = app24.test_client()
    tanaka = f.coordinator("大分県", email="tanaka@oita.example.jp")
    login(colleague, tanaka)
    theirs = form_fields(colleague, sheet.id)
    theirs["challenges"] = "・田中が書いた課題"
    assert colleague.post(f"/sheets/{sheet.id}/autosave", data=theirs).json["ok"] is True
    mine["challenges"] = "・自分が書いた課題"
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=mine)
    assert answer.json["heading"] == "他の方が新しい内容を保存しました。自動保存を止めました。"
    assert answer.json["message"].startswith(f"この個票は、あなたが編集を始めた後に{tanaka.display_name}さんが保存しました（")
