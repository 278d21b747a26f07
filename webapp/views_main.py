"""Home pages and the read-only sheet page."""
from __future__ import annotations


from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import listing, storage
from webapp.extensions import db
from webapp.models import ReportingCycle, Sheet
from webapp.pagination import WORKBOOK_SHEETS, paginate
from webapp.permissions import can, sheet_or_404
from webapp.sheet_schema import LEFT, RIGHT, schema, using
from webapp.sheet_content import sheet_to_dict
from webapp.workflow import State, transitions_from

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    cycles = listing.cycles_desc()
    projects = listing.projects_for(current_user)
    if can(current_user, "view_all"):
        year = request.args.get("year", type=int) or (cycles[0].year if cycles else None)
        cycle = next((c for c in cycles if c.year == year), None)
        if year is not None and cycle is None and cycles:
            abort(404)
        # Everyone's sheets are counted (one query); the list shows a page of them.
        counts = listing.state_counts(cycle, projects) if cycle else {s: 0 for s in State}
        pager = paginate(len(projects), request.args.get("page"))
        projects = pager.rows(projects)
        sheets = listing.sheets_for_year(cycle, projects) if cycle else {}
        return render_template("main/home_reviewer.html", cycles=cycles, cycle=cycle,
                               projects=projects, sheets=sheets, counts=counts, pager=pager)
    by_cycle = [(c, listing.sheets_for_year(c, projects)) for c in cycles]
    return render_template("main/home_coordinator.html", projects=projects, by_cycle=by_cycle,
                           workbook_parts=lambda count: paginate(count, None, WORKBOOK_SHEETS))


@bp.route("/sheets/<int:sheet_id>")
@login_required
def sheet(sheet_id: int):
    sheet = sheet_or_404(current_user, sheet_id)
    year = sheet.cycle.year
    actions = [t for t in transitions_from(sheet.state) if can(current_user, t.name, sheet)
               and t.name != "edit"]
    others = db.session.scalars(
        select(Sheet).join(ReportingCycle).where(Sheet.project_id == sheet.project_id)
        .order_by(ReportingCycle.year.desc())).all()
    content = sheet_to_dict(sheet)
    sheet_schema = schema(year)
    with using(sheet_schema):  # the KPI block's words (webapp.printing.kpis) are the year's too
        return render_template("main/sheet.html", sheet=sheet, year=year, schema=sheet_schema,
                               columns=(LEFT, RIGHT), content=content,
                               filled=sheet_schema.filled(content), actions=actions,
                               others=others, can_edit=can(current_user, "edit_sheet", sheet))


@bp.route("/sheets/<int:sheet_id>/figures/<int:figure_id>")
@login_required
def figure_image(sheet_id: int, figure_id: int):
    """An uploaded figure, only to those who may read its sheet."""
    sheet = sheet_or_404(current_user, sheet_id)
    figure = next((f for f in sheet.figures if f.id == figure_id and f.image_file), None)
    if figure is None:
        abort(404)
    name = figure.image_file
    return storage.send("uploads", name, "image/png" if name.endswith(".png") else "image/jpeg")
