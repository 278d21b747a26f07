"""A workbook brought back after the sheet was saved again never loses the newer work (issue #18, 1).

Story of the issue: a coordinator exports ②'s workbook (file A); a colleague then
saves a newer SDGs text and a KPI actual in the editor; the coordinator brings
back a copy of A in which only 課題 was changed.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from tests.editing.conftest import form_fields
from tests.factories import login
from tests.htmlpage import Page
from tests.workbooks.conftest import fill, sheet24, token_of, upload
from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.workbooks.export import META_TITLE
from webapp.workbooks.signing import checksum

SDGS = "・SDGsの観点：温泉熱を農業ハウスの暖房に使う実証を始めた"
SDGS_LABEL = "２０２４年度の活動実績（主要な取組）と評価／○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組"
KPI_LABEL = "KPI 1『九州内における地熱・温泉熱活用プロジェクト組成…』の1行目（2015年度）の実績"
CHALLENGES_LABEL = "プロジェクトを推進する上での課題"
SAVED = r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d"
NS = "{http://www.w3.org/1999/xhtml}"


def _colleague_saves(app24, f, **fields):
    """Another 大分県 coordinator saves these fields through the editor's 「保存」."""
    colleague = f.coordinator("大分県")
    client = app24.test_client()
    login(client, colleague)
    data = form_fields(client, sheet24(f).id)
    data.update(fields)
    assert client.post(f"/sheets/{sheet24(f).id}/edit", data=data).status_code == 303
    db.session.expire_all()
    return colleague


def _text(page, element_id: str) -> str:
    return "".join(page.by_id(element_id).itertext())


def _rows(page, table_id: str) -> list[str]:
    table = page.by_id(table_id)
    return [] if table is None else [row.get("data-field") for row in table.iter() if row.get("data-field")]


def _old_format(data: bytes) -> bytes:
    """The workbook as exports wrote it before the base was recorded (format /1, signed as then)."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[META_TITLE]
    ws["B1"] = "council-sheet-workbook/1"
    sheet_row, fields = None, []
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "sheet":
            sheet_row = row
        elif row[0].value == "field":
            fields.append((row[2].value, row[3].value))
            row[4].value = None
    sid, number, year, version = (int(sheet_row[i].value) for i in range(1, 5))
    sheet_row[6].value = checksum(sid, number, year, version, fields)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_stale_copy_changed_only_in_challenges_keeps_the_newer_saved_work(app24, client24, oita, f):
    sheet = sheet24(f)
    file_a = client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data
    colleague = _colleague_saves(app24, f, results_perspectives=SDGS, **{"kpis-0-series-0-actual": "９"})

    preview = upload(client24, sheet.id, fill(file_a, {"challenges": "・掘削費用の低減"}))
    assert preview.status_code == 200
    page = Page(preview)
    stale = _text(page, "stale-message")
    assert re.search(f"このファイルを書き出した後に、{colleague.display_name}さんが {SAVED} に保存しています。", stale)
    assert "Excelで変えた欄だけを反映し、書き出した後に保存された内容はそのまま残します。" in stale
    assert "別の画面（タブ）" not in preview.get_data(as_text=True)
    assert [("".join(li.itertext())) for li in page.by_id("kept-fields").iter(NS + "li")] == [SDGS_LABEL, KPI_LABEL]
    assert page.by_id("conflict-table") is None
    assert _rows(page, "compare-table") == ["challenges"]
    assert "［削除］" not in preview.get_data(as_text=True)

    saved = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": token_of(preview)})
    assert saved.status_code == 303
    db.session.expire_all()
    after = sheet24(f)
    assert after.text("results_perspectives") == SDGS
    assert after.kpis[0].values[0].actual == Decimal("9")
    assert after.text("challenges") == "・掘削費用の低減"
    assert after.updated_by_id == oita.id
    audit = db.session.query(AuditEvent).filter_by(object_type="sheet", object_id=sheet.id, action="save") \
        .order_by(AuditEvent.id.desc()).first()
    assert audit.actor_id == oita.id
    assert set(audit.changes) == {"challenges"}


def test_a_field_changed_on_both_sides_is_shown_side_by_side_and_keeps_the_saved_text_unless_chosen(
        app24, client24, oita, f):
    sheet = sheet24(f)
    file_a = client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data
    _colleague_saves(app24, f, challenges="・同僚が画面で書いた課題")
    version = sheet24(f).version
    data = fill(file_a, {"challenges": "・Excelで書いた課題", "purpose": "Excelで書いた目的"})

    preview = upload(client24, sheet.id, data)
    assert preview.status_code == 200
    page = Page(preview)
    assert _rows(page, "conflict-table") == ["challenges"]
    row = page.by_id("conflict-table").find(".//*[@data-field='challenges']")
    assert ["".join(c.itertext()) for c in row][:3] == [CHALLENGES_LABEL, "・同僚が画面で書いた課題", "・Excelで書いた課題"]
    assert page.by_id("keep-challenges-theirs").get("checked") is not None
    assert page.by_id("keep-challenges-mine").get("checked") is None
    assert _rows(page, "compare-table") == ["purpose"]     # changed in Excel only: merged

    offered = client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                            data={"token": token_of(preview), "keep-challenges": "theirs"})
    assert offered.status_code == 303
    db.session.expire_all()
    assert (sheet24(f).text("challenges"), sheet24(f).text("purpose")) == ("・同僚が画面で書いた課題", "Excelで書いた目的")
    assert sheet24(f).version == version + 1

    # The same file again, now choosing the workbook's 課題.
    again = upload(client24, sheet.id, data)
    chosen = client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                           data={"token": token_of(again), "keep-challenges": "mine"})
    assert chosen.status_code == 303
    db.session.expire_all()
    assert (sheet24(f).text("challenges"), sheet24(f).text("purpose")) == ("・Excelで書いた課題", "Excelで書いた目的")


def test_cells_retyped_as_excel_users_do_are_not_changes(app24, client24, oita, f):
    """Full-width digits, a thousands comma and Windows line ends read as the saved values."""
    _colleague_saves(app24, f, purpose="・一行目\n・二行目")
    sheet = sheet24(f)
    file_a = client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data
    _colleague_saves(app24, f, challenges="・同僚が画面で書いた課題")
    data = fill(file_a, {"kpis-0-series-0-actual": "７", "purpose": "・一行目\r\n・二行目  "})
    from webapp.workbooks.reading import prepare, read_file
    assert prepare(oita, read_file(data, "f.xlsx")[0]).edited == []
    page = Page(upload(client24, sheet.id, data))
    assert page.by_id("conflict-table") is None
    assert page.by_id("no-change") is not None
    assert [("".join(li.itertext())) for li in page.by_id("kept-fields").iter(NS + "li")] == [CHALLENGES_LABEL]


def test_an_old_format_workbook_still_imports(app24, client24, oita, f):
    sheet = sheet24(f)
    old = _old_format(client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data)

    # Not saved since its export: it imports as before.
    preview = upload(client24, sheet.id, fill(old, {"challenges": "・Excelで書いた課題"}))
    assert preview.status_code == 200
    assert Page(preview).by_id("stale-message") is None
    assert _rows(Page(preview), "compare-table") == ["challenges"]
    assert client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                         data={"token": token_of(preview)}).status_code == 303
    db.session.expire_all()
    assert sheet24(f).text("challenges") == "・Excelで書いた課題"


def test_a_stale_old_format_workbook_keeps_every_saved_value_unless_chosen(app24, client24, oita, f):
    sheet = sheet24(f)
    old = _old_format(client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data)
    _colleague_saves(app24, f, results_perspectives=SDGS)
    version = sheet24(f).version

    preview = upload(client24, sheet.id, fill(old, {"challenges": "・Excelで書いた課題"}))
    assert preview.status_code == 200
    page = Page(preview)
    assert "このファイルは以前の形式のため、書き出した時点の内容が記録されていません。" in _text(page, "stale-message")
    # Which side changed what cannot be told: every difference is asked, the saved value preselected.
    assert _rows(page, "conflict-table") == ["results_perspectives", "challenges"]
    assert page.by_id("keep-results_perspectives-theirs").get("checked") is not None
    assert page.by_id("keep-challenges-theirs").get("checked") is not None

    offered = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": token_of(preview)})
    assert offered.status_code == 303
    db.session.expire_all()
    assert sheet24(f).version == version
    assert sheet24(f).text("results_perspectives") == SDGS

    chosen = client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                           data={"token": token_of(preview), "keep-challenges": "mine"})
    assert chosen.status_code == 303
    db.session.expire_all()
    assert (sheet24(f).text("results_perspectives"), sheet24(f).text("challenges")) == (SDGS, "・Excelで書いた課題")


def test_two_figures_of_one_kpi_changed_on_different_sides_both_land(app24, client24, oita, f):
    """The merge is per cell: a KPI is not one field."""
    sheet = sheet24(f)
    assert len(sheet.kpis[0].values) >= 2
    file_a = client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data
    _colleague_saves(app24, f, **{"kpis-0-series-0-actual": "11"})
    data = fill(file_a, {"kpis-0-series-1-actual": "２２", "roadmap_title": "工程表"})
    preview = upload(client24, sheet.id, data)
    page = Page(preview)
    assert page.by_id("conflict-table") is None
    assert [("".join(li.itertext())) for li in page.by_id("kept-fields").iter(NS + "li")] == [KPI_LABEL]
    assert client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                         data={"token": token_of(preview)}).status_code == 303
    db.session.expire_all()
    after = sheet24(f)
    assert [v.actual for v in after.kpis[0].values[:2]] == [Decimal("11"), Decimal("22")]
    assert after.roadmap_title == "工程表"
