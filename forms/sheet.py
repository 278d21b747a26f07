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
from webapp.sheet_schema import (FIGURE_KINDS, FIGURES, KPI_DIRECTIONS, KPIS, LINE_LIMITS, MAX_ROADMAP_YEARS,
                                 MAX_SERIES, MAX_SHORT_TEXT, ROADMAP, YEAR_RANGE, SheetSchema,
                                 figure_item, schema)

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


class KpiValueForm(Form):
    year = StringField("年度")
    label = StringField("表記")
    target = StringField("目標")
    actual = StringField("実績")


class KpiForm(Form):
    name = TextAreaField("指標名")
    unit = StringField("単位")
    cumulative = BooleanField("累計値")
    target_year = StringField("目標年")
    target_value = StringField("目標値")
    target_text = StringField("目標（文章）")
    baseline_year = StringField("基準年")
    baseline_value = StringField("基準値")
    baseline_label = StringField("基準の表記")
    # "" = judged from the baseline; without one the status cannot tell a goal to
    # reduce from one already passed, so the editor asks (see the hint in the form).
    direction = SelectField("目標の向き", choices=[SelectChoice("", "基準値から判断")] + [
        SelectChoice(v, label) for v, label in KPI_DIRECTIONS.items()], validate_choice=False)
    note = TextAreaField("注記")
    # One more than allowed, so that too many is refused with a message, while a
    # post of thousands of entries costs no more to read than the limit.
    series = IndexedList(FormField(KpiValueForm), max_entries=MAX_SERIES + 1)


class RoadmapRowForm(Form):
    activity = TextAreaField("取組")
    detail = TextAreaField("内容")
    from_year = StringField("開始")
    to_year = StringField("終了")


class FigureForm(Form):
    kind = SelectField("種類", choices=[SelectChoice(v, label) for v, label in FIGURE_KINDS.items()],
                       validate_choice=False)
    caption = StringField("キャプション")
    alt_text = StringField("代替テキスト")
    note = TextAreaField("説明")
    image = FileField("画像ファイル（PNG・JPEG、5 MBまで）")
    # Signed name of the stored image this entry has (saved, or uploaded by a
    # save that did not go through); see webapp.editing.saving.image_token.
    image_token = HiddenField()
    remove_image = BooleanField("画像を外す")


class SheetFormBase(FlaskForm):
    """The parts every sheet has; text areas and lists come from the schema (see sheet_form)."""
    version = HiddenField()
    target_year = StringField("目標年")
    target_label = StringField("見出し")
    roadmap_title = StringField("ロードマップの見出し")
    roadmap_years = StringField("年度の列（読点・カンマ区切り）")


# By value, not id(): a year's template is read from the database into a new object, and
# an id can be reused by another template once the first is gone.
_FORM_CLASSES: dict[SheetSchema, type] = {}


def _form_class(sheet_schema: SheetSchema) -> type:
    cls = _FORM_CLASSES.get(sheet_schema)
    if cls is None:
        fields = {s.key: TextAreaField() for s in sheet_schema.text_sections}
        lists = {KPIS: ("kpis", KpiForm), ROADMAP: ("roadmap_rows", RoadmapRowForm),
                 FIGURES: ("figures", FigureForm)}
        for section in sheet_schema.sections:
            if section.kind in lists:
                name, entry = lists[section.kind]
                fields[name] = IndexedList(FormField(entry), max_entries=section.limit + 1)
        cls = type("SheetForm", (SheetFormBase,), fields)
        _FORM_CLASSES[sheet_schema] = cls
    return cls


def sheet_form(year: int | None = None, **kwargs) -> SheetFormBase:
    """The sheet form of the schema in force: one text area per text section.

    Posted data is first cut to what the lists may hold (each list's limit
    plus one, so that "too many" is still seen and refused): WTForms scans
    every field name once per list entry, so a post of thousands of entries
    would otherwise cost seconds to read.
    """
    if "formdata" not in kwargs and request and request.method == "POST":
        kwargs["formdata"] = _bounded(CombinedMultiDict([request.files, request.form]), year)
    return _form_class(schema(year))(**kwargs)


_ENTRY = re.compile(r"^(kpis|roadmap_rows|figures)-([0-9]+)-(?:series-([0-9]+)-)?")


def _bounded(formdata, year: int | None) -> MultiDict:
    limits = {s.kind: s.limit for s in schema(year).sections}
    most = {"kpis": limits.get(KPIS, 0), "roadmap_rows": limits.get(ROADMAP, 0),
            "figures": limits.get(FIGURES, 0)}
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

def form_data(content: dict, version: int, image_tokens=(), year: int | None = None) -> dict:
    """Data for SheetForm(data=...) from a content dict; `image_tokens` by figure position."""
    targets = content["targets"]
    roadmap = content.get("roadmap") or {}
    data = {
        "version": str(version),
        **schema(year).texts(content),
        "target_year": "" if targets["target_year"] is None else str(targets["target_year"]),
        "target_label": targets["label"],
        "kpis": [_kpi_data(k) for k in targets["kpis"]],
        "roadmap_title": roadmap.get("title") or "",
        # Columns that are just the rows' spans stay blank, so that they follow the rows.
        "roadmap_years": "" if (roadmap.get("years") or []) == years_of_rows(
            [dict(r) for r in roadmap.get("rows") or []]) else "、".join(roadmap.get("years") or []),
        "roadmap_rows": [{"activity": r["activity"], "detail": r["detail"],
                          "from_year": r["from"], "to_year": r["to"]}
                         for r in roadmap.get("rows") or []],
        "figures": [],
    }
    tokens = list(image_tokens)
    for i, f in enumerate(content.get("figures") or []):
        data["figures"].append({"kind": f["kind"], "caption": f["caption"], "note": f["note"],
                                "alt_text": f.get("alt_text", ""),
                                "image_token": tokens[i] if i < len(tokens) else "",
                                "remove_image": False})
    return data


def _kpi_data(k: dict) -> dict:
    target = k.get("target") or {}
    baseline = k.get("baseline") or {}
    return {
        "name": k["name"], "unit": k["unit"], "cumulative": bool(k["cumulative"]),
        "target_year": "" if target.get("year") is None else str(target["year"]),
        "target_value": form_number(target.get("value")),
        "target_text": target.get("text") or "",
        "baseline_year": "" if baseline.get("year") is None else str(baseline["year"]),
        "baseline_value": form_number(baseline.get("value")),
        "baseline_label": baseline.get("label") or "",
        "direction": k.get("direction") or "",
        "note": k["note"],
        "series": [{"year": str(s["year"]), "label": s.get("label") or "",
                    "target": form_number(s.get("target")),
                    "actual": form_number(s.get("actual"))} for s in k["series"]],
    }


def empty_data(kind: str, context: dict | None = None) -> dict:
    """A blank entry for the KPI, series, roadmap-row or figure lists."""
    context = context or {}
    if kind == "kpis":
        return {"name": "", "unit": "", "cumulative": False, "target_year": "",
                "target_value": "", "target_text": "", "baseline_year": "", "baseline_value": "",
                "baseline_label": "", "direction": "", "note": "",
                "series": [{"year": str(context.get("year", "")), "label": "", "target": "",
                            "actual": ""}]}
    if kind == "series":
        return {"year": str(context.get("year", "")), "label": "", "target": "", "actual": ""}
    if kind == "roadmap_rows":
        years = context.get("years") or []
        return {"activity": "", "detail": "", "from_year": years[0] if years else "",
                "to_year": years[-1] if years else ""}
    if kind == "figures":
        return {"kind": "photo", "caption": "", "alt_text": "", "note": "", "image_token": "",
                "remove_image": False}
    raise ValueError(kind)


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


def read_form(form: SheetFormBase, base: dict, reporting_year: int,
              draft: bool = False) -> tuple[dict, list[FigureInput], FormErrors]:
    """The content dict the form describes, the figure image requests, and the errors.

    `base` supplies what the form does not edit (project number, title, lead);
    Messages name each text section as the schema words it for `reporting_year`.
    `draft` (autosave) stores roadmap rows still half filled in instead of refusing them.
    """
    errors = FormErrors()

    def text(fld, name: str, limit: int = MAX_SHORT_TEXT) -> str:
        value = clean_text(fld.data)
        if len(value) > limit:
            errors.add(fld, f"『{name}』は{limit:,}文字以内にしてください（現在 {len(value):,}文字）")
        return value

    def line(fld, name: str, limit: int) -> str:
        value = clean_line(fld.data)
        if len(value) > limit:
            errors.add(fld, f"『{name}』は{limit:,}文字以内にしてください（現在 {len(value):,}文字）")
        return value

    def number(fld, name: str):
        try:
            value = parse_number(fld.data)
        except NumberError as exc:
            errors.add(fld, f"{name}: {exc}（\"{_show(fld.data)}\"）")
            return None
        return None if value is None else _exact(value)

    def year(fld, name: str):
        try:
            return parse_year(fld.data)
        except NumberError as exc:
            errors.add(fld, f"{name}: {exc}（\"{_show(fld.data)}\"）")
            return None

    sheet_schema = schema(reporting_year)
    limits = {s.kind: s.limit for s in sheet_schema.sections}
    texts = {s.key: text(form[s.key], sheet_schema.label(s.key, reporting_year), s.limit)
             for s in sheet_schema.text_sections}
    target_year = year(form.target_year, "設定目標の目標年")
    target_label = line(form.target_label, "設定目標の見出し", LINE_LIMITS["target_label"])

    kpis = []
    _check_count(errors, form.kpis, "KPI", limits[KPIS])
    for i, entry in enumerate(form.kpis.entries[:limits[KPIS]]):
        kf = entry.form
        name = text(kf.name, f"KPI {i + 1} の指標名", MAX_SHORT_TEXT)
        who = f"KPI {i + 1}『{shorten(name)}』" if name else f"KPI {i + 1}"
        unit = line(kf.unit, f"{who}の単位", LINE_LIMITS["unit"])
        t_year = year(kf.target_year, f"{who}目標年")
        t_value = number(kf.target_value, f"{who}目標値")
        t_text = text(kf.target_text, f"{who}目標（文章）", MAX_SHORT_TEXT)
        b_year = year(kf.baseline_year, f"{who}基準年")
        b_value = number(kf.baseline_value, f"{who}基準値")
        b_label = line(kf.baseline_label, f"{who}基準の表記", LINE_LIMITS["baseline_label"])
        note = text(kf.note, f"{who}の注記", MAX_SHORT_TEXT)
        series = []
        _check_count(errors, kf.series, f"{who}の年度", MAX_SERIES)
        for j, point in enumerate(kf.series.entries[:MAX_SERIES]):
            pf = point.form
            label = line(pf.label, f"{who}の{j + 1}行目の表記", LINE_LIMITS["label"])
            raw_year = (pf.year.data or "").strip()
            try:
                p_year = parse_year(raw_year)
                where = f"{who}{point_label({'year': p_year, 'label': label})}" if p_year else f"{who}の{j + 1}行目"
            except NumberError as exc:
                errors.add(pf.year, f"{who}の{j + 1}行目の年度: {exc}（\"{_show(raw_year)}\"）")
                p_year, where = None, f"{who}の{j + 1}行目"
            p_target = number(pf.target, f"{where}の目標")
            p_actual = number(pf.actual, f"{where}の実績")
            blank = not raw_year and not label and not (pf.target.data or "").strip() \
                and not (pf.actual.data or "").strip()
            if blank:
                continue  # an empty row added and never filled in
            if p_year is None and not any(m for f, m in errors.messages if f == pf.year.id):
                errors.add(pf.year, f"{who}の{j + 1}行目: 年度を入力してください")
            item = {"year": p_year, "target": p_target, "actual": p_actual}
            if label:
                item["label"] = label
            series.append(item)
        if not (name or unit or t_value is not None or t_text or b_value is not None or note
                or series or (kf.target_year.data or "").strip()):
            continue  # a KPI block added and left empty
        target = {"year": t_year, "value": t_value}
        if t_text:
            target["text"] = t_text
        baseline = None
        if b_year is not None or b_value is not None or b_label:
            if b_year is None and not (kf.baseline_year.data or "").strip():
                errors.add(kf.baseline_year, f"{who}基準年: 基準値を入れる場合は基準年も入力してください")
            baseline = {"year": b_year, "value": b_value}
            if b_label:
                baseline["label"] = b_label
        kpi = {"name": name, "unit": unit, "cumulative": bool(kf.cumulative.data),
               "target": target, "baseline": baseline, "series": series, "note": note}
        direction = (kf.direction.data or "").strip()
        if direction in KPI_DIRECTIONS:
            kpi["direction"] = direction
        elif direction:
            errors.add(kf.direction, f"{who}目標の向き: 「増やす」「減らす」から選ぶか、空欄にしてください（\"{_show(direction)}\"）")
        kpis.append(kpi)

    roadmap_title = line(form.roadmap_title, "ロードマップの見出し", LINE_LIMITS["roadmap_title"])
    years = split_years(form.roadmap_years.data)
    if len(years) > MAX_ROADMAP_YEARS:
        errors.add(form.roadmap_years, f"ロードマップの年度の列は{MAX_ROADMAP_YEARS}個までにしてください")
    for y in years:
        if len(y) > LINE_LIMITS["roadmap_year"]:
            errors.add(form.roadmap_years, f"ロードマップの年度「{_show(y)}」は{LINE_LIMITS['roadmap_year']}文字以内にしてください")
    if len(set(years)) != len(years):
        errors.add(form.roadmap_years, "ロードマップの年度の列に同じ年度が重複しています")
    rows, row_fields = [], []
    _check_count(errors, form.roadmap_rows, "ロードマップの行", limits[ROADMAP])
    for i, entry in enumerate(form.roadmap_rows.entries[:limits[ROADMAP]]):
        rf = entry.form
        activity = text(rf.activity, f"ロードマップ {i + 1}行目の取組", MAX_SHORT_TEXT)
        detail = text(rf.detail, f"ロードマップ {i + 1}行目の内容", MAX_SHORT_TEXT)
        start = line(rf.from_year, f"ロードマップ {i + 1}行目の開始", LINE_LIMITS["roadmap_year"])
        end = line(rf.to_year, f"ロードマップ {i + 1}行目の終了", LINE_LIMITS["roadmap_year"])
        if not (activity or detail):
            continue
        rows.append({"activity": activity, "detail": detail, "from": start, "to": end})
        row_fields.append(rf)
    # Autosave keeps a row still being filled in; 「保存」 and 提出 name it.
    name_rows = not draft
    if not years and rows:
        years = years_of_rows(rows)
        if len(years) > MAX_ROADMAP_YEARS:
            errors.add(form.roadmap_years, f"ロードマップの期間（{years[0]}～{years[-1]}、{len(years)}年度分）が長すぎます。"
                                           f"年度の列は{MAX_ROADMAP_YEARS}個までです")
            years = []
            name_rows = False  # the rows' messages would only repeat this one
    for row in rows:
        if years:
            row["from"] = row["from"] or years[0]
            row["to"] = row["to"] or years[-1]
    roadmap = None
    if roadmap_title or years or rows:
        roadmap = {"title": roadmap_title, "years": years, "rows": rows}
        if name_rows:
            for problem in roadmap_problems(roadmap):
                rf = row_fields[problem.row]
                errors.add(rf.to_year if problem.end else rf.from_year, problem.message)

    figures, images = [], []
    _check_count(errors, form.figures, "図表", limits[FIGURES])
    for i, entry in enumerate(form.figures.entries[:limits[FIGURES]]):
        ff = entry.form
        kind = ff.kind.data if ff.kind.data in FIGURE_KINDS else "photo"
        caption = line(ff.caption, f"図表 {i + 1} のキャプション", LINE_LIMITS["caption"])
        alt_text = line(ff.alt_text, f"図表 {i + 1} の代替テキスト", LINE_LIMITS["alt_text"])
        note = text(ff.note, f"図表 {i + 1} の説明", MAX_SHORT_TEXT)
        upload = ff.image.data if getattr(ff.image.data, "filename", "") else None
        image = FigureInput(token=(ff.image_token.data or "").strip(), upload=upload,
                            remove=bool(ff.remove_image.data), entry=ff)
        if not (caption or note or upload or (image.token and not image.remove)):
            continue  # an empty figure block
        figures.append(figure_item(kind, caption, note, alt_text))
        images.append(image)

    content = {
        **{k: base[k] for k in ("number", "title", "lead_label", "lead_organizations",
                                 "co_organizations")},
        "targets": {"target_year": target_year, "label": target_label, "kpis": kpis},
        "roadmap": roadmap,
        "figures": figures,
    }
    for key, value in texts.items():
        sheet_schema.put_text(content, key, value)
    return content, images, errors


def _check_count(errors: FormErrors, fieldlist, what: str, limit: int) -> None:
    if len(fieldlist.entries) > limit:
        errors.add(None, f"{what}は{limit}件までです。減らしてから保存してください")


def _exact(value: Decimal):
    """As the content dict holds figures: int when whole, else the exact Decimal."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()
