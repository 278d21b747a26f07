"""Figures take the room the text leaves; a sheet that cannot fit says why,
by section key; the 確認用 draft marks what is not approved."""
import copy
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from webapp.printing import build_report, fit_sheet, sheet_pdf

from .conftest import nows


def _image(folder, name, size):
    path = folder / name
    Image.new("RGB", size, (40, 110, 170)).save(path)
    return str(path)


def _with_figures(sheet, folder, shapes):
    sheet = copy.deepcopy(sheet)
    sheet["figures"] = [
        {"kind": "photo", "caption": f"写真{i + 1}（{w}×{h}）", "note": "",
         "image_path": _image(folder, f"fig{i}.png", (w, h))}
        for i, (w, h) in enumerate(shapes)]
    return sheet


SHAPES = {
    "tall": [(600, 1800)],
    "wide": [(1800, 400)],
    "four photos": [(1200, 900)] * 4,
}


@pytest.mark.parametrize("number", [1, 15])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_uploaded_figures_are_scaled_into_the_room_left(fy2023_data, tmp_path, number, shape):
    base = next(p for p in fy2023_data["projects"] if p["number"] == number)
    sheet = _with_figures(base, tmp_path, SHAPES[shape])
    cache = str(tmp_path / "cache")
    fit = fit_sheet(sheet, 2023, cache, uploads_dir=str(tmp_path))
    pdf = sheet_pdf(sheet, 2023, cache, uploads_dir=str(tmp_path))
    reader = PdfReader(io.BytesIO(pdf))
    if number == 1:
        assert fit.fits            # ① has room: every shape fits
    if fit.fits:
        assert len(reader.pages) == 1
        assert fit.figure_mm >= 30.0                 # never below the floor when it fits
        text = nows(reader.pages[0].extract_text())
        width, height = SHAPES[shape][0]
        assert f"写真1（{width}×{height}）" in text
    else:
        # ⑮ is full of text at 7pt (its text alone fits): the figures, not
        # the text, are named as what to change
        assert fit.cause == "figures" and fit.overflowing == ("figures",)


def test_sheet_one_gives_a_tall_figure_more_than_the_floor(fy2023_data, tmp_path):
    # ① is short: the text keeps a large type and the image takes the room left
    base = next(p for p in fy2023_data["projects"] if p["number"] == 1)
    sheet = _with_figures(base, tmp_path, SHAPES["tall"])
    fit = fit_sheet(sheet, 2023, str(tmp_path / "cache"), uploads_dir=str(tmp_path))
    assert fit.fits and fit.size_pt >= 8.0
    assert fit.figure_mm > 30.0


def test_a_sheet_too_long_names_the_text_sections_that_overflow(fy2023_data, tmp_path):
    sheet = copy.deepcopy(next(p for p in fy2023_data["projects"] if p["number"] == 15))
    sheet["results"]["actions"] += "\n" + "\n".join(
        f"・追加の取組{i}：地域の事業者と連携し、観光客の周遊を促す施策を試行した。" for i in range(40))
    fit = fit_sheet(sheet, 2023, str(tmp_path))
    assert not fit.fits
    assert fit.cause == "text"
    # the long section itself runs past the page, and with it what follows it
    assert "results_actions" in fit.overflowing
    assert set(fit.overflowing) <= {"purpose", "results_actions", "results_perspectives",
                                    "results_evaluation", "challenges", "target_text", "kpis",
                                    "plans_actions", "plans_outlook", "roadmap", "figures"}
    assert fit.overflow_sections[0] == ("２０２３年度の活動実績（主要な取組）と評価／○具体的取組", 2040)


def test_an_empty_optional_section_is_left_out(fy2023_data, tmp_path):
    sheet = copy.deepcopy(next(p for p in fy2023_data["projects"] if p["number"] == 2))
    sheet["plans"] = {"actions": "", "outlook": ""}
    text = nows(PdfReader(io.BytesIO(sheet_pdf(sheet, 2023, str(tmp_path)))).pages[0].extract_text())
    assert "記載なし" not in text
    assert "２０２４年度以降の取組" not in text


def test_the_draft_marks_unapproved_sheets_and_says_so_on_the_cover(fy2023_data, report_meta,
                                                                   built_report):
    sheets = [p for p in fy2023_data["projects"] if p["number"] in (1, 2, 3)]
    meta = {**report_meta, "draft": True}
    pdf = build_report(meta, 2023, sheets, built_report.cache, marks={2: "提出済"})
    reader = PdfReader(io.BytesIO(pdf))
    pages = [nows(page.extract_text()) for page in reader.pages]
    front = len(pages) - 3
    assert "確認用" in pages[0]
    assert "未承認（提出済）" in pages[front + 1]
    assert "未承認" not in pages[front] and "未承認" not in pages[front + 2]
    assert reader.metadata.title.startswith("【確認用】")
