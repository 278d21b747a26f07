"""Each year's sheet template in the database: read it, and the one operation that changes it.

A year (ReportingCycle) holds its template in ``sheet_template`` as
webapp.template_json writes it; NULL means the built-in FY2023 template.
`template_for_year(year)` is registered with webapp.sheet_schema by the app
factory, so `schema(year)` answers each year's own; it is read once per app
context (flask.g) and forgotten there when `replace_template` changes it.

`replace_template(user, cycle, new)` is the only writer (the 「個票の様式」
screens and `flask import-template` both call it). It checks, writes one
audit record with a readable list of what changed, and flushes; the caller
commits. Refusals (`TemplateRefused`, Japanese, nothing changed):

- the user may not edit templates (secretariat and admin may);
- the year is closed;
- the year's template changed since the version the new one was made from
  (``new.version``: the screens make it from the current one, a file names the
  version it was exported as);
- a section (or a sub-field switched off) that would go holds text in a sheet
  of the year — the sheets are named;
- once any sheet of the year has been submitted, anything but wording
  (headings and labels).
"""
from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field

from flask import g, has_app_context
from sqlalchemy import exists, select

from webapp import audit
from webapp.extensions import db
from webapp.models import ReportingCycle, Sheet, Transition, User
from webapp.permissions import can
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import FIGURES, KPIS, ROADMAP, SheetSchema, register_year_lookup, schema
from webapp.template_json import TemplateError, from_json, to_json
from webapp.workflow import State

log = logging.getLogger(__name__)

# The attributes that are wording: a change of only these is allowed after submissions.
WORDING = frozenset({"heading", "label", "printed", "hint", "blank"})
REQUIRED_WORDS = {True: "提出に必須", False: "任意"}
_G_KEY = "sheet_templates"
_parsed: dict[str, SheetSchema] = {}   # canonical JSON -> template: one object per template


class TemplateRefused(Exception):
    """A template change refused; the message (Japanese) is shown as is."""


# --- reading

def template_for_year(year: int) -> SheetSchema | None:
    """The year's own template, or None for the built-in one (or outside an app context)."""
    if not has_app_context():
        return None
    cache = g.setdefault(_G_KEY, {})
    if year not in cache:
        data = db.session.scalar(select(ReportingCycle.sheet_template)
                                 .where(ReportingCycle.year == year))
        cache[year] = None if data is None else _template(data, year)
    return cache[year]


def _template(data: dict, year: int) -> SheetSchema | None:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    if text not in _parsed:
        try:
            _parsed[text] = from_json(data)
        except TemplateError as exc:   # written by replace_template, so read back; never a 500
            log.error("the stored template of %s cannot be read: %s", year, exc)
            return None
    return _parsed[text]


def register(app) -> None:
    """`schema(year)` answers the year's stored template (the app factory calls this)."""
    register_year_lookup(template_for_year)


def forget() -> None:
    """Drop this app context's templates (after a change)."""
    if has_app_context():
        g.pop(_G_KEY, None)


# --- what changed

def _name(section, year: int, schema: SheetSchema) -> str:
    return schema.label(section.key, year) if section.key in schema else section.key


def _sub_fields(obj) -> dict[str, tuple]:
    """The tuples of sub-fields an object carries (e.g. a section's fields), by attribute."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)
            if isinstance(getattr(obj, f.name), tuple)
            and all(dataclasses.is_dataclass(x) for x in getattr(obj, f.name))
            and getattr(obj, f.name)}


def optional_fields(section) -> list[tuple[str, object]]:
    """(attribute, sub-field) of each sub-field the template marks optional (may be switched off)."""
    return [(name, item) for name, items in _sub_fields(section).items() for item in items
            if getattr(item, "optional", False) and hasattr(item, "enabled")]


@dataclass
class TemplateChange:
    cycle: ReportingCycle
    version: int
    lines: list[str] = field(default_factory=list)      # 「○具体的取組 → ○主な取組」
    changes: dict = field(default_factory=dict)          # {where: (before, after)} for the audit
    structural: bool = False                             # more than wording

    @property
    def message(self) -> str:
        if not self.lines:
            return f"{self.cycle.year}年度の個票の様式に変更はありません。"
        return (f"{self.cycle.year}年度の個票の様式を変更しました（第{self.version}版）: "
                + "、".join(self.lines))


def compare(old: SheetSchema, new: SheetSchema, year: int) -> TemplateChange:
    """What going from `old` to `new` changes, in words (the version is not a change)."""
    change = TemplateChange(cycle=None, version=old.version)

    def note(where, before, after, line, wording=False):
        change.changes[where] = (before, after)
        change.lines.append(line)
        change.structural = change.structural or not wording

    old_boxes = {b.key: b for b in old.boxes}
    for box in new.boxes:
        before = old_boxes.get(box.key)
        if before is None:
            continue
        if before.heading != box.heading:
            note(f"boxes.{box.key}.heading", before.heading, box.heading,
                 f"{before.heading} → {box.heading}", wording=True)
        for attr, word in (("column", "列"), ("optional", "省略可")):
            if getattr(before, attr) != getattr(box, attr):
                note(f"boxes.{box.key}.{attr}", getattr(before, attr), getattr(box, attr),
                     f"枠「{box.heading}」の{word}を変更")
    old_sections = {s.key: s for s in old.sections}
    new_sections = {s.key: s for s in new.sections}
    for s in old.sections:
        if s.key not in new_sections:
            note(f"sections.{s.key}", s.heading or s.label, None,
                 f"欄を削除: {_name(s, year, old)}")
    for s in new.sections:
        before = old_sections.get(s.key)
        if before is None:
            note(f"sections.{s.key}", None, s.heading or s.label,
                 f"欄を追加: {_name(s, year, new)}（{new.box_title(s.box, year)}）")
            continue
        for attr in ("heading", "label"):
            if getattr(before, attr) != getattr(s, attr):
                note(f"sections.{s.key}.{attr}", getattr(before, attr), getattr(s, attr),
                     f"{getattr(before, attr) or '（なし）'} → {getattr(s, attr) or '（なし）'}",
                     wording=True)
        name = _name(s, year, new)
        if before.required != s.required:
            note(f"sections.{s.key}.required", before.required, s.required,
                 f"{name}: {REQUIRED_WORDS[before.required]} → {REQUIRED_WORDS[s.required]}")
        if before.limit != s.limit:
            note(f"sections.{s.key}.limit", before.limit, s.limit,
                 f"{name}: 上限 {before.limit} → {s.limit}")
        for attr, word in (("rows", "入力欄の行数"), ("carry", "翌年度への引継ぎ"), ("box", "枠"),
                           ("path", "保存場所"), ("kind", "種類")):
            if getattr(before, attr) != getattr(s, attr):
                note(f"sections.{s.key}.{attr}", getattr(before, attr), getattr(s, attr),
                     f"{name}: {word}を変更")
        before_fields, fields = _sub_fields(before), _sub_fields(s)
        for attr in sorted(set(before_fields) | set(fields)):
            _compare_fields(before_fields.get(attr, ()), fields.get(attr, ()),
                            f"sections.{s.key}.{attr}", name, note)
    common = set(old_sections) & set(new_sections)

    def order(template):
        """Each box's sections that both templates have, in order."""
        return [(b.key, [s.key for s in template.in_box(b.key) if s.key in common])
                for b in template.boxes]

    if order(old) != order(new):
        note("order", [s.key for s in old.sections], [s.key for s in new.sections], "欄の順序を変更")
    return change


def _compare_fields(before: tuple, after: tuple, where: str, section_name: str, note) -> None:
    """Sub-fields (KPI fields and the like), compared by key and attribute, generically."""
    old = {getattr(f, "key", i): f for i, f in enumerate(before)}
    new = {getattr(f, "key", i): f for i, f in enumerate(after)}
    for key in (k for k in old if k not in new):
        note(f"{where}.{key}", key, None, f"{section_name}: 項目「{key}」を削除")
    for key in (k for k in new if k not in old):
        note(f"{where}.{key}", None, key, f"{section_name}: 項目「{key}」を追加")
    for key in (k for k in new if k in old):
        for f in dataclasses.fields(new[key]):
            b, a = getattr(old[key], f.name), getattr(new[key], f.name)
            if b == a:
                continue
            if f.name == "enabled":
                line = f"{section_name}: 項目「{getattr(new[key], 'label', key)}」を{'使う' if a else '使わない'}"
            elif f.name in WORDING:
                line = f"{b} → {a}"
            else:
                line = f"{section_name}: 項目「{getattr(new[key], 'label', key)}」の{f.name}を変更"
            note(f"{where}.{key}.{f.name}", b, a, line, wording=f.name in WORDING)


# --- what it would drop

LIST_OF = {KPIS: lambda c: (c.get("targets") or {}).get("kpis") or [],
           ROADMAP: lambda c: (c.get("roadmap") or {}).get("rows") or [],
           FIGURES: lambda c: c.get("figures") or []}


def _entries(content: dict, section, attr: str) -> list[dict]:
    """The dicts that a structured section's sub-fields of attribute `attr` sit in: its
    entries (``fields``), their series points (``point_fields``), the content itself
    (``head_fields``, whose paths start at the root)."""
    entries = [e for e in LIST_OF.get(section.kind, lambda c: [])(content) if isinstance(e, dict)]
    if attr == "point_fields":
        return [p for e in entries for p in (e.get("series") or []) if isinstance(p, dict)]
    if attr == "head_fields":
        return [content]
    return entries


def _value(entry: dict, sub_field):
    value = entry
    for part in getattr(sub_field, "where", None) or (sub_field.key,):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _holds(value) -> bool:
    return value not in (None, "", [], {}, False)


def dropped(old: SheetSchema, new: SheetSchema, sheets: list[Sheet]) -> dict[str, list[Sheet]]:
    """What `new` would take away that sheets hold: {label of the part: the sheets holding it}.

    A text section that goes; a sub-field (a KPI's, say) that goes or is switched off."""
    year = sheets[0].cycle.year if sheets else 0
    found: dict[str, list[Sheet]] = {}
    gone = [s for s in old.text_sections if s.key not in new or not new[s.key].is_text]
    for s in gone:
        holding = [sheet for sheet in sheets if sheet.text(s.key).strip()]
        if holding:
            found[old.label(s.key, year)] = holding
    contents = {}
    for s in old.sections:
        if s.key not in new or s.is_text:
            continue
        after_fields = _sub_fields(new[s.key])
        for attr, items in _sub_fields(s).items():
            after = {f.key: f for f in after_fields.get(attr, ())}
            for f in items:
                if not getattr(f, "enabled", True):
                    continue       # off already: nothing of it is in use
                if f.key in after and getattr(after[f.key], "enabled", True):
                    continue
                holding = []
                for sheet in sheets:
                    if sheet.id not in contents:
                        contents[sheet.id] = sheet_to_dict(sheet)
                    if any(_holds(_value(e, f)) for e in _entries(contents[sheet.id], s, attr)):
                        holding.append(sheet)
                if holding:
                    found[f"{old.label(s.key, year)}／{getattr(f, 'label', '') or f.key}"] = holding
    return found


def sheet_names(sheets: list[Sheet]) -> str:
    """「3番『…』、7番『…』」"""
    return "、".join(f"{s.project.number}番『{s.project.title}』"
                    for s in sorted(sheets, key=lambda s: s.project.number))


def submissions_started(cycle: ReportingCycle) -> bool:
    """A sheet of the year has been submitted (now or ever)."""
    past_draft = [s.value for s in State if s not in (State.NOT_STARTED, State.DRAFT)]
    return bool(db.session.scalar(select(
        exists().where(Sheet.cycle_id == cycle.id, Sheet.state.in_(past_draft))
        | exists().where(Transition.sheet_id == Sheet.id, Sheet.cycle_id == cycle.id,
                         Transition.action == "submit"))))


# --- the operation

def replace_template(user: User | None, cycle: ReportingCycle, new: SheetSchema) -> TemplateChange:
    """Make `new` the year's template (its version the old one's + 1), or refuse saying why.

    `user` None is the system (not used by the app; commands name a user).
    Nothing is written when nothing changes.
    """
    if user is not None and not can(user, "edit_template", cycle):
        raise TemplateRefused("個票の様式を変更する権限がありません。")
    if not cycle.is_open:
        raise TemplateRefused(f"{cycle.year}年度の受付は締め切られているため、個票の様式は変更できません。")
    # One change at a time: the year's row is locked, and the template read again under
    # the lock (PostgreSQL; SQLite has one writer anyway).
    db.session.execute(select(ReportingCycle.id).where(ReportingCycle.id == cycle.id)
                       .with_for_update())
    forget()
    old = schema(cycle.year)
    change = compare(old, new, cycle.year)
    change.cycle = cycle
    if not change.lines:
        return change
    if new.version != old.version:
        raise TemplateRefused(
            f"{cycle.year}年度の個票の様式は、この変更の元にした第{new.version}版の後に変更されています"
            f"（現在は第{old.version}版）。最新の様式を開き直してから変更してください。")
    # The sheets are locked too: a save or a submission waits for this change, or is
    # seen by the checks below.
    sheets = list(db.session.scalars(select(Sheet).where(Sheet.cycle_id == cycle.id)
                                     .with_for_update()))
    holding = dropped(old, new, sheets)
    if holding:
        raise TemplateRefused("入力済みの内容がある欄は削除できません（内容はそのままです）: " + "；".join(
            f"「{part}」は {sheet_names(found)} に入力があります" for part, found in holding.items()) + "。")
    if change.structural and submissions_started(cycle):
        raise TemplateRefused(f"{cycle.year}年度は既に提出された個票があるため、見出しと項目名の変更だけができます"
                              "（欄の追加・削除・移動、必須や上限の変更はできません）。")
    change.version = old.version + 1
    stored = dataclasses.replace(new, version=change.version)
    cycle.sheet_template = to_json(stored)
    forget()
    change.changes["version"] = (old.version, change.version)
    audit.record(user, "template_change", "cycle", cycle.year,
                 change.message, change.changes)
    return change


def export_template(cycle: ReportingCycle) -> dict:
    return to_json(schema(cycle.year))
