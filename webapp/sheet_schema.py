"""The progress sheet (個票), declared once.

Every part that deals with a sheet's shape reads this module: the edit
form and its messages, saving, import/export validation, the content dict,
the printed and on-screen sheet, comparisons, conflict views, fit messages,
comments (which attach to a section key) and the submit check. Adding a
section here adds it everywhere; nothing else lists the sections.

A sheet is a set of *boxes* in two printed columns (目的, 活動実績と評価, …),
each holding one or more *sections*. A section is one of four kinds:

- ``text``: a free-text field, one item per line. Its value lives at
  ``path`` in the content dict (the report file's format, see
  webapp.sheet_content) and under ``key`` in ``Sheet.texts``.
- ``kpis``, ``roadmap``, ``figures``: the structured parts, with their own
  editors; the schema gives their headings, limits and place, and every
  field inside them as a ``Field``: ``Section.fields`` (one KPI, roadmap row
  or figure), ``Section.point_fields`` (a KPI's yearly series) and
  ``Section.head_fields`` (once per sheet: the targets box's target year and
  label sit with the KPIs, the roadmap's title and year columns with it).
  A field's key is its form name and its storage column; a field without a
  column (one a year's template adds) is kept in its row's ``extra`` JSON.

Headings may name the reporting year ``{Y}`` or the next ``{Y1}``; they are
printed with full-width digits, as in the original.

This module imports nothing from Flask or the database, so the printing
package (which is database-free) reads it too.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from webapp.jptext import fullwidth

TEXT, KPIS, ROADMAP, FIGURES = "text", "kpis", "roadmap", "figures"
LEFT, RIGHT = "left", "right"

# Carry-forward rules: what opening the next year puts in a section.
KEEP = "keep"            # the same text as last year's approved sheet
BLANK = "blank"          # empty, to be written anew
# "from:<key>": last year's text of another section (plans become results)

# Limits of what one sheet may hold (the form, the import and the Excel
# round trip all refuse more).
YEAR_RANGE = (1900, 2200)
MAX_TEXT = 4000
MAX_SHORT_TEXT = 1000
MAX_SERIES = 60              # years of one KPI
MAX_ROADMAP_YEARS = 15

# Which way a KPI's goal lies (webapp.council.progress.direction_of reads it);
# unset means "judge it from the baseline".
INCREASE, DECREASE = "increase", "decrease"

# Kinds of a field inside the structured sections (KPIs, their series, the
# roadmap, figures).  "text" is several lines, "line" one line, "lines" a
# list of short lines (the roadmap's year columns).
LINE, NUMBER, YEAR, FLAG, CHOICE, LINES = "line", "number", "year", "flag", "choice", "lines"
FIELD_KINDS = (TEXT, LINE, NUMBER, YEAR, FLAG, CHOICE, LINES)


@dataclass(frozen=True)
class Field:
    """One field inside a KPI, a series point, a roadmap row, a figure or the
    targets box / roadmap head.  Everything that reads or writes such a field
    (form, messages, saving, storage, JSON and Excel, comparison, page and
    print) reads this declaration; nothing else names it.

    Only simple values, so that a template serialises to JSON field by field
    (``dataclasses.fields``).
    """
    key: str                     # the form's name; the storage column of that name, else `extra`
    kind: str                    # one of FIELD_KINDS
    label: str                   # what the form and its messages call it
    path: tuple[str, ...] = ()   # where it sits in the part's dict (the report file); () = (key,)
    printed: str = ""            # the wording where print (and the page) name it; "" = label
    limit: int = 0               # characters of text/line/lines items; 0 = MAX_SHORT_TEXT
    required: bool = False       # must have a value: in a report file, and before submitting
                                 # (inside a sub-dict that may be null: when it is there)
    carry: str = KEEP            # KEEP or BLANK when the next year opens
    excel: str = ""              # Excel cell: text, number, year, flag, choice; "" = by kind;
                                 # "none": not in the workbook (kept as saved)
    optional: bool = False       # may be switched off in a year's template
    enabled: bool = True
    choices: tuple[tuple[str, str], ...] = ()   # (stored value, label) for CHOICE
    default: str = ""            # a CHOICE's value when none is chosen ("" = none)
    blank: str = ""              # the form's wording of "none chosen" for a CHOICE without default
    omit_empty: bool = False     # left out of the dict when empty (older files compare equal);
                                 # an optional field always is
    slot: str = ""               # a named place in print/page layouts; "" = a line 「printed：value」
    hint: str = ""               # the form's help text
    width: int = 12              # the form's columns (of 12)

    @property
    def where(self) -> tuple[str, ...]:
        return self.path or (self.key,)

    @property
    def words(self) -> str:
        return self.printed or self.label

    @property
    def max_chars(self) -> int:
        return self.limit or MAX_SHORT_TEXT

    @property
    def cell(self) -> str:
        return self.excel or self.kind

    def choice_label(self, value) -> str:
        return dict(self.choices).get(value, "")

    def empty(self):
        """The field's value when nothing is entered."""
        return {TEXT: "", LINE: "", FLAG: False, LINES: []}.get(self.kind)

    def is_empty(self, value) -> bool:
        return value is None or value == "" or value is False or value == []

    def get(self, item: dict | None):
        value = item
        for part in self.where:
            value = value.get(part) if isinstance(value, dict) else None
        return self.empty() if value is None else value

    def put(self, item: dict, value) -> None:
        """Put `value` into the part's dict, leaving it out when empty and `omit_empty` or
        `optional` (files written before an optional field existed compare equal)."""
        *parents, last = self.where
        target = item
        for part in parents:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        if (self.omit_empty or self.optional) and self.is_empty(value):
            target.pop(last, None)
        else:
            target[last] = value


def field_values(fields, item: dict | None) -> dict:
    """key -> value of each field in a part's dict."""
    return {f.key: f.get(item) for f in fields}


def build_item(fields, values: dict, order: tuple[str, ...] = (), nullable: tuple[str, ...] = (),
               more: dict | None = None) -> dict:
    """A part's dict from field values (and `more`, e.g. a KPI's series): the keys named in
    `order` first (the report file's order), and each sub-dict named in `nullable` None
    when none of its fields has a value."""
    item: dict = {}
    for f in fields:
        f.put(item, values.get(f.key, f.empty()))
    item.update(more or {})
    for group in nullable:
        members = [f for f in fields if f.where[0] == group]
        if all(f.is_empty(values.get(f.key)) for f in members):
            item[group] = None
    ordered = {k: item[k] for k in order if k in item}
    ordered.update((k, v) for k, v in item.items() if k not in ordered)
    return ordered


def years_in(template: str, year: int) -> str:
    return template.format(Y=fullwidth(year), Y1=fullwidth(year + 1))


@dataclass(frozen=True)
class Box:
    key: str
    heading: str           # with {Y}/{Y1}
    column: str            # LEFT or RIGHT on the printed page
    optional: bool = False  # left out of the print and the page when it has nothing

    def title(self, year: int) -> str:
        return years_in(self.heading, year)


@dataclass(frozen=True)
class Section:
    key: str
    box: str
    kind: str = TEXT
    heading: str = ""       # printed sub-heading inside the box; "" when the box names it
    label: str = ""         # what the form calls it, where that differs from the heading
    path: tuple[str, ...] = ()  # where a text section lives in the content dict
    required: bool = False  # must be filled in before submitting
    limit: int = MAX_TEXT   # characters (text) or entries (lists)
    carry: str = BLANK
    rows: int = 6           # height of the form's text area
    # Structured sections: the fields of one entry (a KPI, a roadmap row, a figure),
    # of a KPI's series points, and the section's own once-per-sheet fields (paths
    # from the content's root); `order`/`point_order`: the report file's key order;
    # `nullable`: sub-dicts that are null when none of their fields has a value.
    fields: tuple[Field, ...] = ()
    point_fields: tuple[Field, ...] = ()
    head_fields: tuple[Field, ...] = ()
    order: tuple[str, ...] = ()
    point_order: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()

    @property
    def is_text(self) -> bool:
        return self.kind == TEXT

    @property
    def entry_fields(self) -> tuple[Field, ...]:
        """The fields of one entry in use this year."""
        return tuple(f for f in self.fields if f.enabled)

    @property
    def series_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.point_fields if f.enabled)

    @property
    def sheet_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.head_fields if f.enabled)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields + self.point_fields + self.head_fields
                     if f.key == key), None)

    def item(self, values: dict, more: dict | None = None) -> dict:
        """One entry's dict (a KPI without its series: `more` adds it)."""
        return build_item(self.entry_fields, values, self.order, self.nullable, more)

    def point(self, values: dict) -> dict:
        return build_item(self.series_fields, values, self.point_order)


@dataclass(frozen=True)
class SheetSchema:
    boxes: tuple[Box, ...]
    sections: tuple[Section, ...]
    version: int = 1        # +1 for each accepted change of a year's template
    _by_key: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self):
        self._by_key.update({s.key: s for s in self.sections})
        boxes = {b.key for b in self.boxes}
        for s in self.sections:
            if s.box not in boxes:
                raise ValueError(f"section {s.key!r} names an unknown box {s.box!r}")
            if s.is_text and not s.path:
                raise ValueError(f"text section {s.key!r} has no path")

    # --- lookup

    def __getitem__(self, key: str) -> Section:
        return self._by_key[key]

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    @property
    def text_sections(self) -> list[Section]:
        return [s for s in self.sections if s.is_text]

    def part(self, kind: str) -> Section | None:
        """The section of a structured kind (KPIS, ROADMAP, FIGURES), if the sheet has one."""
        return next((s for s in self.sections if s.kind == kind), None)

    def field_label(self, kind: str, key: str) -> str:
        """The label of a field of a structured part, e.g. ("kpis", "baseline_value") → 「基準値」
        (the KPI progress page, its workbook and the report's appendix head columns with it)."""
        part = self.part(kind)
        found = part.field(key) if part else None
        return found.label if found else key

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)

    def in_box(self, box_key: str) -> list[Section]:
        return [s for s in self.sections if s.box == box_key]

    def column(self, column: str) -> list[Box]:
        return [b for b in self.boxes if b.column == column]

    @property
    def printed_order(self) -> list[Section]:
        """Sections as a reader meets them: the left column, then the right."""
        return [s for column in (LEFT, RIGHT) for b in self.column(column)
                for s in self.in_box(b.key)]

    # --- words

    def box_title(self, box_key: str, year: int, content: dict | None = None) -> str:
        if box_key == "targets":
            return targets_heading(content or {})
        return self.box(box_key).title(year)

    def heading(self, key: str, year: int) -> str:
        """The section's own printed heading (the box's when it has none)."""
        s = self[key]
        return years_in(s.heading, year) if s.heading else self.box(s.box).title(year)

    def label(self, key: str | None, year: int) -> str:
        """How messages and lists name a section: 「２０２３年度の活動実績…／○具体的取組」."""
        if key is None:
            return "個票全体"
        if key not in self:
            return key
        s = self[key]
        if s.label:
            return years_in(s.label, year)
        if s.heading and len(self.in_box(s.box)) > 1:
            return f"{self.box(s.box).title(year)}／{years_in(s.heading, year)}"
        return self.heading(key, year)

    # --- content

    def text(self, content: dict, key: str) -> str:
        value = content
        for part in self[key].path:
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else ""

    def holds(self, content: dict, key: str) -> bool:
        """Whether `content` has text section `key` at all (a file written before the
        section existed has not; its text there is unknown, not empty)."""
        value = content
        for part in self[key].path:
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        return True

    def put_text(self, content: dict, key: str, value: str) -> None:
        *parents, last = self[key].path
        target = content
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value

    def texts(self, content: dict) -> dict[str, str]:
        return {s.key: self.text(content, s.key) for s in self.text_sections}

    def filled(self, content: dict) -> set[str]:
        """Keys of the sections that have something in them (empty optional boxes are
        left out of pages and print)."""
        parts = {KPIS: (content.get("targets") or {}).get("kpis"),
                 ROADMAP: (content.get("roadmap") or {}).get("rows"),
                 FIGURES: content.get("figures")}
        return {s.key for s in self.sections
                if (self.text(content, s.key).strip() if s.is_text else parts.get(s.kind))}


def targets_heading(content: dict) -> str:
    """「設定目標（２０３０年）」: the label as written, else from the target year."""
    targets = content.get("targets") or {}
    if targets.get("label"):
        return targets["label"]
    if targets.get("target_year"):
        return f"設定目標（{fullwidth(targets['target_year'])}年）"
    return "設定目標"


PERSPECTIVES = "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組"

# The fields inside the structured sections, as FY2023 has them.  Each label is
# written here only; the form, messages, page, print and comparison read it.
TARGET_HEAD = (
    Field("target_year", YEAR, "目標年", path=("targets", "target_year"), width=3),
    Field("target_label", LINE, "見出し（印刷される表記）", path=("targets", "label"), limit=200, width=9,
          required=True, hint="例: 設定目標（２０３０年）"),
)
KPI_FIELDS = (
    Field("name", TEXT, "指標名", required=True, slot="name", width=8),
    Field("unit", LINE, "単位", limit=50, slot="unit", width=2),
    Field("cumulative", FLAG, "累計値", printed="累計", slot="unit", width=2),
    Field("target_year", YEAR, "目標年", path=("target", "year"), slot="target", width=2),
    Field("target_value", NUMBER, "目標値", path=("target", "value"), printed="目標", slot="target",
          width=3),
    Field("target_text", LINE, "目標（文章・表記）", path=("target", "text"), omit_empty=True,
          slot="target", width=7, hint="数値でない目標、または印刷する表記（例: 500件以上）"),
    Field("baseline_year", YEAR, "基準年", path=("baseline", "year"), required=True, slot="baseline",
          width=2),
    Field("baseline_value", NUMBER, "基準値", path=("baseline", "value"), printed="基準",
          required=True, slot="baseline", width=3),
    Field("baseline_label", LINE, "基準の表記", path=("baseline", "label"), limit=200,
          omit_empty=True, slot="baseline", width=7, hint="例: 2019年度（基準）"),
    # "" = judged from the baseline; without one the status cannot tell a goal to
    # reduce from one already passed, so the editor asks.
    Field("direction", CHOICE, "目標の向き", choices=((INCREASE, "増やす"), (DECREASE, "減らす")),
          omit_empty=True, slot="direction", width=4, blank="基準値から判断",
          hint="基準値がないときは選んでください（選ばないと増やす目標として判定します）"),
    Field("note", TEXT, "注記", slot="note"),
)
SERIES_FIELDS = (
    Field("year", YEAR, "年度", required=True, slot="year"),
    Field("label", LINE, "表記", limit=100, omit_empty=True, slot="label", hint="例: 23.12"),
    Field("target", NUMBER, "目標", slot="target"),
    Field("actual", NUMBER, "実績", slot="actual"),
)
ROADMAP_HEAD = (
    Field("roadmap_title", LINE, "見出し", path=("roadmap", "title"), limit=200, width=5, required=True,
          hint="例: 活動内容"),
    Field("roadmap_years", LINES, "年度の列（読点・カンマ区切り）", path=("roadmap", "years"), limit=20,
          width=7, hint="空欄のときは、各行の開始・終了の年度から自動で作ります（例: 2024、2025、2026）"),
)
ROADMAP_FIELDS = (
    Field("activity", TEXT, "取組", required=True, slot="activity"),
    Field("detail", TEXT, "内容", slot="detail"),
    Field("from_year", LINE, "開始年度", path=("from",), limit=20, slot="from"),
    Field("to_year", LINE, "終了年度", path=("to",), limit=20, slot="to"),
)
FIGURE_FIELDS = (
    Field("kind", CHOICE, "種類", choices=(("photo", "写真"), ("chart", "グラフ"), ("diagram", "図")),
          default="photo", required=True, slot="kind", width=3),
    Field("caption", LINE, "キャプション", limit=300, required=True, slot="caption", width=9),
    Field("alt_text", LINE, "代替テキスト", limit=300, omit_empty=True, slot="alt_text", excel="none",
          hint="画像の内容。音声で読み上げられます。写真・図に何が写っているかを短い文で。"
               "キャプションは別に読み上げられるので、同じ文は不要です。"),
    Field("note", TEXT, "説明", slot="note", width=7, hint="画像がない場合に印刷されます"),
)

COUNCIL_SHEET = SheetSchema(
    boxes=(
        Box("purpose", "目的", LEFT),
        Box("results", "{Y}年度の活動実績（主要な取組）と評価", LEFT),
        Box("challenges", "プロジェクトを推進する上での課題", LEFT),
        Box("targets", "設定目標", RIGHT),
        Box("plans", "{Y1}年度以降の取組（計画）", RIGHT),
        Box("roadmap", "ロードマップ", RIGHT, optional=True),
        Box("figures", "図表・写真", RIGHT, optional=True),
    ),
    sections=(
        Section("purpose", "purpose", path=("purpose",), required=True, carry=KEEP, rows=4),
        Section("results_actions", "results", heading="○具体的取組",
                path=("results", "actions"), required=True, carry="from:plans_actions", rows=8),
        Section("results_perspectives", "results", heading=PERSPECTIVES,
                path=("results", "perspectives"), rows=4),
        Section("results_evaluation", "results", heading="○{Y}年度の評価",
                path=("results", "evaluation"), required=True, carry="from:plans_outlook", rows=8),
        Section("challenges", "challenges", path=("challenges",), required=True, rows=5),
        Section("target_text", "targets", label="設定目標（本文）", path=("targets", "text"),
                carry=KEEP, rows=3),
        Section("kpis", "targets", kind=KPIS, label="指標（KPI）", limit=30, carry=KEEP,
                fields=KPI_FIELDS, point_fields=SERIES_FIELDS, head_fields=TARGET_HEAD,
                order=("name", "unit", "cumulative", "target", "baseline", "series", "note",
                       "direction"),
                point_order=("year", "target", "actual", "label"), nullable=("baseline",)),
        Section("plans_actions", "plans", heading="○具体的取組", path=("plans", "actions")),
        Section("plans_outlook", "plans", heading="○今後の目標、達成見込み",
                path=("plans", "outlook")),
        Section("roadmap", "roadmap", kind=ROADMAP, limit=30, carry=KEEP,
                fields=ROADMAP_FIELDS, head_fields=ROADMAP_HEAD),
        Section("figures", "figures", kind=FIGURES, limit=12, carry=KEEP, fields=FIGURE_FIELDS),
    ),
)

# Definitions pushed with using(), innermost last: per thread (a context variable), so that a
# print in one request thread never changes the headings another thread reads.
_pushed: ContextVar[tuple] = ContextVar("sheet_schema_pushed", default=())
# year -> that year's template; the app registers the database's (webapp.sheet_templates).
_year_lookup: list = []


def schema(year: int | None = None) -> SheetSchema:
    """The sheet definition in force for `year`.

    A definition pushed with `using()` wins (printing pushes the template that
    came with the content it prints; tests push variants); otherwise the
    year's own template when a lookup is registered and a year is given;
    otherwise the built-in FY2023 one.
    """
    pushed = _pushed.get()
    if pushed:
        return pushed[-1]
    if year is None or not _year_lookup:
        return COUNCIL_SHEET
    return _year_lookup[-1](year) or COUNCIL_SHEET


def template_of(content: dict) -> SheetSchema:
    """The template a content dict prints with: the one the app put in it under
    "template" (webapp.sheet_content.printable does, when the year's template is
    not the built-in one), else the one in force.  Printing reads it this way
    because it is database-free: a forked print worker cannot ask for the year's."""
    template = content.get("template") if isinstance(content, dict) else None
    return template if isinstance(template, SheetSchema) else schema()


def register_year_lookup(lookup) -> None:
    """`lookup(year) -> SheetSchema | None`, e.g. the year's stored template."""
    _year_lookup[:] = [lookup]


@contextmanager
def using(variant: SheetSchema):
    """Run (in this thread) with another sheet definition: the one a print came with, or
    a variant with an extra section (tests)."""
    token = _pushed.set(_pushed.get() + (variant,))
    try:
        yield variant
    finally:
        _pushed.reset(token)
