"""The report's optional appendix 「ＫＰＩ達成状況一覧」: plain rows in, PDF out.

Database-free like the rest of this package. Rows are dicts with the keys
mark, project, kpi, unit, baseline, latest, latest_year, target,
target_year, rate, change, status, qualitative (all text but the last),
as webapp.council.progress.appendix_rows() makes them.

    appendix_html(rows, year, rule)                      -> str
    appendix_pdf(rows, year, rule, first_page=1)         -> bytes
    add_to_report(report_pdf, rows, year, rule)          -> bytes

``add_to_report`` appends the pages to a compiled report (their page
numbers continuing the report's), with a top-level bookmark and, on the
report's contents page, a line 「ＫＰＩ達成状況一覧 …… page」 linked to it.
"""
from __future__ import annotations

import io
from pathlib import Path

from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import Fit

from .fonts import find_fonts, font_face_css
from .render import TEMPLATES_DIR, _env, get_renderer
from webapp.jptext import jp_fiscal_year

__all__ = ["TITLE", "appendix_html", "appendix_pdf", "add_to_report"]

TITLE = "ＫＰＩ達成状況一覧"
_STATUS_CLASS = {"達成": "achieved", "順調": "ontrack", "遅れ": "behind", "未入力": "nodata"}



def _css(first_page: int) -> str:
    css = Path(TEMPLATES_DIR, "appendix.css").read_text(encoding="utf-8")
    # Continue the report's page numbers: the first page counts as `first_page`.
    start = f"@page appendix:first {{ counter-reset: page {first_page - 1}; counter-increment: page; }}\n" \
        if first_page != 1 else ""
    return font_face_css(find_fonts(), mincho=False) + "\n" + css + "\n" + start


def appendix_html(rows: list[dict], year: int, rule: str = "", first_page: int = 1) -> str:
    return _env().get_template("appendix.html").render(
        rows=rows, title=TITLE, year_label=jp_fiscal_year(year), rule=rule,
        # Our own stylesheet, not user text: <style> is raw text in HTML.
        css=Markup(_css(first_page)), status_class=lambda s: _STATUS_CLASS.get(s, "nodata"))


def appendix_pdf(rows: list[dict], year: int, rule: str = "", first_page: int = 1) -> bytes:
    renderer = get_renderer(None)
    return renderer.parse(appendix_html(rows, year, rule, first_page)).render(
        font_config=renderer.font_config).write_pdf()


def add_to_report(report_pdf: bytes, rows: list[dict], year: int, rule: str = "") -> bytes:
    """The report with the appendix after its last page, bookmarked."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf)))
    first = len(writer.pages)
    appendix = PdfReader(io.BytesIO(appendix_pdf(rows, year, rule, first_page=first + 1)))
    for page in appendix.pages:
        writer.add_page(page)
    writer.add_outline_item(title=TITLE, page_number=first, fit=Fit.fit())
    _add_contents_line(writer, first)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the contents line ------------------------------------------------------
# The report's contents page is already laid out when the appendix is added,
# so its line is drawn below the last one, at the same pitch and in the
# same columns as report.css sets them (a table 26mm in from each side:
# No. 8mm, project, lead 70mm, page 14mm; 9.6pt type), and linked to the
# appendix's first page. TODO(merge): once report.html can take extra
# contents entries, print this line there instead (see the README).

_MM = 72 / 25.4
_SIDE_MM, _BOTTOM_MM = 26, 16


def _lines(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each piece of text on the page, y from the bottom."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                          tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))
    page.extract_text(visitor_text=visit)
    return found


def _contents_page(writer: PdfWriter) -> int | None:
    for index, page in enumerate(writer.pages[:6]):
        if "".join((page.extract_text() or "").split()).startswith("目次"):
            return index
    return None


def _add_contents_line(writer: PdfWriter, target: int) -> bool:
    """Draw 「ＫＰＩ達成状況一覧 … page」 under the contents' last line; False when
    there is no contents page or no room left on it (the bookmark still leads there)."""
    from pypdf.annotations import Link
    from pypdf.generic import RectangleObject

    index = _contents_page(writer)
    if index is None:
        return False
    page = writer.pages[index]
    rows = sorted({round(y, 1) for _, y, text in _lines(page)}, reverse=True)
    # rows[0] is the heading 目次, rows[1] the table head, then one per line.
    if len(rows) < 3:
        return False
    pitch = rows[-2] - rows[-1] if len(rows) >= 4 else rows[1] - rows[2]
    baseline = rows[-1] - pitch
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    if baseline < _BOTTOM_MM * _MM + pitch:
        return False
    overlay = PdfReader(io.BytesIO(_contents_line_pdf(width, height, baseline, target + 1)))
    page.merge_page(overlay.pages[0])
    left, right = _SIDE_MM * _MM, width - _SIDE_MM * _MM
    writer.add_annotation(index, Link(rect=RectangleObject(
        [left, baseline - pitch * 0.3, right, baseline + pitch * 0.7]), target_page_index=target))
    return True


def _contents_line_pdf(width: float, height: float, baseline: float, page_number: int) -> bytes:
    size = 9.6
    # The line box is 1.3em high; IPAex puts the baseline 0.88em below the
    # top of the glyphs, 0.15em of leading above them.
    top = height - baseline - size * (0.15 + 0.88)
    html = f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>
{font_face_css(find_fonts(), mincho=False)}
@page {{ size: {width}pt {height}pt; margin: 0; }}
body {{ margin: 0; font-family: "IPAexGothic"; font-size: {size}pt; line-height: 1.3; }}
table {{ position: absolute; top: {top:.2f}pt; left: {_SIDE_MM}mm; right: {_SIDE_MM}mm;
  width: {width - 2 * _SIDE_MM * _MM:.2f}pt; border-collapse: collapse; }}
td {{ padding: 0 2mm; }}
.no {{ width: 8mm; }} .lead {{ width: 70mm; }} .page {{ width: 14mm; text-align: right; }}
</style></head><body><table><tr><td class="no"></td><td class="project">{TITLE}</td>
<td class="lead"></td><td class="page">{page_number}</td></tr></table></body></html>"""
    renderer = get_renderer(None)
    return renderer.parse(html).render(font_config=renderer.font_config).write_pdf()
