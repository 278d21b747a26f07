"""A sheet template as JSON, both ways: `to_json(schema)` and `from_json(data)`.

The format is the dataclasses of webapp.sheet_schema written out generically:
each frozen dataclass (a box, a section, a section's sub-fields) is one JSON
object of its fields, each tuple a list. So copying one section's object,
giving it a new ``key`` and ``heading``, adds a section::

    {"key": "results_dx", "box": "results", "kind": "text",
     "heading": "○デジタル化の取組", "label": "", "path": ["extra", "results_dx"],
     "required": false, "limit": 1000, "carry": "blank", "rows": 4}

`from_json` reads every value against its annotation, refuses unknown keys by
name, checks the rules below and raises one `TemplateError` listing every
problem, each with its path (「sections[3].heading: 空にはできません」); it
returns a template only when there is none (all or nothing).

Rules (the one place that decides what a template may say):

- box and section keys are unique; a key is lower-case ASCII letters, digits
  and ``_`` and is not one of the sheet form's own fields (RESERVED_KEYS);
- the boxes are the built-in ones (they may be renamed, moved between the
  columns and made optional, not added or removed);
- the structured sections (KPIs, roadmap, figures) are the built-in ones, in
  their boxes, with their paths and carry rules: only their wording, whether
  they are required, and a limit up to the built-in one may change;
- a text section lives at its built-in path, or, when it is new, at
  ``["extra", key]`` (the path may be left out and is then derived so): the
  report file has no ``extra`` key of its own, so a new section never
  overwrites another part of a sheet;
- limits are 1 … MAX_TEXT characters, the text area 1 … MAX_ROWS rows;
- carry rules are ``keep``, ``blank`` or ``from:<key of a text section>``;
- every box holds a section; box headings are not empty; a section has a
  heading or a label unless it is the first of its box (printed under the
  box's heading); headings and labels may name the year only as ``{Y}`` and
  ``{Y1}``;
- sub-fields (any tuple of dataclasses on a section, e.g. a KPI's fields)
  have unique keys and a label, and only an optional one is switched off.

Database-free: the printing package reads it.
"""
from __future__ import annotations

import dataclasses
import re
import string
import types
import typing

from webapp.sheet_schema import (BLANK, COUNCIL_SHEET, KEEP, LEFT, MAX_TEXT, RIGHT, TEXT, Box,
                                 Section, SheetSchema)

EXTRA = "extra"              # where new text sections live in the content dict
MAX_ROWS = 30
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The sheet form's own field names (forms/sheet.py SheetFormBase and its lists):
# a section of one of these keys would clash with them.
RESERVED_KEYS = frozenset({"version", "target_year", "target_label", "roadmap_title",
                           "roadmap_years", "roadmap_rows", "csrf_token", EXTRA})
PLACEHOLDERS = {"Y", "Y1"}


class TemplateError(ValueError):
    """A template refused; `problems` lists every reason, each naming its path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- to JSON

def to_json(schema: SheetSchema) -> dict:
    return _plain(schema)


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name))
                for f in dataclasses.fields(value) if f.init}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


# --- from JSON

def from_json(data) -> SheetSchema:
    problems: list[str] = []
    values = _values(SheetSchema, data, "", problems)
    problems.extend(_rule_problems(values))
    if problems:
        raise TemplateError(problems)
    try:
        return SheetSchema(**values)
    except ValueError as exc:   # the dataclass's own checks; the rules above cover them
        raise TemplateError([str(exc)]) from exc


def _where(path: str, name) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def _kind_word(tp) -> str:
    return {str: "文字列", int: "整数", bool: "true か false", float: "数"}.get(tp, "値")


def _values(cls, value, path: str, problems: list[str]) -> dict:
    """The fields of dataclass `cls` read from the JSON object `value`."""
    if not isinstance(value, dict):
        problems.append(f"{path or '全体'}: オブジェクト（{{…}}）で書いてください")
        return {}
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    values = {}
    for name in value:
        if name not in fields:
            problems.append(f"{_where(path, name)}: 不明な項目です")
    for name, f in fields.items():
        if name in value:
            values[name] = _build(hints[name], value[name], _where(path, name), problems)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.append(f"{_where(path, name)}: 必要です")
    if cls is Section and values.get("kind", TEXT) == TEXT and not values.get("path") \
            and isinstance(values.get("key"), str):
        values["path"] = (EXTRA, values["key"])   # a new text section written without a path
    return values


def _build(tp, value, path: str, problems: list[str]):
    """`value` read as type `tp`; problems are added (and None returned) where it is not."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        tp = next(o for o in options if o is not type(None))
        return _build(tp, value, path, problems)
    if dataclasses.is_dataclass(tp):
        before = len(problems)
        values = _values(tp, value, path, problems)
        if len(problems) > before:
            return None
        try:
            return tp(**values)
        except (TypeError, ValueError) as exc:
            problems.append(f"{path}: {exc}")
            return None
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            problems.append(f"{path}: 一覧（[…]）で書いてください")
            return None
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(value)
        elif len(value) != len(args):
            problems.append(f"{path}: {len(args)}個の値の一覧で書いてください")
            return None
        return tuple(_build(a, v, _where(path, i), problems)
                     for i, (a, v) in enumerate(zip(args, value)))
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif tp is str:
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, tp)
    if not ok:
        problems.append(f"{path}: {_kind_word(tp)}で書いてください")
        return None
    return value


# --- rules

def sub_field_problems(section, where: str) -> list[str]:
    """The rules of a section's sub-fields (any tuple of dataclasses on it, e.g. a KPI's
    fields): keys unique, a label, only {Y}/{Y1} in the wording, only an optional
    field switched off."""
    problems = []
    for f in dataclasses.fields(section):
        items = getattr(section, f.name)
        if not (isinstance(items, tuple) and items and all(dataclasses.is_dataclass(i) for i in items)):
            continue
        keys = set()
        for i, item in enumerate(items):
            at = f"{where}.{f.name}[{i}]"
            key = getattr(item, "key", None)
            if key is not None:
                if key in keys:
                    problems.append(f"{at}.key: 「{key}」が重複しています")
                keys.add(key)
            if hasattr(item, "label"):
                problems += _text_problems(item.label, f"{at}.label", required=True)
            if hasattr(item, "printed"):
                problems += _text_problems(item.printed, f"{at}.printed", required=False)
            if getattr(item, "enabled", True) is False and not getattr(item, "optional", False):
                problems.append(f"{at}.enabled: 任意の項目（optional）でないため、使わない設定にはできません")
    return problems


def _text_problems(text: str, where: str, *, required: bool) -> list[str]:
    if not text.strip():
        return [f"{where}: 空にはできません"] if required else []
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return [f"{where}: 「{{」「}}」は {{Y}}（年度）と {{Y1}}（翌年度）の形でだけ使えます"]
    unknown = sorted(names - PLACEHOLDERS)
    if unknown:
        shown = "、".join(f"「{{{n}}}」" for n in unknown)
        return [f"{where}: {shown}は使えません（使えるのは {{Y}}（年度）と {{Y1}}（翌年度）だけです）"]
    return []


def _rule_problems(built: dict) -> list[str]:
    problems: list[str] = []
    boxes = [b for b in built.get("boxes") or () if b is not None]
    sections = [s for s in built.get("sections") or () if s is not None]
    # What could not be read is reported already; it is not also called missing.
    complete = (isinstance(built.get("boxes"), tuple) and isinstance(built.get("sections"), tuple)
                and len(boxes) == len(built["boxes"]) and len(sections) == len(built["sections"]))
    if built.get("version") is not None and built["version"] < 1:
        problems.append("version: 1以上の整数で書いてください")

    builtin_boxes = {b.key: b for b in COUNCIL_SHEET.boxes}
    seen = set()
    for i, box in enumerate(built.get("boxes") or ()):
        if box is None:
            continue
        where = f"boxes[{i}]"
        if box.key in seen:
            problems.append(f"{where}.key: 「{box.key}」が重複しています")
        seen.add(box.key)
        if box.key not in builtin_boxes:
            problems.append(f"{where}.key: 「{box.key}」という枠はありません（枠の追加はできません）")
        if box.column not in (LEFT, RIGHT):
            problems.append(f"{where}.column: \"{LEFT}\" か \"{RIGHT}\" で書いてください")
        problems += _text_problems(box.heading, f"{where}.heading", required=True)
        if complete and not any(s.box == box.key for s in sections):
            problems.append(f"{where}: 欄が一つもありません（枠には欄が一つ以上必要です）")
    for key in builtin_boxes:
        if complete and key not in seen:
            problems.append(f"boxes: 枠「{key}」がありません（枠は削除できません）")

    builtin = {s.key: s for s in COUNCIL_SHEET.sections}
    builtin_paths = {s.path: s.key for s in COUNCIL_SHEET.text_sections}
    text_keys = {s.key for s in sections if s.kind == TEXT}
    keys, paths = set(), set()
    for i, s in enumerate(built.get("sections") or ()):
        if s is None:
            continue
        where = f"sections[{i}]"
        if s.key in keys:
            problems.append(f"{where}.key: 「{s.key}」が重複しています")
        keys.add(s.key)
        if not KEY_PATTERN.match(s.key):
            problems.append(f"{where}.key: 半角英小文字で始まる英小文字・数字・「_」（40字まで）で書いてください")
        elif s.key in RESERVED_KEYS:
            problems.append(f"{where}.key: 「{s.key}」は個票の他の項目の名前なので使えません")
        if s.box not in seen and complete:
            problems.append(f"{where}.box: 「{s.box}」という枠はありません")
        first = next(o for o in sections if o.box == s.box) is s   # the box's heading names it
        problems += _text_problems(s.heading, f"{where}.heading", required=not (s.label or first))
        problems += _text_problems(s.label, f"{where}.label", required=False)
        if s.kind == TEXT:
            if s.path in paths:
                problems.append(f"{where}.path: 他の欄と同じ場所です")
            paths.add(s.path)
            if s.path != (EXTRA, s.key) and builtin_paths.get(s.path) is None:
                problems.append(f"{where}.path: 新しい欄は [\"{EXTRA}\", \"{s.key}\"] に置きます"
                                "（省略すればそうなります）")
            if not 1 <= s.limit <= MAX_TEXT:
                problems.append(f"{where}.limit: 1～{MAX_TEXT}の文字数で書いてください")
            if s.carry not in (KEEP, BLANK) and not (
                    s.carry.startswith("from:") and s.carry[len("from:"):] in text_keys):
                problems.append(f"{where}.carry: \"{KEEP}\"、\"{BLANK}\" か \"from:<文章の欄のkey>\""
                                "で書いてください")
        else:
            original = builtin.get(s.key)
            if original is None or original.kind != s.kind:
                problems.append(f"{where}: 「{s.kind}」の欄は追加できません（見出しの変更だけができます）")
                continue
            for name in ("box", "path", "carry"):
                if getattr(s, name) != getattr(original, name):
                    problems.append(f"{where}.{name}: この欄では変えられません")
            if not 1 <= s.limit <= original.limit:
                problems.append(f"{where}.limit: 1～{original.limit}の件数で書いてください")
        if not 1 <= s.rows <= MAX_ROWS:
            problems.append(f"{where}.rows: 1～{MAX_ROWS}の行数で書いてください")
        problems += sub_field_problems(s, where)
    for key, original in builtin.items():
        if complete and not original.is_text and key not in keys:
            problems.append(f"sections: 「{key}」の欄がありません（この欄は削除できません）")
    return problems
