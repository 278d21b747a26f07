"""Organisations and projects (admins), KPI progress (reviewers; coordinators their own).

Views parse the form, call one operation, commit once, and render.
"""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from forms.council import (CO_SLOT_LABEL, CO_SLOTS, LEAD_SLOT_LABEL, LEAD_SLOTS, ORGANISATION_LABELS,
                           PROJECT_LABELS, OrganisationForm, ProjectForm)
from webapp.council import bp, operations as ops, progress
from webapp.council.chart import chart_text, history_svg
from webapp.cycles import cycle_or_404, latest_cycle
from webapp.extensions import db
from webapp.models import NUMBER_RANGE, ORG_KINDS, Organisation, Project, ProjectOrganisation, ReportingCycle
from webapp.pagination import paginate
from webapp.permissions import require
from webapp.sheet_schema import schema

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _refused(form) -> bool:
    """Flash the form's messages when it refuses what was posted (control characters,
    ids out of range); the view then shows the form again with a 400."""
    if form.validate():
        return False
    for message in form.error_messages():
        flash(message, "danger")
    return True


def _organisations(include_inactive: bool = True) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.id)
    if not include_inactive:
        query = query.where(Organisation.active.is_(True))
    return db.session.scalars(query).all()


# ------------------------------------------------------------------ organisations

@bp.route("/admin/organisations", methods=["GET", "POST"])
@login_required
def organisations():
    require(current_user, "manage_organisations")
    status = 200
    if request.method == "POST":
        form = OrganisationForm()
        try:
            if _refused(form):
                status = 400
            else:
                org = ops.create_organisation(current_user, form.name.data, form.kind.data or "")
                db.session.commit()
                flash(f"「{org.name}」を追加しました。", "success")
                return redirect(url_for("council.organisations"))
        except ops.CouncilError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    orgs = _organisations()
    usage = {o.id: ops.organisation_usage(o) for o in orgs}
    return render_template("council/organisations.html", orgs=orgs, usage=usage, kinds=ORG_KINDS,
                           labels=ORGANISATION_LABELS,
                           form=request.form), status


def _organisation_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


@bp.route("/admin/organisations/<int:org_id>", methods=["GET", "POST"])
@login_required
def edit_organisation(org_id: int):
    require(current_user, "manage_organisations")
    org = _organisation_or_404(org_id)
    status = 200
    if request.method == "POST":
        form = OrganisationForm()
        try:
            if _refused(form):
                status = 400
            else:
                ops.update_organisation(current_user, org, form.name.data, form.kind.data or "",
                                        active=form.active.data == "1")
                db.session.commit()
                flash(f"「{org.name}」を更新しました。", "success")
                return redirect(url_for("council.organisations"))
        except ops.CouncilError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    return render_template("council/organisation_form.html", org=org, kinds=ORG_KINDS,
                           labels=ORGANISATION_LABELS,
                           usage=ops.organisation_usage(org), form=request.form), status


@bp.route("/admin/organisations/<int:org_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate_organisation(org_id: int):
    """GET asks first, saying what follows; POST deactivates."""
    require(current_user, "manage_organisations")
    org = _organisation_or_404(org_id)
    if request.method == "GET":
        return render_template("council/deactivate_organisation.html", org=org,
                               usage=ops.organisation_usage(org))
    try:
        ops.deactivate_organisation(current_user, org)
        db.session.commit()
    except ops.CouncilError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        flash(f"「{org.name}」を無効にしました。所属ユーザーやプロジェクトの記録はそのまま残ります。",
              "success")
    return redirect(url_for("council.organisations"))


@bp.route("/admin/organisations/<int:org_id>/delete", methods=["GET", "POST"])
@login_required
def delete_organisation(org_id: int):
    """GET asks first (a deletion cannot be undone); POST deletes."""
    require(current_user, "manage_organisations")
    org = _organisation_or_404(org_id)
    if request.method == "GET":
        return render_template("council/delete_organisation.html", org=org,
                               usage=ops.organisation_usage(org))
    name = org.name
    try:
        ops.delete_organisation(current_user, org)
        db.session.commit()
    except ops.CouncilError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        flash(f"「{name}」を削除しました。", "success")
    return redirect(url_for("council.organisations"))


# ------------------------------------------------------------------ projects

@bp.route("/admin/projects")
@login_required
def projects():
    require(current_user, "manage_projects")
    pager = paginate(db.session.scalar(select(func.count()).select_from(Project)), request.args.get("page"))
    rows = db.session.scalars(select(Project).order_by(Project.number).options(
        selectinload(Project.links).selectinload(ProjectOrganisation.organisation))
        .limit(pager.per_page).offset(pager.offset)).all()
    return render_template("council/projects.html", projects=rows, pager=pager, open_year=ops.open_year())


def _project_data(form: ProjectForm) -> ops.ProjectData:
    lead = [form[f"lead_{i}"].data for i in range(LEAD_SLOTS)]
    co = [form[f"co_{i}"].data for i in range(CO_SLOTS)]
    return ops.ProjectData(number=_int(form.number.data), title=form.title.data or "",
                           lead_label=form.lead_label.data or "",
                           lead_ids=[i for i in lead if i], co_ids=[i for i in co if i],
                           active=form.active.data == "1")


def _form_values(project: Project | None) -> dict:
    """What the form shows: the submitted values after a refusal, else the project's."""
    if request.method == "POST":
        return request.form.to_dict()
    if project is None:
        return {"active": "1"}
    values = {"number": project.number, "title": project.title,
              "lead_label": project.lead_label, "active": "1" if project.active else ""}
    for i, org in enumerate(project.lead_organisations):
        values[f"lead_{i}"] = org.id
    for i, org in enumerate(project.co_organisations):
        values[f"co_{i}"] = org.id
    return values


def _project_form(project: Project | None, needs_confirm: bool = False, status: int = 200):
    return render_template("council/project_form.html", project=project,
                           values=_form_values(project), orgs=_organisations(),
                           lead_slots=LEAD_SLOTS, co_slots=CO_SLOTS, lead_slot_label=LEAD_SLOT_LABEL,
                           co_slot_label=CO_SLOT_LABEL, open_year=ops.open_year(),
                           needs_confirm=needs_confirm, labels=PROJECT_LABELS, number_range=NUMBER_RANGE,
                           built_years=ops.built_years(project) if project else []), status


@bp.route("/admin/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    require(current_user, "manage_projects")
    if request.method == "POST":
        form = ProjectForm()
        if _refused(form):
            return _project_form(None, status=400)
        try:
            project = ops.create_project(current_user, _project_data(form))
            db.session.commit()
        except ops.CouncilError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            message = f"{project.circled_number} {project.title} を追加しました。"
            sheet_year = ops.open_year()
            if project.active and sheet_year is not None:
                message += f"{sheet_year.year}年度の個票を「未着手」で作成しました。"
            flash(message, "success")
            return redirect(url_for("council.projects"))
    return _project_form(None)


def _project_or_404(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    return project


@bp.route("/admin/projects/<int:project_id>", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    require(current_user, "manage_projects")
    project = _project_or_404(project_id)
    needs_confirm = False
    if request.method == "POST":
        form = ProjectForm()
        if _refused(form):
            return _project_form(project, status=400)
        try:
            ops.update_project(current_user, project, _project_data(form),
                               confirm_renumber=form.confirm_renumber.data == "1")
            db.session.commit()
        except ops.RenumberNeedsConfirmation as exc:
            db.session.rollback()
            flash(str(exc), "warning")
            needs_confirm = True
        except ops.CouncilError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(f"{project.circled_number} {project.title} を更新しました。", "success")
            return redirect(url_for("council.projects"))
        project = _project_or_404(project_id)
    return _project_form(project, needs_confirm)


@bp.route("/admin/projects/<int:project_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate_project(project_id: int):
    """GET asks first, saying what follows; POST ends the project."""
    require(current_user, "manage_projects")
    project = _project_or_404(project_id)
    if request.method == "GET":
        return render_template("council/deactivate_project.html", project=project,
                               sheets=ops.project_sheets(project), open_year=ops.open_year())
    try:
        ops.deactivate_project(current_user, project)
        db.session.commit()
    except ops.CouncilError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        flash(f"{project.circled_number} {project.title} を終了（無効）にしました。これまでの個票は残り、"
              "次の年度からは個票が作られません。", "success")
    return redirect(url_for("council.projects"))


# ------------------------------------------------------------------ KPI progress

def _own_project_ids() -> list[int] | None:
    """None for reviewers (every project); else the projects the user's
    organisation leads or co-leads."""
    if current_user.is_reviewer:
        return None
    return list(db.session.scalars(select(ProjectOrganisation.project_id).where(
        ProjectOrganisation.organisation_id == current_user.organisation_id)))


def _filtered_rows(cycle: ReportingCycle):
    rows = progress.progress_rows(cycle, _own_project_ids())
    status = request.args.get("status") or None
    if status not in progress.STATUSES:
        status = None
    org_id = _int(request.args.get("org"))
    number = _int(request.args.get("project"))
    return rows, progress.filter_rows(rows, status, org_id, number), status, org_id, number


@bp.route("/kpis")
@login_required
def kpi_index():
    require(current_user, "view_kpi_progress")
    latest = latest_cycle()
    if latest is None:
        flash("年度がまだありません。", "info")
        return redirect(url_for("main.home"))
    return redirect(url_for("council.kpi_progress", year=latest.year))


@bp.route("/kpis/<int:year>")
@login_required
def kpi_progress(year: int):
    require(current_user, "view_kpi_progress")
    cycle = cycle_or_404(year)
    all_rows, rows, status, org_id, number = _filtered_rows(cycle)
    org_ids = {i for r in all_rows for i in r.organisation_ids}
    orgs = [o for o in _organisations() if o.id in org_ids]
    projects_seen = {r.number: f"{r.mark} {r.project_title}" for r in all_rows}
    counts = {s: sum(1 for r in rows if r.status == s) for s in progress.STATUSES}
    years = db.session.scalars(select(ReportingCycle.year).order_by(ReportingCycle.year)).all()
    pager = paginate(len(rows), request.args.get("page"))
    page = pager.rows(rows)
    return render_template(
        "council/kpis.html", cycle=cycle, schema=schema(cycle.year),
        rows=[r for r in page if not r.qualitative],
        qualitative=[r for r in page if r.qualitative], pager=pager, total=len(rows), counts=counts,
        statuses=progress.STATUSES, rule=progress.STATUS_RULE, status=status, org_id=org_id,
        number=number, orgs=orgs, projects=projects_seen, years=years,
        chart=history_svg, chart_text=chart_text)


@bp.route("/kpis/<int:year>/kpis.xlsx")
@login_required
def kpi_progress_xlsx(year: int):
    require(current_user, "view_kpi_progress")
    cycle = cycle_or_404(year)
    _, rows, *_ = _filtered_rows(cycle)
    from webapp.council import spreadsheet  # openpyxl: loaded when a workbook is asked for
    return send_file(io.BytesIO(spreadsheet.workbook(cycle, rows)), mimetype=XLSX,
                     as_attachment=True, download_name=f"KPI達成状況_{year}年度.xlsx")


@bp.route("/kpis/<int:year>/appendix", methods=["POST"])
@login_required
def kpi_appendix_switch(year: int):
    """The secretariat's per-year switch for the report's KPI appendix."""
    require(current_user, "build_report")
    cycle = cycle_or_404(year)
    ops.set_kpi_appendix(current_user, cycle, request.form.get("on") == "1")
    db.session.commit()
    flash(f"{year}年度の報告書に「ＫＰＩ達成状況一覧」を"
          + ("付けます。" if cycle.kpi_appendix else "付けません。"), "success")
    target = request.form.get("next")
    if target not in ("reports", "kpis"):
        target = "kpis"
    if target == "reports":
        return redirect(url_for("reports.year_builds", year=year))
    return redirect(url_for("council.kpi_progress", year=year))
