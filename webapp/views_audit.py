"""The audit trail for admins: /admin/audit (filters, pages) and /admin/audit.csv."""
from __future__ import annotations


from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.audit import AuditFilterForm
from webapp import audit
from webapp.extensions import db
from webapp.ids import parse_id
from webapp.safecells import csv_text
from webapp.models import AuditEvent, Project, ReportingCycle, Sheet, User
from webapp.pagination import paginate
from webapp.permissions import require
from webapp.timeutil import format_datetime

bp = Blueprint("audit", __name__, url_prefix="/admin")

# A download is bounded like every request; narrower filters give the rest.
CSV_MAX_ROWS = 50_000


def _choices(form: AuditFilterForm) -> None:
    sheets = db.session.execute(
        select(Sheet.id, ReportingCycle.year, Project.number, Project.title)
        .join(ReportingCycle, Sheet.cycle_id == ReportingCycle.id)
        .join(Project, Sheet.project_id == Project.id)
        .order_by(ReportingCycle.year.desc(), Project.number)).all()
    form.sheet.choices = [("", "すべて")] + [
        (str(s.id), f"{s.year}年度 {s.number}番 {s.title}") for s in sheets]
    users = db.session.scalars(select(User).order_by(User.system.desc(), User.display_name,
                                                     User.email)).all()
    form.user.choices = [("", "すべて")] + [
        (str(u.id), f"{u.display_name}（{u.email}）") for u in users]


def _filter() -> tuple[AuditFilterForm, audit.AuditFilter | None]:
    """The form and the filter it asks for; None (and errors on the form) when it is not valid."""
    form = AuditFilterForm(request.args)
    _choices(form)
    if not form.validate():
        return form, None
    return form, audit.AuditFilter(
        sheet_id=parse_id(form.sheet.data) if form.sheet.data else None,
        actor_id=parse_id(form.user.data) if form.user.data else None,
        date_from=form.date_from.data, date_to=form.date_to.data)


@bp.route("/audit")
@login_required
def events():
    require(current_user, "view_audit")
    form, wanted = _filter()
    if wanted is None:
        return render_template("admin/audit.html", form=form, events=[], total=0, page=1,
                               pages=1, pager=paginate(0, None), args={}), 400
    total = audit.count(wanted)
    pager = paginate(total, request.args.get("page"))
    rows = db.session.scalars(audit.query(wanted).limit(pager.per_page).offset(pager.offset)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, events=rows, total=total, page=pager.page,
                           pages=pager.pages, pager=pager, args=args, describe=audit.describe_changes,
                           actor_name=audit.actor_name)


HEADER = ["日時（日本時間）", "操作者", "操作者のメールアドレス", "操作", "対象", "対象ID", "概要",
          "変更内容"]


def _row(event: AuditEvent) -> list[str]:
    changes = "\n".join(f"{label}: {before} → {after}"
                        for label, before, after in audit.describe_changes(event))
    return [str(v) for v in (
        format_datetime(event.at), audit.actor_name(event),
        event.actor.email if event.actor else "", event.action_label, event.object_label,
        event.object_id if event.object_id is not None else "", event.summary, changes)]


@bp.route("/audit.csv")
@login_required
def events_csv():
    require(current_user, "view_audit")
    form, wanted = _filter()
    if wanted is None:
        message = "、".join(e for errs in form.errors.values() for e in errs)
        return Response(f"絞り込みの条件が正しくありません：{message}\n", status=400,
                        mimetype="text/plain")
    text = csv_text(HEADER, (_row(event) for event in
                             db.session.scalars(audit.query(wanted).limit(CSV_MAX_ROWS))))
    # UTF-8 with a BOM, so that Excel on Japanese Windows opens it without garbling.
    response = Response(("\ufeff" + text).encode("utf-8"),
                        mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        "attachment; filename=audit.csv; filename*=UTF-8''%E6%93%8D%E4%BD%9C%E5%B1%A5%E6%AD%B4.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response
