"""flask export-xlsx / import-xlsx, as the issue's 'Done when' runs them."""
from __future__ import annotations

import re

from openpyxl import load_workbook

from tests.workbooks.conftest import cells_of, sheet24
from webapp import exactjson
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.sheet_content import sheet_to_dict

TITLE = "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト"


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _type(path, values: dict) -> None:
    data = open(path, "rb").read()
    cells = cells_of(data)[TITLE]
    wb = load_workbook(path)
    for name, value in values.items():
        wb[TITLE][cells[name]] = value
    wb.save(path)


def test_export_type_import_and_again_nothing(app24, f, tmp_path):
    oita = f.coordinator("大分県", email="oita@demo.example.jp")
    db.session.commit()
    path = str(tmp_path / "f.xlsx")
    result = _run(app24, "export-xlsx", "--year", "2024", "--project", "2", path)
    assert result.exit_code == 0, result.output
    assert result.output == f"2024年度の個票 1 件を {path} に書き出しました。\n"
    _type(path, {"results_evaluation": "・説明会を3回開いた\n・参加者は延べ120人", "kpis-0-series-0-actual": "２４８"})

    version = sheet24(f).version
    dry = _run(app24, "import-xlsx", path, "--as", "oita@demo.example.jp", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "（--dry-run のため保存していません）" in dry.output
    db.session.expire_all()
    assert sheet24(f).version == version
    before = sheet_to_dict(sheet24(f))

    result = _run(app24, "import-xlsx", path, "--as", "oita@demo.example.jp")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "② 地熱・温泉熱エネルギー産業拠点化推進プロジェクト（2024年度）"
    assert lines[1].startswith("  ２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価: 「２０３０年度に")
    assert lines[1].endswith("」→「・説明会を3回開いた ・参加者は延べ120人」")
    assert lines[2] == "  KPI『九州内における地熱・温泉熱活用プロジェクト組成件数』2015年度（15.6） 実績: 「7」→「248」"
    assert lines[-1] == "1 件の個票を保存しました。"
    db.session.expire_all()
    after = sheet_to_dict(sheet24(f))
    assert after["results"]["evaluation"] == "・説明会を3回開いた\n・参加者は延べ120人"
    assert after["targets"]["kpis"][0]["series"][0]["actual"] == 248
    # exactly those changes: everything else as before
    before["results"]["evaluation"] = after["results"]["evaluation"]
    before["targets"]["kpis"][0]["series"][0]["actual"] = 248
    assert exactjson.dumps(before) == exactjson.dumps(after)
    assert sheet24(f).updated_by_id == oita.id

    report = tmp_path / "r.json"
    assert _run(app24, "export-report", "--year", "2024", str(report)).exit_code == 0
    project = next(p for p in exactjson.loads(report.read_text())["projects"] if p["number"] == 2)
    assert project["results"]["evaluation"] == "・説明会を3回開いた\n・参加者は延べ120人"

    again = _run(app24, "import-xlsx", path, "--as", "oita@demo.example.jp")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[1:] == ["  変更はありません。", "変更はありませんでした。"]


def test_a_stale_workbook_is_refused_naming_the_fields(app24, f, tmp_path):
    oita = f.coordinator("大分県", email="oita@demo.example.jp")
    db.session.commit()
    path = str(tmp_path / "f.xlsx")
    assert _run(app24, "export-xlsx", "--year", "2024", "--project", "2", path).exit_code == 0
    _type(path, {"challenges": "Excelで書いた課題"})
    sheet = sheet24(f)
    content = sheet_to_dict(sheet)
    content["challenges"] = "画面で書いた課題"
    save_content(oita, sheet, sheet.version, content, [None] * len(sheet.figures))
    db.session.commit()
    version = sheet.version

    result = _run(app24, "import-xlsx", path, "--as", "oita@demo.example.jp")
    assert result.exit_code == 1
    assert re.search(r"  注意: このファイルを書き出した後に、あなたが \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d に保存しています。",
                     result.output)
    assert "  食い違い プロジェクトを推進する上での課題: 保存済み「画面で書いた課題」／ブック「Excelで書いた課題」" in result.output
    assert "上書きはしていません（何も保存していません）。食い違う欄: ② プロジェクトを推進する上での課題。" in result.output
    db.session.expire_all()
    assert sheet24(f).text("challenges") == "画面で書いた課題"
    assert sheet24(f).version == version


def test_a_stale_workbook_changed_elsewhere_merges_and_saves(app24, f, tmp_path):
    oita = f.coordinator("大分県", email="oita@demo.example.jp")
    colleague = f.coordinator("大分県")
    db.session.commit()
    path = str(tmp_path / "f.xlsx")
    assert _run(app24, "export-xlsx", "--year", "2024", "--project", "2", path).exit_code == 0
    _type(path, {"challenges": "Excelで書いた課題"})
    sheet = sheet24(f)
    content = sheet_to_dict(sheet)
    content["results"]["perspectives"] = "・画面で書いたSDGsの取組"
    content["targets"]["kpis"][0]["series"][0]["actual"] = 9
    save_content(colleague, sheet, sheet.version, content, [None] * len(sheet.figures))
    db.session.commit()

    for extra in (["--dry-run"], []):
        result = _run(app24, "import-xlsx", path, "--as", "oita@demo.example.jp", *extra)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert re.fullmatch(rf"  注意: このファイルを書き出した後に、{colleague.display_name}さんが \d{{4}}年\d{{1,2}}月\d{{1,2}}日 "
                            r"\d\d:\d\d に保存しています。ブックで変えた欄だけを反映し、その後に保存された内容は残します。",
                            lines[1]), lines[1]
        assert lines[2] == ("  そのまま残す欄（書き出した後に保存された内容）: ２０２４年度の活動実績（主要な取組）と評価／"
                            "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組、"
                            "KPI 1『九州内における地熱・温泉熱活用プロジェクト組成…』の1行目（2015年度）の実績")
        assert lines[3] == "  プロジェクトを推進する上での課題: 「」→「Excelで書いた課題」"
    assert lines[-1] == "1 件の個票を保存しました。"
    db.session.expire_all()
    after = sheet24(f)
    assert after.text("challenges") == "Excelで書いた課題"
    assert after.text("results_perspectives") == "・画面で書いたSDGsの取組"
    assert after.kpis[0].values[0].actual == 9
    assert after.updated_by_id == oita.id


def test_refusals_exit_non_zero(app24, f, tmp_path):
    f.coordinator("大分県", email="oita@demo.example.jp")
    f.coordinator("長崎県", email="nagasaki@demo.example.jp")
    db.session.commit()
    path = str(tmp_path / "f.xlsx")
    assert _run(app24, "export-xlsx", "--year", "2024", "--org", "大分県", path).exit_code == 0
    assert _run(app24, "export-xlsx", "--year", "2024", path).exit_code == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = _run(app24, "import-xlsx", str(bad), "--as", "oita@demo.example.jp")
    assert result.exit_code == 1
    assert "Excel のブック（.xlsx）として読み取れませんでした。" in result.output
    result = _run(app24, "import-xlsx", path, "--as", "nagasaki@demo.example.jp")
    assert result.exit_code == 1
    assert "この個票を見る権限がありません" in result.output


def test_a_nested_xml_workbook_is_refused_by_the_cli_too(app24, f, tmp_path):
    from tests.workbooks.conftest import hostile_sheet_xml, rezip
    f.coordinator("大分県", email="oita@demo.example.jp")
    db.session.commit()
    path = tmp_path / "f.xlsx"
    assert _run(app24, "export-xlsx", "--year", "2024", "--project", "2", str(path)).exit_code == 0
    path.write_bytes(rezip(path.read_bytes(), {"xl/worksheets/sheet2.xml": hostile_sheet_xml(nested=150_000)}))
    version = sheet24(f).version
    for extra in (["--dry-run"], []):
        result = _run(app24, "import-xlsx", str(path), "--as", "oita@demo.example.jp", *extra)
        assert result.exit_code == 1, result.output
        assert result.output == "エラー: ブックの中のデータの入れ子が深すぎるため取り込めません（64段まで）。\n"
    db.session.expire_all()
    assert sheet24(f).version == version
