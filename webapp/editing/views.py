"""Routes of the editing feature. Thin: load, check with `can()`, call a plain function, render.

    editing.edit_sheet    GET/POST /sheets/<id>/edit       lead coordinators, editable sheet, open cycle
    editing.autosave      POST     /sheets/<id>/autosave   same; JSON
    editing.fit_status    GET      /sheets/<id>/fit        whoever may read the sheet; JSON
    editing.cycles        GET      /cycles                 secretariat, admin ('manage_cycles')
    editing.open_cycle    POST     /cycles/open            secretariat, admin
    editing.set_deadline  POST     /cycles/<year>/deadline secretariat, admin
    editing.close_cycle   GET/POST /cycles/<year>/close    secretariat, admin (GET = confirmation)
    editing.reopen_cycle  POST     /cycles/<year>/reopen   secretariat, admin
"""
from __future__ import annotations

from flask import (abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from forms.cycle import CloseCycleForm, DeadlineForm, OpenCycleForm
from forms.sheet import (FigureForm, KpiForm, KpiValueForm, RoadmapRowForm, SheetForm, empty_data,
                         form_data, read_form, split_years)
from webapp import cycles
from webapp.editing import bp, fit
from webapp.editing.saving import (ConflictError, NotEditableError, delete_files, differences,
                                   figure_tokens, is_lead, load_sheet, not_editable_reason,
                                   read_image_token, resolve_images, save_content)
from webapp.extensions import db
from webapp.ids import parse_id
from webapp.models import ReportingCycle, Sheet
from webapp.permissions import can, require
from webapp.sections import BY_KEY, TEXT_SECTIONS, group_title, section_label
from webapp.sheet_content import sheet_to_dict
from webapp.timeutil import format_date, format_datetime, to_jst
from webapp.workflow import State


@bp.app_context_processor
def _template_helpers():
    return {"days_left": cycles.days_left, "days_left_text": cycles.days_left_text}


# ---------------------------------------------------------------- expired sessions

@bp.errorhandler(CSRFError)
def _csrf_failed(exc):
    """A post whose session is gone (expired, logged out elsewhere), or one from another site.

    Nothing posted is echoed back: a page elsewhere can post anything here, so
    the answer must not carry its text into the user's page or storage. What
    the user typed is already in this browser: the editor's script keeps a
    copy before every post and offers it back (with its differences) once
    they are logged in again.
    """
    login = url_for("auth.login", next=_edit_path_from_request())
    message = ("ログインの有効期限が切れたか、別の画面でログアウトしたため保存できませんでした。"
               "もう一度ログインしてください。")
    if request.endpoint == "editing.autosave":
        return jsonify(ok=False, reason="session", message=message + "入力した内容は消えていません。",
                       login_url=login), 401
    if request.endpoint == "editing.edit_sheet":
        return render_template("editing/expired.html", message=message, login_url=login), 400
    return render_template("errors/error.html", code=400, title="リクエストが正しくありません",
                           text="画面の有効期限が切れました。画面を開き直してからもう一度お試しください。"), 400


@bp.errorhandler(413)
def _too_large(exc):
    """The whole post was over MAX_CONTENT_LENGTH (its text cannot be read): say how to get it back."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    text = (f"送信した内容が大きすぎたため保存できませんでした（1回の送信は画像を含めて合計 {limit // (1024 * 1024)} MB まで、"
            "画像は1枚 5 MB まで）。ブラウザの「戻る」で編集画面に戻ると入力内容が残っています"
            "（JavaScript が使える場合は、編集画面を開き直すと「復元する」を選べます）。"
            "画像を小さくするか、1枚ずつ保存してください。")
    if request.endpoint == "editing.autosave":
        return jsonify(ok=False, reason="too_large", message=text), 413
    return render_template("errors/error.html", code=413, title="ファイルが大きすぎます", text=text), 413


def _edit_path_from_request() -> str:
    sheet_id = (request.view_args or {}).get("sheet_id")
    if sheet_id is None:
        return url_for("main.home")
    return url_for("editing.edit_sheet", sheet_id=sheet_id)


# ---------------------------------------------------------------- the edit form

def _section_names(year: int) -> dict[str, str]:
    return {s.key: section_label(s.key, year) for s in TEXT_SECTIONS}


def _sheet_or_404(sheet_id: int) -> Sheet:
    sheet = load_sheet(sheet_id)
    if sheet is None or not can(current_user, "view_sheet", sheet):
        abort(404)
    return sheet


def _previous_texts(sheet: Sheet) -> dict:
    """Last approved sheet's text fields, shown under each field as 「前年度の記載」."""
    previous = db.session.scalar(
        select(Sheet).join(ReportingCycle)
        .where(Sheet.project_id == sheet.project_id, Sheet.state == State.APPROVED.value,
               ReportingCycle.year < sheet.cycle.year)
        .order_by(ReportingCycle.year.desc()).limit(1))
    if previous is None:
        return {}
    texts = {s.key: getattr(previous, s.key) or "" for s in TEXT_SECTIONS}
    texts["_year"] = previous.cycle.year
    return texts


def _render(sheet: Sheet, form: SheetForm, status: int = 200, *, errors=None, conflict=None,
            locked: str | None = None, notice: str | None = None):
    year = sheet.cycle.year
    figures_by_file = {f.image_file: f for f in sheet.figures if f.image_file}
    previews = []
    for entry in form.figures.entries:
        ref = read_image_token(sheet.id, entry.form.image_token.data or "")
        row = figures_by_file.get(ref.name) if ref else None
        previews.append({"url": url_for("main.figure_image", sheet_id=sheet.id, figure_id=row.id)
                         if row else None, "pending": ref is not None and row is None,
                         "size": f"{ref.width}×{ref.height}" if ref and ref.width else ""})
    theirs = {d.key: d for d in conflict["diffs"]} if conflict else {}
    html = render_template(
        "editing/edit.html", sheet=sheet, year=year, form=form, sections=BY_KEY,
        group_title=group_title, errors=errors.messages if errors else [],
        conflict=conflict, theirs=theirs, locked=locked, notice=notice,
        fit=fit.status(sheet), previews=previews,
        preview_url=url_for("reports.sheet_pdf", sheet_id=sheet.id),
        previous=_previous_texts(sheet), carried_heading=group_title("plans", year - 1),
        roadmap_years=split_years(form.roadmap_years.data),
        new_forms=_blank_forms(year, split_years(form.roadmap_years.data)))
    return html, status


def _blank_forms(year: int, years: list[str]) -> dict:
    """Blank entries with placeholder indices, for the <template>s the script clones."""
    context = {"year": year, "years": years}
    return {
        "kpi": KpiForm(prefix="kpis-__K__-", data=empty_data("kpis", context)),
        "series": KpiValueForm(prefix="kpis-__K__-series-__S__-", data=empty_data("series", context)),
        "roadmap_row": RoadmapRowForm(prefix="roadmap_rows-__R__-",
                                      data=empty_data("roadmap_rows", context)),
        "figure": FigureForm(prefix="figures-__F__-", data=empty_data("figures", context)),
    }


@bp.route("/sheets/<int:sheet_id>/edit", methods=["GET", "POST"])
@login_required
def edit_sheet(sheet_id: int):
    sheet = _sheet_or_404(sheet_id)
    editable = can(current_user, "edit_sheet", sheet)
    if not editable and not is_lead(current_user, sheet):
        abort(403)
    if request.method == "GET":
        if not editable:
            flash(not_editable_reason(current_user, sheet), "warning")
            return redirect(url_for("main.sheet", sheet_id=sheet.id))
        form = SheetForm(formdata=None,
                         data=form_data(sheet_to_dict(sheet), sheet.version, figure_tokens(sheet)))
        return _render(sheet, form)

    form = SheetForm()
    year = sheet.cycle.year
    current = sheet_to_dict(sheet)
    content, inputs, errors = read_form(form, current, _section_names(year))
    images = resolve_images(sheet, inputs, errors)
    if not editable:
        # e.g. submitted or closed in another tab: show the typed text, save nothing.
        return _render(sheet, form, 409, locked=not_editable_reason(current_user, sheet))
    op = request.form.get("op", "")
    if op:
        return _structural(sheet, form, op)
    if errors:
        return _render(sheet, form, 422, errors=errors)
    try:
        outcome = save_content(current_user, sheet, _int(form.version.data), content, images)
        db.session.commit()
    except ConflictError as exc:
        newer = exc.sheet
        form.version.data = str(newer.version)  # saving again now means "merged"
        diffs = differences(sheet_to_dict(newer), content, year)
        return _render(newer, form, 409, conflict={"message": str(exc), "diffs": diffs,
                                                  "sheet": newer})
    except NotEditableError as exc:
        db.session.rollback()
        return _render(sheet, form, 409, locked=str(exc))
    delete_files(outcome.removed_files)
    if outcome.changed:
        fit.status(sheet)  # queue the fit check of the new text; never wait for it
        flash(f"保存しました（版 {outcome.version}、{format_datetime(sheet.updated_at)}）。", "success")
    else:
        flash("変更はありませんでした（保存済みの内容と同じです）。", "info")
    # ?saved tells the page's script that what it sent is saved (its local copy can go).
    return redirect(url_for(".edit_sheet", sheet_id=sheet.id, saved=outcome.version), 303)


def _int(value) -> int | None:
    return parse_id(value)


LISTS = ("kpis", "roadmap_rows", "figures")


def _structural(sheet: Sheet, form: SheetForm, op: str):
    """Add, remove or move a KPI, a KPI's year, a roadmap row or a figure (without JavaScript).

    The change is made on what was posted and the form is shown again,
    unsaved; 「保存」 saves it, as with JavaScript.
    """
    data = form.data
    data.pop("csrf_token", None)
    year = sheet.cycle.year
    parts = op.split("-")
    verb, target = parts[0], parts[1] if len(parts) > 1 else ""
    idx = [parse_id(p) for p in parts[2:]]
    if None in idx:
        abort(400)
    context = {"year": year, "years": split_years(data.get("roadmap_years"))}
    notice = None
    if target == "series" and (not idx or idx[0] >= len(data["kpis"])):
        abort(400)
    if target in LISTS or target == "series":
        items = data["kpis"][idx[0]]["series"] if target == "series" else data.get(target)
        pos = idx[-1] if (target != "series" and idx) or len(idx) > 1 else None
        if items is None:
            abort(400)
        if verb == "add":
            items.append(empty_data(target, context))
            notice = "項目を追加しました。"
        elif verb == "remove" and pos is not None and pos < len(items):
            items.pop(pos)
            notice = "項目を削除しました。"
        elif verb in ("up", "down") and pos is not None and pos < len(items):
            other = pos - 1 if verb == "up" else pos + 1
            if 0 <= other < len(items):
                items[pos], items[other] = items[other], items[pos]
            notice = "順番を入れ替えました。"
        else:
            abort(400)
    else:
        abort(400)
    fresh = SheetForm(formdata=None, data=data)
    return _render(sheet, fresh, 200,
                   notice=notice + "まだ保存されていません。「保存」を押すと保存されます。")


@bp.route("/sheets/<int:sheet_id>/autosave", methods=["POST"])
def autosave(sheet_id: int):
    """The form's fields as posted by the page's script; answers JSON."""
    if not current_user.is_authenticated:
        return jsonify(ok=False, reason="session",
                       message="ログインの有効期限が切れました。入力した内容は消えていません。もう一度ログインしてください。",
                       login_url=url_for("auth.login", next=url_for(".edit_sheet", sheet_id=sheet_id))), 401
    sheet = load_sheet(sheet_id)
    if sheet is None or not can(current_user, "view_sheet", sheet):
        return jsonify(ok=False, reason="not_found", message="個票が見つかりません。"), 404
    if not can(current_user, "edit_sheet", sheet):
        if not is_lead(current_user, sheet):
            return jsonify(ok=False, reason="forbidden", message="この個票を編集する権限がありません。"), 403
        return jsonify(ok=False, reason="locked", message=not_editable_reason(current_user, sheet)), 409
    form = SheetForm()
    year = sheet.cycle.year
    content, inputs, errors = read_form(form, sheet_to_dict(sheet), _section_names(year))
    if form.version.data and _int(form.version.data) is None:
        return jsonify(ok=False, reason="invalid",
                       message="画面の版の番号を読み取れないため自動保存できません。画面を開き直してください。"), 400
    for item in inputs:
        item.upload = None  # files go with 「保存」, never with autosave
    images = resolve_images(sheet, inputs, errors)
    if errors:
        return jsonify(ok=False, reason="invalid", message="入力内容に誤りがあるため自動保存できません。",
                       errors=[{"field": f, "message": m} for f, m in errors.messages]), 422
    try:
        outcome = save_content(current_user, sheet, _int(form.version.data), content, images)
        db.session.commit()
    except ConflictError as exc:
        diffs = differences(sheet_to_dict(exc.sheet), content, year)
        return jsonify(ok=False, reason="conflict", message=str(exc), version=exc.sheet.version,
                       fields=[{"key": d.key, "label": d.label, "theirs": d.theirs, "mine": d.mine}
                               for d in diffs]), 409
    except NotEditableError as exc:
        db.session.rollback()
        return jsonify(ok=False, reason="locked", message=str(exc)), 409
    delete_files(outcome.removed_files)
    status = fit.status(sheet)  # cached for unchanged text; else queued, never awaited
    saved = to_jst(sheet.updated_at)
    return jsonify(ok=True, changed=outcome.changed, version=outcome.version,
                   message=(f"自動保存しました（{saved:%H:%M}、版 {outcome.version}）" if outcome.changed
                            else f"保存済みの内容と同じです（版 {outcome.version}）"),
                   image_tokens=figure_tokens(sheet), fit=status.to_json())


@bp.route("/sheets/<int:sheet_id>/fit")
@login_required
def fit_status(sheet_id: int):
    sheet = _sheet_or_404(sheet_id)
    return jsonify(fit.status(sheet).to_json())


# ---------------------------------------------------------------- cycles

@bp.route("/cycles", endpoint="cycles")
@login_required
def cycles_page():
    require(current_user, "manage_cycles")
    all_cycles = db.session.scalars(select(ReportingCycle).order_by(ReportingCycle.year.desc())).all()
    form = OpenCycleForm(formdata=None)
    if all_cycles:
        form.year.data = all_cycles[0].year + 1
    return _cycles_render(all_cycles, form)


def _cycles_render(all_cycles, form, status=200):
    return render_template("editing/cycles.html", cycles=all_cycles, form=form,
                           counts=cycles.state_counts(), deadline_form=DeadlineForm(formdata=None),
                           states=list(State)), status


@bp.route("/cycles/open", methods=["POST"])
@login_required
def open_cycle():
    require(current_user, "manage_cycles")
    form = OpenCycleForm()
    all_cycles = db.session.scalars(select(ReportingCycle).order_by(ReportingCycle.year.desc())).all()
    if not form.validate():
        return _cycles_render(all_cycles, form, 422)
    try:
        summary = cycles.open_cycle(form.year.data, form.deadline.data, current_user,
                                    report_title=(form.report_title.data or "").strip() or None)
        db.session.commit()
    except cycles.CycleError as exc:
        db.session.rollback()
        form.year.errors = list(form.year.errors) + [str(exc)]
        return _cycles_render(all_cycles, form, 409)
    flash(summary.message, "success")
    return redirect(url_for(".cycles"), 303)


@bp.route("/cycles/<int:year>/deadline", methods=["POST"])
@login_required
def set_deadline(year: int):
    require(current_user, "manage_cycles")
    form = DeadlineForm()
    if not form.validate():
        flash("".join(e for errs in form.errors.values() for e in errs), "danger")
        return redirect(url_for(".cycles"), 303)
    if cycles.get_cycle(year) is None:
        abort(404)
    cycle = cycles.set_deadline(year, form.deadline.data, current_user)
    db.session.commit()
    flash(f"{year}年度の提出期限を" + (f"{format_date(cycle.deadline, weekday=True)}にしました。"
                                  if cycle.deadline else "未設定にしました。"), "success")
    return redirect(url_for(".cycles"), 303)


@bp.route("/cycles/<int:year>/close", methods=["GET", "POST"])
@login_required
def close_cycle(year: int):
    require(current_user, "manage_cycles")
    cycle = cycles.get_cycle(year)
    if cycle is None:
        abort(404)
    form = CloseCycleForm()
    counts = cycles.state_counts().get(cycle.id, {})
    if request.method == "POST" and form.validate():
        return _switch_cycle(cycles.close_cycle, year,
                             f"{year}年度の受付を締め切りました。幹事は個票を編集・提出できません。")
    return render_template("editing/close_cycle.html", cycle=cycle, form=form, counts=counts,
                           states=list(State)), 422 if request.method == "POST" else 200


@bp.route("/cycles/<int:year>/reopen", methods=["POST"])
@login_required
def reopen_cycle(year: int):
    require(current_user, "manage_cycles")
    if cycles.get_cycle(year) is None:
        abort(404)
    return _switch_cycle(cycles.reopen_cycle, year,
                         f"{year}年度の受付を再開しました。幹事は作成中・差戻しの個票を編集できます。")


def _switch_cycle(operation, year: int, done: str):
    """Close or reopen a year, then back to the cycles page with what happened."""
    try:
        operation(year, current_user)
        db.session.commit()
    except cycles.CycleError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        flash(done, "success")
    return redirect(url_for(".cycles"), 303)
