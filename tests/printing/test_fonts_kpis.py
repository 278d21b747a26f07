import copy
import datetime

import pytest
from fontTools.ttLib import TTFont

from webapp.printing import FontMissingError, fonts, sheet_pdf
from webapp.jptext import circled, format_number, fullwidth, jp_date
from webapp.printing.kpis import bar_chart_svg, kpi_view, latest_actual, progress_rate


@pytest.fixture
def no_fonts(monkeypatch):
    monkeypatch.setattr(fonts, "_KNOWN_PATHS", {fonts.GOTHIC: ("/nonexistent/ipaexg.ttf",),
                                               fonts.MINCHO: ("/nonexistent/ipaexm.ttf",)})
    monkeypatch.setattr(fonts, "_fc_match", lambda family: None)
    monkeypatch.delenv(fonts.FONT_DIR_ENV, raising=False)
    fonts._cached_fonts.cache_clear()
    yield
    fonts._cached_fonts.cache_clear()


def test_missing_font_is_a_clear_error(no_fonts, tmp_path, fy2023_data):
    with pytest.raises(FontMissingError) as info:
        fonts.find_fonts()
    message = str(info.value)
    assert "IPAexGothic" in message and "フォント" in message and "install" in message
    with pytest.raises(FontMissingError):
        sheet_pdf(fy2023_data["projects"][0], 2023, str(tmp_path))


def test_font_found_and_has_the_glyphs_we_print():
    found = fonts.find_fonts()
    for path in found.paths:
        cmap = TTFont(path, lazy=True).getBestCmap()
        needed = [circled(n) for n in range(1, 22)] + list("・～※≒㈱０１２３４５６７８９○〇■□◆●【】（）")
        assert [c for c in needed if ord(c) not in cmap] == []


def test_circled_numbers_and_dates():
    assert circled(1) == "①" and circled(20) == "⑳" and circled(21) == "㉑"
    assert circled(50) == "㊿" and circled(51) == "51" and circled(9999) == "9999"
    assert fullwidth(2023) == "２０２３"
    assert jp_date(datetime.date(2024, 3, 31)) == "２０２４年３月"
    assert format_number(0.6568) == "0.6568" and format_number(5261) == "5,261"
    assert format_number(None) == "－" and format_number(40.0) == "40"


def kpi_of(fy2023_data, number, index=0):
    return copy.deepcopy(fy2023_data["projects"][number - 1]["targets"]["kpis"][index])


def test_progress_rate(fy2023_data):
    assert progress_rate(kpi_of(fy2023_data, 1)) == pytest.approx(28 / 40)       # cumulative
    assert progress_rate(kpi_of(fy2023_data, 3, 4)) == pytest.approx(0.6568 / 2.5)  # level: 26.3 %
    assert progress_rate(kpi_of(fy2023_data, 4)) is None       # target value null
    assert progress_rate(kpi_of(fy2023_data, 5)) is None       # qualitative target, no series
    assert progress_rate(kpi_of(fy2023_data, 10)) is None      # text target only
    # the last actual in series order counts (nulls after it are skipped)
    assert latest_actual(kpi_of(fy2023_data, 18)) == 1162
    assert progress_rate(kpi_of(fy2023_data, 18)) == pytest.approx(1162 / 757)
    view = kpi_view(kpi_of(fy2023_data, 18), 1)
    assert view.progress == "153.5％" and view.achieved


def test_kpi_table_uses_labels_and_text_targets(fy2023_data):
    view = kpi_view(kpi_of(fy2023_data, 6), 1)          # baseline label, text target
    assert view.columns[0].header == "設定時（２０１４年度）" and view.columns[0].actual == "19"
    assert view.target_label == "３５７（修正後）"
    assert view.progress == f"{297 / 357 * 100:.1f}％"
    view = kpi_view(kpi_of(fy2023_data, 2), 1)          # series point labels
    assert [c.header for c in view.columns][:2] == ["15.6", "16.3"]
    view = kpi_view(kpi_of(fy2023_data, 15, 0), 1)      # nothing but a null target
    assert not view.has_table and view.target_label == "－" and view.chart is None


def test_chart_is_svg_with_escaped_labels(fy2023_data):
    kpi = kpi_of(fy2023_data, 13)
    kpi["series"][0]["label"] = "<b>"
    svg = str(bar_chart_svg(kpi))
    assert svg.startswith("<svg") and "<script" not in svg
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert bar_chart_svg(kpi_of(fy2023_data, 4)) is None   # a single figure: no chart
