"""Routes of the Excel round trip. Thin: load, check with `can()`, call reading/export, render.

    workbooks.sheet_workbook        GET      /sheets/<id>/workbook.xlsx        whoever may read the sheet
    workbooks.organisation_workbook GET      /workbooks/<year>/organisation.xlsx  a coordinator: their organisation's sheets
    workbooks.import_workbook       GET/POST /sheets/<id>/workbook/import      lead coordinators, editable sheet
    workbooks.confirm_import        POST     /sheets/<id>/workbook/confirm     same; saves through save_content

The uploaded cells wait between the preview and 「この内容で保存」 in a
signed, time-limited, size-bounded token (nothing is stored server-side
and nothing unsigned is trusted); the confirmation merges them with the
saved sheet again (webapp.workbooks.merging), with the user's choice for
each conflicting cell.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import FileField, HiddenField

from webapp import expensive
from webapp.editing.saving import ConflictError, NotEditableError, delete_files, load_sheet, save_content
from webapp.extensions import db
from webapp.pagination import WORKBOOK_SHEETS, paginate
from webapp.permissions import can, refusal, sheet_or_404
from webapp.review.compare import compare
from webapp.sheet_content import sheet_to_dict
from webapp.timeutil import format_datetime
from webapp.workbooks import bp
from webapp.workbooks.cli import organisation_sheets
from webapp.workbooks.merging import saved_since_export
from webapp.workbooks.reading import MAX_BYTES, SheetCells, WorkbookError, prepare, read_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN_MAX_AGE = 2 * 3600
TOKEN_MAX_CHARS = 600_000


class UploadForm(FlaskForm):
    file = FileField("記入したExcelファイル（.xlsx）")


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _download(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename=\"workbook.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


@bp.route("/sheets/<int:sheet_id>/workbook.xlsx")
@login_required
def sheet_workbook(sheet_id: int):
    sheet_or_404(current_user, sheet_id)
    sheet = load_sheet(sheet_id)
    from webapp.workbooks import export  # openpyxl: loaded when a workbook is asked for
    return _download(export.workbook([sheet]), export.filename([sheet]))


@bp.route("/workbooks/<int:year>/organisation.xlsx")
@login_required
def organisation_workbook(year: int):
    organisation = current_user.organisation
    if organisation is None:
        abort(404)
    sheets = [s for s in organisation_sheets(organisation, year) if can(current_user, "view_sheet", s)]
    if not sheets:
        abort(404)
    # A workbook holds WORKBOOK_SHEETS sheets at most (?part=2: the next ones), so that
    # an organisation of many projects gets its download in about a second.
    parts = paginate(len(sheets), request.args.get("part"), per_page=WORKBOOK_SHEETS)
    sheets = parts.rows(sheets)
    from webapp.workbooks import export  # openpyxl: loaded when a workbook is asked for
    return _download(export.workbook(sheets), export.filename(sheets, organisation.name,
                                                              part=parts.pages > 1))


# ---------------------------------------------------------------- upload, preview, save

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="workbooks-import")


def _token(item) -> str:
    """The uploaded cells (as text), what they held when exported and the saved version
    the preview was merged with: the confirmation merges again from these, with the
    user's choices, so what it saves is never older than what the preview showed."""
    entry = item.entry
    return _serializer().dumps({
        "s": item.sheet.id, "u": current_user.id, "v": item.base_version,
        "e": {"n": entry.number, "y": entry.year, "x": entry.version, "t": entry.worksheet,
              "c": entry.cells, "w": entry.texts(), "b": entry.bases}})


def _entry(sheet_id: int, data: dict) -> SheetCells:
    return SheetCells(sheet_id, data["n"], data["y"], data["x"], data["t"], dict(data["c"]),
                      {data["c"][name]: text for name, text in data["w"].items()}, data["b"])


def _editable_or_403(sheet_id: int):
    sheet = sheet_or_404(current_user, sheet_id)
    refused = refusal(current_user, "edit_sheet", sheet)
    if refused:
        if refused.forbidden:
            abort(403)
        flash(refused.message, "warning")
        return None, redirect(url_for("main.sheet", sheet_id=sheet.id))
    return load_sheet(sheet_id), None


def _preview(item, *, notice: str | None = None, status=200):
    sheet = item.sheet
    year = sheet.cycle.year
    form = ConfirmForm(formdata=None, token=_token(item))
    return render_template(
        "workbooks/preview.html", sheet=sheet, year=year, form=form, item=item,
        result=compare(sheet_to_dict(sheet), item.content, year), fields=item.changes,
        notice=notice, saved_since=saved_since_export(sheet, current_user) if item.stale else None), status


@bp.route("/sheets/<int:sheet_id>/workbook/import", methods=["GET", "POST"])
@login_required
def import_workbook(sheet_id: int):
    sheet, refusal = _editable_or_403(sheet_id)
    if refusal:
        return refusal
    form = UploadForm()
    if not form.validate_on_submit():
        if request.method == "POST":   # the form's session token is gone (expired, logged out)
            return _again(sheet, "画面の有効期限が切れました。もう一度ファイルを選んでください。")
        return render_template("workbooks/import.html", sheet=sheet, form=form, errors=[])
    upload = form.file.data
    if not getattr(upload, "filename", ""):
        return render_template("workbooks/import.html", sheet=sheet, form=form,
                               errors=["ファイルを選んでください。"]), 422
    # Reading a workbook takes seconds of CPU: it counts towards the person's
    # expensive jobs while it runs, in every worker process alike.
    try:
        expensive.take(current_user, expensive.IMPORT, sheet.id)
    except expensive.TooBusy as exc:
        db.session.rollback()
        return expensive.refused(exc)
    db.session.commit()
    data = upload.read(MAX_BYTES + 1)
    try:
        entries = [e for e in read_file(data, upload.filename) if e.sheet_id == sheet.id]
        if not entries:
            raise WorkbookError(f"このブックには{sheet.project.circled_number}の{sheet.cycle.year}年度の個票が"
                                "含まれていません。この個票の「Excelで書き出す」で作ったファイルを選んでください。")
        item = prepare(current_user, entries[0])
    except WorkbookError as exc:
        return render_template("workbooks/import.html", sheet=sheet, form=form,
                               errors=exc.messages), 422
    finally:
        expensive.finish(expensive.IMPORT, sheet.id, current_user.id)
        db.session.commit()
    return _preview(item)


@bp.route("/sheets/<int:sheet_id>/workbook/confirm", methods=["POST"])
@login_required
def confirm_import(sheet_id: int):
    sheet, refusal = _editable_or_403(sheet_id)
    if refusal:
        return refusal
    form = ConfirmForm()
    payload = None
    token = form.token.data or ""
    if form.validate_on_submit() and len(token) <= TOKEN_MAX_CHARS:
        try:
            payload = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
        except SignatureExpired:
            return _again(sheet, "取り込みの確認画面の有効期限（2時間）が切れました。もう一度ファイルを選んでください。")
        except BadSignature:
            payload = None
    if not isinstance(payload, dict) or payload.get("s") != sheet.id or payload.get("u") != current_user.id:
        return _again(sheet, "取り込む内容を確認できませんでした。もう一度ファイルを選んでください。")
    entry = _entry(sheet.id, payload["e"])
    # Conflicting cells keep the saved value unless the user chose the workbook's.
    take = {name.removeprefix("keep-") for name, value in request.form.items()
            if name.startswith("keep-") and value == "mine"}
    try:
        item = prepare(current_user, entry, take)
    except WorkbookError as exc:
        return render_template("workbooks/import.html", sheet=sheet, form=UploadForm(formdata=None),
                               errors=exc.messages), 422
    # Saved again between the preview and this click: merged with the newer save, asked again.
    again = ("確認画面を表示した後に、この個票が保存されました。その保存内容と合わせ直しましたので、"
             "もう一度確認してから保存してください。")
    if item.sheet.version != payload["v"]:
        return _preview(item, status=409, notice=again)
    try:
        outcome = save_content(current_user, item.sheet, payload["v"], item.content, item.images)
        db.session.commit()
    except ConflictError:
        return _preview(prepare(current_user, entry, take), status=409, notice=again)
    except NotEditableError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("main.sheet", sheet_id=sheet.id))
    delete_files(outcome.removed_files)
    if outcome.changed:
        flash(f"Excelの内容を保存しました（{format_datetime(sheet.updated_at)}）。", "success")
    else:
        flash("変更はありませんでした（保存済みの内容と同じです）。", "info")
    return redirect(url_for("editing.edit_sheet", sheet_id=sheet.id), 303)


def _again(sheet, message: str):
    return render_template("workbooks/import.html", sheet=sheet, form=UploadForm(formdata=None),
                           errors=[message]), 400
