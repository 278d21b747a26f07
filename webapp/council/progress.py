"""KPI progress across projects and years: one row per KPI of a year's sheets.

The page /kpis/<year>, its Excel download and the report's appendix
「ＫＰＩ達成状況一覧」 all read `progress_rows()`, and the status of a KPI
comes from `kpi_status()` alone, whose rule is written in STATUS_RULE (the
page shows that text).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.jptext import circled, format_number
from webapp.models import Kpi, Project, ReportingCycle, Sheet
from webapp.printing.kpis import point_label, progress_rate
from webapp.sheet_schema import DECREASE, INCREASE, KPIS, schema
from webapp.sheet_content import content_loads, printable, sheet_to_dict

ACHIEVED, ON_TRACK, BEHIND, NO_DATA = "達成", "順調", "遅れ", "未入力"
ONE_POINT = "判定できません（実績1点）"
STATUSES = (ACHIEVED, ON_TRACK, BEHIND, ONE_POINT, NO_DATA)
STATUS_CSS = {ACHIEVED: "success", ON_TRACK: "primary", BEHIND: "danger", ONE_POINT: "secondary",
              NO_DATA: "secondary"}

STATUS_RULE = (
    "最新の実績値（系列で最後に入力された実績）で判定します。"
    "目標の向き（増やす／減らす）は個票のＫＰＩで選んだもの、選んでいなければ基準値と最終目標値の大小で決め、"
    "基準値もなければ増やす目標とします（最初の実績は、すでに目標を超えていることがあるため向きの判断に使いません）。"
    "【達成】最終目標値に達している（減らす目標では目標値以下）。"
    "【順調】達成前で、実績の年度の計画値以上（減らす目標では以下）：計画値はその年度の目標値が入力されていればその値、"
    "なければ基準値（なければ最初の実績）から最終目標値まで目標年度に向けて直線で進むとした値。"
    "【遅れ】その計画値に届いていない。"
    f"【{ONE_POINT}】基準値もその年度の目標値もなく、実績が1点だけで比べる計画値がない（最終目標値には達していない）。"
    "【未入力】実績値、または比べる数値目標（最終目標値・その年度の目標値）がない。"
    "最終目標が数値でないＫＰＩ（定性的な目標）は別表に進捗率なしで示し、その年度の目標値があれば同じ規則で判定します。")


def _num(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _latest_point(kpi: dict) -> dict | None:
    """The point whose actual the sheet calls the latest: the last one in series
    order that has an actual (the same point printing.kpis.latest_actual reads)."""
    for point in reversed(kpi.get("series") or []):
        if _num(point.get("actual")) is not None:
            return point
    return None


def _baseline(kpi: dict) -> tuple[int, Decimal] | None:
    baseline = kpi.get("baseline") or None
    if baseline and baseline.get("year") is not None and _num(baseline.get("value")) is not None:
        return baseline["year"], _num(baseline["value"])
    return None


def _start(kpi: dict, point: dict) -> tuple[int, Decimal] | None:
    """Where the straight line to the target starts: the baseline, else the first
    actual -- but only when that is an earlier point than `point` (a line from a
    point to itself would call every single actual 順調)."""
    baseline = _baseline(kpi)
    if baseline is not None:
        return baseline
    for candidate in kpi.get("series") or []:
        if _num(candidate.get("actual")) is not None:
            return None if candidate is point else (candidate["year"], _num(candidate["actual"]))
    return None


def direction_of(kpi: dict) -> str:
    """INCREASE or DECREASE: the KPI's own `direction`, else the goal against the
    baseline, else INCREASE. The first actual is not used: a sheet may first report
    a KPI after it passed its target (㉑ 2,222 against 2,000), which is not a goal
    to reduce; the editor asks for the direction when there is no baseline."""
    if kpi.get("direction") in dict(schema().part(KPIS).field("direction").choices):
        return kpi["direction"]
    goal = _num((kpi.get("target") or {}).get("value"))
    baseline = _baseline(kpi)
    if goal is not None and baseline is not None and goal < baseline[1]:
        return DECREASE
    return INCREASE


def planned_value(kpi: dict, point: dict) -> Decimal | None:
    """The value the plan expects in `point`'s year (see STATUS_RULE)."""
    yearly = _num(point.get("target"))
    if yearly is not None:
        return yearly
    target = kpi.get("target") or {}
    goal, goal_year = _num(target.get("value")), target.get("year")
    start = _start(kpi, point)
    if goal is None or goal_year is None or start is None:
        return None
    start_year, start_value = start
    if goal_year <= start_year:
        return goal
    share = Decimal(min(max(point["year"] - start_year, 0), goal_year - start_year)) / (goal_year - start_year)
    return start_value + (goal - start_value) * share


def kpi_status(kpi: dict) -> str:
    """達成 / 順調 / 遅れ / 判定できません（実績1点） / 未入力 of one KPI (content dict), by STATUS_RULE."""
    point = _latest_point(kpi)
    if point is None:
        return NO_DATA
    actual = _num(point["actual"])
    goal = _num((kpi.get("target") or {}).get("value"))
    down = direction_of(kpi) == DECREASE
    if goal is not None and (actual <= goal if down else actual >= goal):
        return ACHIEVED
    plan = planned_value(kpi, point)
    if plan is None:
        # A dated goal not reached, yet no baseline, no yearly target and no earlier
        # actual: nothing says where the KPI should stand by now.
        dated = goal is not None and (kpi.get("target") or {}).get("year") is not None
        return ONE_POINT if dated else NO_DATA
    return ON_TRACK if (actual <= plan if down else actual >= plan) else BEHIND


# ------------------------------------------------------------------ rows


@dataclass
class KpiRow:
    project_id: int
    number: int
    mark: str
    project_title: str
    lead_label: str
    organisation_ids: list[int]
    position: int
    name: str
    unit: str
    cumulative: bool
    baseline: str
    latest: str
    latest_year: str
    target: str
    target_year: int | None
    qualitative: bool
    rate: str
    change: str
    status: str
    history: list[tuple[int, Decimal | None, Decimal | None]] = field(default_factory=list)
    # The raw figures, for the spreadsheet (numbers stay numbers there).
    latest_value: Decimal | None = None
    target_value: Decimal | None = None
    rate_value: float | None = None
    change_value: Decimal | None = None

    @property
    def status_css(self) -> str:
        return STATUS_CSS[self.status]

    def plain(self) -> dict:
        """The row as the (database-free) appendix prints it."""
        return {"mark": self.mark, "project": self.project_title, "lead": self.lead_label,
                "kpi": self.name, "unit": self.unit, "baseline": self.baseline,
                "latest": self.latest, "latest_year": self.latest_year, "target": self.target,
                "target_year": self.target_year or "", "rate": self.rate,
                "change": self.change, "status": self.status, "qualitative": self.qualitative}


def _year_sheets(cycle: ReportingCycle, project_ids=None) -> list[Sheet]:
    query = (select(Sheet).join(Project).where(Sheet.cycle_id == cycle.id)
             .order_by(Project.number)
             .options(*content_loads()))
    if project_ids is not None:
        query = query.where(Sheet.project_id.in_(project_ids))
    return db.session.scalars(query).all()


def _histories(project_ids: list[int], year: int) -> dict[tuple[int, str], dict[int, tuple]]:
    """(project id, KPI name) -> year -> (target, actual), over every year in the
    database up to `year`: a later sheet's figure for a year wins over an earlier one."""
    rows = db.session.execute(
        select(Sheet.project_id, ReportingCycle.year, Kpi)
        .join(ReportingCycle, Sheet.cycle_id == ReportingCycle.id)
        .join(Kpi, Kpi.sheet_id == Sheet.id)
        .where(Sheet.project_id.in_(project_ids), ReportingCycle.year <= year)
        .order_by(ReportingCycle.year)
        .options(selectinload(Kpi.values))).all()
    found: dict[tuple[int, str], dict[int, tuple]] = {}
    for project_id, _, kpi in rows:
        points = found.setdefault((project_id, kpi.name), {})
        for v in kpi.values:
            if v.actual is not None or v.target is not None:
                old = points.get(v.year, (None, None))
                points[v.year] = (v.target if v.target is not None else old[0],
                                  v.actual if v.actual is not None else old[1])
    return found


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "－"
    return ("+" if value > 0 else "") + format_number(value) if value else "±0"


def progress_rows(cycle: ReportingCycle, project_ids=None) -> list[KpiRow]:
    """Every KPI of the cycle's sheets, in project and KPI order.
    `project_ids`: only those projects (a coordinator's own)."""
    sheets = _year_sheets(cycle, project_ids)
    histories = _histories([s.project_id for s in sheets], cycle.year)
    rows = []
    for sheet in sheets:
        content = sheet_to_dict(sheet)
        for position, kpi in enumerate(content["targets"]["kpis"]):
            rows.append(kpi_row(
                content, position, kpi, histories.get((sheet.project_id, kpi["name"]), {}),
                project_id=sheet.project_id,
                organisation_ids=[link.organisation_id for link in sheet.project.links]))
    return rows


def kpi_row(content: dict, position: int, kpi: dict, history: dict, *, project_id: int = 0,
            organisation_ids=()) -> KpiRow:
    """The row of one KPI of a sheet (content dict). `history`: year -> (target,
    actual) of the same KPI in every year's sheet, for 前年差 (empty: 「－」)."""
    point = _latest_point(kpi)
    target = kpi.get("target") or {}
    goal = _num(target.get("value"))
    baseline = kpi.get("baseline") or None
    latest = _num(point["actual"]) if point else None
    change = None
    if point is not None:
        before = history.get(point["year"] - 1, (None, None))[1]
        if before is not None:
            change = latest - before
    # 進捗率 exactly as the sheet prints it (webapp.printing.kpis).
    rate = progress_rate(printable(kpi))
    return KpiRow(
        project_id=project_id, number=content["number"],
        mark=circled(content["number"]), project_title=content["title"],
        lead_label=content["lead_label"], organisation_ids=list(organisation_ids),
        position=position, name=kpi["name"], unit=kpi.get("unit") or "",
        cumulative=bool(kpi.get("cumulative")),
        baseline=(f"{format_number(baseline.get('value'))}（{baseline.get('year')}）"
                  if baseline else "－"),
        latest=format_number(latest),
        latest_year=point_label(point) if point else "－",
        target=((target.get("text") or "").strip() or format_number(goal)),
        target_year=target.get("year"), qualitative=goal is None,
        rate=f"{rate * 100:.1f}％" if rate is not None else "－",
        change=_signed(change), status=kpi_status(kpi),
        history=[(y, t, a) for y, (t, a) in sorted(history.items())],
        latest_value=latest, target_value=goal, rate_value=rate, change_value=change)


def filter_rows(rows: list[KpiRow], status: str | None = None, organisation_id: int | None = None,
                project_number: int | None = None) -> list[KpiRow]:
    return [r for r in rows
            if (not status or r.status == status)
            and (not organisation_id or organisation_id in r.organisation_ids)
            and (not project_number or r.number == project_number)]


def appendix_rows(cycle: ReportingCycle) -> list[dict]:
    """The report appendix's lines: the same rows as the page, every project."""
    return [r.plain() for r in progress_rows(cycle)]


def appendix_of(contents: list[dict]) -> dict:
    """The appendix of sheets given as content dicts, without the database (no
    earlier years, so 前年差 is 「－」): what bench/screenshots.py prints."""
    return {"rule": STATUS_RULE,
            "rows": [kpi_row(content, position, kpi, {}).plain()
                     for content in contents
                     for position, kpi in enumerate((content.get("targets") or {}).get("kpis") or [])]}


def report_appendix(cycle: ReportingCycle) -> dict | None:
    """What the report meta carries for the appendix 「ＫＰＩ達成状況一覧」 (None when
    the year has it off): the rule and the rows, which change when any sheet of the
    year changes, approved or not. The report prints it after the sheets, in the
    same document (webapp/printing/appendix.py)."""
    if not cycle.kpi_appendix:
        return None
    return {"rule": STATUS_RULE, "rows": appendix_rows(cycle)}
