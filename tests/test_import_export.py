"""The report file: import, export, validation by path, and the command-line commands.

The secretariat loads last year's printed report from its JSON file, may
load it again without harm, and gets the same data back out. A bad file is
refused as a whole, naming every bad field by its path, and leaves the
database exactly as it was.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from tests.conftest import FY2023, ROOT
from tests.factories import login
from webapp.auth.passwords import verify_password
from webapp.extensions import db
from webapp.models import Sheet, Transition, User
from webapp.report_io import ReportFileError, import_report, load_report_file, validate_report


def fy2023() -> dict:
    with open(FY2023, encoding="utf-8") as fh:
        return json.load(fh)


def dump_database() -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order."""
    db.session.expire_all()
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        out[table.name] = [dict(row) for row in rows]
    return out


def differences(a, b, path="") -> list[str]:
    """Paths at which two JSON values differ, for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            here = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.append(f"{here}: only in {'export' if key in b else 'file'}")
            else:
                out += differences(a[key], b[key], here)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items in the file, {len(b)} exported"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if a != b or type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return [f"{path}: file {a!r}, exported {b!r}"]
    return []


def write_json(path, data) -> str:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    return str(path)


# ---------------------------------------------------------------------------
# Round trip and idempotence
# ---------------------------------------------------------------------------

def test_importing_the_report_twice_and_exporting_gives_back_the_same_report(app, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import-report", FY2023])
    assert first.exit_code == 0, first.output
    assert "2023年度を取り込みました" in first.output
    second = runner.invoke(args=["import-report", FY2023])
    assert second.exit_code == 0, second.output
    assert "変更はありません" in second.output

    out = tmp_path / "export.json"
    result = runner.invoke(args=["export-report", "--year", "2023", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8") as fh:
        exported = json.load(fh)
    original = fy2023()
    # the export adds only the version of the year's template it follows
    assert differences(original, exported) == ["template_version: only in export"]
    assert exported["template_version"] == 1
    # Spot checks of what "equal" means: the texts and the KPI figures, as numbers.
    kpi = exported["projects"][5]["targets"]["kpis"][0]
    assert kpi["series"][0]["actual"] == 297 and kpi["baseline"]["label"] == "設定時（２０１４年度）"
    assert exported["projects"][2]["targets"]["kpis"][4]["series"][0]["actual"] == 0.6568
    assert exported["projects"][0]["purpose"] == original["projects"][0]["purpose"]


def test_export_to_standard_output(fy2023_app):
    result = fy2023_app.test_cli_runner().invoke(args=["export-report", "--year", "2023", "-"])
    assert result.exit_code == 0
    assert json.loads(result.output)["projects"][0]["title"] == "九州水素エネルギー社会実現プロジェクト"


def test_a_second_import_of_the_same_file_changes_no_row(fy2023_app):
    before = dump_database()
    summary = import_report(fy2023())
    db.session.commit()
    assert not summary.changed and summary.unchanged == 21
    after = dump_database()
    assert after == before
    assert {s["version"] for s in after["sheets"]} == {1}
    assert {s["state"] for s in after["sheets"]} == {"approved"}


def test_importing_a_corrected_file_updates_only_the_sheets_that_changed(fy2023_app, fy):
    photo = fy.sheet_of(2).figures[0]   # an uploaded image that the file knows nothing about
    photo.image_file = "kept-photo.png"
    db.session.commit()
    data = fy2023()
    data["projects"][0]["targets"]["kpis"][0]["series"][0]["actual"] = 31
    data["projects"][1]["figures"][0]["caption"] = "取組の柱（改訂）"
    data["projects"][4]["roadmap"]["rows"][0]["detail"] = "提案型公募事業による商品開発支援（拡充）"
    data["projects"][6]["co_organizations"] = ["福岡県"]
    data["projects"][6]["lead_label"] = "大分県（福岡県）"

    summary = import_report(data)
    db.session.commit()

    assert summary.updated == ["2023年度 個票1", "2023年度 個票2", "2023年度 個票5", "プロジェクト7"]
    db.session.expire_all()
    sheets = {s.project.number: s for s in db.session.scalars(select(Sheet))}
    assert {n for n, s in sheets.items() if s.version == 2} == {1, 2, 5}
    assert all(s.state == "approved" for s in sheets.values())
    assert [t.action for t in sheets[1].transitions] == ["import", "import"]
    assert sheets[2].figures[0].image_file == "kept-photo.png"
    result = fy2023_app.test_cli_runner().invoke(args=["export-report", "--year", "2023", "-"])
    assert differences(data["projects"], json.loads(result.output)["projects"]) == []


def test_a_figure_s_alternative_text_imports_exports_and_reimports_unchanged(fy2023_app, fy):
    data = fy2023()
    assert all("alt_text" not in fig for p in data["projects"] for fig in p["figures"])
    data["projects"][1]["figures"][0]["alt_text"] = "五つの柱を横に並べた図"
    summary = import_report(data)
    db.session.commit()
    assert summary.updated == ["2023年度 個票2"]
    assert fy.sheet_of(2).figures[0].alt_text == "五つの柱を横に並べた図"
    exported = json.loads(fy2023_app.test_cli_runner().invoke(
        args=["export-report", "--year", "2023", "-"]).output)
    assert exported["projects"][1]["figures"][0]["alt_text"] == "五つの柱を横に並べた図"
    # figures without one are written as before, without the key
    assert [fig["caption"] for p in exported["projects"] for fig in p["figures"]
            if "alt_text" in fig] == [data["projects"][1]["figures"][0]["caption"]]
    before = dump_database()
    again = import_report(exported)
    db.session.commit()
    assert not again.changed and dump_database() == before


def test_a_kpi_s_direction_imports_exports_and_reimports_unchanged(fy2023_app, fy):
    """The FY2023 file has no `direction` (its re-import changes nothing, see above); a file
    that says ⑰'s goal is one to reduce keeps it through the database and the export."""
    data = fy2023()
    assert all("direction" not in k for p in data["projects"] for k in p["targets"]["kpis"])
    data["projects"][16]["targets"]["kpis"][0]["direction"] = "decrease"
    summary = import_report(data)
    db.session.commit()
    assert summary.updated == ["2023年度 個票17"]
    assert fy.sheet_of(17).kpis[0].direction == "decrease"
    exported = json.loads(fy2023_app.test_cli_runner().invoke(
        args=["export-report", "--year", "2023", "-"]).output)
    assert [(p["number"], k["direction"]) for p in exported["projects"]
            for k in p["targets"]["kpis"] if "direction" in k] == [(17, "decrease")]
    before = dump_database()
    again = import_report(exported)
    db.session.commit()
    assert not again.changed and dump_database() == before


def test_a_bad_file_is_refused_as_a_whole(fy2023_app):
    before = dump_database()
    data = fy2023()
    data["projects"][0]["purpose"] = "書き換えた目的"          # a good change ...
    data["projects"][20]["number"] = "二十一"                   # ... and a bad one at the end
    with pytest.raises(ReportFileError) as refused:
        import_report(data)
    db.session.rollback()
    assert refused.value.errors == ['projects[20].number: 整数ではありません ("二十一")']
    assert dump_database() == before


# ---------------------------------------------------------------------------
# Every validation error, named by its path
# ---------------------------------------------------------------------------

DELETE = object()
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def mutate(data, path: str, value):
    steps = [int(index) if index else key for key, index in STEP.findall(path)]
    *parents, last = steps
    for step in parents:
        data = data[step]
    if value is DELETE:
        del data[last]
    else:
        data[last] = value


def bad(path, value, message, at=None, also=None, id=None):
    """File with `path` set to `value` (and `also` {path: value}) -> error '<at or path>: message'."""
    changes = {path: value, **(also or {})}
    return pytest.param(changes, f"{at or path}: {message}", id=id or f"{path}={_short(value)}")


def _short(value) -> str:
    return "DELETE" if value is DELETE else json.dumps(value, ensure_ascii=False)[:20]


KINDS = "association・business_federation・municipality・national_agency・prefecture"
K0 = "projects[0].targets.kpis[0]"
K5 = "projects[5].targets.kpis[0]"
R4 = "projects[4].roadmap"

VALIDATION_CASES = [
    # The file as a whole and its header
    bad("council", DELETE, "項目がありません"),
    bad("council", 2023, "文字列ではありません (2023)"),
    bad("council", "  ", "空欄です"),
    bad("council", "九州\x00地域", "使用できない制御文字が含まれています"),
    bad("fiscal_year", DELETE, "項目がありません"),
    bad("fiscal_year", "2023", '整数ではありません ("2023")'),
    bad("fiscal_year", True, "整数ではありません (true)"),
    bad("fiscal_year", 1899, "1900〜2200の範囲にありません (1899)"),
    bad("title", "長" * 301, "300文字を超えています（301文字）"),
    # Organisations
    bad("organizations", DELETE, "項目がありません"),
    bad("organizations", {}, "配列ではありません ({})"),
    bad("organizations[0]", "福岡県", 'オブジェクトではありません ("福岡県")'),
    bad("organizations[0].name", "", "空欄です"),
    bad("organizations[0].name", "県" * 201, "200文字を超えています（201文字）"),
    bad("organizations[1].name", "福岡県", '組織名が重複しています ("福岡県")'),
    bad("organizations[3].kind", "city", f'種別が不正です（{KINDS}） ("city")'),
    bad("organizations[0].kind", "secretariat", f'種別が不正です（{KINDS}） ("secretariat")'),
    bad("organizations[0].kind", DELETE, "項目がありません"),
    # Projects
    bad("projects", [], "プロジェクトが1件もありません"),
    bad("projects", "none", '配列ではありません ("none")'),
    bad("projects[3]", 4, "オブジェクトではありません (4)"),
    bad("projects[1].number", 1, "プロジェクト番号が重複しています (1)"),
    bad("projects[0].number", 0, "1〜9999の範囲にありません (0)"),
    bad("projects[0].number", 10000, "1〜9999の範囲にありません (10000)"),
    bad("projects[0].number", 1.0, "整数ではありません (1.0)"),
    bad("projects[0].title", DELETE, "項目がありません"),
    bad("projects[0].title", "題" * 301, "300文字を超えています（301文字）"),
    bad("projects[0].lead_label", " ", "空欄です"),
    bad("projects[0].lead_label", "幹" * 301, "300文字を超えています（301文字）"),
    bad("projects[0].lead_organizations", [], "幹事の組織がありません"),
    bad("projects[0].lead_organizations", "福岡県", '配列ではありません ("福岡県")'),
    bad("projects[0].lead_organizations[0]", "福岡", 'organizations にない組織です ("福岡")'),
    bad("projects[0].co_organizations", [7], "organizations にない組織です (7)",
        at="projects[0].co_organizations[0]"),
    bad("projects[6].co_organizations[0]", "長崎県", 'lead_label に含まれていません ("長崎県")'),
    bad("projects[6].co_organizations[0]", "大分県",
        '同じ組織が幹事・共同幹事に重複しています ("大分県")'),
    bad("projects[0].purpose", "", "空欄です"),
    bad("projects[0].results", "実績", 'オブジェクトではありません ("実績")'),
    bad("projects[0].results.actions", DELETE, "項目がありません"),
    bad("projects[0].results.perspectives", None, "文字列ではありません (null)"),
    bad("projects[0].results.evaluation", "\n", "空欄です"),
    bad("projects[0].challenges", "課題\x00", "使用できない制御文字が含まれています"),
    bad("projects[0].plans", DELETE, "項目がありません"),
    bad("projects[0].plans.outlook", 5, "文字列ではありません (5)"),
    # Targets and KPIs
    bad("projects[0].targets", [], "オブジェクトではありません ([])"),
    bad("projects[0].targets.target_year", "2030", '整数ではありません ("2030")'),
    bad("projects[0].targets.target_year", 3000, "1900〜2200の範囲にありません (3000)"),
    bad("projects[0].targets.label", "", "空欄です"),
    bad("projects[0].targets.label", "目" * 201, "200文字を超えています（201文字）"),
    bad("projects[0].targets.text", 5, "文字列ではありません (5)"),
    bad("projects[0].targets.kpis", None, "配列ではありません (null)"),
    bad("projects[0].targets.kpis[1]", "KPI", 'オブジェクトではありません ("KPI")'),
    bad(f"{K0}.name", "", "空欄です"),
    bad(f"{K0}.unit", "単" * 51, "50文字を超えています（51文字）"),
    bad(f"{K0}.cumulative", "yes", 'true または false ではありません ("yes")'),
    bad(f"{K0}.cumulative", DELETE, "項目がありません"),
    bad(f"{K0}.note", DELETE, "項目がありません"),
    bad(f"{K0}.target", DELETE, "項目がありません"),
    bad(f"{K0}.target", 40, "オブジェクトではありません (40)"),
    bad(f"{K0}.target.year", "2030年", '整数ではありません ("2030年")'),
    bad(f"{K0}.target.value", "四十", '数値ではありません ("四十")'),
    bad(f"{K0}.target.value", DELETE, "項目がありません"),
    bad(f"{K5}.target.text", 357, "文字列ではありません (357)"),
    bad(f"{K0}.baseline", DELETE, "項目がありません（無い場合は null）"),
    bad(f"{K0}.baseline", 19, "オブジェクトではありません (19)"),
    bad(f"{K5}.baseline.year", None, "整数ではありません (null)"),
    bad(f"{K5}.baseline.value", None, "数値ではありません (null)"),
    bad(f"{K5}.baseline.label", 2014, "文字列ではありません (2014)"),
    bad(f"{K5}.baseline.label", "基" * 201, "200文字を超えています（201文字）"),
    bad(f"{K0}.series", {}, "配列ではありません ({})"),
    bad(f"{K0}.direction", "down", '"increase"（増やす）か "decrease"（減らす）ではありません ("down")'),
    bad(f"{K0}.direction", ["increase"], '"increase"（増やす）か "decrease"（減らす）ではありません (["increase"])'),
    bad(f"{K0}.series[0]", 28, "オブジェクトではありません (28)"),
    bad(f"{K0}.series[0].year", DELETE, "項目がありません"),
    bad(f"{K5}.series[0].actual", "many", '数値ではありません ("many")', id="the example of issue 2"),
    bad(f"{K0}.series[0].target", True, "数値ではありません (true)"),
    bad(f"{K0}.series[0].actual", 1e14, "扱える範囲の数値ではありません (100000000000000.0)"),
    bad(f"{K0}.series[0].actual", float("nan"), "扱える範囲の数値ではありません (NaN)"),
    bad(f"{K0}.series[0].actual", 0.1234567, "小数点以下は6桁までです (0.1234567)"),
    bad("projects[1].targets.kpis[0].series[0].label", 15.6, "文字列ではありません (15.6)"),
    bad("projects[1].targets.kpis[0].series[0].label", "月" * 101, "100文字を超えています（101文字）"),
    # Roadmap
    bad("projects[0].roadmap", DELETE, "項目がありません（無い場合は null）"),
    bad("projects[0].roadmap", "なし", 'オブジェクトではありません ("なし")'),
    bad(f"{R4}.title", "", "空欄です"),
    bad(f"{R4}.title", "活" * 201, "200文字を超えています（201文字）"),
    bad(f"{R4}.years", "2021-2025", '配列ではありません ("2021-2025")'),
    bad(f"{R4}.years", [], "年度がありません"),
    bad(f"{R4}.years[0]", 2021, "文字列ではありません (2021)"),
    bad(f"{R4}.years[0]", "年" * 21, f'20文字を超えています ("{"年" * 21}")'),
    bad(f"{R4}.years[1]", "2021", '年度が重複しています (["2021", "2021", "2023", "2024", "2025"])',
        at=f"{R4}.years"),
    bad(f"{R4}.rows", None, "配列ではありません (null)"),
    bad(f"{R4}.rows[0]", "行", 'オブジェクトではありません ("行")'),
    bad(f"{R4}.rows[0].activity", "", "空欄です"),
    bad(f"{R4}.rows[0].detail", 1, "文字列ではありません (1)"),
    bad(f"{R4}.rows[0].from", 2021, "文字列ではありません (2021)"),
    bad(f"{R4}.rows[0].from", "2020", 'years にない年度です ("2020")'),
    bad(f"{R4}.rows[0].to", "2030", 'years にない年度です ("2030")'),
    bad(f"{R4}.rows[0].to", "2022", '開始より前の年度です ("2022")', also={f"{R4}.rows[0].from": "2024"}),
    # Figures
    bad("projects[0].figures", DELETE, "項目がありません"),
    bad("projects[1].figures", "図", '配列ではありません ("図")'),
    bad("projects[1].figures[0]", "図", 'オブジェクトではありません ("図")'),
    bad("projects[1].figures[0].kind", "video", '"photo"（写真）か "chart"（グラフ）か "diagram"（図）ではありません ("video")'),
    bad("projects[1].figures[0].caption", "", "空欄です"),
    bad("projects[1].figures[0].note", None, "文字列ではありません (null)"),
    bad("projects[1].figures[0].alt_text", 3, "文字列ではありません (3)"),
    bad("projects[1].figures[0].alt_text", "写" * 301, "300文字を超えています（301文字）"),
]


def test_the_real_file_is_valid():
    validate_report(fy2023())


def test_a_municipality_s_project_numbers_up_to_9999_are_valid():
    """A city evaluating ~556 事務事業 a year numbers them past 99 (#21)."""
    data = fy2023()
    for project, number in zip(data["projects"], (100, 556, 9999)):
        project["number"] = number
    validate_report(data)


def test_the_demo_copy_carries_no_remark_of_the_text_extraction_as_a_figure_note():
    """Notes like 「（数値はテキストに含まれない）」 were the extractor's, not the council's:
    an image-less figure prints its note, so they would read as the council's words."""
    notes = {(p["number"], f["caption"]): f["note"] for p in fy2023()["projects"] for f in p["figures"]}
    assert not [n for n in notes.values() if "テキストに含まれない" in n or "単位表示のみ" in n]
    assert notes[(12, "営農体型モデル数 目標（累計）")] == ""
    assert notes[(15, "②延べ宿泊者数（万人泊）")] == "凡例：延べ宿泊者数 実績 延べ宿泊者数 目標"
    assert notes[(21, "（単位：人）")] == ""


@pytest.mark.parametrize("changes, message", VALIDATION_CASES)
def test_a_bad_field_is_reported_by_its_path(changes, message):
    data = fy2023()
    for path, value in changes.items():
        mutate(data, path, value)
    with pytest.raises(ReportFileError) as refused:
        validate_report(data)
    assert message in refused.value.errors, "\n".join(refused.value.errors)


def test_a_file_that_is_not_an_object_is_refused():
    with pytest.raises(ReportFileError) as refused:
        validate_report(fy2023()["projects"])
    assert refused.value.errors == ["(ファイル全体): JSONオブジェクトではありません"]


def test_every_problem_is_reported_at_once():
    data = fy2023()
    mutate(data, f"{K5}.series[0].actual", "many")
    mutate(data, "projects[20].title", "")
    with pytest.raises(ReportFileError) as refused:
        validate_report(data)
    assert refused.value.errors == ['projects[5].targets.kpis[0].series[0].actual: 数値ではありません ("many")',
                                    "projects[20].title: 空欄です"]


@pytest.mark.parametrize("content, message", [
    (b'{"council": "\xe4\xb9\x9d', "JSONとして読めません"),
    (b"", "JSONとして読めません"),
    ("九州地域戦略会議".encode("shift_jis"), "UTF-8 のテキストではありません"),
], ids=["cut short", "empty", "Shift_JIS"])
def test_a_file_that_is_not_json_is_refused_with_its_name(tmp_path, content, message):
    path = tmp_path / "report.json"
    path.write_bytes(content)
    with pytest.raises(ReportFileError) as refused:
        load_report_file(str(path))
    assert refused.value.errors[0].startswith(f"{path}: {message}")


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(ReportFileError) as refused:
        load_report_file(str(tmp_path / "nothing.json"))
    assert refused.value.errors == [f"{tmp_path / 'nothing.json'}: ファイルがありません"]


# ---------------------------------------------------------------------------
# The commands, run as the secretariat runs them: a real `flask` process
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file migrated with `flask db upgrade` and holding the FY2023 report."""
    work = tmp_path_factory.mktemp("cli")
    env = _env(work / "instance", work / "app.db")
    _flask(env, "db", "upgrade")
    result = _flask(env, "import-report", FY2023)
    assert result.returncode == 0, result.stderr
    return work / "app.db"


def _env(instance, database) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_DATABASE"))}
    env.update(INSTANCE_PATH=str(instance), DATABASE_URL=f"sqlite:///{database}",
               SECRET_KEY="cli-test", PYTHONDONTWRITEBYTECODE="1")
    return env


def _flask(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_db(migrated_sqlite, tmp_path):
    database = tmp_path / "app.db"
    shutil.copyfile(migrated_sqlite, database)
    return _env(tmp_path / "instance", database), database


def sha256(path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def test_import_command_refuses_a_bad_field_and_leaves_the_database_byte_for_byte(cli_db, tmp_path):
    env, database = cli_db
    data = fy2023()
    mutate(data, f"{K5}.series[0].actual", "many")
    data["projects"][0]["purpose"] = "書き換えた目的"
    before = sha256(database)
    result = _flask(env, "import-report", write_json(tmp_path / "bad.json", data))
    assert result.returncode != 0
    assert 'projects[5].targets.kpis[0].series[0].actual: 数値ではありません ("many")' in result.stderr
    assert "データベースは変更していません" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert sha256(database) == before


@pytest.mark.parametrize("name, content, message", [
    ("broken.json", "{ not json", "JSONとして読めません"),
    ("absent.json", None, "ファイルがありません"),
])
def test_import_command_refuses_a_file_it_cannot_read(fy2023_app, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    before = dump_database()
    result = fy2023_app.test_cli_runner().invoke(args=["import-report", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clear message, not a crash
    assert f"エラー: {path}: {message}" in result.output
    assert dump_database() == before


def test_import_command_run_again_reports_no_change_and_writes_nothing(cli_db):
    env, database = cli_db
    before = sha256(database)
    result = _flask(env, "import-report", FY2023)
    assert result.returncode == 0, result.stderr
    assert "2023年度: 変更はありません（21 件は取込済みと同じ内容）" in result.stdout
    assert sha256(database) == before


def test_export_of_a_year_without_data_fails_with_a_message(app, factory, tmp_path):
    factory.cycle(2023)
    out = tmp_path / "1999.json"
    result = app.test_cli_runner().invoke(args=["export-report", "--year", "1999", str(out)])
    assert result.exit_code != 0
    assert "1999年度のデータがありません" in result.output
    assert not out.exists()


def test_export_into_a_folder_that_does_not_exist_fails_with_a_message(fy2023_app, tmp_path):
    out = tmp_path / "no such folder" / "2023.json"
    result = fy2023_app.test_cli_runner().invoke(args=["export-report", "--year", "2023", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"エラー: {out}: 書き込めません" in result.output


def test_export_without_a_year_is_a_usage_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["export-report", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "--year" in result.output


# ---------------------------------------------------------------------------
# create-user
# ---------------------------------------------------------------------------

def test_create_user_makes_an_account_that_can_log_in(app, factory, client):
    # Home lists the sheets the year holds (a project without one is not the year's).
    factory.sheet(factory.project(2, "地熱・温泉熱エネルギー産業拠点化推進プロジェクト", lead=("大分県",)),
                  factory.cycle(2023))
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "Taro.Oita@Example.JP", "--name", "大分 太郎",
        "--role", "coordinator", "--organisation", "大分県", "--password", "kabosu orchard at dusk"])
    assert result.exit_code == 0, result.output
    assert "作成しました: taro.oita@example.jp（幹事担当者）" in result.output
    user = db.session.scalar(select(User).where(User.email == "taro.oita@example.jp"))
    assert (user.display_name, user.role, user.organisation.name) == ("大分 太郎", "coordinator", "大分県")
    assert verify_password(user.password_hash, "kabosu orchard at dusk")
    login(client, user, "kabosu orchard at dusk")
    assert "地熱・温泉熱エネルギー産業拠点化推進プロジェクト" in client.get("/").get_data(as_text=True)


def test_create_user_makes_a_secretariat_reviewer_without_organisation(app, factory):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "jimukyoku@example.jp", "--role", "secretariat",
        "--password", "kabosu orchard at dusk"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "jimukyoku@example.jp"))
    assert user.role == "secretariat" and user.organisation is None


@pytest.mark.parametrize("args, message", [
    (["--role", "coordinator", "--password", "kabosu orchard at dusk"], "幹事担当者には組織が必要です。"),
    (["--role", "coordinator", "--org", "架空県", "--password", "kabosu orchard at dusk"],
     "組織「架空県」は登録されていません。"),
    (["--role", "admin", "--password", "short"], "パスワードは12文字以上にしてください。"),
    (["--role", "admin", "--password", "new.person@example.jp"],
     "メールアドレスと同じパスワードは使えません。"),
    (["--role", "admin"], "--password を指定してください"),
    (["--role", "admin", "--name", "名" * 101, "--password", "kabosu orchard at dusk"],
     "表示名は100文字以内にしてください。"),
], ids=["coordinator without organisation", "unknown organisation", "short password",
        "password equal to e-mail", "no password and no terminal", "display name too long"])
def test_create_user_refuses_bad_input_and_creates_nobody(app, factory, args, message):
    factory.organisation("大分県")
    users_before = db.session.scalar(select(func.count()).select_from(User))
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "new.person@example.jp", *args])
    assert result.exit_code == 1
    assert f"エラー: {message}" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


def test_create_user_refuses_an_e_mail_already_in_use_whatever_its_case(app, factory):
    factory.admin(email="kanri@example.jp")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "KANRI@example.jp", "--role", "admin", "--password", "kabosu orchard at dusk"])
    assert result.exit_code == 1
    assert "エラー: kanri@example.jp は既に登録されています。" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(func.lower(User.email) == "kanri@example.jp")) == 1


@pytest.mark.parametrize("email, message", [
    ("not-an-address", "メールアドレスが正しくありません。"),
    ("a" * 250 + "@example.jp", "メールアドレスが長すぎます（254文字まで）。"),
], ids=["no @", "too long"])
def test_create_user_refuses_a_bad_e_mail(app, email, message):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", email, "--role", "admin", "--password", "kabosu orchard at dusk"])
    assert result.exit_code == 1 and f"エラー: {message}" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_refuses_an_unknown_role(app, factory):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "x@example.jp", "--role", "superuser", "--password", "kabosu orchard at dusk"])
    assert result.exit_code == 2 and "superuser" in result.output


def test_import_keeps_a_record_of_who_approved(fy2023_app):
    """Imported sheets are approved, by the import's system account, with a log entry."""
    sheet = db.session.scalars(select(Sheet)).first()
    assert sheet.state == "approved" and sheet.approved_at is not None
    assert sheet.approved_by.system and not sheet.approved_by.is_active
    entry = db.session.scalar(select(Transition).where(Transition.sheet_id == sheet.id))
    assert (entry.action, entry.from_state, entry.to_state) == ("import", "not_started", "approved")
