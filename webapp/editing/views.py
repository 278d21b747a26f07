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

from dataclasses import dataclass

from flask import (abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from forms.cycle import CloseCycleForm, DeadlineForm, OpenCycleForm
from forms.sheet import (LIST_NAMES, SheetFormBase, empty_data, entry_forms, form_data, read_form,
                         roadmap_problems, sheet_form, split_years)
from webapp import cycles, storage
from webapp.editing import bp, fit
from webapp.editing.carried import unchanged_from_last_year
from webapp.editing.saving import (ConflictError, NotEditableError, delete_files, differences,
                                   figure_tokens, load_sheet,
                                   pending_uploads, read_image_token, resolve_images,
                                   save_content)
from webapp.extensions import db
from webapp.ids import parse_id
from webapp.models import ReportingCycle, Sheet
from webapp.permissions import can, refusal, require
from webapp.review import comments, flags
from webapp.sheet_anchors import editor_anchor
from webapp.sheet_content import last_approved, sheet_to_dict
from webapp.sheet_schema import LEFT, RIGHT, schema
from webapp.timeutil import format_date, format_datetime, to_jst
from webapp.workflow import State


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
    if request.endpoint in ("editing.autosave", "editing.edit_sheet"):
        return _session_ended()
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


SESSION_ENDED = ("ログインの有効期限が切れたか、別の画面でログアウトしたため保存できませんでした。"
                 "もう一度ログインしてください。")


def _session_ended():
    """The answer to a save or autosave that arrives without a log-in, however the session ended."""
    login = url_for("auth.login", next=_edit_path_from_request())
    if request.endpoint == "editing.autosave":
        return jsonify(ok=False, reason="session", message=SESSION_ENDED + "入力した内容は消えていません。",
                       login_url=login), 401
    return render_template("editing/expired.html", message=SESSION_ENDED, login_url=login), 400


def _edit_path_from_request() -> str:
    sheet_id = (request.view_args or {}).get("sheet_id")
    if sheet_id is None:
        return url_for("main.home")
    return url_for("editing.edit_sheet", sheet_id=sheet_id)


# ---------------------------------------------------------------- the edit form

def _sheet_or_404(sheet_id: int) -> Sheet:
    sheet = load_sheet(sheet_id)
    if sheet is None or not can(current_user, "view_sheet", sheet):
        abort(404)
    return sheet


def _reference(sheet: Sheet, previous: Sheet | None) -> dict:
    """Last year's approved sheet beside the form: each section's text under it, and the
    texts this year's sections were carried from (last year's plans), headed as *that*
    year printed them, whichever year that was."""
    if previous is None:
        return {"year": None, "texts": {}, "carried": [], "dropped": []}
    then = previous.cycle.year
    # This year's template says what goes where; last year's heads last year's text.
    sheet_schema, then_schema = schema(sheet.cycle.year), schema(then)
    carried = []
    for section in sheet_schema.text_sections:
        source = section.carry.removeprefix("from:") if section.carry.startswith("from:") else None
        if source and source in then_schema and previous.text(source).strip():
            carried.append({"to": section.key, "to_heading": sheet_schema.heading(section.key, sheet.cycle.year),
                            "box": then_schema.box_title(then_schema[source].box, then),
                            "heading": then_schema.heading(source, then),
                            "text": previous.text(source)})
    # Sections last year's template had and this year's has not: their text is shown, never lost.
    dropped = [{"key": s.key, "label": then_schema.label(s.key, then), "text": previous.text(s.key)}
               for s in then_schema.text_sections
               if s.key not in sheet_schema and previous.text(s.key).strip()]
    return {"year": then, "texts": {s.key: previous.text(s.key) for s in sheet_schema.text_sections
                                    if s.key in then_schema},
            "carried": carried, "dropped": dropped}


def _render(sheet: Sheet, form: SheetFormBase, status: int = 200, *, errors=None, conflict=None,
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
    previous = last_approved(sheet)
    sheet_schema = schema(year)
    typed = {s.key: form[s.key].data or "" for s in sheet_schema.text_sections}
    html = render_template(
        "editing/edit.html", sheet=sheet, year=year, form=form, schema=sheet_schema,
        columns=(LEFT, RIGHT), errors=errors.messages if errors else [],
        conflict=conflict, theirs=theirs, locked=locked, notice=notice,
        fit=fit.status(sheet), previews=previews,
        preview_url=url_for("reports.sheet_pdf", sheet_id=sheet.id),
        reference=_reference(sheet, previous),
        flagged=flags.flagged_while_editing(sheet),
        carried={c.key: c for c in unchanged_from_last_year(sheet, previous, typed)},
        open_threads=comments.open_threads(sheet),
        roadmap_years=split_years(form.roadmap_years.data),
        new_forms=_blank_forms(year, split_years(form.roadmap_years.data)))
    return html, status


def _blank_forms(year: int, years: list[str]) -> dict:
    """Blank entries with placeholder indices, for the <template>s the script clones."""
    context = {"year": year, "years": years}
    forms = entry_forms(schema(year))
    return {
        "kpi": forms.kpi(prefix="kpis-__K__-", data=empty_data("kpis", context)),
        "series": forms.series(prefix="kpis-__K__-series-__S__-", data=empty_data("series", context)),
        "roadmap_row": forms.roadmap_row(prefix="roadmap_rows-__R__-",
                                         data=empty_data("roadmap_rows", context)),
        "figure": forms.figure(prefix="figures-__F__-", data=empty_data("figures", context)),
    }


@bp.route("/sheets/<int:sheet_id>/edit", methods=["GET", "POST"])
def edit_sheet(sheet_id: int):
    if not current_user.is_authenticated:
        # A save whose session ended while the cookie (and its CSRF token) stayed, as
        # after the idle limit or a log-out elsewhere, gets the same page as one whose
        # cookie is gone; a redirect to the log-in page would drop the post unexplained.
        if request.method == "POST":
            return _session_ended()
        return current_app.login_manager.unauthorized()
    sheet = _sheet_or_404(sheet_id)
    refused = refusal(current_user, "edit_sheet", sheet)
    if refused and refused.kind == "role":
        abort(403)
    if request.method == "GET":
        if refused:
            flash(refused.message, "warning")
            return redirect(url_for("main.sheet", sheet_id=sheet.id))
        year = sheet.cycle.year
        form = sheet_form(year, formdata=None, data=form_data(sheet_to_dict(sheet), sheet.version,
                                                              figure_tokens(sheet), year))
        return _render(sheet, form)

    form = sheet_form(sheet.cycle.year)  # reads at most each list's limit (+1) of entries
    if refused:
        # e.g. submitted or closed in another tab: show the typed text back, store nothing.
        return _render(sheet, form, 409, locked=refused.message)
    op = request.form.get("op", "")
    if op:
        return _structural(sheet, form, op)
    year = sheet.cycle.year
    content, inputs, errors = read_form(form, sheet_to_dict(sheet), year)
    images = resolve_images(sheet, inputs, errors)
    if errors:
        _unkept_images(errors, images)
        return _render(sheet, form, 422, errors=errors)
    try:
        outcome = save_content(current_user, sheet, parse_id(form.version.data), content, images)
        db.session.commit()
    except ConflictError as exc:
        newer = exc.sheet
        form.version.data = str(newer.version)  # saving again now means "merged"
        diffs = differences(sheet_to_dict(newer), content, year)
        return _render(newer, form, 409, conflict={"message": str(exc), "heading": exc.heading,
                                                  "diffs": diffs,
                                                  "sheet": newer,
                                                  "unkept": pending_uploads(images)})
    except NotEditableError as exc:
        db.session.rollback()
        return _render(sheet, form, 409, locked=str(exc))
    except storage.StorageError as exc:
        db.session.rollback()
        errors.add(None, f"{exc}入力内容はまだ保存されていません。しばらくしてから、もう一度「保存」を押してください。")
        _unkept_images(errors, images)
        return _render(sheet, form, 503, errors=errors)
    delete_files(outcome.removed_files)
    if outcome.changed:
        fit.status(sheet)  # queue the fit check of the new text; never wait for it
        flash(f"保存しました（{format_datetime(sheet.updated_at)}）。", "success")
    else:
        # Often the autosave, run as the user left the field to click 「保存」, got there first:
        # what they see is that their text is saved, which it is.
        flash("保存しました（入力内容は保存済みで、変更はありませんでした）。", "info")
    # ?saved tells the page's script that what it sent is saved (its local copy can go).
    return redirect(url_for(".edit_sheet", sheet_id=sheet.id, saved=outcome.version), 303)


def _unkept_images(errors, images) -> None:
    """A refused save stores no file: say which chosen images must be chosen again."""
    for position in pending_uploads(images):
        errors.add(None, f"図表 {position} の画像はまだ保存されていません。"
                         "誤りを直したら、画像をもう一度選んでから保存してください。")


@dataclass
class ListChange:
    """What an 「追加」「削除」「上へ」「下へ」 button asks, read from its value:
    「add-kpis」, 「remove-figures-2」, 「up-roadmap_rows-1」, 「add-series-0」 (a year for
    KPI 0), 「remove-series-0-3」 (KPI 0's fourth year)."""
    verb: str            # add, remove, up, down
    kind: str            # which kind of entry (empty_data's name)
    items: list          # the posted entries it changes
    position: int | None  # the entry it names (None for add)

    def apply(self, context: dict) -> str | None:
        """Make the change; the notice, or None when the button names nothing there."""
        items, pos = self.items, self.position
        if self.verb == "add":
            items.append(empty_data(self.kind, context))
            return "項目を追加しました。"
        if pos is None or pos >= len(items):
            return None
        if self.verb == "remove":
            items.pop(pos)
            return "項目を削除しました。"
        if self.verb in ("up", "down"):
            other = pos - 1 if self.verb == "up" else pos + 1
            if 0 <= other < len(items):
                items[pos], items[other] = items[other], items[pos]
            return "順番を入れ替えました。"
        return None


def read_list_change(data: dict, op: str) -> ListChange | None:
    verb, _, rest = op.partition("-")
    name, *numbers = rest.split("-")
    positions = [parse_id(n) for n in numbers]
    if None in positions:
        return None
    if name == "series":   # a KPI's years: series-<kpi>[-<year row>]
        kpis = data.get("kpis") or []
        if not positions or positions[0] >= len(kpis):
            return None
        return ListChange(verb, name, kpis[positions[0]]["series"],
                          positions[1] if len(positions) > 1 else None)
    if name in LIST_NAMES and data.get(name) is not None and len(positions) <= 1:
        return ListChange(verb, name, data[name], positions[0] if positions else None)
    return None


def _structural(sheet: Sheet, form: SheetFormBase, op: str):
    """Add, remove or move a KPI, a KPI's year, a roadmap row or a figure (without JavaScript).

    The change is made on what was posted and the form is shown again,
    unsaved; 「保存」 saves it, as with JavaScript.
    """
    data = form.data
    data.pop("csrf_token", None)
    change = read_list_change(data, op)
    notice = change.apply({"year": sheet.cycle.year, "years": split_years(data.get("roadmap_years"))}) \
        if change else None
    if notice is None:
        abort(400)
    fresh = sheet_form(sheet.cycle.year, formdata=None, data=data)
    return _render(sheet, fresh, 200,
                   notice=notice + "まだ保存されていません。「保存」を押すと保存されます。")


SAVE_WILL_FAIL = "保存の際にエラーになります："


@bp.route("/sheets/<int:sheet_id>/autosave", methods=["POST"])
def autosave(sheet_id: int):
    """The form's fields as posted by the page's script; answers JSON."""
    if not current_user.is_authenticated:
        return _session_ended()
    sheet = load_sheet(sheet_id)
    if sheet is None or not can(current_user, "view_sheet", sheet):
        return jsonify(ok=False, reason="not_found", message="個票が見つかりません。"), 404
    refused = refusal(current_user, "edit_sheet", sheet)
    if refused:
        if refused.kind == "role":
            return jsonify(ok=False, reason="forbidden", message=refused.message), 403
        return jsonify(ok=False, reason="locked", message=refused.message), 409
    year = sheet.cycle.year
    form = sheet_form(year)
    content, inputs, errors = read_form(form, sheet_to_dict(sheet), year, draft=True)
    if form.version.data and parse_id(form.version.data) is None:
        return jsonify(ok=False, reason="invalid",
                       message="画面の保存番号を読み取れないため自動保存できません。画面を開き直してください。"), 400
    for item in inputs:
        item.upload = None  # files go with 「保存」, never with autosave
    images = resolve_images(sheet, inputs, errors)
    if errors:
        return jsonify(ok=False, reason="invalid", message="入力内容に誤りがあるため自動保存できません。",
                       errors=[{"field": f, "message": m} for f, m in errors.messages]), 422
    try:
        outcome = save_content(current_user, sheet, parse_id(form.version.data), content, images)
        db.session.commit()
    except ConflictError as exc:
        diffs = differences(sheet_to_dict(exc.sheet), content, year)
        return jsonify(ok=False, reason="conflict", message=str(exc), heading=exc.autosave_heading,
                       version=exc.sheet.version,
                       fields=[{"key": d.key, "label": d.label, "theirs": d.theirs, "mine": d.mine}
                               for d in diffs]), 409
    except NotEditableError as exc:
        db.session.rollback()
        return jsonify(ok=False, reason="locked", message=str(exc)), 409
    delete_files(outcome.removed_files)
    status = fit.status(sheet, start=False)  # asked for by the editor once the typing pauses
    saved = to_jst(sheet.updated_at)
    # The draft keeps a roadmap row still being filled in; 「保存」 would refuse it, so
    # the indicator says so at once (the same check 保存 and 提出 run).
    problems = [p.message for p in roadmap_problems(content["roadmap"])]
    return jsonify(ok=True, changed=outcome.changed, version=outcome.version,
                   message=(f"自動保存しました（{saved:%H:%M}）" if outcome.changed
                            else "保存済みの内容と同じです"),
                   warnings=problems,
                   warning=(SAVE_WILL_FAIL + "／".join(problems)) if problems else None,
                   saved_at=format_datetime(sheet.updated_at),
                   saved_by=sheet.updated_by.display_name if sheet.updated_by else "",
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


# ---------------------------------------------------------------- links into the editor

@bp.app_context_processor
def _editing_helpers():
    return {
        "editor_section_url": lambda sheet, key: url_for("editing.edit_sheet", sheet_id=sheet.id,
                                                         _anchor=editor_anchor(key, sheet.cycle.year)),
        "editor_section_anchor": editor_anchor,
    }
