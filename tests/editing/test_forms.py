"""The sheet form: number and year normalisation, every Japanese validation message, no typed text lost."""
from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from forms.sheet import (NumberError, clean_text, form_number, parse_number, parse_year,
                         read_form, sheet_form)
from tests.editing.conftest import form_fields, sheet24, sheet_fields
from tests.htmlpage import Page, text_of
from webapp.extensions import db
from webapp.models import Transition


@pytest.mark.parametrize("raw,value", [
    ("２，１３４", Decimal("2134")),
    ("2,134", Decimal("2134")),
    ("　２ １３４ ", Decimal("2134")),
    ("１２．５", Decimal("12.5")),
    ("－３", Decimal("-3")),
    ("−1,000", Decimal("-1000")),          # U+2212 MINUS SIGN
    ("△１，０００", Decimal("-1000")),     # Japanese tables' negative mark
    ("▲0.5", Decimal("-0.5")),
    ("+7", Decimal("7")),
    (".5", Decimal("0.5")),
    ("12.", Decimal("12")),
    ("1,234,567.125", Decimal("1234567.125")),
    ("99999999999999", Decimal("99999999999999")),
    ("0.000001", Decimal("0.000001")),
    ("1.5000000", Decimal("1.5")),
])
def test_numbers_are_normalised(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["", "   ", "　", None])
def test_blank_number_is_no_number(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize("raw,message", [
    ("many", "数値ではありません"),
    ("1.2.3", "数値ではありません"),
    ("1e5", "数値ではありません"),
    ("12件", "数値ではありません"),
    ("約100", "数値ではありません"),
    ("--3", "数値ではありません"),
    ("100000000000000", "大きすぎます（整数部分は14桁まで）"),
    ("0.0000001", "小数点以下は6桁までにしてください"),
])
def test_bad_numbers_say_why(raw, message):
    with pytest.raises(NumberError) as exc:
        parse_number(raw)
    assert str(exc.value) == message


@pytest.mark.parametrize("raw,year", [
    ("2024", 2024), ("２０２４", 2024), ("2024年度", 2024), ("２０３０年", 2030),
    ("令和6年度", 2024), ("令和元年", 2019), ("平成31", 2019), ("R6", 2024), ("", None),
])
def test_years_are_normalised(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize("raw", ["24", "二〇二四", "1800", "2024-25", "abc"])
def test_bad_years_are_refused(raw):
    with pytest.raises(NumberError) as exc:
        parse_year(raw)
    assert str(exc.value) == "西暦の年（1900～2200）を入力してください"


def test_text_keeps_lines_and_markers_but_drops_control_characters():
    raw = "・一つ目\r\n  ○入れ子\r\n\t①タブ\x00\x07\n（１）括弧  \n\n"
    assert clean_text(raw) == "・一つ目\n  ○入れ子\n  ①タブ\n（１）括弧"
    assert clean_text("<b>太字</b>") == "<b>太字</b>"  # plain text: kept, printed literally


def test_numbers_are_shown_with_separators():
    assert form_number(2134) == "2,134"
    assert form_number(12.5) == "12.5"
    assert form_number(None) == ""


# ---------------------------------------------------------------- messages, through read_form

def _read(app, sheet, changes: dict):
    """read_form over the sheet's current form with `changes` applied."""
    from webapp.sheet_content import sheet_to_dict
    flat = MultiDict(list(sheet_fields(sheet).items()))
    for key, value in changes.items():
        flat.setlist(key, [value])
    with app.test_request_context(method="POST", data=flat):
        form = sheet_form()
        return read_form(form, sheet_to_dict(sheet), sheet.cycle.year)


def _messages(result):
    return [m for _, m in result[2].messages]


KPI2 = "KPI 1『九州内における地熱・温泉熱活用プロジェクト組成…』"


@pytest.mark.parametrize("field,value,message", [
    ("kpis-0-series-7-actual", "many", f"{KPI2}2024年度の実績: 数値ではありません（\"many\"）"),
    ("kpis-0-series-6-target", "多数", f"{KPI2}2023年度（23.12）の目標: 数値ではありません（\"多数\"）"),
    ("kpis-0-target_value", "５００件", f"{KPI2}の目標値: 数値ではありません（\"５００件\"）"),
    ("kpis-0-baseline_value", "x", f"{KPI2}の基準値: 数値ではありません（\"x\"）"),
    ("kpis-0-series-7-actual", "1" * 15, f"{KPI2}2024年度の実績: 大きすぎます（整数部分は14桁まで）（\"{'1' * 15}\"）"),
    ("kpis-0-series-7-actual", "0.1234567", f"{KPI2}2024年度の実績: 小数点以下は6桁までにしてください（\"0.1234567\"）"),
    ("kpis-0-target_year", "来年", f"{KPI2}の目標年: 西暦の年（1900～2200）を入力してください（\"来年\"）"),
    ("kpis-0-series-7-year", "24", f"{KPI2}の8行目の年度: 西暦の年（1900～2200）を入力してください（\"24\"）"),
    ("target_year", "2030年頃", "設定目標の目標年: 西暦の年（1900～2200）を入力してください（\"2030年頃\"）"),
    ("kpis-0-unit", "件" * 51, f"『{KPI2}の単位』は50文字以内にしてください（現在 51文字）"),
    ("purpose", "あ" * 4001, "『目的』は4,000文字以内にしてください（現在 4,001文字）"),
    ("target_label", "設" * 201, "『設定目標の見出し（印刷される表記）』は200文字以内にしてください（現在 201文字）"),
    ("kpis-0-series-7-label", "ラ" * 101, f"『{KPI2}の8行目の表記』は100文字以内にしてください（現在 101文字）"),
    ("kpis-0-direction", "sideways", f"{KPI2}の目標の向き: 「増やす」「減らす」から選ぶか、空欄にしてください（\"sideways\"）"),
])
def test_each_message_names_the_field(app24, f, field, value, message):
    result = _read(app24, sheet24(f), {field: value})
    assert _messages(result) == [message]


def test_a_value_without_a_year_is_refused_by_row(app24, f):
    result = _read(app24, sheet24(f), {"kpis-0-series-7-year": "", "kpis-0-series-7-actual": "250"})
    assert _messages(result) == [f"{KPI2}の8行目: 年度を入力してください"]


def test_a_baseline_value_needs_a_year(app24, f):
    result = _read(app24, sheet24(f), {"kpis-0-baseline_value": "10"})
    assert _messages(result) == [f"{KPI2}の基準年: 基準値を入れる場合は基準年も入力してください"]


def test_roadmap_messages(app24, f):
    sheet = sheet24(f)
    result = _read(app24, sheet, {
        "roadmap_title": "活動内容", "roadmap_years": "2024、2025、2026",
        "roadmap_rows-0-activity": "実務者会議", "roadmap_rows-0-from_year": "2023",
        "roadmap_rows-0-to_year": "2025",
        "roadmap_rows-1-activity": "現地視察", "roadmap_rows-1-from_year": "2026",
        "roadmap_rows-1-to_year": "2024"})
    assert _messages(result) == [
        "ロードマップ 1行目『実務者会議』: 開始「2023」が年度の列（2024、2025、2026）にありません",
        "ロードマップ 2行目『現地視察』: 終了が開始より前になっています",
    ]
    result = _read(app24, sheet, {"roadmap_rows-0-activity": "実務者会議"})
    assert _messages(result) == ["ロードマップ 1行目『実務者会議』: 開始と終了の年度を入力してください（例: 2024）"]
    result = _read(app24, sheet, {"roadmap_years": "2024、2024"})
    assert _messages(result) == ["ロードマップの年度の列に同じ年度が重複しています"]
    result = _read(app24, sheet, {"roadmap_years": "2024、" + "2" * 21})
    assert _messages(result) == [f"ロードマップの年度「{'2' * 21}」は20文字以内にしてください"]


def test_too_many_entries_are_refused(app24, f):
    changes = {f"kpis-{i}-name": f"指標{i}" for i in range(1, 32)}
    assert "KPIは30件までです。減らしてから保存してください" in _messages(_read(app24, sheet24(f), changes))


def test_full_width_values_are_stored_as_numbers(app24, f):
    content, _, errors = _read(app24, sheet24(f), {"kpis-0-series-7-actual": "２，１３４",
                                                     "kpis-0-target_value": "５００",
                                                     "kpis-0-target_year": "２０３０年"})
    assert not errors
    kpi = content["targets"]["kpis"][0]
    assert kpi["series"][7] == {"year": 2024, "target": None, "actual": 2134}
    assert kpi["target"] == {"year": 2030, "value": 500}


def test_empty_added_entries_are_dropped_not_refused(app24, f):
    content, _, errors = _read(app24, sheet24(f), {
        "kpis-1-name": "", "kpis-1-series-0-year": "",
        "roadmap_rows-0-activity": "", "figures-1-caption": "", "figures-1-kind": "photo"})
    assert not errors
    assert len(content["targets"]["kpis"]) == 1 and content["roadmap"] is None
    assert len(content["figures"]) == 1


# ---------------------------------------------------------------- through the page

def test_the_editor_asks_which_way_a_kpi_goes_and_saves_the_choice(app24, f, client24, oita):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    labels = {label.get("for"): text_of(label) for label in page.all("label")}
    assert labels["kpis-0-direction"] == "目標の向き"
    assert page.selected("kpis-0-direction") == ""           # unset: judged from the baseline
    assert "基準値がないときは選んでください" in text_of(page.by_id("kpis-0-direction-hint"))
    data = form_fields(client24, sheet.id)
    data["kpis-0-direction"] = "decrease"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=data).status_code == 303
    db.session.refresh(sheet)
    assert sheet.kpis[0].direction == "decrease"
    assert all(k.direction is None for k in sheet.kpis[1:])


def test_a_draft_saves_with_empty_fields(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    for key in ("purpose", "results_actions", "results_evaluation", "challenges"):
        data[key] = ""
    response = client24.post(f"/sheets/{sheet.id}/edit", data=data)
    assert response.status_code == 303
    db.session.refresh(sheet)
    assert sheet.text("purpose") == "" and sheet.version == 2


def test_an_error_reshows_everything_typed_and_saves_nothing(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data["results_actions"] = "・今年の取組を書いた長い文章\n  ○入れ子の項目"
    data["challenges"] = "・課題を書いた"
    data["kpis-0-series-7-actual"] = "many"
    data["kpis-0-series-6-actual"] = "２３０"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=data)
    assert response.status_code == 422
    page = Page(response)
    summary = page.by_id("error-summary")
    assert summary is not None
    assert f"{KPI2}2024年度の実績: 数値ではありません（\"many\"）" in page.text
    textareas = {e.get("name"): "".join(e.itertext()) for e in page.all("textarea")}
    assert textareas["results_actions"] == "・今年の取組を書いた長い文章\n  ○入れ子の項目"
    assert textareas["challenges"] == "・課題を書いた"
    assert page.input_value("kpis-0-series-7-actual") == "many"
    assert page.input_value("kpis-0-series-6-actual") == "２３０"
    db.session.refresh(sheet)
    assert sheet.version == 1 and sheet.text("challenges") == ""


def test_first_save_of_a_sheet_not_started_records_the_edit_transition(app24, f, client24):
    from webapp.models import Sheet
    project = f.project(30, "新しいプロジェクト", lead=("大分県",))
    cycle = sheet24(f).cycle
    sheet = Sheet(project=project, cycle=cycle, state="not_started")
    db.session.add(sheet)
    db.session.commit()
    from tests.factories import login
    login(client24, f.coordinator("大分県"))
    data = form_fields(client24, sheet.id)
    data["purpose"] = "目的を書き始めた"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=data).status_code == 303
    db.session.refresh(sheet)
    assert sheet.state == "draft" and sheet.text("purpose") == "目的を書き始めた"
    record = db.session.query(Transition).filter_by(sheet_id=sheet.id).one()
    assert (record.action, record.from_state, record.to_state) == ("edit", "not_started", "draft")


def test_every_fy2023_sheet_goes_through_the_form_unchanged(app24, f):
    """The form can hold every real sheet: shown and posted back, nothing changes or is refused."""
    from webapp.sheet_content import comparable, sheet_to_dict
    for number in range(1, 22):
        sheet = f.sheet_of(number, 2024)
        content, images, errors = _read(app24, sheet, {})
        assert not errors, (number, errors.messages)
        assert comparable(content) == comparable(sheet_to_dict(sheet)), number
