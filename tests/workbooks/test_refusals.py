"""Every bad file is refused with a message naming what is wrong, and nothing changes."""
from __future__ import annotations

import io

import pytest

from tests.workbooks.conftest import cells_of, fill, hostile_sheet_xml, rezip, sheet24
from webapp.extensions import db
from webapp.workbooks import export, reading
from webapp.workbooks.reading import WorkbookError, prepare, read_file

TITLE = "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト"


def _refused(data: bytes, name: str = "f.xlsx", user=None) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        entries = read_file(data, name)
        for entry in entries:
            prepare(user, entry)
    return caught.value.messages


def test_a_word_where_a_number_goes_is_named_by_worksheet_and_cell(app24, oita, f):
    sheet = sheet24(f)
    data = export.workbook([sheet])
    cell = cells_of(data)[TITLE]["kpis-0-series-0-actual"]
    messages = _refused(fill(data, {"kpis-0-series-0-actual": "約500"}), user=oita)
    assert messages == [f"個票② シート『{TITLE}』 {cell}：KPI 1『九州内における地熱・温泉熱活用プロジェクト組成…』2015年度（15.6）の実績: "
                        "数値ではありません（\"約500\"）"]


def test_a_formula_is_refused_naming_its_cell(app24, oita, f):
    data = export.workbook([sheet24(f)])
    cell = cells_of(data)[TITLE]["challenges"]
    messages = _refused(fill(data, {"challenges": "=1+2"}), user=oita)
    assert messages == [f"個票② シート『{TITLE}』 {cell}：数式は取り込めません。値を直接入力してください。"]


def test_a_formula_outside_the_input_cells_is_refused_too(app24, oita, f):
    data = export.workbook([sheet24(f)])
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(data))
    wb[export.INSTRUCTIONS_TITLE]["C3"] = "=WEBSERVICE(\"http://example.com\")"
    out = io.BytesIO()
    wb.save(out)
    assert _refused(out.getvalue(), user=oita) == ["シート『記入のしかた』 C3：数式は取り込めません。値を直接入力してください。"]


@pytest.mark.parametrize("case, expected", [
    ("xlsm", "マクロ付きのブック（.xlsm など）や古い形式（.xls）は取り込めません。書き出した .xlsx ファイルのまま保存してください。"),
    ("vba", "マクロを含むブックは取り込めません。マクロのない .xlsx で保存し直してください。"),
    ("external", "外部のファイルへのリンクを含むブックは取り込めません。リンクを解除した .xlsx を使ってください。"),
    ("corrupt", "Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れているか、別の形式です。"),
    ("truncated", "Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れているか、別の形式です。"),
    ("bomb", "ファイルを展開すると大きすぎるため取り込めません。"),
    ("entries", "ファイルの構成が大きすぎるため取り込めません。"),
    ("big", "ファイルが大きすぎます（5 MB まで）。"),
    ("no meta", "このアプリで書き出したブックではありません（書き出し情報が見つかりません）。「Excelで書き出す」で作ったファイルに入力してください。"),
    ("tampered", "ブックの書き出し情報が壊れているため取り込めません。もう一度書き出してから入力してください。"),
    ("broken xml", "Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れている可能性があります。"),
])
def test_bad_files_are_refused(app24, oita, f, case, expected):
    data = export.workbook([sheet24(f)])
    name = "f.xlsx"
    if case == "xlsm":
        name = "f.xlsm"
    elif case == "vba":
        data = rezip(data, {"xl/vbaProject.bin": b"\0" * 10})
    elif case == "external":
        data = rezip(data, {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    elif case == "corrupt":
        data = b"PK\x03\x04 not really a zip"
    elif case == "truncated":
        data = data[: len(data) // 2]
    elif case == "bomb":
        data = rezip(data, {"xl/media/zeros.bin": b"\0" * (reading.MAX_UNCOMPRESSED + 1)})
    elif case == "entries":
        data = rezip(data, {f"xl/media/{i}.txt": b"" for i in range(reading.MAX_ENTRIES)})
    elif case == "big":
        data = data + b"\0" * reading.MAX_BYTES
    elif case == "no meta":
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(data))
        del wb[export.META_TITLE]
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    elif case == "tampered":
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(data))
        ws = wb[export.META_TITLE]
        ws["E2"] = str(int(ws["E2"].value) + 5)    # the version the file claims
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    elif case == "broken xml":
        data = rezip(data, {"xl/workbook.xml": b"<workbook"}, drop=("xl/workbook.xml",))
    assert _refused(data, name, user=oita) == [expected]


def test_too_many_cells_are_refused(app24, oita, f, monkeypatch):
    monkeypatch.setattr(reading, "MAX_CELLS", 50)
    assert _refused(export.workbook([sheet24(f)]), user=oita) == ["セルの数が多すぎるため取り込めません（50個まで）。"]


def test_a_refused_upload_changes_nothing(app24, client24, oita, f):
    sheet = sheet24(f)
    version, texts = sheet.version, dict(sheet.texts)
    data = fill(export.workbook([sheet]), {"results_actions": "新しい文章", "kpis-0-series-0-actual": "約500"})
    response = client24.post(f"/sheets/{sheet.id}/workbook/import",
                             data={"file": (io.BytesIO(data), "f.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "このファイルは取り込めませんでした（何も保存していません）。" in page
    assert "数値ではありません（&#34;約500&#34;）" in page
    db.session.expire_all()
    again = sheet24(f)
    assert (again.version, again.texts) == (version, texts)


def test_an_xml_bomb_inside_the_size_limits_is_refused(app24, oita, f):
    data = export.workbook([sheet24(f)])
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                        for i in range(1, 10))
              + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    data = rezip(data, {"xl/worksheets/sheet1.xml": laughs.encode()}, drop=("xl/worksheets/sheet1.xml",))
    assert _refused(data, user=oita) == [
        "Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れている可能性があります。"]


def test_too_many_worksheets_are_refused(app24, oita, f, monkeypatch):
    monkeypatch.setattr(reading, "MAX_WORKSHEETS", 2)
    assert _refused(export.workbook([sheet24(f)]), user=oita) == ["ワークシートが多すぎます（2枚まで）。"]


NESTED = "ブックの中のデータの入れ子が深すぎるため取り込めません（64段まで）。"
CROWDED = "ブックの中のデータが多すぎるため取り込めません（要素のタグ 400,000個まで）。"


@pytest.mark.parametrize("xml, expected", [
    (hostile_sheet_xml(nested=150_000), NESTED),
    (hostile_sheet_xml(nested=3_000_000), CROWDED),    # the file: 21 MB of XML, 20 KB zipped
    (hostile_sheet_xml(flat=1_600_000), CROWDED),
], ids=["nested", "deeply nested", "flat"])
def test_a_worksheet_of_millions_of_elements_is_refused_before_openpyxl(app24, oita, f, monkeypatch, xml,
                                                                        expected):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl was given the file")
    monkeypatch.setattr("openpyxl.load_workbook", never)
    data = rezip(export.workbook([sheet24(f)]), {"xl/worksheets/sheet2.xml": xml})
    assert _refused(data, user=oita) == [expected]


def test_a_nested_xml_upload_is_refused_on_the_page(app24, client24, oita, f):
    sheet = sheet24(f)
    version = sheet.version
    data = rezip(export.workbook([sheet]), {"xl/worksheets/sheet2.xml": hostile_sheet_xml(nested=150_000)})
    response = client24.post(f"/sheets/{sheet.id}/workbook/import",
                             data={"file": (io.BytesIO(data), "f.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "このファイルは取り込めませんでした（何も保存していません）。" in page
    assert NESTED in page
    db.session.expire_all()
    assert sheet24(f).version == version
