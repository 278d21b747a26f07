"""The sheet form: the printed sheet's sections, a KPI editor, a roadmap editor and figures.

The form only carries what the user typed. `read_form` turns it into the
canonical content dict (webapp.sheet_content) and a list of Japanese error
messages, each naming the field as the user sees it, e.g.
「KPI 1『観光消費額』2024年度の実績: 数値ではありません（"many"）」.
A draft never requires a field to be filled in; only values that cannot be
stored (a number that is not a number, a year that is not a year, text too
long for its column) are refused.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import (BooleanField, FieldList, FileField, Form, FormField, HiddenField,
                     SelectChoice, SelectField, StringField, TextAreaField)

from webapp.jptext import format_number
from webapp.printing.kpis import point_label
from webapp.sheet_schema import (CHOICE, FIGURES, FLAG, KPIS, LINE, LINES, MAX_ROADMAP_YEARS, MAX_SERIES,
                                 NUMBER, ROADMAP, TEXT, YEAR, YEAR_RANGE, Field, Section, SheetSchema,
                                 schema)

MAX_ABS = Decimal(10) ** 14          # Numeric(20, 6): 14 digits before the point
MAX_DECIMALS = 6


# ---------------------------------------------------------------- normalisation

class NumberError(ValueError):
    """Text that is not a number (or not one we can store); the message says why."""


_DASHES = dict.fromkeys(map(ord, "−‐‑‒–—―ｰ"), "-")   # minus sign and dashes typed for minus
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Commas only between groups of three digits before the point: 「1,2,3」 is not 123.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_number(raw: str | None) -> Decimal | None:
    """「２，１３４」→ 2134, 「－１２．５」→ -12.5, 「△300」→ -300; blank → None.

    Full-width digits, commas, points, minus signs and spaces (NFKC), commas as
    thousands separators (groups of three only), and the 「△/▲」 negative marks
    of Japanese tables are accepted. Raises NumberError for anything else.
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).translate(_DASHES)
    text = re.sub(r"\s", "", text)
    if not text:
        return None
    if text[0] in "△▲":
        text = "-" + text[1:].lstrip("+-")
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise NumberError("カンマは3桁ごとの区切りにだけ使えます（例: 12,345）")
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise NumberError("数値ではありません")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NumberError("数値ではありません")
    if abs(value) >= MAX_ABS:
        raise NumberError("大きすぎます（整数部分は14桁まで）")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise NumberError(f"小数点以下は{MAX_DECIMALS}桁までにしてください")
    return value


_ERAS = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}


def parse_year(raw: str | None) -> int | None:
    """「２０２４」「2024年度」「令和6年度」→ 2024; blank → None; raises NumberError."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
    if not text:
        return None
    text = re.sub(r"(年度|年)$", "", text)
    match = re.fullmatch(r"(令和|平成|R|H)(\d{1,2}|元)", text, flags=re.IGNORECASE)
    if match:
        era = _ERAS[match.group(1).upper() if len(match.group(1)) == 1 else match.group(1)]
        year = era + (1 if match.group(2) == "元" else int(match.group(2)))
    elif re.fullmatch(r"\d{4}", text):
        year = int(text)
    else:
        raise NumberError(f"西暦の年（{YEAR_RANGE[0]}～{YEAR_RANGE[1]}）を入力してください")
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise NumberError(f"西暦の年（{YEAR_RANGE[0]}～{YEAR_RANGE[1]}）を入力してください")
    return year


def clean_text(raw: str | None) -> str:
    """Plain text as stored: LF line ends, no control characters, no trailing blanks.

    Tabs (cells pasted from Excel) become spaces; a leading tab is one
    indent level (two spaces), as the printed sheet nests list items.
    """
    if not raw:
        return ""
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        body = line.lstrip("\t")
        line = "  " * (len(line) - len(body)) + body.replace("\t", " ")
        lines.append(_CONTROL.sub("", line).rstrip())
    return "\n".join(lines).strip("\n")


def clean_line(raw: str | None) -> str:
    return " ".join(clean_text(raw).split("\n")).strip()


def form_number(value) -> str:
    """A stored number as the form shows it: 2134 -> 「2,134」, None -> an empty box."""
    return format_number(value, empty="")


def shorten(text: str, limit: int = 24) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _show(raw: str) -> str:
    raw = (raw or "").strip()
    return raw if len(raw) <= 30 else raw[:29] + "…"


# ---------------------------------------------------------------- forms

class IndexedList(FieldList):
    """A FieldList whose entry indices are ASCII digits only.

    WTForms takes any key part for which str.isdigit() is true and calls
    int() on it, which raises for 「kpis-²-name」 (a 500); such a field is
    ignored like any other unknown one.
    """

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit():
                    yield int(index)


def _input(f: Field):
    """The WTForms field of a template field: the kind decides the input, the label is the template's."""
    if f.kind == TEXT:
        return TextAreaField(f.label)
    if f.kind == FLAG:
        return BooleanField(f.label)
    if f.kind == CHOICE:
        choices = [SelectChoice("", f.blank)] if f.blank or not f.default else []
        return SelectField(f.label, choices=choices + [SelectChoice(v, label) for v, label in f.choices],
                           validate_choice=False)
    return StringField(f.label)


class FigureImageForm(Form):
    """What a figure entry has besides its template fields: the image."""
    image = FileField("画像ファイル（PNG・JPEG、5 MBまで）")
    # Signed name of the stored image this entry has (saved, or uploaded by a
    # save that did not go through); see webapp.editing.saving.image_token.
    image_token = HiddenField()
    remove_image = BooleanField("画像を外す")


class SheetFormBase(FlaskForm):
    """The parts every sheet has; the rest comes from the template (see sheet_form)."""
    version = HiddenField()


@dataclass(frozen=True)
class EntryForms:
    """The form classes of one template's list entries."""
    kpi: type
    series: type
    roadmap_row: type
    figure: type
    sheet: type


_LISTS = {KPIS: "kpis", ROADMAP: "roadmap_rows", FIGURES: "figures"}   # the form's list names
LIST_NAMES = tuple(_LISTS.values())
_FORM_NAME = re.compile(r"^(?:(kpis|roadmap_rows|figures)-[0-9]+-)?(?:series-[0-9]+-)?([a-z_]+)$")


def field_named(name: str, sheet_schema: SheetSchema | None = None) -> Field | None:
    """The template field behind a form field name: 「kpis-0-series-3-actual」 → the
    series' `actual`, 「roadmap_title」 → the roadmap's title; None for a text section."""
    sheet_schema = sheet_schema or schema()
    match = _FORM_NAME.match(name)
    if not match:
        return None
    lst, key = match.groups()
    kinds = {v: k for k, v in _LISTS.items()}
    for section in sheet_schema.sections:
        if lst is None and section.kind in kinds.values():
            fields = section.sheet_fields
        elif lst is not None and section.kind == kinds[lst]:
            fields = section.series_fields if "-series-" in name else section.entry_fields
        else:
            continue
        found = next((f for f in fields if f.key == key), None)
        if found is not None:
            return found
    return None


def entry_forms(sheet_schema: SheetSchema | None = None) -> EntryForms:
    """The sheet form and its entries' forms, built from the template's fields (and kept,
    per template: equal templates share them)."""
    return _entry_forms(sheet_schema or schema())


@functools.lru_cache(maxsize=32)
def _entry_forms(sheet_schema: SheetSchema) -> EntryForms:
    kpis, roadmap, figures = (sheet_schema.part(kind) for kind in (KPIS, ROADMAP, FIGURES))

    def form(name: str, section, base=Form, **more) -> type:
        fields = {f.key: _input(f) for f in (section.entry_fields if section else ())}
        return type(name, (base,), {**fields, **more})

    series = type("KpiValueForm", (Form,), {f.key: _input(f) for f in kpis.series_fields}) \
        if kpis else Form
    # One more than allowed, so that too many is refused with a message, while a
    # post of thousands of entries costs no more to read than the limit.
    kpi = form("KpiForm", kpis, series=IndexedList(FormField(series), max_entries=MAX_SERIES + 1))
    row = form("RoadmapRowForm", roadmap)
    figure = form("FigureForm", figures, FigureImageForm)
    entries = {KPIS: kpi, ROADMAP: row, FIGURES: figure}
    fields = {s.key: TextAreaField() for s in sheet_schema.text_sections}
    for section in sheet_schema.sections:
        if section.kind in _LISTS:
            fields.update({f.key: _input(f) for f in section.sheet_fields})
            fields[_LISTS[section.kind]] = IndexedList(FormField(entries[section.kind]),
                                                       max_entries=section.limit + 1)
    return EntryForms(kpi, series, row, figure, type("SheetForm", (SheetFormBase,), fields))


def sheet_form(year: int | None = None, **kwargs) -> SheetFormBase:
    """The sheet form of `year`'s template: one text area per text section, the fields of each part.

    Posted data is first cut to what the lists may hold (each list's limit
    plus one, so that "too many" is still seen and refused): WTForms scans
    every field name once per list entry, so a post of thousands of entries
    would otherwise cost seconds to read.
    """
    if "formdata" not in kwargs and request and request.method == "POST":
        kwargs["formdata"] = _bounded(CombinedMultiDict([request.files, request.form]), schema(year))
    return entry_forms(schema(year)).sheet(**kwargs)


_ENTRY = re.compile(r"^(kpis|roadmap_rows|figures)-([0-9]+)-(?:series-([0-9]+)-)?")


def _bounded(formdata, sheet_schema: SheetSchema) -> MultiDict:
    most = {name: 0 for name in _LISTS.values()}
    most.update({_LISTS[s.kind]: s.limit for s in sheet_schema.sections if s.kind in _LISTS})
    kept: dict[tuple, set] = {}

    def keep(key: tuple, index: str, limit: int) -> bool:
        seen = kept.setdefault(key, set())
        if index in seen:
            return True
        if len(seen) > limit:
            return False
        seen.add(index)
        return True

    out = MultiDict()
    for name, values in formdata.lists():
        match = _ENTRY.match(name)
        if match:
            lst, index, series = match.groups()
            if not keep((lst,), index, most[lst]):
                continue
            if series is not None and not keep((lst, index), series, MAX_SERIES):
                continue
        for value in values:
            out.add(name, value)
    return out


# ---------------------------------------------------------------- content -> form

def form_value(f: Field, value):
    """A content value as the form shows it."""
    if f.kind == NUMBER:
        return form_number(value)
    if f.kind == FLAG:
        return bool(value)
    if f.kind == LINES:
        return "、".join(value or [])
    return "" if value is None else str(value)


def _entry_data(fields, item: dict) -> dict:
    return {f.key: form_value(f, f.get(item)) for f in fields}


def form_data(content: dict, version: int, image_tokens=(), year: int | None = None) -> dict:
    """Data for the sheet form (data=...) from a content dict; `image_tokens` by figure position."""
    sheet_schema = schema(year)
    kpis, roadmap, figures = (sheet_schema.part(kind) for kind in (KPIS, ROADMAP, FIGURES))
    data = {"version": str(version), **sheet_schema.texts(content)}
    for part in (kpis, roadmap, figures):
        data.update(_entry_data(part.sheet_fields if part else (), content))
    if kpis:
        data["kpis"] = [_kpi_data(kpis, k) for k in (content.get("targets") or {}).get("kpis") or []]
    if roadmap:
        rows = (content.get("roadmap") or {}).get("rows") or []
        data["roadmap_rows"] = [_entry_data(roadmap.entry_fields, r) for r in rows]
        # Columns that are just the rows' spans stay blank, so that they follow the rows.
        years = (content.get("roadmap") or {}).get("years") or []
        if years == years_of_rows([dict(r) for r in rows]):
            data[_years_field(roadmap).key] = ""
    if figures:
        tokens = list(image_tokens)
        data["figures"] = [{**_entry_data(figures.entry_fields, f),
                            "image_token": tokens[i] if i < len(tokens) else "", "remove_image": False}
                           for i, f in enumerate(content.get("figures") or [])]
    return data


def _kpi_data(part: Section, k: dict) -> dict:
    return {**_entry_data(part.entry_fields, k),
            "series": [_entry_data(part.series_fields, p) for p in k.get("series") or []]}


def _years_field(roadmap: Section) -> Field:
    return next(f for f in roadmap.head_fields if f.kind == LINES)


def empty_data(kind: str, context: dict | None = None) -> dict:
    """A blank entry for the KPI, series, roadmap-row or figure lists: each field empty
    (a choice at its default), a series row (and a KPI's first) for the year, a roadmap
    row spanning the year columns."""
    context = context or {}
    sheet_schema = schema(context.get("year"))
    year = {"year": str(context.get("year", ""))}
    if kind == "series":
        return {**_entry_data(sheet_schema.part(KPIS).series_fields, {}), **year}
    section = sheet_schema.part({v: k for k, v in _LISTS.items()}.get(kind, ""))
    if section is None:
        raise ValueError(kind)
    data = _entry_data(section.entry_fields, {})
    data.update({f.key: f.default for f in section.entry_fields if f.default})
    if kind == "kpis":
        data["series"] = [empty_data("series", context)]
    elif kind == "roadmap_rows":
        years = context.get("years") or []
        data.update(from_year=years[0] if years else "", to_year=years[-1] if years else "")
    elif kind == "figures":
        data.update(image_token="", remove_image=False)
    return data


# ---------------------------------------------------------------- form -> content

@dataclass
class FigureInput:
    """What the user asked for the image of one figure entry."""
    token: str = ""                    # signed name of an image already stored
    upload: object | None = None       # a werkzeug FileStorage with a new file
    remove: bool = False
    entry: object | None = None        # the FigureForm, to attach upload errors to


@dataclass
class FormErrors:
    messages: list[tuple[str, str]] = field(default_factory=list)   # (field id, message)

    def add(self, field_obj, message: str) -> None:
        fid = getattr(field_obj, "id", "") or ""
        self.messages.append((fid, message))
        if field_obj is not None and hasattr(field_obj, "errors"):
            if not isinstance(field_obj.errors, list):
                field_obj.errors = list(field_obj.errors)
            field_obj.errors.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)


def split_years(raw: str | None) -> list[str]:
    text = clean_line(raw)
    return [y for y in re.split(r"[,、，\s]+", text) if y]


def _year_or_none(raw: str) -> int | None:
    try:
        return parse_year(raw)
    except NumberError:
        return None


def years_of_rows(rows: list[dict]) -> list[str]:
    """The year columns the rows' spans need: 2024～2026 → ["2024", "2025", "2026"].

    Used when the user leaves 「年度の列」 blank. Each start and end that reads as
    a year (「令和6年度」 too) is rewritten as the column it falls in; what does
    not read as one is left as typed, for roadmap_problems to name.
    """
    found = []
    for row in rows:
        for key in ("from", "to"):
            year = _year_or_none(row[key])
            if year is not None:
                row[key] = str(year)
                found.append(year)
    return [str(y) for y in range(min(found), max(found) + 1)] if found else []


@dataclass
class RoadmapProblem:
    row: int            # position among the roadmap's rows
    end: bool           # about the end year (else the start)
    message: str


def roadmap_problems(roadmap: dict | None) -> list[RoadmapProblem]:
    """Rows whose span does not fit the year columns: kept in a draft, named on 保存 and 提出."""
    if not roadmap:
        return []
    years, problems = roadmap["years"], []
    for i, row in enumerate(roadmap["rows"]):
        who = f"ロードマップ {i + 1}行目『{shorten(row['activity'], 16)}』" if row["activity"] \
            else f"ロードマップ {i + 1}行目"
        if not years:
            problems.append(RoadmapProblem(i, False, f"{who}: 開始と終了の年度を入力してください（例: 2024）"))
            continue
        for end, what in ((False, "開始"), (True, "終了")):
            value = row["to" if end else "from"]
            if value not in years:
                problems.append(RoadmapProblem(
                    i, end, f"{who}: {what}「{_show(value)}」が年度の列（{'、'.join(years)}）にありません"))
        if row["from"] in years and row["to"] in years and years.index(row["from"]) > years.index(row["to"]):
            problems.append(RoadmapProblem(i, True, f"{who}: 終了が開始より前になっています"))
    return problems


class _Reader:
    """Reads posted fields by their kind (one parse per kind), collecting the messages,
    each naming the field by the template's label."""

    def __init__(self, errors: FormErrors):
        self.errors = errors

    def value(self, f: Field, fld, name: str):
        """The content value of `fld` (the input of `f`), named `name` in messages."""
        raw = fld.data
        if f.kind == FLAG:
            return bool(raw)
        if f.kind in (TEXT, LINE):
            value = clean_text(raw) if f.kind == TEXT else clean_line(raw)
            if len(value) > f.max_chars:
                self.errors.add(fld, f"『{name}』は{f.max_chars:,}文字以内にしてください（現在 {len(value):,}文字）")
            return value
        if f.kind == CHOICE:
            value = (raw or "").strip()
            if value in dict(f.choices) or (not value and not f.default):
                return value
            if f.default:
                return f.default
            words = "".join(f"「{label}」" for _, label in f.choices)
            self.errors.add(fld, f"{name}: {words}から選ぶか、空欄にしてください（\"{_show(value)}\"）")
            return ""
        parse = parse_year if f.kind == YEAR else parse_number
        try:
            value = parse(raw)
        except NumberError as exc:
            self.errors.add(fld, f"{name}: {exc}（\"{_show(raw)}\"）")
            return None
        return _exact(value) if f.kind == NUMBER and value is not None else value

    def entry(self, fields, form, who: str) -> dict:
        return {f.key: self.value(f, form[f.key], f"{who}の{f.label}") for f in fields}


def _blank(form, fields) -> bool:
    return not any(str(form[f.key].data or "").strip() for f in fields if f.kind != FLAG)


def read_form(form: SheetFormBase, base: dict, reporting_year: int,
              draft: bool = False) -> tuple[dict, list[FigureInput], FormErrors]:
    """The content dict the form describes, the figure image requests, and the errors.

    `base` supplies what the form does not edit (project number, title, lead).
    Every field is read by its kind as the template declares it; messages name
    text sections as the schema words them for `reporting_year`. `draft`
    (autosave) stores roadmap rows still half filled in instead of refusing them.
    Empty entries (a block added and never filled in) are left out.
    """
    errors = FormErrors()
    read = _Reader(errors)
    sheet_schema = schema(reporting_year)
    kpis, roadmap, figures = (sheet_schema.part(kind) for kind in (KPIS, ROADMAP, FIGURES))
    content = {k: base[k] for k in ("number", "title", "lead_label", "lead_organizations",
                                     "co_organizations")}
    content.update({"targets": {"target_year": None, "label": "", "kpis": []}, "roadmap": None,
                    "figures": []})
    for s in sheet_schema.text_sections:
        sheet_schema.put_text(content, s.key, read.value(
            Field(s.key, TEXT, limit=s.limit, label=""), form[s.key],
            sheet_schema.label(s.key, reporting_year)))
    if kpis:
        head = sheet_schema.box(kpis.box).title(reporting_year)
        for f in kpis.sheet_fields:
            f.put(content, read.value(f, form[f.key], f"{head}の{f.label}"))
        content["targets"]["kpis"] = _read_kpis(read, kpis, form.kpis)
    if roadmap:
        content["roadmap"] = _read_roadmap(read, roadmap, form, sheet_schema.box(roadmap.box)
                                           .title(reporting_year), name_rows=not draft)
    images = []
    if figures:
        content["figures"], images = _read_figures(read, figures, form.figures)
    return content, images, errors


def _read_kpis(read: _Reader, part: Section, entries) -> list[dict]:
    kpis = []
    _check_count(read.errors, entries, "KPI", part.limit)
    name_field = part.entry_fields[0]
    for i, entry in enumerate(entries.entries[:part.limit]):
        kf = entry.form
        name = read.value(name_field, kf[name_field.key], f"KPI {i + 1} の{name_field.label}")
        who = f"KPI {i + 1}『{shorten(name)}』" if name else f"KPI {i + 1}"
        values = {name_field.key: name, **read.entry(part.entry_fields[1:], kf, who)}
        series = []
        _check_count(read.errors, kf.series, f"{who}の年度", MAX_SERIES)
        for j, point in enumerate(kf.series.entries[:MAX_SERIES]):
            pf, row = point.form, f"{who}の{j + 1}行目"
            # The year and the wording (「23.12」) say which point it is; the figures are named by them.
            naming = [f for f in part.series_fields if f.kind in (YEAR, LINE)]
            p = read.entry(naming, pf, row)
            where = f"{who}{point_label(p)}" if p.get("year") else row
            p.update(read.entry([f for f in part.series_fields if f not in naming], pf, where))
            year_field = next(f for f in naming if f.kind == YEAR)
            year = p[year_field.key]
            if _blank(pf, part.series_fields):
                continue  # an empty row added and never filled in
            if year is None and not any(fid == pf[year_field.key].id for fid, _ in read.errors.messages):
                read.errors.add(pf[year_field.key], f"{who}の{j + 1}行目: {year_field.label}を入力してください")
            series.append(part.point(p))
        if _blank(kf, part.entry_fields) and not series:
            continue  # a KPI block added and left empty
        for group in part.nullable:
            members = [f for f in part.entry_fields if f.where[0] == group]
            year = next((f for f in members if f.kind == YEAR), None)
            if year and any(not f.is_empty(values[f.key]) for f in members) \
                    and values[year.key] is None and not str(kf[year.key].data or "").strip():
                other = next(f for f in members if f.kind == NUMBER)
                read.errors.add(kf[year.key], f"{who}の{year.label}: {other.label}を入れる場合は"
                                              f"{year.label}も入力してください")
        kpis.append(part.item(values, more={"series": series}))
    return kpis


def _read_roadmap(read: _Reader, part: Section, form, heading: str, name_rows: bool) -> dict | None:
    title_field, years_field = part.sheet_fields[0], _years_field(part)
    title = read.value(title_field, form[title_field.key], f"{heading}の{title_field.label}")
    years_input = form[years_field.key]
    years = split_years(years_input.data)
    if len(years) > MAX_ROADMAP_YEARS:
        read.errors.add(years_input, f"{heading}の年度の列は{MAX_ROADMAP_YEARS}個までにしてください")
    for y in years:
        if len(y) > years_field.max_chars:
            read.errors.add(years_input, f"{heading}の年度「{_show(y)}」は{years_field.max_chars}文字以内にしてください")
    if len(set(years)) != len(years):
        read.errors.add(years_input, f"{heading}の年度の列に同じ年度が重複しています")
    rows, row_forms = [], []
    _check_count(read.errors, form.roadmap_rows, f"{heading}の行", part.limit)
    for i, entry in enumerate(form.roadmap_rows.entries[:part.limit]):
        values = read.entry(part.entry_fields, entry.form, f"{heading} {i + 1}行目")
        if not any(values[f.key] for f in part.entry_fields if f.kind == TEXT):
            continue
        rows.append(part.item(values))
        row_forms.append(entry.form)
    # Autosave keeps a row still being filled in; 「保存」 and 提出 name it.
    if not years and rows:
        years = years_of_rows(rows)
        if len(years) > MAX_ROADMAP_YEARS:
            read.errors.add(years_input, f"{heading}の期間（{years[0]}～{years[-1]}、{len(years)}年度分）が長すぎます。"
                                         f"年度の列は{MAX_ROADMAP_YEARS}個までです")
            years = []
            name_rows = False  # the rows' messages would only repeat this one
    for row in rows:
        if years:
            row["from"] = row["from"] or years[0]
            row["to"] = row["to"] or years[-1]
    if not (title or years or rows):
        return None
    roadmap = {}
    title_field.put(roadmap, title)
    years_field.put(roadmap, years)
    roadmap = roadmap["roadmap"]
    roadmap["rows"] = rows
    if name_rows:
        for problem in roadmap_problems(roadmap):
            rf = row_forms[problem.row]
            read.errors.add(rf["to_year"] if problem.end else rf["from_year"], problem.message)
    return roadmap


def _read_figures(read: _Reader, part: Section, entries) -> tuple[list[dict], list[FigureInput]]:
    figures, images = [], []
    _check_count(read.errors, entries, "図表", part.limit)
    for i, entry in enumerate(entries.entries[:part.limit]):
        ff = entry.form
        values = read.entry(part.entry_fields, ff, f"図表 {i + 1} ")
        upload = ff.image.data if getattr(ff.image.data, "filename", "") else None
        image = FigureInput(token=(ff.image_token.data or "").strip(), upload=upload,
                            remove=bool(ff.remove_image.data), entry=ff)
        filled = any(values[f.key] for f in part.entry_fields if f.kind in (TEXT, LINE))
        if not (filled or upload or (image.token and not image.remove)):
            continue  # an empty figure block
        figures.append(part.item(values))
        images.append(image)
    return figures, images


def _check_count(errors: FormErrors, fieldlist, what: str, limit: int) -> None:
    if len(fieldlist.entries) > limit:
        errors.add(None, f"{what}は{limit}件までです。減らしてから保存してください")


def _exact(value: Decimal):
    """As the content dict holds figures: int when whole, else the exact Decimal."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()
