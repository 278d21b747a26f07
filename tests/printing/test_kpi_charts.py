"""The KPIs of a sheet, read back from the printed report: one table whose
targets line up, charts that use the room they have, labelled target
marks, legible labels and bars that never vanish."""
import io
import re

from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTFigure

from webapp.printing.kpis import bar_chart_svg

MM = 72 / 25.4


def _walk(item, kinds):
    if isinstance(item, kinds):
        yield item
    if isinstance(item, (LTContainer, LTFigure)) and not isinstance(item, LTChar):
        for child in item:
            yield from _walk(child, kinds)


def _sheet_page(built, number):
    index = built.front_pages + number - 1
    return next(extract_pages(io.BytesIO(built.pdf), page_numbers=[index]))


def _page_text(built, number):
    index = built.front_pages + number - 1
    return "".join(extract_text(io.BytesIO(built.pdf), page_numbers=[index]).split())


def _chars_of(page, word):
    """The glyphs of ``word`` where the page prints it as a word of its own:
    on one line, each glyph touching the next, and apart from the glyphs
    around it (a table row's 「目標」 and 「786」 are in two cells; the
    sheet's text says 「目標786万人」)."""
    chars = [c for c in _walk(page, LTChar) if c.get_text().strip()]
    text = "".join(c.get_text() for c in chars)
    start = text.find(word)
    while start >= 0:
        run = chars[max(start - 1, 0):start + len(word) + 1]
        touching = [abs(a.y0 - b.y0) < 0.5 and abs(b.x0 - a.x1) < 0.5 for a, b in zip(run, run[1:])]
        if start == 0:
            touching.insert(0, False)
        if len(run) < len(word) + 2:
            touching.append(False)
        # the word's own glyphs touch; the glyphs around it do not
        if all(touching[1:-1]) and not touching[0] and not touching[-1]:
            return chars[start:start + len(word)]
        start = text.find(word, start + 1)
    raise AssertionError(f"{word} is not printed as one word")


def test_the_five_kpis_of_sheet_15_print_their_targets_in_one_column(built_report):
    page = _sheet_page(built_report, 15)
    targets = ["－（2024）", "設定なし（2024）", "46（2024）", "23（2024）", "64（2024）"]
    centres = []
    for target in targets:
        glyphs = _chars_of(page, target)
        centres.append((glyphs[0].x0 + glyphs[-1].x1) / 2)
    # centred in one 目標 column: the same centre, within half a point
    assert max(centres) - min(centres) < 0.5, centres
    # and one header row for all of them
    assert _page_text(built_report, 15).count("指標目標") == 1


def test_a_yearly_target_mark_carries_its_value_at_6pt_or_more(built_report):
    page = _sheet_page(built_report, 15)     # printed at 7pt: the chart is at its floor
    label = _chars_of(page, "目標786")
    assert min(c.size for c in label) >= 6.0


def test_the_sheet_names_the_chart_colours_once(built_report):
    assert _page_text(built_report, 1).count("グラフ：■実績■基準━年度目標□最終目標") == 1


def test_charts_take_the_room_left_in_the_column(built_report):
    # Sheet ①'s right column has room below its KPIs: its chart grows
    # from the 13-15 mm of a fixed-size chart.
    page = _sheet_page(built_report, 1)
    orange = [r for r in _walk(page, LTCurve) if r.stroke and r.stroking_color and
              [round(v, 2) for v in r.stroking_color] == [0.88, 0.54, 0.12]]
    tallest = max(r.height for r in orange) / MM      # the final target's bar: the plot's height
    assert tallest >= 12.0, tallest


def test_a_tiny_bar_keeps_a_visible_height_and_prints_its_value():
    kpi = {"name": "件数", "unit": "件", "target": {"year": 2030, "value": 500},
           "series": [{"year": 2023, "actual": 7}]}
    svg = str(bar_chart_svg(kpi))
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]
    assert min(heights) >= 2.0
    assert ">7</text>" in svg and ">500</text>" in svg
