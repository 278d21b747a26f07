"""Routes of the review area. Each handler loads its object and checks access first.

Workflow steps (confirm, then take), comments, history and comparison,
the secretariat's dashboard and its downloads, and the admin's list of sent
mail. Who may do what is decided by webapp.permissions alone.
"""
from __future__ import annotations

from flask import (Response, abort, flash, redirect, render_template, request, url_for)
from flask_login import current_user, login_required

from forms.review import CommentForm, DashboardFilterForm, ResolveForm, StepForm
from webapp import listing
from webapp import mail as mailbox
from webapp.extensions import db
from webapp.sheet_anchors import sheet_page_anchor
from webapp.ids import parse_id
from webapp.models import Comment, ReportingCycle
from webapp.operations import StaleStateError
from webapp.pagination import paginate
from webapp.permissions import WITHDRAW_RULE, can, require, sheet_or_404
from webapp.review import actions, bp, comments, compare as comparing, dashboard, flags, history
from webapp.sheet_schema import schema
from webapp.timeutil import today_jst
from webapp.workflow import State


# --- workflow steps -----------------------------------------------------------------------

@bp.route("/sheets/<int:sheet_id>/steps/<name>", methods=["GET", "POST"])
@login_required
def step(sheet_id: int, name: str):
    """The confirmation page of a step (GET) and taking it (POST).

    A step refused because the sheet changed meanwhile answers 409 and shows
    the page again with the user's comment still in the box.
    """
    if name not in actions.REVIEW_STEPS:
        abort(404)
    sheet = sheet_or_404(current_user, sheet_id)
    try:
        actions.check_role(current_user, sheet, name)
    except actions.NotPermitted:
        abort(403)
    t = actions.step(name)
    form = StepForm()
    error, problems, status, stale = None, [], 200, False
    # A submission carries the version it was confirmed for (absent on a page
    # from before there was one: then the version checked at this post).
    posted_version = form.expected_version.data or None
    if request.method == "GET":
        form.expected_state.data = sheet.state
        form.expected_version.data = str(sheet.version)
        error = actions.state_problem(current_user, sheet, name)
        if error:
            status, stale = 409, True
        elif name == "submit":
            problems = actions.submit_problems(sheet)
    elif not form.validate_on_submit() or (t.comment_required and not form.require_comment(t.label)):
        status = 400
        if form.expected_state.errors:  # only a page not loaded from here lacks it
            error = "操作する前の状態を確認できませんでした。現在の状態を確認してから、もう一度確定してください。"
            form.expected_state.data = sheet.state
    elif posted_version is not None and parse_id(posted_version) is None:
        error, status = "確認した内容の版を読み取れませんでした。もう一度確認してから確定してください。", 400
        form.expected_version.data = str(sheet.version)
        problems = actions.submit_problems(sheet) if name == "submit" else []
    else:
        try:
            actions.perform(current_user, sheet, name, form.comment.data or "",
                            expected_state=form.expected_state.data,
                            sections=form.sections.data if name == actions.FLAGGING_STEP else None,
                            confirm_unchanged=bool(form.confirm_unchanged.data),
                            expected_version=parse_id(posted_version) if posted_version else None)
            db.session.commit()
        except actions.ContentChangedError as exc:
            # Saved since the confirmation: confirm again, on the content saved now.
            db.session.rollback()
            error, status = str(exc), 409
            form.expected_version.data = str(sheet.version)
            problems = actions.submit_problems(sheet)
        except StaleStateError as exc:
            db.session.rollback()
            error, status, stale = str(exc), 409, True
        except actions.InvalidInput as exc:
            db.session.rollback()
            error, status = str(exc), 400
        except actions.Unconfirmed as exc:
            db.session.rollback()
            error, status = str(exc), 409
        except actions.Refused as exc:
            db.session.rollback()
            error, problems, status = str(exc), exc.problems, 409
        except actions.NotPermitted:
            db.session.rollback()
            abort(403)
        else:
            flash(f"{t.done}。個票は「{State(sheet.state).label}」になりました。", "success")
            return redirect(url_for("main.sheet", sheet_id=sheet.id))
    warnings = actions.step_warnings(sheet, name) if not stale else None
    return render_template("review/step.html", sheet=sheet, step=t, name=name, form=form,
                           error=error, problems=problems, stale=stale,
                           open_comments=comments.open_count(sheet),
                           can_comment=can(current_user, "comment", sheet),
                           flag_choices=_flag_choices(sheet) if name == actions.FLAGGING_STEP else [],
                           warnings=warnings), status


def _flag_choices(sheet) -> list[tuple[str, str]]:
    """(key, label) of every section a return may flag, as a reader meets them."""
    return [(s.key, comments.label(sheet, s.key)) for s in schema(sheet.cycle.year).printed_order]


# --- comments -----------------------------------------------------------------------------

# The one other page a comment is posted from. A named place, not a URL, so that
# nothing posted can send the user elsewhere.
EDITOR = "editor"


def _back(sheet, section: str | None, return_to: str | None = None) -> str:
    """The sheet page (or the editor it was posted from), scrolled to the section's comments."""
    anchor = f"comments-{section or 'sheet'}"
    if return_to == EDITOR:
        return url_for("editing.edit_sheet", sheet_id=sheet.id, _anchor=anchor)
    return url_for("main.sheet", sheet_id=sheet.id, _anchor=anchor)


@bp.route("/sheets/<int:sheet_id>/comments", methods=["POST"])
@login_required
def add_comment(sheet_id: int):
    sheet = sheet_or_404(current_user, sheet_id, "comment")
    form = CommentForm()
    section = form.section.data or None
    parent = None
    if form.parent_id.data:
        parent_id = parse_id(form.parent_id.data)
        if parent_id is None:
            abort(400)
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.sheet_id != sheet.id:
            abort(404)
        section = parent.section
    if section is not None and section not in schema(sheet.cycle.year):
        abort(400)
    if form.validate_on_submit():
        try:
            comments.add_comment(current_user, sheet, form.body.data, section=section, parent=parent)
            db.session.commit()
        except comments.CommentError as exc:
            db.session.rollback()
            form.body.errors = [str(exc)]
        else:
            flash("コメントを投稿しました。", "success")
            return redirect(_back(sheet, section, form.return_to.data))
    # Shown again with what was typed, never lost.
    return render_template("review/comment_form.html", sheet=sheet, form=form, parent=parent,
                           section=section, section_label=comments.label(sheet, section),
                           back=_back(sheet, section, form.return_to.data)), 400


@bp.route("/comments/<int:comment_id>/resolution", methods=["POST"])
@login_required
def resolve_comment(comment_id: int):
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    sheet = sheet_or_404(current_user, comment.sheet_id, "comment")
    form = ResolveForm()
    if not form.validate_on_submit() or form.resolved.data not in ("1", "0"):
        abort(400)
    try:
        comments.set_resolved(current_user, comment, form.resolved.data == "1")
        db.session.commit()
    except comments.CommentError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash("コメントを解決済みにしました。" if comment.resolved else "コメントを未解決に戻しました。",
              "success")
    return redirect(_back(sheet, comment.section, form.return_to.data))


# --- history and comparison ---------------------------------------------------------------

@bp.route("/sheets/<int:sheet_id>/history", endpoint="history")
@login_required
def history_page(sheet_id: int):
    sheet = sheet_or_404(current_user, sheet_id)
    sources = history.sources(sheet)
    a, b = history.default_pair(sheet, sources)
    threads = comments.threads_in_order(sheet)
    return render_template("review/history.html", sheet=sheet, versions=history.versions(sheet),
                           sources=sources, a=a, b=b, threads=threads,
                           previous_pair=history.previous_submission_pair(sheet),
                           has_last_year=history.find(sources, history.LAST_YEAR) is not None,
                           section_label=lambda key: comments.label(sheet, key))


@bp.route("/sheets/<int:sheet_id>/compare")
@login_required
def compare(sheet_id: int):
    sheet = sheet_or_404(current_user, sheet_id)
    sources = history.sources(sheet)
    default_a, default_b = history.default_pair(sheet, sources)
    a = history.find(sources, request.args.get("a") or default_a)
    b = history.find(sources, request.args.get("b") or default_b)
    if a is None or b is None:
        abort(404)
    result = comparing.compare(a.content, b.content, b.year, left_year=a.year)
    only_changed = request.args.get("all") != "1"
    flag = flags.review(sheet)
    # On the pair the return asked about, the flagged sections come first and always show.
    flagged = flag.sections if flag is not None and (a.key, b.key) == (flag.before, flag.after) else []
    fields = ([f for key in flagged for f in result.fields if f.key == key]
              + [f for f in result.fields if f.key not in flagged])
    rows = [f for f in fields if f.changed or not only_changed or f.key in flagged]
    return render_template("review/compare.html", sheet=sheet, sources=sources, a=a, b=b,
                           result=result, only_changed=only_changed, rows=rows, flag=flag,
                           flagged=flagged,
                           previous_pair=history.previous_submission_pair(sheet),
                           has_last_year=history.find(sources, history.LAST_YEAR) is not None)


# --- the secretariat's dashboard ----------------------------------------------------------

def _cycle_or_404(year: int | None) -> ReportingCycle | None:
    cycles = listing.cycles_desc()
    if year is None:
        return cycles[0] if cycles else None
    cycle = next((c for c in cycles if c.year == year), None)
    if cycle is None:
        abort(404)
    return cycle


def _filtered(cycle):
    rows = dashboard.rows_for(cycle)
    form = DashboardFilterForm(request.args)
    form.state.choices = [("", "すべて")] + [(s.value, s.label) for s in State]
    orgs = dashboard.lead_organisations(rows)
    form.org.choices = [("", "すべて")] + [(str(o.id), o.name) for o in orgs]
    state = form.state.data if form.state.data in {s.value for s in State} else None
    org_id = parse_id(form.org.data)
    return rows, dashboard.filter_rows(rows, state, org_id), form, state, org_id


@bp.route("/dashboard", endpoint="dashboard")
@bp.route("/dashboard/<int:year>", endpoint="dashboard")
@login_required
def dashboard_page(year: int | None = None):
    require(current_user, "view_dashboard")
    cycle = _cycle_or_404(year)
    if cycle is None:
        return render_template("review/dashboard.html", cycle=None, cycles=[])
    rows, shown, form, state, org_id = _filtered(cycle)
    pager = paginate(len(shown), request.args.get("page"))
    return render_template("review/dashboard.html", cycle=cycle, cycles=listing.cycles_desc(),
                           rows=pager.rows(shown), pager=pager, total=len(rows), counts=dashboard.counts(rows), form=form,
                           state=state, org_id=org_id, today=today_jst(),
                           days_text=dashboard.days_text)


@bp.route("/dashboard/<int:year>/status.<any(csv, xlsx):fmt>")
@login_required
def dashboard_export(year: int, fmt: str):
    require(current_user, "view_dashboard")
    cycle = _cycle_or_404(year)
    _, shown, _, _, _ = _filtered(cycle)
    name = f"status-{cycle.year}.{fmt}"
    if fmt == "csv":
        body, mimetype = dashboard.csv_bytes(shown, cycle), "text/csv; charset=utf-8"
    else:
        body = dashboard.xlsx_bytes(shown, cycle)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, content_type=mimetype)  # mimetype= would add a second charset
    response.headers["Content-Disposition"] = (
        f"attachment; filename={name}; filename*=UTF-8''{cycle.year}%E5%B9%B4%E5%BA%A6_"
        f"%E6%8F%90%E5%87%BA%E7%8A%B6%E6%B3%81.{fmt}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- sent mail (admin) --------------------------------------------------------------------

@bp.route("/admin/mail")
@login_required
def mail_list():
    require(current_user, "view_mail")
    return render_template("review/mail_list.html", mails=mailbox.stored_mails())


@bp.route("/admin/mail/<name>")
@login_required
def mail_detail(name: str):
    require(current_user, "view_mail")
    message = mailbox.stored_mail(name)
    if message is None:
        abort(404)
    return render_template("review/mail_detail.html", message=message)


# --- what the shared templates' hooks use -------------------------------------------------

@bp.app_context_processor
def _review_helpers():
    return {
        "review_threads": comments.threads_for,
        "review_open_comments": comments.open_count,
        "review_section_label": comments.label,
        "review_sheet_section_url": lambda sheet, key: url_for(
            "main.sheet", sheet_id=sheet.id, _anchor=sheet_page_anchor(key, sheet.cycle.year)),
        "review_section_title": comments.short_label,
        "review_step_css": actions.STEP_CSS,
        "review_last_return": flags.last_return,
        "review_flags": flags.review,
        "review_flag_marks": flags.flagged_while_editing,
        "withdraw_rule": WITHDRAW_RULE,
    }

