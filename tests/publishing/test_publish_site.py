"""The web edition and open data, as the secretariat publishes them and a reader opens them."""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from decimal import Decimal

import jsonschema_rs
import tinyhtml5

from tests.factories import login
from tests.htmlpage import NS, text_of
from webapp import exactjson
from webapp.extensions import db
from webapp.models import Figure
from webapp.operations import transition
from webapp.report_io.exporter import export_report
from webapp.sheet_schema import schema


def _publish(app, out) -> str:
    result = app.test_cli_runner().invoke(args=["publish-site", "--year", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


def _page(path):
    return tinyhtml5.parse(open(path, encoding="utf-8").read())


def _text(root) -> str:
    return " ".join(text_of(root).split())


def test_publish_site_writes_an_index_and_a_page_per_sheet_with_every_sheets_text(fy2023_app, fy, tmp_path):
    out = tmp_path / "site"
    assert "2023年度のWeb版を書き出しました" in _publish(fy2023_app, out)
    pages = sorted(p for p in os.listdir(out) if p.endswith(".html"))
    assert pages == ["index.html", "kpis.html"] + [f"sheet-{n:02d}.html" for n in range(1, 22)]

    report = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "webapp", "demo_data",
                                         "fy2023_report.json"), encoding="utf-8"))
    sheet_schema = schema(2023)
    for project in report["projects"]:
        text = _text(_page(out / f"sheet-{project['number']:02d}.html"))
        assert project["title"] in text
        for section in sheet_schema.text_sections:
            for line in sheet_schema.text(project, section.key).splitlines():
                # each item line, without its marker, as the reader sees it
                words = " ".join(line.split())[2:]
                assert words in text, (project["number"], section.key, line)

    index = _text(_page(out / "index.html"))
    assert "公共データ利用規約（第1.0版）" in index
    assert "九州水素エネルギー社会実現プロジェクト" in index and "ＫＰＩ達成状況一覧" in index


def test_every_page_is_japanese_with_header_cells_alt_texts_and_relative_links(fy2023_app, fy, tmp_path):
    sheet = fy.sheet_of(7)
    os.makedirs(fy2023_app.config["UPLOAD_FOLDER"], exist_ok=True)
    with open(os.path.join(fy2023_app.config["UPLOAD_FOLDER"], "fig-web.png"), "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    db.session.add(Figure(sheet_id=sheet.id, position=len(sheet.figures), kind="photo",
                          caption="展示会の様子", note="", alt_text="ブースで説明を聞く来場者",
                          image_file="fig-web.png", image_width=10, image_height=10))
    db.session.commit()
    out = tmp_path / "site"
    _publish(fy2023_app, out)

    for name in sorted(p for p in os.listdir(out) if p.endswith(".html")):
        root = _page(out / name)
        assert root.get("lang") == "ja", name
        assert not list(root.iter(NS + "script")), name
        for table in root.iter(NS + "table"):
            assert list(table.iter(NS + "th")), name
            assert all(th.get("scope") for th in table.iter(NS + "th")), name
        for img in root.iter(NS + "img"):
            assert img.get("alt"), name
        for link in [*root.iter(NS + "a"), *root.iter(NS + "link")]:
            href = link.get("href") or ""
            assert href.startswith("https://") or not (href.startswith("/") or ":" in href), (name, href)
    images = [img for img in _page(out / "sheet-07.html").iter(NS + "img")]
    assert [(i.get("src"), i.get("alt")) for i in images] == [("images/07-1.png", "ブースで説明を聞く来場者")]
    assert (out / "images" / "07-1.png").read_bytes().startswith(b"\x89PNG")
    headings = [e.tag[len(NS):] for e in _page(out / "sheet-01.html").iter()
                if e.tag in {NS + "h1", NS + "h2", NS + "h3", NS + "h4"}]
    assert headings[0] == "h1" and "h4" not in headings
    assert all(int(b[1]) - int(a[1]) <= 1 for a, b in zip(headings, headings[1:]))


def test_the_kpi_csv_holds_hydrogen_projects_2023_actual_28_with_a_bom(fy2023_app, fy, tmp_path):
    out = tmp_path / "site"
    _publish(fy2023_app, out)
    raw = (out / "kpis.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["プロジェクト番号", "プロジェクト名", "幹事", "ＫＰＩ名", "単位", "累計", "年度", "時点",
                       "目標値", "実績値", "達成状況"]
    assert ["1", "九州水素エネルギー社会実現プロジェクト", "福岡県",
            "エネルギーの地産地消につながる水素利活用プロジェクト件数", "件", "はい", "2023", "", "", "28",
            "判定できません（実績1点）"] in rows


def test_figures_in_the_csv_are_the_stored_decimals_and_text_never_a_formula(fy2023_app, fy, tmp_path):
    sheet = fy.sheet_of(1)
    sheet.kpis[0].values[0].actual = Decimal("12345678901234.123456")
    sheet.kpis[1].name = "=HYPERLINK(\"http://example.com\")"
    sheet.kpis[1].values[0].actual = Decimal("-3.5")
    db.session.commit()
    out = tmp_path / "site"
    _publish(fy2023_app, out)
    rows = list(csv.reader(io.StringIO((out / "kpis.csv").read_text(encoding="utf-8-sig"))))
    assert rows[1][9] == "12345678901234.123456"
    assert (rows[2][3], rows[2][9]) == ("'=HYPERLINK(\"http://example.com\")", "-3.5")
    assert "12345678901234.123456" in (out / "report.json").read_text(encoding="utf-8")


def test_the_json_is_the_report_file_and_its_schema_describes_it(fy2023_app, fy, tmp_path):
    out = tmp_path / "site"
    _publish(fy2023_app, out)
    data = exactjson.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data == export_report(2023, approved_only=True)
    assert len(data["projects"]) == 21
    described = json.loads((out / "report.schema.json").read_text(encoding="utf-8"))
    assert described["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(jsonschema_rs.validator_for(described).iter_errors(json.loads(
        (out / "report.json").read_text(encoding="utf-8")))) == []
    purpose = described["properties"]["projects"]["items"]["properties"]["purpose"]
    assert purpose == {"type": "string", "description": "目的（1行に1項目）"}


def test_only_approved_sheets_are_published_and_a_reopened_ones_page_goes(fy2023_app, fy, tmp_path):
    out = tmp_path / "site"
    _publish(fy2023_app, out)
    (out / "notes.txt").write_text("公開作業のメモ", encoding="utf-8")
    assert (out / "sheet-05.html").exists()
    transition(fy.admin(), fy.sheet_of(5), "reopen", comment="数値の誤りを直すため")
    db.session.commit()
    _publish(fy2023_app, out)
    assert not (out / "sheet-05.html").exists()
    assert (out / "notes.txt").exists()                      # what it did not write stays
    assert "sheet-05.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_year_without_data_is_refused_with_a_japanese_message(fy2023_app, tmp_path):
    result = fy2023_app.test_cli_runner().invoke(
        args=["publish-site", "--year", "1999", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "1999年度のデータがありません。" in result.output


def test_the_reports_page_downloads_the_web_edition_as_a_zip(fy2023_app, fy):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    page = client.get("/reports/2023").get_data(as_text=True)
    assert "/reports/2023/web-edition.zip" in page
    answer = client.get("/reports/2023/web-edition.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    assert {"index.html", "sheet-01.html", "sheet-21.html", "kpis.html", "kpis.csv", "report.json",
            "report.schema.json", "style.css"} <= set(names)


def test_the_download_counts_as_an_expensive_job_while_it_is_made(make_app, fy2023_app):
    from tests.factories import Factory
    from webapp.models import ExpensiveJob
    busy = make_app("fy2023", EXPENSIVE_JOBS_PER_USER=0)
    with busy.app_context():
        client = busy.test_client()
        login(client, Factory().secretariat())
        answer = client.get("/reports/2023/web-edition.zip")
        assert answer.status_code == 429
        assert "処理中の作業が 0 件あります。" in answer.get_data(as_text=True)
        db.session.remove()
    client = fy2023_app.test_client()
    login(client, Factory().secretariat())
    assert client.get("/reports/2023/web-edition.zip").status_code == 200
    assert db.session.scalars(db.select(ExpensiveJob)).all() == []
