"""Reading a filled-in workbook back: safely, checked like the form, compared before saving.

Order matters: the file is looked at as a zip first (size, entry count,
total uncompressed size, macros, external links) and every part is streamed
through a scan (expanded size, tag count, nesting depth) before openpyxl
parses any of it; then openpyxl reads it read-only with formulas *not*
evaluated, so a formula is seen as a formula and refused with its cell named. The input
cells named in the hidden metadata worksheet are poured into the edit form
(forms.sheet.read_form), so every rule of the form applies and no rule is
written twice; each error is then told by worksheet and cell. A workbook
exported before the latest save is merged with it cell by cell first
(webapp.workbooks.merging).
"""
from __future__ import annotations

import datetime as dt
import hmac
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from xml.parsers import expat

from werkzeug.datastructures import MultiDict

from forms.sheet import read_form, sheet_form
from webapp.editing.saving import (ConflictDiff, ImageRef, differences, figure_tokens, load_sheet,
                                   resolve_images)
from webapp.jptext import circled
from webapp.models import Sheet
from webapp.permissions import can
from webapp.sheet_content import comparable, sheet_to_dict
from forms.sheet import field_named
from webapp.sheet_schema import CHOICE, FLAG, YEAR
from webapp.workbooks.merging import Conflict, merge
from webapp.workbooks.signing import FORMAT, META_TITLE, OLD_FORMATS, YES, checksum

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 400
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_WORKSHEETS = 60
MAX_CELLS = 300_000
MAX_CELL_TEXT = 32_767      # Excel's own limit for one cell
# What the XML inside may cost before openpyxl builds anything from it. openpyxl keeps
# every open element, so a 69 KB file of millions of nested elements cost it 30 s and
# 2 GB. Counting the tags ('<') of the decompressed parts runs at zlib's speed and bounds
# what the second, parsing scan (depth, in Python callbacks) can cost. An exported
# workbook is about 10 levels deep and has some ten thousand tags; a filled-in cell
# adds four or five.
MAX_XML_TAGS = 400_000
MAX_XML_DEPTH = 64
XML_PARTS = (".xml", ".rels")


class WorkbookError(Exception):
    """The file is refused; `messages` say why, each naming the worksheet and cell when it can."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class SheetCells:
    sheet_id: int
    number: int
    year: int
    version: int
    worksheet: str
    cells: dict[str, str] = field(default_factory=dict)     # form field -> cell
    values: dict[str, object] = field(default_factory=dict)  # cell -> value
    # form field -> digest of its value as exported (format /2); None for an older file
    bases: dict[str, str] | None = None

    def texts(self) -> dict[str, str]:
        """Each input cell as the form would have received it typed (form field -> text)."""
        out = {}
        for name, ref in self.cells.items():
            value = self.values.get(ref)
            if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
                value = value[:MAX_CELL_TEXT]
            out[name] = _as_text(name, value)
        return out


@dataclass
class SheetImport:
    sheet: Sheet
    base_version: int                 # the saved version the content was merged with: save against it
    content: dict
    images: list[ImageRef | None]
    changes: list[ConflictDiff]
    entry: SheetCells | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)    # changed since the export only: stay as saved
    edited: list[str] = field(default_factory=list)  # cells changed in the workbook (form fields)

    @property
    def unchanged(self) -> bool:
        return not self.changes and comparable(self.content) == comparable(sheet_to_dict(self.sheet))

    @property
    def stale(self) -> bool:
        """The sheet was saved after the workbook was exported."""
        return self.entry is not None and self.entry.version != self.sheet.version

    @property
    def old_format(self) -> bool:
        return self.entry is not None and self.entry.bases is None


# ---------------------------------------------------------------- the file

def _check_zip(data: bytes, filename: str) -> None:
    """The one gate before any parser: file size, entries, expanded size, macros, links, XML shape."""
    name = (filename or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise WorkbookError("マクロ付きのブック（.xlsm など）や古い形式（.xls）は取り込めません。"
                            "書き出した .xlsx ファイルのまま保存してください。")
    if len(data) > MAX_BYTES:
        raise WorkbookError(f"ファイルが大きすぎます（{MAX_BYTES // (1024 * 1024)} MB まで）。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
            if len(entries) > MAX_ENTRIES:
                raise WorkbookError("ファイルの構成が大きすぎるため取り込めません。")
            if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
                raise WorkbookError("ファイルを展開すると大きすぎるため取り込めません。")
            names = [e.filename for e in entries]
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise WorkbookError("Excel のブック（.xlsx）として読み取れませんでした。")
            types = zf.read("[Content_Types].xml").decode("utf-8", "replace")
            if any("vbaproject" in n.lower() for n in names) or "macroEnabled" in types:
                raise WorkbookError("マクロを含むブックは取り込めません。マクロのない .xlsx で保存し直してください。")
            if any(n.startswith("xl/externalLinks/") for n in names) or "externalLink" in types:
                raise WorkbookError("外部のファイルへのリンクを含むブックは取り込めません。"
                                    "リンクを解除した .xlsx を使ってください。")
            _scan_parts(zf, entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, zlib.error):
        raise WorkbookError("Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れているか、別の形式です。")


BROKEN_XML = "Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れている可能性があります。"


class _XmlScan:
    """Tracks the depth of one part as expat streams it; keeps no tree."""

    def __init__(self):
        self.depth = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        # Entities are how a small file becomes a huge one (billion laughs);
        # no part of a real .xlsx declares a DTD.
        self.parser.StartDoctypeDeclHandler = self.doctype

    def start(self, name, attributes):
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise WorkbookError(f"ブックの中のデータの入れ子が深すぎるため取り込めません（{MAX_XML_DEPTH}段まで）。")

    def end(self, name):
        self.depth -= 1

    def doctype(self, *args):
        raise WorkbookError(BROKEN_XML)

    def feed(self, chunk: bytes, last: bool = False) -> None:
        try:
            self.parser.Parse(chunk, last)
        except expat.ExpatError:
            raise WorkbookError(BROKEN_XML)


def _is_xml(entry) -> bool:
    return entry.filename.lower().endswith(XML_PARTS)


def _chunks(zf: zipfile.ZipFile, entry):
    with zf.open(entry) as stream:
        while chunk := stream.read(64 * 1024):
            yield chunk


def _scan_parts(zf: zipfile.ZipFile, entries) -> None:
    """Decompress every part as a stream (the sizes in the zip's directory can lie): first
    counting bytes and tags, then feeding the XML parts to a parser that tracks the depth,
    so the limits hold for what openpyxl would read and neither pass keeps what it reads."""
    expanded, tags = 0, 0
    for entry in entries:
        xml = _is_xml(entry)
        for chunk in _chunks(zf, entry):
            expanded += len(chunk)
            if expanded > MAX_UNCOMPRESSED:
                raise WorkbookError("ファイルを展開すると大きすぎるため取り込めません。")
            if xml:
                tags += chunk.count(b"<")
                if tags > MAX_XML_TAGS:
                    raise WorkbookError("ブックの中のデータが多すぎるため取り込めません"
                                        f"（要素のタグ {MAX_XML_TAGS:,}個まで）。")
    for entry in filter(_is_xml, entries):
        scan = _XmlScan()
        for chunk in _chunks(zf, entry):
            scan.feed(chunk)
        scan.feed(b"", last=True)


def _cell_values(ws, place: str, budget: list[int]) -> dict[str, object]:
    values = {}
    for row in ws.iter_rows():
        for cell in row:
            budget[0] -= 1
            if budget[0] < 0:
                raise WorkbookError(f"セルの数が多すぎるため取り込めません（{MAX_CELLS:,}個まで）。")
            value = getattr(cell, "value", None)
            if value is None:
                continue
            if cell.data_type == "f" or not isinstance(value, (str, int, float, Decimal, bool, dt.date,
                                                               dt.datetime, dt.time)):
                raise WorkbookError(f"{place} {cell.coordinate}：数式は取り込めません。"
                                    "値を直接入力してください。")
            values[cell.coordinate] = value
    return values


def read_file(data: bytes, filename: str = "") -> list[SheetCells]:
    """The sheets this workbook holds and the values of their cells; WorkbookError if refused."""
    _check_zip(data, filename)
    try:
        return _read(data)
    except WorkbookError:
        raise
    except Exception:  # openpyxl and the XML parser raise many kinds of error for a damaged file
        raise WorkbookError("Excel のブック（.xlsx）として読み取れませんでした。ファイルが壊れている可能性があります。")


def _read(data: bytes) -> list[SheetCells]:
    # Worksheets are parsed lazily (read-only mode), so errors come from here too.
    from openpyxl import load_workbook  # loaded when a workbook arrives, not at start-up
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False,
                       keep_vba=False)
    try:
        if len(wb.sheetnames) > MAX_WORKSHEETS:
            raise WorkbookError(f"ワークシートが多すぎます（{MAX_WORKSHEETS}枚まで）。")
        if META_TITLE not in wb.sheetnames:
            raise WorkbookError("このアプリで書き出したブックではありません（書き出し情報が見つかりません）。"
                                "「Excelで書き出す」で作ったファイルに入力してください。")
        budget = [MAX_CELLS]
        meta_rows = [[("" if v is None else str(v)) for v in row]
                     for row in _rows(wb[META_TITLE], budget)]
        sheets = _parse_meta(meta_rows)
        for entry in sheets:
            if entry.worksheet not in wb.sheetnames:
                raise WorkbookError(f"ワークシート『{entry.worksheet}』が見つかりません。"
                                    "ワークシートの名前を変えずに取り込んでください。")
            entry.values = _cell_values(wb[entry.worksheet], _where(entry, ""), budget)
        for title in wb.sheetnames:   # a formula anywhere is refused, not only in input cells
            if title != META_TITLE and title not in {e.worksheet for e in sheets}:
                _cell_values(wb[title], f"シート『{title}』", budget)
    finally:
        wb.close()
    return sheets


def _rows(ws, budget):
    for values in ws.iter_rows(values_only=True):
        budget[0] -= len(values)
        if budget[0] < 0:
            raise WorkbookError(f"セルの数が多すぎるため取り込めません（{MAX_CELLS:,}個まで）。")
        yield values


def _parse_meta(rows: list[list[str]]) -> list[SheetCells]:
    broken = WorkbookError("ブックの書き出し情報が壊れているため取り込めません。もう一度書き出してから入力してください。")
    head = (rows[0] + ["", ""])[:2] if rows else ["", ""]
    if head[0] != "format" or head[1] not in (FORMAT, *OLD_FORMATS):
        raise broken
    with_bases = head[1] == FORMAT
    sheets: dict[int, SheetCells] = {}
    signatures = {}
    try:
        for row in rows[1:]:
            if row[0] == "sheet":
                sid = int(row[1])
                sheets[sid] = SheetCells(sid, int(row[2]), int(row[3]), int(row[4]), row[5],
                                         bases={} if with_bases else None)
                signatures[sid] = row[6]
            elif row[0] == "field":
                entry = sheets[int(row[1])]
                entry.cells[row[2]] = row[3]
                if with_bases:
                    if not row[4]:
                        raise ValueError(row)
                    entry.bases[row[2]] = row[4]
    except (IndexError, ValueError, KeyError):
        raise broken
    for sid, entry in sheets.items():
        expected = checksum(sid, entry.number, entry.year, entry.version, list(entry.cells.items()),
                            list(entry.bases.items()) if with_bases else None)
        if not hmac.compare_digest(expected, signatures[sid]):
            raise broken
    if not sheets:
        raise broken
    return list(sheets.values())


# ---------------------------------------------------------------- the content

def _as_text(name: str, value) -> str:
    """A cell as the form would have received it typed."""
    if value is None:
        return ""
    f = field_named(name)
    kind = f.cell if f is not None else None
    if isinstance(value, bool):
        return "y" if value else ""
    if isinstance(value, (dt.date, dt.datetime)):
        # A year typed as a date (Excel turns 「2024/4/1」 into one) is its year.
        if f is not None and (f.kind == YEAR or f.key.endswith("_year")):
            return str(value.year)
        return f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if kind == FLAG:
        return "y" if text.strip() in (YES, "y", "○", "1", "TRUE") else ""
    if kind == CHOICE:
        labels = {label: key for key, label in f.choices}
        return labels.get(text.strip(), text.strip())
    return text


def _where(entry: SheetCells, field_id: str) -> str:
    cell = entry.cells.get(field_id)
    place = f"個票{circled(entry.number)} シート『{entry.worksheet}』"
    return f"{place} {cell}" if cell else place


def prepare(user, entry: SheetCells, take_workbook=frozenset()) -> SheetImport:
    """The content the worksheet describes, merged with what was saved since its export
    (webapp.workbooks.merging) and checked like the form; WorkbookError lists every problem.

    `take_workbook`: conflicting cells (form field names) to take from the workbook
    rather than keep as saved.
    """
    sheet = load_sheet(entry.sheet_id)
    if sheet is None or not can(user, "view_sheet", sheet) or sheet.project.number != entry.number \
            or sheet.cycle.year != entry.year:
        raise WorkbookError(f"個票（シート『{entry.worksheet}』）が見つからないか、この個票を見る権限がありません。")
    current = sheet_to_dict(sheet)
    # Figures keep their stored image by position: the workbook carries only the words.
    merged = merge(sheet, current, figure_tokens(sheet), entry.texts(), entry.bases, entry.version,
                   take_workbook)
    data = MultiDict(list(merged.data.items()))
    form = sheet_form(sheet.cycle.year, formdata=data, meta={"csrf": False})
    content, inputs, errors = read_form(form, current, sheet.cycle.year)
    images = resolve_images(sheet, inputs, errors)
    if errors:
        raise WorkbookError([f"{_where(entry, fid)}：{message}" for fid, message in errors.messages])
    changes = differences(current, content, sheet.cycle.year)
    return SheetImport(sheet, sheet.version, content, images, changes, entry, merged.conflicts,
                       merged.kept, merged.edited)
