"""A year with more sheets than one page of contents holds: the contents run
to a second page, every page number they print is the page the sheet is on,
and a rebuild lays the frame out once (the count of pages before the first
sheet is remembered, and found from the cover and contents alone the first
time, not from a layout of the whole frame)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from .conftest import nows


def _sheets(count: int) -> list[dict]:
    return [{"number": n, "title": f"地域連携プロジェクト{n}", "lead_label": "福岡県",
             "purpose": "・地域の事業者と連携して取り組む。", "results": None, "challenges": "",
             "targets": {}, "plans": {}, "roadmap": None, "figures": []}
            for n in range(1, count + 1)]


def test_a_45_sheet_year_prints_its_contents_on_two_pages_with_true_page_numbers(
        tmp_path, report_meta, monkeypatch):
    from webapp.printing import build_report
    from webapp.printing.render import Renderer
    pdf = build_report(report_meta, 2023, _sheets(45), str(tmp_path))
    reader = PdfReader(io.BytesIO(pdf))
    # cover, two pages of contents, 45 sheets
    assert len(reader.pages) == 48
    texts = [nows(page.extract_text()) for page in reader.pages]
    assert "地域連携プロジェクト1【幹事：福岡県】" in texts[3]
    assert "㊺地域連携プロジェクト45【幹事：福岡県】" in texts[47]
    contents = texts[1] + texts[2]
    assert "①地域連携プロジェクト1福岡県4" in contents
    assert "㊺地域連携プロジェクト45福岡県48" in contents

    # one title longer: a new frame, laid out once with the count it had
    frames = []
    layout = Renderer.layout

    def counting(self, html, **options):
        if options.get("kind") == "report":
            frames.append(options)
        return layout(self, html, **options)

    monkeypatch.setattr(Renderer, "layout", counting)
    sheets = _sheets(45)
    sheets[0]["title"] += "（改称）"
    pdf = build_report(report_meta, 2023, sheets, str(tmp_path), workers=1)   # counted here
    assert len(frames) == 1
    assert "①地域連携プロジェクト1（改称）福岡県4" in nows(
        PdfReader(io.BytesIO(pdf)).pages[1].extract_text())
