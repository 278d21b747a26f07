import io
import os
import subprocess
import sys
import tempfile

from pypdf import PdfReader
from weasyprint import HTML

from webapp.printing import build_report, fit_sheet, report_html, sheet_pdf
from webapp.printing.fetcher import SafeURLFetcher
from webapp.printing.fonts import find_fonts
from webapp.printing.render import TEMPLATES_DIR

from .conftest import _CANDIDATES, ROOT, nows


def test_report_html_is_the_same_report_in_one_document(built_report, fy2023_data, report_meta):
    html = report_html(report_meta, 2023, fy2023_data["projects"], fits=built_report.fits)
    assert "&#34;" not in html.split("</style>")[0]          # the stylesheet is not escaped
    fetcher = SafeURLFetcher(roots=[TEMPLATES_DIR], files=find_fonts().paths)
    pdf = HTML(string=html, base_url=TEMPLATES_DIR + "/", url_fetcher=fetcher).write_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(built_report.reader.pages)   # every sheet on one page
    assert len(reader.outline) == 21
    for index in (0, 2, 5, built_report.front_pages + 8):
        assert nows(reader.pages[index].extract_text()) == \
            nows(built_report.reader.pages[index].extract_text())


def test_parallel_cold_builds_are_identical(built_report, fy2023_data, report_meta):
    with tempfile.TemporaryDirectory() as cache:
        again = build_report(report_meta, 2023, fy2023_data["projects"], cache, workers=2)
    assert again == built_report.pdf


def test_sparse_sheet_still_prints(tmp_path):
    sheet = {"number": 22, "title": "新規プロジェクト", "lead_label": "福岡県",
             "purpose": "", "results": None, "challenges": "", "targets": {},
             "plans": {}, "roadmap": None, "figures": []}
    fit = fit_sheet(sheet, 2024, str(tmp_path))
    assert fit.fits and fit.size_pt == 10.5
    text = nows(PdfReader(io.BytesIO(sheet_pdf(sheet, 2024, str(tmp_path)))).pages[0].extract_text())
    assert "㉒新規プロジェクト【幹事：福岡県】" in text
    # empty sections are left out, not printed 「（記載なし）」
    assert "２０２５年度以降の取組（計画）" not in text and "設定目標" not in text
    assert "記載なし" not in text


def test_odd_roadmap_and_kpis_do_not_break_the_print(tmp_path, fy2023_data):
    sheet = dict(fy2023_data["projects"][4])
    sheet["roadmap"] = {"title": "活動", "years": ["2024", "2025"],
                        "rows": [{"activity": "A", "detail": "d", "from": "2026", "to": "2024"}]}
    sheet["targets"] = {"target_year": 2030, "label": "設定目標（２０３０年）", "text": "",
                        "kpis": [{"name": "指標", "unit": "", "cumulative": False,
                                  "target": {"year": 2030, "value": 0},
                                  "baseline": None, "series": [{"year": 2024, "target": None,
                                                                "actual": True}],
                                  "note": ""}]}
    assert fit_sheet(sheet, 2024, str(tmp_path)).fits


def test_command_line(tmp_path):
    data = next(path for path in _CANDIDATES if os.path.exists(path))
    out = tmp_path / "one.pdf"
    html = tmp_path / "one.html"
    result = subprocess.run(
        [sys.executable, "-m", "webapp.printing", data, "--sheet", "3",
         "--out", str(out), "--html", str(html)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(str(out)).pages) == 1
    assert "海洋再生可能エネルギー産業の拠点形成プロジェクト" in html.read_text(encoding="utf-8")


def test_a_year_numbered_past_50_prints_circled_numbers_then_plain_ones(fy2023_data, report_meta):
    """The council's ①–㊿ where Unicode has them; a city's project 556 prints as 556 (#21)."""
    sheets = [dict(p, number=n) for p, n in zip(fy2023_data["projects"], (556, 7, 50, 51))]
    html = report_html(report_meta, 2023, sheets)
    contents = [html.index(f'<td class="no">{mark}</td>') for mark in ("⑦", "㊿", "51", "556")]
    assert contents == sorted(contents)                      # listed in number order, 556 last
    assert 'data-bookmark="556 ' in html and 'data-bookmark="⑦ ' in html
    assert '<span class="mark">556</span>' in html
