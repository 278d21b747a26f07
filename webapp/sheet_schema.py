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
  editors; the schema gives their headings, limits and place.

Headings may name the reporting year ``{Y}`` or the next ``{Y1}``; they are
printed with full-width digits, as in the original.

This module imports nothing from Flask or the database, so the printing
package (which is database-free) reads it too.
"""
from __future__ import annotations

from contextlib import contextmanager
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
LINE_LIMITS = {"unit": 50, "target_label": 200, "baseline_label": 200, "label": 100,
               "roadmap_title": 200, "roadmap_year": 20, "caption": 300, "alt_text": 300}
MAX_SERIES = 60              # years of one KPI


def figure_item(kind: str, caption: str, note: str, alt_text: str = "") -> dict:
    """A figure as the content dict holds it.  ``alt_text`` (what an image
    shows, read out in place of it) is left out when empty, so content
    written before the field existed compares equal and files without it
    import unchanged."""
    item = {"kind": kind, "caption": caption, "note": note}
    if alt_text:
        item["alt_text"] = alt_text
    return item
MAX_ROADMAP_YEARS = 15

FIGURE_KINDS = {"photo": "写真", "chart": "グラフ", "diagram": "図"}

# Which way a KPI's goal lies (webapp.council.progress.direction_of reads it);
# unset (None) means "judge it from the baseline".  A KPI dict carries the key
# only when it is set, so files and workbooks from before it import unchanged.
INCREASE, DECREASE = "increase", "decrease"
KPI_DIRECTIONS = {INCREASE: "増やす", DECREASE: "減らす"}


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

    @property
    def is_text(self) -> bool:
        return self.kind == TEXT


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
        Section("kpis", "targets", kind=KPIS, label="指標（KPI）", limit=30, carry=KEEP),
        Section("plans_actions", "plans", heading="○具体的取組", path=("plans", "actions")),
        Section("plans_outlook", "plans", heading="○今後の目標、達成見込み",
                path=("plans", "outlook")),
        Section("roadmap", "roadmap", kind=ROADMAP, limit=30, carry=KEEP),
        Section("figures", "figures", kind=FIGURES, limit=12, carry=KEEP),
    ),
)

_active = [COUNCIL_SHEET]
# year -> that year's template; the app registers the database's (webapp.sheet_templates).
_year_lookup: list = []


def schema(year: int | None = None) -> SheetSchema:
    """The sheet definition in force for `year`.

    A definition pushed with `using()` wins (the printing worker pushes the
    template that came with its job; tests push variants); otherwise the
    year's own template when a lookup is registered and a year is given;
    otherwise the built-in FY2023 one.
    """
    if len(_active) > 1 or year is None or not _year_lookup:
        return _active[-1]
    return _year_lookup[-1](year) or _active[-1]


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
    """Run with another sheet definition, e.g. one with an extra section (tests)."""
    _active.append(variant)
    try:
        yield variant
    finally:
        _active.pop()
