"""Organisations and projects: every change goes through one function here.

Each operation checks `can()`, validates, writes, flushes (the caller -- a
view or a command -- commits once) and leaves exactly one audit record.
Refusals raise CouncilError with a Japanese message shown as is.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp import audit
from webapp.cycles import latest_cycle
from webapp.extensions import db
from webapp.models import (NUMBER_RANGE, ORG_KINDS, Organisation, Project, ProjectOrganisation, ReportBuild,
                           ReportingCycle, Sheet, User)
from webapp.permissions import can
from webapp.timeutil import utcnow
from webapp.workflow import State



NAME_MAX, TITLE_MAX, LABEL_MAX = 200, 300, 300


class CouncilError(Exception):
    """A refused change; the message (Japanese) is shown to the user as is."""


class RenumberNeedsConfirmation(CouncilError):
    """Renumbering would reorder a report that has been built; ask first."""


def _require(actor: User, action: str) -> None:
    if not can(actor, action):
        raise CouncilError("この操作を行う権限がありません。")


def _flush(message: str) -> None:
    """Flush; a constraint the database refuses (two admins adding the same
    number at once) becomes a CouncilError, with the session rolled back so
    that the caller can go on (a refused operation writes nothing)."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise CouncilError(message) from None


def _changes(before: dict, after: dict) -> dict:
    return {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}


# ------------------------------------------------------------------ organisations

def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise CouncilError("組織名を入力してください。")
    if len(name) > NAME_MAX:
        raise CouncilError(f"組織名は{NAME_MAX}文字以内で入力してください。")
    return name


def _check_kind(kind: str) -> str:
    if kind not in ORG_KINDS:
        raise CouncilError("組織の種類を選んでください。")
    return kind


def _name_taken(name: str, exclude_id: int | None = None) -> bool:
    query = select(Organisation.id).where(Organisation.name == name)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    return db.session.scalar(query) is not None


def create_organisation(actor: User, name: str, kind: str) -> Organisation:
    _require(actor, "manage_organisations")
    name, kind = _clean_name(name), _check_kind(kind)
    if _name_taken(name):
        raise CouncilError(f"「{name}」は既に登録されています。")
    org = Organisation(name=name, kind=kind, active=True)
    db.session.add(org)
    _flush(f"「{name}」は既に登録されています。")
    audit.record(actor, "organisation_create", "organisation", org.id, summary=name,
                 changes={"name": [None, name], "kind": [None, kind]})
    return org


def update_organisation(actor: User, org: Organisation, name: str, kind: str,
                        active: bool = True) -> Organisation:
    """Rename, change the kind, or reactivate. A rename shows everywhere at once
    (pages read the name from here); printed sheets keep their lead label."""
    _require(actor, "manage_organisations")
    name, kind = _clean_name(name), _check_kind(kind)
    if _name_taken(name, org.id):
        raise CouncilError(f"「{name}」は既に登録されています。")
    before = {"name": org.name, "kind": org.kind, "active": org.active}
    org.name, org.kind, org.active = name, kind, bool(active)
    changes = _changes(before, {"name": name, "kind": kind, "active": org.active})
    _flush(f"「{name}」は既に登録されています。")
    audit.record(actor, "organisation_update", "organisation", org.id, summary=name,
                 changes=changes)
    return org


def organisation_usage(org: Organisation) -> dict[str, int]:
    """How many users and projects name the organisation (why it cannot be deleted)."""
    users = db.session.scalar(select(func.count()).select_from(User)
                              .where(User.organisation_id == org.id)) or 0
    projects = db.session.scalar(select(func.count()).select_from(ProjectOrganisation)
                                 .where(ProjectOrganisation.organisation_id == org.id)) or 0
    return {"users": users, "projects": projects}


def deactivate_organisation(actor: User, org: Organisation) -> Organisation:
    _require(actor, "manage_organisations")
    if not org.active:
        raise CouncilError(f"「{org.name}」は既に無効です。")
    org.active = False
    _flush("無効にできませんでした。")
    audit.record(actor, "organisation_deactivate", "organisation", org.id, summary=org.name,
                 changes={"active": [True, False]})
    return org


def delete_organisation(actor: User, org: Organisation) -> None:
    """Only an organisation nothing refers to: users, projects and last years'
    sheets name the others, which are deactivated instead."""
    _require(actor, "manage_organisations")
    usage = organisation_usage(org)
    if usage["users"] or usage["projects"]:
        raise CouncilError(
            f"「{org.name}」にはユーザー {usage['users']}名、プロジェクト {usage['projects']}件が"
            "登録されているため削除できません。過去の個票や記録が参照しているため、"
            "使わなくなった組織は「無効にする」を選んでください。")
    org_id, name = org.id, org.name
    db.session.delete(org)
    _flush(f"「{name}」は他の記録から参照されているため削除できません。")
    audit.record(actor, "organisation_delete", "organisation", org_id, summary=name,
                 changes={"name": [name, None]})


# ------------------------------------------------------------------ projects

@dataclass
class ProjectData:
    """What the project form gives: organisations by id, in label order."""
    number: int | None
    title: str
    lead_label: str
    lead_ids: list[int]
    co_ids: list[int]
    active: bool = True


def _validate(data: ProjectData, project: Project | None) -> list[Organisation]:
    if data.number is None or not NUMBER_RANGE[0] <= data.number <= NUMBER_RANGE[1]:
        raise CouncilError(f"番号は{NUMBER_RANGE[0]}～{NUMBER_RANGE[1]}の整数で入力してください。")
    title = (data.title or "").strip()
    label = (data.lead_label or "").strip()
    if not title:
        raise CouncilError("プロジェクト名を入力してください。")
    if len(title) > TITLE_MAX:
        raise CouncilError(f"プロジェクト名は{TITLE_MAX}文字以内で入力してください。")
    if not label:
        raise CouncilError("印刷する幹事の表記（例：大分県（福岡県・宮崎県））を入力してください。")
    if len(label) > LABEL_MAX:
        raise CouncilError(f"幹事の表記は{LABEL_MAX}文字以内で入力してください。")
    if not data.lead_ids:
        raise CouncilError("幹事の組織を1つ以上選んでください。")
    ids = list(data.lead_ids) + list(data.co_ids)
    if len(set(ids)) != len(ids):
        raise CouncilError("同じ組織を幹事と共同幹事に重ねて、または二度選ぶことはできません。")
    orgs = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)))}
    if len(orgs) != len(ids):
        raise CouncilError("選んだ組織が見つかりません。画面を開き直してください。")
    already = {link.organisation_id for link in project.links} if project else set()
    inactive = [orgs[i].name for i in ids if not orgs[i].active and i not in already]
    if inactive:
        raise CouncilError(f"無効な組織は選べません：{'、'.join(inactive)}")
    clash = select(Project.id).where(Project.number == data.number)
    if project is not None:
        clash = clash.where(Project.id != project.id)
    if db.session.scalar(clash) is not None:
        raise CouncilError(f"番号 {data.number} は既に他のプロジェクトが使っています。")
    data.title, data.lead_label = title, label
    return [orgs[i] for i in ids]


def _set_links(project: Project, data: ProjectData, orgs: dict[int, Organisation]) -> None:
    project.links = (
        [ProjectOrganisation(organisation=orgs[i], role="lead", position=n)
         for n, i in enumerate(data.lead_ids)]
        + [ProjectOrganisation(organisation=orgs[i], role="co", position=n)
           for n, i in enumerate(data.co_ids)])


def _links_summary(project: Project) -> dict:
    return {"lead": [o.name for o in project.lead_organisations],
            "co": [o.name for o in project.co_organisations]}


def open_year() -> ReportingCycle | None:
    """The year a new project joins at once: the latest cycle, when it is open.
    (An older year re-opened for corrections gets no new projects.)"""
    latest = latest_cycle()
    return latest if latest is not None and latest.is_open else None


def _join_open_year(project: Project, actor: User) -> Sheet | None:
    """A 未着手 sheet in the open year, as opening the year would have made it."""
    cycle = open_year()
    if cycle is None:
        return None
    exists = db.session.scalar(select(Sheet.id).where(Sheet.project_id == project.id,
                                                      Sheet.cycle_id == cycle.id))
    if exists is not None:
        return None
    now = utcnow()
    sheet = Sheet(project=project, cycle=cycle, state=State.NOT_STARTED.value, version=1,
                  created_at=now, updated_at=now, updated_by_id=None)  # nobody has saved it
    db.session.add(sheet)
    return sheet


def create_project(actor: User, data: ProjectData) -> Project:
    _require(actor, "manage_projects")
    orgs = {o.id: o for o in _validate(data, None)}
    project = Project(number=data.number, title=data.title, lead_label=data.lead_label,
                      active=bool(data.active))
    _set_links(project, data, orgs)
    db.session.add(project)
    _flush(f"番号 {data.number} は既に他のプロジェクトが使っています。")
    sheet = _join_open_year(project, actor) if project.active else None
    _flush("個票を作成できませんでした。")
    summary = f"{project.circled_number} {project.title}"
    if sheet is not None:
        summary += f"（{sheet.cycle.year}年度の個票を未着手で作成）"
    audit.record(actor, "project_create", "project", project.id, summary=summary,
                 changes={"number": [None, project.number], "title": [None, project.title],
                          "lead_label": [None, project.lead_label],
                          **{k: [None, v] for k, v in _links_summary(project).items()},
                          "active": [None, project.active]})
    return project


def built_years(project: Project) -> list[int]:
    """Years with a report build that prints this project (renumbering reorders it)."""
    return list(db.session.scalars(
        select(ReportingCycle.year).distinct()
        .join(ReportBuild, ReportBuild.cycle_id == ReportingCycle.id)
        .join(Sheet, Sheet.cycle_id == ReportingCycle.id)
        .where(Sheet.project_id == project.id, ReportBuild.status != "failed")
        .order_by(ReportingCycle.year)))


def project_sheets(project: Project) -> list[Sheet]:
    """The project's sheets, oldest year first: what ending the project keeps."""
    return list(db.session.scalars(
        select(Sheet).join(ReportingCycle).where(Sheet.project_id == project.id)
        .order_by(ReportingCycle.year)))


def update_project(actor: User, project: Project, data: ProjectData,
                   confirm_renumber: bool = False) -> Project:
    """Edit a project. A lead change takes effect for editing at once (permissions
    read the links); approved sheets keep the label they were approved with."""
    _require(actor, "manage_projects")
    orgs = {o.id: o for o in _validate(data, project)}
    if data.number != project.number and not confirm_renumber:
        years = built_years(project)
        if years:
            raise RenumberNeedsConfirmation(
                f"{'・'.join(f'{y}年度' for y in years)}の報告書が既に作成されています。"
                "番号を変えると報告書の掲載順、目次としおりが変わります。"
                "それでも変更する場合は「番号の変更を確認しました」に印を付けて保存してください。")
    before = {"number": project.number, "title": project.title,
              "lead_label": project.lead_label, **_links_summary(project),
              "active": project.active}
    if data.lead_label != project.lead_label:
        _keep_approved_labels(project)
    project.number, project.title, project.lead_label = data.number, data.title, data.lead_label
    project.active = bool(data.active)
    if [(l.organisation_id, l.role) for l in project.links] != (
            [(i, "lead") for i in data.lead_ids] + [(i, "co") for i in data.co_ids]):
        # Delete the old links first: the new ones may reuse (project, organisation).
        project.links = []
        db.session.flush()
        _set_links(project, data, orgs)
    _flush(f"番号 {data.number} は既に他のプロジェクトが使っています。")
    if project.active and not before["active"]:
        _join_open_year(project, actor)
    _flush("個票を作成できませんでした。")
    after = {"number": project.number, "title": project.title,
             "lead_label": project.lead_label, **_links_summary(project),
             "active": project.active}
    audit.record(actor, "project_update", "project", project.id,
                 summary=f"{project.circled_number} {project.title}",
                 changes=_changes(before, after))
    return project


def _keep_approved_labels(project: Project) -> None:
    """Approved sheets not yet holding a label get the one they were printed with."""
    for sheet in db.session.scalars(select(Sheet).where(
            Sheet.project_id == project.id, Sheet.state == State.APPROVED.value,
            Sheet.approved_lead_label.is_(None))):
        sheet.approved_lead_label = project.lead_label


def deactivate_project(actor: User, project: Project) -> Project:
    """Keeps every sheet; the next year's opening leaves the project out."""
    _require(actor, "manage_projects")
    if not project.active:
        raise CouncilError(f"{project.circled_number} は既に終了（無効）になっています。")
    project.active = False
    _flush("無効にできませんでした。")
    audit.record(actor, "project_deactivate", "project", project.id,
                 summary=f"{project.circled_number} {project.title}",
                 changes={"active": [True, False]})
    return project


def forget_label_on_reopen(sheet: Sheet, transition=None, actor=None) -> None:
    """A reopened sheet is edited under the project's current label, and a new
    approval prints that; only a sheet still approved keeps its old one."""
    if transition is not None and transition.from_state == State.APPROVED.value:
        sheet.approved_lead_label = None


def set_kpi_appendix(actor: User, cycle: ReportingCycle, on: bool) -> ReportingCycle:
    """Print (or not) the 「ＫＰＩ達成状況一覧」 after the sheets of this year's report."""
    _require(actor, "build_report")
    before = cycle.kpi_appendix
    cycle.kpi_appendix = bool(on)
    _flush("設定を保存できませんでした。")
    audit.record(actor, "cycle_kpi_appendix", "cycle", cycle.id, summary=f"{cycle.year}年度",
                 changes={"kpi_appendix": [before, cycle.kpi_appendix]})
    return cycle
