"""What prints where on the paper, read back from the report PDF: the sheets'
boxes keep equal margins left and right, page numbers stay where office
printers still print, and the cover's spaced lines copy as the words they are."""
import io
import subprocess

from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTFigure

MM = 72 / 25.4


def _walk(item, kinds):
    if isinstance(item, kinds):
        yield item
    if isinstance(item, (LTContainer, LTFigure)) and not isinstance(item, LTChar):
        for child in item:
            yield from _walk(child, kinds)


def _glyphs(page):
    return [c for c in _walk(page, LTChar) if c.get_text().strip()]


def test_the_boxes_of_every_sheet_keep_equal_margins_left_and_right(built_report, fy2023_data):
    sheet_pages = range(built_report.front_pages, built_report.front_pages + len(fy2023_data["projects"]))
    checked = 0
    for page in extract_pages(io.BytesIO(built_report.pdf), page_numbers=list(sheet_pages)):
        # every border and fill of the sheet (LTRect and LTLine are LTCurves): title band and boxes
        shapes = list(_walk(page, LTCurve))
        left = min(s.x0 for s in shapes) / MM
        right = (page.width - max(s.x1 for s in shapes)) / MM
        assert abs(left - 9.0) <= 1.0, (page.pageid, left)
        assert abs(right - 9.0) <= 1.0, (page.pageid, right)
        assert abs(left - right) <= 1.0, (page.pageid, left, right)
        checked += 1
    assert checked == 21


def test_page_numbers_print_at_least_8_mm_above_the_bottom_edge(built_report):
    pages = list(extract_pages(io.BytesIO(built_report.pdf)))
    assert len(pages) == 23
    for number, page in enumerate(pages, start=1):
        glyphs = _glyphs(page)
        lowest = min(glyphs, key=lambda c: c.y0)
        if number > 2:      # the cover and the contents have no number
            numeral = [c for c in glyphs if c.get_text() == "－" and c.y0 < 20 * MM]
            assert len(numeral) == 2, number
        assert lowest.y0 >= 8 * MM, (number, lowest.get_text(), lowest.y0 / MM)


def test_the_cover_copies_as_written(built_report):
    pdfminer_text = extract_text(io.BytesIO(built_report.pdf), page_numbers=[0])
    raw = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "1", "-", "-"],
                         input=built_report.pdf, capture_output=True, check=True).stdout.decode()
    for text in (pdfminer_text, raw):
        lines = [line.strip() for line in text.splitlines()]
        assert "２０２３年度" in lines
        assert "九州地域戦略会議" in lines
        assert "２０２４年３月" in lines
