"""Validation of a report file, reporting each bad field by its path.

Messages read like `projects[5].targets.kpis[0].series[0].actual: 数値ではありません ("many")`
so that whoever prepared the file can find the field at once.
"""
from __future__ import annotations

from webapp import exactjson
from decimal import Decimal

from forms.sheet import MAX_DECIMALS
from webapp.models import ORG_KINDS
from webapp.sheet_schema import FIGURE_KINDS, LINE_LIMITS, YEAR_RANGE, schema

FILE_ORG_KINDS = set(ORG_KINDS) - {"secretariat"}


class ReportFileError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _show(value) -> str:
    text = exactjson.dumps(value, allow_nan=True)
    return text if len(text) <= 60 else text[:57] + "…"


class _Checker:
    def __init__(self):
        self.errors: list[str] = []

    def err(self, path: str, message: str, value=None, show=True):
        self.errors.append(f"{path}: {message}" + (f" ({_show(value)})" if show else ""))

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
    """Raise ReportFileError listing every problem; return None when the file is good."""
    c = _Checker()
    if not isinstance(data, dict):
        raise ReportFileError(["(ファイル全体): JSONオブジェクトではありません"])
    c.text(data, "", "council", required=True)
    c.integer(data, "", "fiscal_year", **YEAR)
    c.text(data, "", "title", required=True, max_len=300)
    org_names: set[str] = set()
    orgs = c.obj(data, "", "organizations", list) or []
    for i, o in enumerate(orgs):
        p = f"organizations[{i}]"
        if not isinstance(o, dict):
            c.err(p, "オブジェクトではありません", o)
            continue
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
    number = c.integer(proj, p, "number", lo=1, hi=99)
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
        c.integer(targets, tp, "target_year", nullable=True, **YEAR)
        c.text(targets, tp, "label", required=True, max_len=LINE_LIMITS["target_label"])
        for k, kpi in enumerate(c.obj(targets, tp, "kpis", list) or []):
            _validate_kpi(c, kpi, f"{tp}.kpis[{k}]")
    if "roadmap" not in proj:
        c.err(f"{p}.roadmap", "項目がありません（無い場合は null）", show=False)
    elif proj["roadmap"] is not None:
        _validate_roadmap(c, proj["roadmap"], f"{p}.roadmap")
    for j, fig in enumerate(c.obj(proj, p, "figures", list) or []):
        fp = f"{p}.figures[{j}]"
        if not isinstance(fig, dict):
            c.err(fp, "オブジェクトではありません", fig)
            continue
        kind = c.text(fig, fp, "kind", required=True)
        if kind is not None and kind not in FIGURE_KINDS:
            c.err(f"{fp}.kind", "種別が不正です（" + "・".join(FIGURE_KINDS) + "）", kind)
        c.text(fig, fp, "caption", required=True)
        c.text(fig, fp, "note")


def _validate_texts(c: _Checker, proj: dict, p: str) -> None:
    """Every text section of the schema, at its path, with its limit and required flag."""
    missing: set[str] = set()
    for section in schema().text_sections:
        *parents, last = section.path
        data, here = proj, p
        for part in parents:
            if data is None:
                break
            if not isinstance(data.get(part), dict):
                if f"{here}.{part}" not in missing and part != "targets":  # targets: checked below
                    c.obj(data, here, part, dict)
                missing.add(f"{here}.{part}")
                data = None
            else:
                data, here = data[part], f"{here}.{part}"
        if data is not None:
            # An optional section may be missing: files written before it existed stay valid.
            c.text(data, here, last, required=section.required, max_len=section.limit,
                   optional_key=not section.required)


def _validate_kpi(c: _Checker, kpi, kp: str) -> None:
    if not isinstance(kpi, dict):
        c.err(kp, "オブジェクトではありません", kpi)
        return
    c.text(kpi, kp, "name", required=True)
    c.text(kpi, kp, "unit", max_len=50)
    c.boolean(kpi, kp, "cumulative")
    c.text(kpi, kp, "note")
    target = c.obj(kpi, kp, "target", dict)
    if target is not None:
        c.integer(target, f"{kp}.target", "year", nullable=True, **YEAR)
        c.number(target, f"{kp}.target", "value")
        c.text(target, f"{kp}.target", "text", optional_key=True)
    if "baseline" not in kpi:
        c.err(f"{kp}.baseline", "項目がありません（無い場合は null）", show=False)
    elif kpi["baseline"] is not None:
        b = kpi["baseline"]
        if not isinstance(b, dict):
            c.err(f"{kp}.baseline", "オブジェクトではありません", b)
        else:
            c.integer(b, f"{kp}.baseline", "year", **YEAR)
            c.number(b, f"{kp}.baseline", "value", nullable=False)
            c.text(b, f"{kp}.baseline", "label", optional_key=True, max_len=200)
    for s, point in enumerate(c.obj(kpi, kp, "series", list) or []):
        sp = f"{kp}.series[{s}]"
        if not isinstance(point, dict):
            c.err(sp, "オブジェクトではありません", point)
            continue
        c.integer(point, sp, "year", **YEAR)
        c.number(point, sp, "target")
        c.number(point, sp, "actual")
        c.text(point, sp, "label", optional_key=True, max_len=100)


def _validate_roadmap(c: _Checker, roadmap, rp: str) -> None:
    if not isinstance(roadmap, dict):
        c.err(rp, "オブジェクトではありません", roadmap)
        return
    c.text(roadmap, rp, "title", required=True, max_len=200)
    years = c.obj(roadmap, rp, "years", list)
    if years is not None:
        if not years:
            c.err(f"{rp}.years", "年度がありません", show=False)
        for j, y in enumerate(years):
            if not isinstance(y, str) or not y.strip():
                c.err(f"{rp}.years[{j}]", "文字列ではありません", y)
            elif len(y) > 20:
                c.err(f"{rp}.years[{j}]", "20文字を超えています", y)
        if len(set(map(str, years))) != len(years):
            c.err(f"{rp}.years", "年度が重複しています", years)
    for j, row in enumerate(c.obj(roadmap, rp, "rows", list) or []):
        p = f"{rp}.rows[{j}]"
        if not isinstance(row, dict):
            c.err(p, "オブジェクトではありません", row)
            continue
        c.text(row, p, "activity", required=True)
        c.text(row, p, "detail")
        start, end = c.text(row, p, "from"), c.text(row, p, "to")
        if years and start is not None and end is not None:
            if start not in years:
                c.err(f"{p}.from", "years にない年度です", start)
            if end not in years:
                c.err(f"{p}.to", "years にない年度です", end)
            if start in years and end in years and years.index(start) > years.index(end):
                c.err(f"{p}.to", "開始より前の年度です", end)
