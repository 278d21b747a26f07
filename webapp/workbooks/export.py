"""A sheet (or an organisation's sheets) as an .xlsx workbook to fill in offline.

The layout is walked from the sheet schema: every box in printed order, each
text section one wrapped input cell under its printed heading, the KPI,
roadmap and figure parts as small tables. Each input cell is named in the
hidden metadata worksheet by the edit form's field name ("results_actions",
"kpis-0-series-3-actual", ...), so reading a workbook back is filling in the
edit form and running its checks (webapp.workbooks.reading): a section added
to the schema appears here and is read back with nothing else changed.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from webapp.safecells import text_cell
from webapp.models import Sheet
from webapp.sheet_content import sheet_to_dict
from webapp.timeutil import format_datetime
from webapp.workbooks.merging import base_digests
from webapp.workbooks.signing import FORMAT, META_TITLE, NO, YES, cell_title, checksum
from webapp.sheet_schema import (FIGURES, KPIS, LEFT, LINE, LINES, MAX_SERIES, RIGHT, ROADMAP, TEXT, Field,
                                 schema, years_in)

INSTRUCTIONS_TITLE = "記入のしかた"
BLANK_SERIES_ROWS = 3      # empty year rows under each KPI, to add a year
BLANK_ROADMAP_ROWS = 3
BLANK_FIGURE_ROWS = 2

HEADING_FILL = PatternFill("solid", fgColor="1F4E79")
SUB_FILL = PatternFill("solid", fgColor="DCE6F1")
INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def write_number(cell, value) -> None:
    """A KPI figure: a number when Excel holds it exactly, else its digits as text."""
    if value is None:
        cell.value = None
    elif isinstance(value, int) or Decimal(repr(float(value))) == value:
        cell.value = value if isinstance(value, int) else float(value)
    else:
        text_cell(cell, format(value, "f"))


@dataclass
class _Layout:
    ws: object
    row: int = 1
    fields: list[tuple[str, str]] = field(default_factory=list)   # (form field, cell)
    numbers: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    choices: dict[Field, list[str]] = field(default_factory=dict)   # a list to pick from, per field

    def band(self, text: str, fill=SUB_FILL, bold=True, white=False) -> None:
        ws = self.ws
        ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=5)
        cell = ws.cell(self.row, 1)
        text_cell(cell, text)
        cell.fill = fill
        cell.font = Font(bold=bold, color="FFFFFF" if white else None)
        cell.alignment = WRAP
        self.row += 1

    def label(self, text: str, column: int = 1, row: int | None = None) -> None:
        cell = self.ws.cell(row or self.row, column)
        text_cell(cell, text)
        cell.font = Font(bold=True)
        cell.alignment = WRAP
        cell.fill = SUB_FILL

    def field(self, name: str, f: Field, item: dict | None, column: int = 2, *,
              wide: bool | None = None, width: int = 60) -> None:
        """The input cell of template field `f` of `item` (None: a blank entry to fill in)."""
        value = f.get(item) if item is not None else None
        if f.cell == "flag":
            value = (YES if value else NO) if item is not None else ""
        elif f.cell == "choice":
            value = f.choice_label(value)
        elif f.kind == LINES:
            value = "、".join(value or [])
        if wide is None:
            wide = f.kind in (TEXT, LINES) or (f.kind == LINE and f.max_chars > 100)
        kind = f.cell if f.cell in ("number", "year", "flag") else "text"
        self.input(name, value, column, wide=wide, kind=kind,
                   lines=_lines(value, width) if kind == "text" and value else 1,
                   choice=f if f.cell == "choice" else None)

    def input(self, name: str, value, column: int = 2, *, wide: bool = False, kind: str = "text",
              lines: int = 1, choice: Field | None = None) -> None:
        ws, row = self.ws, self.row
        if wide:
            ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=5)
        cell = ws.cell(row, column)
        if kind == "number":
            write_number(cell, value)
            self.numbers.append(cell.coordinate)
        elif kind == "year":
            cell.value = value if isinstance(value, int) else None
            if value is not None and not isinstance(value, int):
                text_cell(cell, str(value))
            self.years.append(cell.coordinate)
        else:
            if value not in (None, ""):
                text_cell(cell, str(value))
            if kind == "flag":
                self.flags.append(cell.coordinate)
            elif choice is not None:
                self.choices.setdefault(choice, []).append(cell.coordinate)
        cell.protection = UNLOCKED
        cell.fill = INPUT_FILL
        cell.alignment = WRAP
        if lines > 1:
            ws.row_dimensions[row].height = min(409, 15 * lines + 6)
        self.fields.append((name, cell.coordinate))


def _lines(text: str, width: int = 60) -> int:
    return sum(max(1, -(-len(line) // width)) for line in (text or "").split("\n")) + 1


def _text_rows(lay: _Layout, content: dict, section, year: int) -> None:
    sheet_schema = schema(year)
    title = (years_in(section.heading, year) if section.heading
             else years_in(section.label, year) if section.label
             else sheet_schema.box(section.box).title(year))
    text = sheet_schema.text(content, section.key)
    lay.label(title)
    lay.input(section.key, text, wide=True, lines=max(section.rows, _lines(text)))
    lay.row += 1


def _in_workbook(fields) -> list[Field]:
    return [f for f in fields if f.excel != "none"]


def _table_head(lay: _Layout, first: str, fields) -> None:
    for col, title in enumerate((first, *(cell_title(f) for f in fields)), start=1):
        lay.label(title, column=col)
    lay.row += 1


def _table_row(lay: _Layout, prefix: str, fields, item: dict | None, widths=(14, 14, 14, 30)) -> None:
    """One entry of a table (a year of a KPI, a roadmap row, a figure): a cell per field from
    column 2; the last one spans to column 5 when it is a text with room to spare."""
    for col, f in enumerate(fields, start=2):
        last = col == len(fields) + 1
        lay.field(prefix + f.key, f, item, col, wide=last and f.kind == TEXT and col < 5,
                  width=widths[min(col - 2, len(widths) - 1)])
    lay.row += 1


def _kpi_rows(lay: _Layout, part, kpis: list[dict], year: int) -> None:
    count = min(part.limit, len(kpis) + 1)   # one empty block to add a KPI
    fields, points = _in_workbook(part.entry_fields), _in_workbook(part.series_fields)
    for i in range(count):
        k = kpis[i] if i < len(kpis) else None
        p = f"kpis-{i}-"
        lay.band(f"KPI {i + 1}" + ("（追加する場合に記入）" if k is None else ""))
        for f in fields:
            lay.label(cell_title(f))
            lay.field(p + f.key, f, k)
            lay.row += 1
        _table_head(lay, "年度別の目標・実績", points)
        series = (k or {}).get("series") or []
        for j in range(min(MAX_SERIES, len(series) + BLANK_SERIES_ROWS)):
            if j >= len(series):
                text_cell(lay.ws.cell(lay.row, 1), "（追加する年度）")
            _table_row(lay, f"{p}series-{j}-", points, series[j] if j < len(series) else {},
                       widths=(60,))
        lay.row += 1


def _head_rows(lay: _Layout, fields, content: dict) -> None:
    for f in _in_workbook(fields):
        lay.label(cell_title(f))
        lay.field(f.key, f, content)
        lay.row += 1


def _roadmap_rows(lay: _Layout, part, content: dict) -> None:
    _head_rows(lay, part.sheet_fields, {"roadmap": content.get("roadmap") or {}})
    fields = _in_workbook(part.entry_fields)
    _table_head(lay, "", fields)
    rows = (content.get("roadmap") or {}).get("rows") or []
    for i in range(min(part.limit, len(rows) + BLANK_ROADMAP_ROWS)):
        text_cell(lay.ws.cell(lay.row, 1), f"{i + 1}行目")
        _table_row(lay, f"roadmap_rows-{i}-", fields, rows[i] if i < len(rows) else {})
    lay.row += 1


def _figure_rows(lay: _Layout, part, figures: list[dict]) -> None:
    text_cell(lay.ws.cell(lay.row, 1), "画像の差し替えはWeb画面で行ってください（画像はそのまま残ります）。")
    lay.ws.merge_cells(start_row=lay.row, start_column=1, end_row=lay.row, end_column=5)
    lay.row += 1
    fields = _in_workbook(part.entry_fields)
    _table_head(lay, "", fields)
    for i in range(min(part.limit, len(figures) + BLANK_FIGURE_ROWS)):
        text_cell(lay.ws.cell(lay.row, 1), f"図表 {i + 1}")
        _table_row(lay, f"figures-{i}-", fields, figures[i] if i < len(figures) else {})
    lay.row += 1


def _validations(lay: _Layout) -> None:
    ws = lay.ws
    # Warnings, not stops: 「２４８」 typed with the IME is text to Excel, and the
    # import accepts it as the form does.
    rules = [
        (lay.numbers, DataValidation(type="decimal", operator="between", formula1="-99999999999999",
                                     formula2="99999999999999", errorStyle="warning",
                                     errorTitle="数値", error="数値を入力してください（例: 2134、12.5、△300）")),
        (lay.years, DataValidation(type="whole", operator="between", formula1="1900", formula2="2200",
                                   errorStyle="warning", errorTitle="年",
                                   error="西暦の年を入力してください（例: 2024）")),
        (lay.flags, DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)),
    ] + [(cells, DataValidation(type="list", formula1='"' + ",".join(label for _, label in f.choices) + '"',
                                allow_blank=True)) for f, cells in lay.choices.items()]
    for cells, rule in rules:
        if cells:
            rule.showErrorMessage = True
            for ref in cells:
                rule.add(ref)
            ws.add_data_validation(rule)


def _title(sheet: Sheet) -> str:
    # Worksheet names: at most 31 characters, none of []:*?/\
    mark = sheet.project.circled_number
    text = f"{mark} {sheet.project.title}" if mark.isascii() else f"{mark}{sheet.project.title}"
    for ch in "[]:*?/\\":
        text = text.replace(ch, "")
    return text[:31]


def _sheet_worksheet(wb: Workbook, sheet: Sheet, meta) -> None:
    year = sheet.cycle.year
    sheet_schema = schema(year)
    content = sheet_to_dict(sheet)
    ws = wb.create_sheet(_title(sheet))
    lay = _Layout(ws)
    for col, width in zip("ABCDE", (30, 16, 22, 18, 18)):
        ws.column_dimensions[col].width = width
    project = sheet.project
    lay.band(f"{project.circled_number} {project.title}【幹事：{project.lead_label}】",
             fill=HEADING_FILL, white=True)
    lay.band(f"{year}年度の個票（{format_datetime(sheet.updated_at)} 保存の内容）。黄色の欄に入力してください。",
             fill=PatternFill(), bold=False)
    lay.row += 1
    for column in (LEFT, RIGHT):
        for box in sheet_schema.column(column):
            sections = sheet_schema.in_box(box.key)
            if not sections:
                continue
            lay.band(sheet_schema.box_title(box.key, year, content), fill=HEADING_FILL, white=True)
            kpis = sheet_schema.part(KPIS)
            if kpis is not None and box.key == kpis.box:
                _head_rows(lay, kpis.sheet_fields, content)   # the box's own: target year, label
            for section in sections:
                if section.kind == TEXT:
                    _text_rows(lay, content, section, year)
                elif section.kind == KPIS:
                    _kpi_rows(lay, section, content["targets"]["kpis"], year)
                elif section.kind == ROADMAP:
                    _roadmap_rows(lay, section, content)
                elif section.kind == FIGURES:
                    _figure_rows(lay, section, content.get("figures") or [])
    _validations(lay)
    ws.protection.sheet = True
    ws.protection.formatRows = False      # people may make a row taller to read it
    ws.protection.formatColumns = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    bases = base_digests(content, [name for name, _ in lay.fields])
    meta.append(("sheet", sheet.id, project.number, year, sheet.version, ws.title,
                 checksum(sheet.id, project.number, year, sheet.version, lay.fields, list(bases.items()))))
    meta.extend(("field", sheet.id, name, ref, bases[name]) for name, ref in lay.fields)


INSTRUCTIONS = [
    "九州地域戦略会議　個票の記入用ファイル",
    "",
    "1. 個票ごとのワークシートの黄色の欄に入力してください。それ以外の欄は変更できません（シートの保護はパスワードなしです）。",
    "2. 欄の中で改行するには Alt＋Enter（Mac は Option＋Return）を押してください。1行が1項目です。",
    "3. 数値は全角・半角どちらでも、カンマ区切りでもかまいません。負の数は「△300」とも書けます。",
    "4. 年度は「2024」「令和6年度」のどちらでも入力できます。",
    "5. KPI の年度を増やすときは「（追加する年度）」の行に、KPI を増やすときは「KPI n（追加する場合に記入）」に入力してください。",
    "6. 数式は取り込めません。値を直接入力してください。",
    "7. 入力が終わったら、Web画面の個票の編集画面で「Excelから取り込む」を選び、このファイルを選んでください。",
    "   保存する前に、変更される欄が表示されます。",
    "8. 書き出した後にWeb画面などで保存されていた場合は、このファイルで変えた欄だけを反映します。"
    "同じ欄が両方で変わっていれば並べて表示し、保存済みの内容を残すか選べます（黙って上書きはされません）。",
    "",
    "このファイルの非表示のワークシートや構成は変更しないでください（取り込めなくなります）。",
]


def workbook(sheets: list[Sheet]) -> bytes:
    """The workbook of these sheets (one worksheet each), as .xlsx bytes."""
    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS_TITLE
    guide.column_dimensions["A"].width = 120
    for i, line in enumerate(INSTRUCTIONS, start=1):
        cell = guide.cell(i, 1)
        text_cell(cell, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide["A1"].font = Font(bold=True, size=14)
    guide.protection.sheet = True
    meta: list[tuple] = [("format", FORMAT)]
    for sheet in sheets:
        _sheet_worksheet(wb, sheet, meta)
    hidden = wb.create_sheet(META_TITLE)
    for row in meta:
        hidden.append([str(v) for v in row])
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(sheets: list[Sheet], organisation: str | None = None, part: bool = False) -> str:
    """`part`: one of several workbooks of the organisation, named by its first and last number."""
    if organisation:
        numbers = f"_{sheets[0].project.file_number}-{sheets[-1].project.file_number}" if part else ""
        return f"個票_{sheets[0].cycle.year}年度_{organisation}{numbers}.xlsx"
    sheet = sheets[0]
    return f"個票_{sheet.cycle.year}年度_{sheet.project.file_number}.xlsx"
