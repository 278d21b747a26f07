"""The 「ＫＰＩ達成状況一覧」 appendix, read back from the PDF."""
from __future__ import annotations

import io

from pypdf import PdfReader

from tests.reports.conftest import pdf_pages_text
from webapp.council import progress
from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.printing.appendix import TITLE, appendix_pdf
from webapp.reports import inputs, printer


def _row(i, status="順調", kpi=None):
    return {"mark": "①", "project": "九州水素エネルギー社会実現プロジェクト", "lead": "福岡県",
            "kpi": kpi or f"指標{i:02d}", "unit": "件", "baseline": "19（2014）", "latest": "297",
            "latest_year": "2023", "target": "357", "target_year": 2025, "rate": "83.2％",
            "change": "+5", "status": status, "qualitative": False}


def test_many_rows_run_onto_a4_landscape_pages_with_the_header_repeated():
    rows = [_row(i) for i in range(90)]
    reader = PdfReader(io.BytesIO(appendix_pdf(rows, 2023, "規則の説明")))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    texts = ["".join(p.extract_text().split()) for p in reader.pages]
    assert all("No.プロジェクトＫＰＩ単位基準値最新実績" in t for t in texts)
    assert texts[0].startswith(TITLE)
    assert all(f"指標{i:02d}" in "".join(texts) for i in range(90))


def test_text_is_escaped():
    html_rows = [_row(0, kpi="<b>太字</b>&")]
    from webapp.printing.appendix import appendix_html
    html = appendix_html(html_rows, 2023)
    assert "&lt;b&gt;太字&lt;/b&gt;&amp;" in html


def test_the_report_gets_the_appendix_with_bookmark_and_contents_line(fy2023_app, fy):
    cycle = get_cycle(2023)
    collected = inputs.collect(cycle)
    sheets = collected.sheets[:2]          # two sheets keep the build short
    report = printer.report_pdf(collected.meta, 2023, sheets)
    assert progress.with_appendix(cycle, report) == report   # off by default

    cycle.kpi_appendix = True
    db.session.commit()
    pdf = progress.with_appendix(cycle, report)
    reader = PdfReader(io.BytesIO(pdf))
    before = len(PdfReader(io.BytesIO(report)).pages)
    pages = pdf_pages_text(pdf)
    appendix = pages[before:]
    assert appendix and appendix[0].startswith(TITLE)
    text = "".join(appendix)
    # The same rows as /kpis/2023: all 39 KPIs with their status.
    assert "九州内における地熱・温泉熱活用プロジェクト" in text
    assert "商用水素ステーション整備箇所数" in text
    assert text.count("遅れ") >= 5
    # Page numbers continue the report's; the bookmark and the contents line lead there.
    assert appendix[0].endswith(f"－{before + 1}－")
    outline = [(item["/Title"], reader.get_destination_page_number(item)) for item in reader.outline]
    assert outline[-1] == (TITLE, before)
    contents = next(p for p in pages if p.startswith("目次"))
    assert contents.endswith(f"{TITLE}{before + 1}")
    line = reader.pages[1]["/Annots"][-1].get_object()      # the contents line's link
    assert line["/Dest"][0].idnum == reader.pages[before].indirect_reference.idnum


def test_the_switch_changes_the_build_key(fy2023_app, fy):
    cycle = get_cycle(2023)
    assert progress.appendix_key(cycle) is None
    cycle.kpi_appendix = True
    assert len(progress.appendix_key(cycle)) == 64
