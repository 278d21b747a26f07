"""A workbook brought back after the sheet was saved again: a three-way merge, cell by cell.

Why digests in the file: a draft save keeps no snapshot (only submissions have
SheetVersion rows), so the content a workbook was exported from is not in the
database once someone saves again. The export therefore writes, in its signed
hidden worksheet, a digest of each input cell's value as exported (the base).
On import, per cell:

- the workbook's value equals the base        -> not touched in Excel: the saved value stays;
- the saved value equals the base             -> changed in Excel only: the workbook's value;
- both equal each other                       -> the same change on both sides: nothing to do;
- otherwise                                   -> a conflict, which keeps the saved value unless
                                                 the user picks the workbook's.

Digests rather than the values: the base is only ever compared, never shown,
and a digest per cell keeps the hidden worksheet small. Every value is
compared normalised as the save path reads it (full-width digits, 「2,134」
and 2134, line endings, trailing blanks), so an untouched cell never reads as
changed. A workbook written before this (format /1) has no base: when the
sheet was saved since its export, every cell that differs from the saved
value is a conflict that keeps the saved value, and the page says why.

The merged cells are poured, over the saved sheet's own form data, into the
edit form (forms.sheet.read_form) and saved through the one save path,
webapp.editing.saving.save_content.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from forms.sheet import (NumberError, clean_line, clean_text, field_named, form_data, parse_number,
                         parse_year, shorten, split_years)
from webapp.editing.saving import flatten
from webapp.models import Sheet, User
from webapp.sheet_schema import FLAG, LINE, LINES, NUMBER, YEAR, schema
from webapp.timeutil import format_datetime
from webapp.workbooks.signing import cell_title, field_digest
_ENTRY = re.compile(r"^(kpis|roadmap_rows|figures)-([0-9]+)-(?:series-([0-9]+)-)?([a-z_]+)$")


def field_texts(content: dict, image_tokens=()) -> dict[str, str]:
    """The content as the edit form's fields, flat ("kpis-0-series-3-actual" -> "248");
    blank fields left out."""
    data = form_data(content, 0, image_tokens)
    del data["version"]
    # The workbook always spells the year columns out (form_data leaves them blank when
    # they are just the rows' span); read_form gives the same roadmap either way.
    data["roadmap_years"] = "、".join((content.get("roadmap") or {}).get("years") or [])
    out: dict[str, str] = {}

    def walk(prefix: str, mapping: dict) -> None:
        for key, value in mapping.items():
            name = prefix + key
            if isinstance(value, list):
                for i, item in enumerate(value):
                    walk(f"{name}-{i}-", item)
            elif isinstance(value, bool):
                if value:
                    out[name] = "y"
            elif value not in (None, ""):
                out[name] = str(value)
    walk("", data)
    return out


def normal_value(name: str, raw: str | None) -> str:
    """A cell's text as the save would store it, for comparing: 「２，１３４」 and 2134 are one value."""
    f = field_named(name)   # how the edit form reads the cell (forms.sheet.read_form)
    kind = f.kind if f is not None else None
    raw = raw or ""
    try:
        if kind == NUMBER:
            value = parse_number(raw)
            return "" if value is None else format(value.normalize(), "f")
        if kind == YEAR:
            year = parse_year(raw)
            return "" if year is None else str(year)
    except NumberError:
        return raw.strip()   # not a number: read_form names the cell when it is used
    if kind == FLAG:
        return "y" if raw else ""
    if kind == LINES:
        return "、".join(split_years(raw))
    return clean_line(raw) if kind == LINE else clean_text(raw)


def base_digests(content: dict, names) -> dict[str, str]:
    """What the export writes beside each input cell: its value's digest."""
    texts = field_texts(content)
    return {name: field_digest(name, normal_value(name, texts.get(name))) for name in names}


def cell_label(name: str, content: dict, workbook: dict[str, str], year: int) -> str:
    """How the import names a cell to the user: 「KPI 1『…』の2行目（2024年度）の実績」."""
    sheet_schema = schema(year)
    labels = {key: label for key, label, _, _ in flatten(content, year)}
    if name in labels:
        return labels[name]
    f = field_named(name)
    if f is None:
        return name
    match = _ENTRY.match(name)
    if not match:
        part = next(s for s in sheet_schema.sections if f in s.head_fields)
        return f"{sheet_schema.box_title(part.box, year)}の{cell_title(f)}"
    if not match:
        return name
    lst, i, j, tail = match.groups()
    i = int(i)
    if lst == "kpis":
        kpis = content["targets"]["kpis"]
        kpi_name = kpis[i]["name"] if i < len(kpis) else workbook.get(f"kpis-{i}-name", "")
        who = f"KPI {i + 1}『{shorten(kpi_name)}』" if kpi_name else f"KPI {i + 1}"
        if j is None:
            return f"{who}の{cell_title(f)}"
        series = kpis[i]["series"] if i < len(kpis) else []
        j = int(j)
        point_year = series[j]["year"] if j < len(series) else workbook.get(f"kpis-{i}-series-{j}-year")
        when = f"（{point_year}年度）" if point_year else ""
        return f"{who}の{j + 1}行目{when}の{cell_title(f)}"
    if lst == "roadmap_rows":
        return f"{sheet_schema.label('roadmap', year)} {i + 1}行目の{cell_title(f)}"
    return f"図表 {i + 1} の{cell_title(f)}"


@dataclass
class Conflict:
    """A cell changed in the workbook and, since its export, on the site too."""
    name: str        # the form field, e.g. "challenges", "kpis-0-series-2-actual"
    label: str
    saved: str
    workbook: str
    take_workbook: bool = False


@dataclass
class Merged:
    data: dict[str, str]          # form fields to read: the saved ones, with the workbook's merged in
    conflicts: list[Conflict]
    kept: list[str]               # labels of cells changed since the export only: they stay as saved
    edited: list[str]             # cells (form fields) changed in the workbook


def merge(sheet: Sheet, current: dict, saved_tokens, workbook: dict[str, str],
          bases: dict[str, str] | None, export_version: int, take_workbook=frozenset()) -> Merged:
    """The three-way merge of the workbook's cells into the saved sheet (see the module's words).

    `take_workbook`: conflicting cells the user chose to take from the workbook.
    """
    year = sheet.cycle.year
    saved = field_texts(current, saved_tokens)
    data = dict(saved)
    stale = export_version != sheet.version
    conflicts, kept, edited = [], [], []
    for name, raw in workbook.items():
        mine, theirs = normal_value(name, raw), normal_value(name, saved.get(name))
        if mine == theirs:
            continue
        if stale and bases is not None:
            base = bases.get(name)
            if field_digest(name, mine) == base:
                kept.append(cell_label(name, current, workbook, year))
                continue
            edited.append(name)
            clash = field_digest(name, theirs) != base
        else:
            edited.append(name)
            clash = stale   # an old-format file cannot tell who changed what: keep the saved value
        if clash:
            conflict = Conflict(name, cell_label(name, current, workbook, year), theirs, mine,
                                name in take_workbook)
            conflicts.append(conflict)
            if not conflict.take_workbook:
                continue
        if raw:
            data[name] = raw
        else:
            data.pop(name, None)
    return Merged(data, conflicts, kept, edited)


def saved_since_export(sheet: Sheet, user: User | None) -> str:
    """「このファイルを書き出した後に、山田さんが 2024年8月1日 10:00 に保存しています。」"""
    if user is not None and sheet.updated_by_id == user.id:
        who = "あなた"
    else:
        who = f"{sheet.updated_by.display_name}さん" if sheet.updated_by else "他の方"
    return f"このファイルを書き出した後に、{who}が {format_datetime(sheet.updated_at)} に保存しています。"
