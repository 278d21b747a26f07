"""Validation of a report file, reporting each bad field by its path.

Messages read like `projects[5].targets.kpis[0].series[0].actual: 数値ではありません ("many")`
so that whoever prepared the file can find the field at once.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

from forms.sheet import MAX_DECIMALS
from webapp.cycles import report_date_problem
from webapp.models import NUMBER_RANGE, ORG_KINDS
from webapp.sheet_schema import (CHOICE, FIGURES, FLAG, KPIS, LINE, LINES, MAX_ROADMAP_YEARS, MAX_SERIES,
                                 NUMBER, ROADMAP, TEXT, YEAR_RANGE, Field, schema, using)
from webapp.sheet_schema import YEAR as YEAR_KIND

FILE_ORG_KINDS = set(ORG_KINDS) - {"secretariat"}


class ReportFileError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# The format's deepest value is 6 levels down (projects[].targets.kpis[].series[].year);
# anything far deeper is not a report file, and json's recursion would fail on it.
MAX_DEPTH = 16
# No field holds an integer of more than 4 digits (years, numbers); 20 leaves room
# while keeping int() of a 5000-digit literal (Python refuses it) out of the reader.
MAX_DIGITS = 20

# Keys each object of the format may have besides the template's fields and text
# sections (which add their own, see _allowed); anything else is reported by its path.
KEYS = {
    "file": {"council", "fiscal_year", "title", "report_date", "template_version", "organizations",
             "projects"},
    "organization": {"name", "kind"},
    "project": {"number", "title", "lead_label", "lead_organizations", "co_organizations",
                "targets", "roadmap", "figures"},
    "targets": {"kpis"},
    "kpi": {"series"},
    "roadmap": {"rows"},
    # image_path: written by exports that carry image files; the importer ignores it.
    "figure": {"image_path"},
}
# The objects made of a structured section's fields: (section kind, which fields, key path).
FIELD_OBJECTS = {
    "targets": (KPIS, "head_fields", ("targets",)), "kpi": (KPIS, "fields", ()),
    "kpi_target": (KPIS, "fields", ("target",)), "baseline": (KPIS, "fields", ("baseline",)),
    "point": (KPIS, "point_fields", ()), "roadmap": (ROADMAP, "head_fields", ("roadmap",)),
    "roadmap_row": (ROADMAP, "fields", ()), "figure": (FIGURES, "fields", ()),
}


class HugeNumber:
    """A JSON integer with more digits than any field can hold, kept only to be reported."""

    def __init__(self, literal: str):
        self.digits = len(literal.lstrip("-"))

    def __repr__(self) -> str:
        return f"<{self.digits}桁の数>"


def parse_int(literal: str):
    return int(literal) if len(literal.lstrip("-")) <= MAX_DIGITS else HugeNumber(literal)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def too_deep(text: str) -> str | None:
    """The path of the first value nested deeper than MAX_DEPTH, before json parses it."""
    stack: list[list] = []   # [kind, key or index] per open object/array
    last_string = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            stack.append(["{" if token == "{" else "[", 0 if token == "[" else None])
            if len(stack) > MAX_DEPTH:
                return _stack_path(stack[:-1]) or "(ファイル全体)"
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][1] += 1
        elif token == ":":
            if stack and stack[-1][0] == "{":
                stack[-1][1] = last_string
        else:
            last_string = token
    return None


def _stack_path(stack) -> str:
    path = ""
    for kind, where in stack:
        if kind == "[":
            path += f"[{where}]"
        elif where is not None:
            try:
                key = json.loads(where)
            except ValueError:
                key = where
            path += ("." if path else "") + safe_text(str(key))
    return path


def safe_text(text: str) -> str:
    """Text fit to print: a lone surrogate (which no terminal or database takes) shown escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _allowed(kind: str) -> set[str]:
    """The keys of `kind`: its own, and where the schema's text sections sit in it."""
    keys = set(KEYS.get(kind, ()))
    if kind in FIELD_OBJECTS:
        part_kind, which, prefix = FIELD_OBJECTS[kind]
        part = schema().part(part_kind)
        for f in getattr(part, which) if part else ():
            if f.where[:len(prefix)] == prefix and len(f.where) > len(prefix):
                keys.add(f.where[len(prefix)])
    for section in schema().text_sections:
        owners = ("project",) + section.path[:-1]  # the object each part of the path is in
        keys.update(key for owner, key in zip(owners, section.path) if owner == kind)
    return keys


def _show(value) -> str:
    if isinstance(value, HugeNumber):
        return repr(value)
    text = safe_text(json.dumps(value, ensure_ascii=False, default=repr))
    return text if len(text) <= 60 else text[:57] + "…"


class _Checker:
    def __init__(self):
        self.errors: list[str] = []

    def err(self, path: str, message: str, value=None, show=True):
        self.errors.append(f"{safe_text(path)}: {message}" + (f" ({_show(value)})" if show else ""))

    def known(self, data, path: str, kind: str):
        """Report keys the format does not have (a typo would otherwise be dropped silently)."""
        if isinstance(data, dict):
            allowed = _allowed(kind)
            for key in data:
                if key not in allowed:
                    self.err(f"{path}.{key}" if path else key, "この形式にない項目です", show=False)

    def items(self, data, path: str, key: str, limit: int) -> list:
        """data[key] as a list of at most `limit` items (as the edit form allows)."""
        value = self.obj(data, path, key, list) or []
        if len(value) > limit:
            self.err(f"{path}.{key}" if path else key, f"{limit}件を超えています（{len(value)}件）",
                     show=False)
            return []
        return value

    def obj(self, data, path: str, key: str, kind):
        """data[key], checked to be of `kind`; None (and an error) when it is not."""
        here = f"{path}.{key}" if path else key
        if not isinstance(data, dict) or key not in data:
            self.err(here, "項目がありません", show=False)
            return None
        value = data[key]
        if kind is dict and not isinstance(value, dict):
            self.err(here, "オブジェクトではありません", value)
            return None
        if kind is list and not isinstance(value, list):
            self.err(here, "配列ではありません", value)
            return None
        return value

    def text(self, data, path, key, required=False, optional_key=False, max_len=None):
        here = f"{path}.{key}" if path else key
        if optional_key and (not isinstance(data, dict) or key not in data):
            return None
        if not isinstance(data, dict) or key not in data:
            self.err(here, "項目がありません", show=False)
            return None
        value = data[key]
        if not isinstance(value, str):
            self.err(here, "文字列ではありません", value)
            return None
        if required and not value.strip():
            self.err(here, "空欄です", show=False)
        if "\x00" in value:
            self.err(here, "使用できない制御文字が含まれています", show=False)
        if safe_text(value) != value:
            self.err(here, "文字として読めない値（対になっていないサロゲート）が含まれています", show=False)
        if max_len is not None and len(value) > max_len:
            self.err(here, f"{max_len}文字を超えています（{len(value)}文字）", show=False)
        return value

    def integer(self, data, path, key, nullable=False, lo=None, hi=None):
        here = f"{path}.{key}" if path else key
        if not isinstance(data, dict) or key not in data:
            self.err(here, "項目がありません", show=False)
            return None
        value = data[key]
        if value is None and nullable:
            return None
        if isinstance(value, HugeNumber):
            self.err(here, f"数値が大きすぎます（{value.digits}桁）", show=False)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(here, "整数ではありません", value)
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.err(here, f"{lo}〜{hi}の範囲にありません", value)
        return value

    def number(self, data, path, key, nullable=True, optional_key=False):
        here = f"{path}.{key}" if path else key
        if not isinstance(data, dict) or key not in data:
            if not optional_key:
                self.err(here, "項目がありません", show=False)
            return None
        value = data[key]
        if value is None and nullable:
            return None
        if isinstance(value, HugeNumber):
            self.err(here, f"数値が大きすぎます（{value.digits}桁）", show=False)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            self.err(here, "数値ではありません", value)
            return None
        if not Decimal(value).is_finite() or abs(value) >= 10 ** 14:
            self.err(here, "扱える範囲の数値ではありません", value)
        elif Decimal(str(value)).as_tuple().exponent < -DECIMALS:
            # The database keeps 6 decimals; more would not survive a round trip.
            self.err(here, f"小数点以下は{DECIMALS}桁までです", value)
        return value

    def boolean(self, data, path, key):
        here = f"{path}.{key}" if path else key
        if not isinstance(data, dict) or key not in data:
            self.err(here, "項目がありません", show=False)
            return None
        if not isinstance(data[key], bool):
            self.err(here, "true または false ではありません", data[key])
        return data[key]


YEAR = dict(lo=YEAR_RANGE[0], hi=YEAR_RANGE[1])
DECIMALS = MAX_DECIMALS


def validate_report(data) -> None:
    """Raise ReportFileError listing every problem; return None when the file is good.

    A file is checked against its year's template (the sections, fields and limits
    that year's sheets have), or the built-in one for a year not opened yet."""
    year = data.get("fiscal_year") if isinstance(data, dict) else None
    if type(year) is int and YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        with using(schema(year)):
            return _validate_report(data)
    return _validate_report(data)


def _validate_report(data) -> None:
    c = _Checker()
    if not isinstance(data, dict):
        raise ReportFileError(["(ファイル全体): JSONオブジェクトではありません"])
    c.known(data, "", "file")
    c.text(data, "", "council", required=True, max_len=300)
    c.integer(data, "", "fiscal_year", **YEAR)
    c.text(data, "", "title", required=True, max_len=300)
    if "template_version" in data:  # files written before templates were kept per year have none
        c.integer(data, "", "template_version", lo=1, hi=1_000_000)
    raw_date = c.text(data, "", "report_date", optional_key=True)
    if raw_date is not None and isinstance(data.get("fiscal_year"), int):
        problem = report_date_problem(data["fiscal_year"], raw_date)
        if problem:
            c.err("report_date", f"表紙の日付として読めません：{problem}", raw_date)
    org_names: set[str] = set()
    orgs = c.obj(data, "", "organizations", list) or []
    for i, o in enumerate(orgs):
        p = f"organizations[{i}]"
        if not isinstance(o, dict):
            c.err(p, "オブジェクトではありません", o)
            continue
        c.known(o, p, "organization")
        name = c.text(o, p, "name", required=True, max_len=200)
        kind = c.text(o, p, "kind", required=True)
        if kind is not None and kind not in FILE_ORG_KINDS:
            c.err(f"{p}.kind", "種別が不正です（" + "・".join(sorted(FILE_ORG_KINDS)) + "）", kind)
        if name in org_names:
            c.err(f"{p}.name", "組織名が重複しています", name)
        if name:
            org_names.add(name)
    numbers: set[int] = set()
    projects = c.obj(data, "", "projects", list) or []
    if not projects and isinstance(data.get("projects"), list):
        c.err("projects", "プロジェクトが1件もありません", show=False)
    for i, proj in enumerate(projects):
        p = f"projects[{i}]"
        if not isinstance(proj, dict):
            c.err(p, "オブジェクトではありません", proj)
            continue
        _validate_project(c, proj, p, org_names, numbers)
    if c.errors:
        raise ReportFileError(c.errors)


def _validate_project(c: _Checker, proj: dict, p: str, org_names: set, numbers: set) -> None:
    c.known(proj, p, "project")
    number = c.integer(proj, p, "number", lo=NUMBER_RANGE[0], hi=NUMBER_RANGE[1])
    if number is not None:
        if number in numbers:
            c.err(f"{p}.number", "プロジェクト番号が重複しています", number)
        numbers.add(number)
    c.text(proj, p, "title", required=True, max_len=300)
    label = c.text(proj, p, "lead_label", required=True, max_len=300)
    taking_part: set[str] = set()
    for key in ("lead_organizations", "co_organizations"):
        names = c.obj(proj, p, key, list)
        if names is None:
            continue
        if key == "lead_organizations" and not names:
            c.err(f"{p}.{key}", "幹事の組織がありません", show=False)
        for j, name in enumerate(names):
            if not isinstance(name, str) or name not in org_names:
                c.err(f"{p}.{key}[{j}]", "organizations にない組織です", name)
            elif name in taking_part:
                c.err(f"{p}.{key}[{j}]", "同じ組織が幹事・共同幹事に重複しています", name)
            elif label is not None and name not in label:
                c.err(f"{p}.{key}[{j}]", "lead_label に含まれていません", name)
            if isinstance(name, str):
                taking_part.add(name)
    _validate_texts(c, proj, p)
    targets = c.obj(proj, p, "targets", dict)
    if targets is not None:
        tp = f"{p}.targets"
        c.known(targets, tp, "targets")
        _check_fields(c, proj, p, _part(KPIS).sheet_fields if _part(KPIS) else ())
        for k, kpi in enumerate(c.items(targets, tp, "kpis", _part(KPIS).limit)):
            _validate_kpi(c, kpi, f"{tp}.kpis[{k}]")
    if "roadmap" not in proj:
        c.err(f"{p}.roadmap", "項目がありません（無い場合は null）", show=False)
    elif proj["roadmap"] is not None:
        _validate_roadmap(c, proj["roadmap"], f"{p}.roadmap")
    for j, fig in enumerate(c.items(proj, p, "figures", _part(FIGURES).limit)):
        fp = f"{p}.figures[{j}]"
        if not isinstance(fig, dict):
            c.err(fp, "オブジェクトではありません", fig)
            continue
        c.known(fig, fp, "figure")
        _check_fields(c, fig, fp, _part(FIGURES).entry_fields)
        c.text(fig, fp, "image_path", optional_key=True)


def _validate_texts(c: _Checker, proj: dict, p: str) -> None:
    """Every text section of the schema, at its path, with its limit and required flag."""
    reported: set[str] = set()
    for section in schema().text_sections:
        *parents, last = section.path
        data, here = proj, p
        for part in parents:
            if not isinstance(data.get(part), dict):
                if part != "targets" and f"{here}.{part}" not in reported:  # targets: checked below
                    c.obj(data, here, part, dict)
                reported.add(f"{here}.{part}")
                data = None
                break
            if f"{here}.{part}" not in reported and part != "targets":
                c.known(data[part], f"{here}.{part}", part)
                reported.add(f"{here}.{part}")
            data, here = data[part], f"{here}.{part}"
        if data is not None:
            # An optional section may be missing: files written before it existed stay valid.
            c.text(data, here, last, required=section.required, max_len=section.limit,
                   optional_key=not section.required)


def _part(kind: str):
    return schema().part(kind)


def _check_fields(c: _Checker, item: dict, path: str, fields) -> None:
    """Each field at its path in `item`, by its kind, limit and required flag.  A field
    inside a sub-object that is null (a KPI without a baseline) is not looked for; a
    field left out when empty, or one a year's template made optional, may be missing."""
    for f in fields:
        data, here = item, path
        for part in f.where[:-1]:
            data, here = (data.get(part) if isinstance(data, dict) else None), f"{here}.{part}"
        if not isinstance(data, dict):
            continue
        _check_field(c, data, here, f.where[-1], f)


def _check_field(c: _Checker, data: dict, here: str, key: str, f: Field) -> None:
    may_lack = f.omit_empty or f.optional
    if may_lack and key not in data:
        return
    if f.kind in (TEXT, LINE):
        c.text(data, here, key, required=f.required, max_len=f.max_chars)
    elif f.kind == YEAR_KIND:
        c.integer(data, here, key, nullable=not f.required, **YEAR)
    elif f.kind == NUMBER:
        c.number(data, here, key, nullable=not f.required)
    elif f.kind == FLAG:
        c.boolean(data, here, key)
    elif f.kind == CHOICE:
        value = data.get(key)
        if key not in data:
            c.err(f"{here}.{key}", "項目がありません", show=False)
        elif not (value is None and not f.default) and (not isinstance(value, str)
                                                         or value not in dict(f.choices)):
            c.err(f"{here}.{key}", "か ".join(f'"{v}"（{label}）' for v, label in f.choices)
                  + "ではありません", value)


def _validate_kpi(c: _Checker, kpi, kp: str) -> None:
    if not isinstance(kpi, dict):
        c.err(kp, "オブジェクトではありません", kpi)
        return
    part = _part(KPIS)
    c.known(kpi, kp, "kpi")
    target = c.obj(kpi, kp, "target", dict)
    if target is not None:
        c.known(target, f"{kp}.target", "kpi_target")
    for group in part.nullable:
        if group not in kpi:
            c.err(f"{kp}.{group}", "項目がありません（無い場合は null）", show=False)
        elif kpi[group] is not None:
            if not isinstance(kpi[group], dict):
                c.err(f"{kp}.{group}", "オブジェクトではありません", kpi[group])
            else:
                c.known(kpi[group], f"{kp}.{group}", group)
    _check_fields(c, kpi, kp, [f for f in part.entry_fields
                               if len(f.where) == 1 or isinstance(kpi.get(f.where[0]), dict)])
    for s, point in enumerate(c.items(kpi, kp, "series", MAX_SERIES)):
        sp = f"{kp}.series[{s}]"
        if not isinstance(point, dict):
            c.err(sp, "オブジェクトではありません", point)
            continue
        c.known(point, sp, "point")
        _check_fields(c, point, sp, part.series_fields)


def _validate_roadmap(c: _Checker, roadmap, rp: str) -> None:
    if not isinstance(roadmap, dict):
        c.err(rp, "オブジェクトではありません", roadmap)
        return
    c.known(roadmap, rp, "roadmap")
    part = _part(ROADMAP)
    title_field, years_field = (next(f for f in part.sheet_fields if f.kind == kind) for kind in (LINE, LINES))
    _check_field(c, roadmap, rp, title_field.where[-1], title_field)
    years = c.obj(roadmap, rp, years_field.where[-1], list)
    if years is not None and len(years) > MAX_ROADMAP_YEARS:
        c.err(f"{rp}.years", f"{MAX_ROADMAP_YEARS}件を超えています（{len(years)}件）", show=False)
        years = None
    if years is not None:
        if not years:
            c.err(f"{rp}.years", "年度がありません", show=False)
        for j, y in enumerate(years):
            if not isinstance(y, str) or not y.strip():
                c.err(f"{rp}.years[{j}]", "文字列ではありません", y)
            elif len(y) > years_field.max_chars:
                c.err(f"{rp}.years[{j}]", f"{years_field.max_chars}文字を超えています", y)
            elif safe_text(y) != y:
                c.err(f"{rp}.years[{j}]", "文字として読めない値（対になっていないサロゲート）が含まれています",
                      show=False)
        if len(set(map(str, years))) != len(years):
            c.err(f"{rp}.years", "年度が重複しています", years)
    for j, row in enumerate(c.items(roadmap, rp, "rows", part.limit)):
        p = f"{rp}.rows[{j}]"
        if not isinstance(row, dict):
            c.err(p, "オブジェクトではありません", row)
            continue
        c.known(row, p, "roadmap_row")
        _check_fields(c, row, p, part.entry_fields)
        start, end = row.get("from"), row.get("to")
        start, end = (v if isinstance(v, str) else None for v in (start, end))
        if years and start is not None and end is not None:
            if start not in years:
                c.err(f"{p}.from", "years にない年度です", start)
            if end not in years:
                c.err(f"{p}.to", "years にない年度です", end)
            if start in years and end in years and years.index(start) > years.index(end):
                c.err(f"{p}.to", "開始より前の年度です", end)
