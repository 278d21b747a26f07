"""Report builds, their history and downloads; one sheet's PDF; the KPI workbook."""
from __future__ import annotations

from io import BytesIO

from flask import (abort, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user, login_required

from webapp import cycles, expensive, storage
from webapp.cycles import cycle_or_404, latest_cycle
from webapp.editing import fit
from webapp.extensions import db
from webapp.models import ReportBuild
from webapp.permissions import require, sheet_or_404
from webapp.reports import bp, builds

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _build_or_404(build_id: int) -> ReportBuild:
    build = db.session.get(ReportBuild, build_id)
    if build is None:
        abort(404)
    return build


@bp.route("/reports")
@login_required
def index():
    require(current_user, "view_builds")
    latest = latest_cycle()
    if latest is None:
        flash("年度がまだありません。", "info")
        return redirect(url_for("main.home"))
    return redirect(url_for("reports.year_builds", year=latest.year))


@bp.route("/reports/<int:year>")
@login_required
def year_builds(year: int):
    require(current_user, "view_builds")
    cycle = cycle_or_404(year)
    sheets = builds.inputs.year_sheets(cycle)
    left_out = builds.inputs.left_out(sheets)
    approved = [s for s in sheets if s not in left_out]
    shown, pager = builds.builds_for(cycle, request.args.get("page"))
    return render_template("reports/builds.html", cycle=cycle, builds=shown, pager=pager,
                           approved=len(approved), left_out=left_out, all_sheets=len(sheets),
                           fallback_date=builds.inputs.report_date(cycle, approved))


@bp.route("/reports/<int:year>/date", methods=["POST"])
@login_required
def set_report_date(year: int):
    """The date printed on the cover, set by the secretariat for the year."""
    require(current_user, "build_report")
    cycle_or_404(year)
    raw = (request.form.get("report_date") or "").strip()
    try:
        value = cycles.parse_report_date(year, raw) if raw else None
    except cycles.CycleError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("reports.year_builds", year=year))
    cycles.set_report_date(year, value, current_user)
    db.session.commit()
    if value is None:
        flash("表紙の日付を既定（人が最後に承認した日）に戻しました。", "info")
    else:
        flash(f"表紙の日付を {value.year}年{value.month}月{value.day}日 にしました。", "success")
    return redirect(url_for("reports.year_builds", year=year))


@bp.route("/reports/<int:year>/build", methods=["POST"])
@login_required
def start_build(year: int):
    require(current_user, "build_report")
    cycle = cycle_or_404(year)
    draft = request.form.get("draft") == "1"
    if not draft and request.form.get("confirm_left_out") != "1":
        left_out = builds.inputs.left_out(builds.inputs.year_sheets(cycle))
        if left_out:
            flash(f"承認されていない個票が{len(left_out)}件あり、報告書に入りません。"
                  "このまま作成する場合は「承認済の個票だけで作成する」にチェックを入れてください。", "warning")
            return redirect(url_for("reports.year_builds", year=year))
    try:
        build, reused = builds.request_build(cycle, current_user, draft=draft)
    except expensive.TooBusy as exc:
        db.session.rollback()
        return expensive.refused(exc)
    except builds.BuildError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("reports.year_builds", year=year))
    if reused and build.status == "done":
        flash("前回の作成から内容に変更がないため、保存済みの報告書をお渡しします。", "info")
    return redirect(url_for("reports.build_status", build_id=build.id))


@bp.route("/reports/builds/<int:build_id>")
@login_required
def build_status(build_id: int):
    require(current_user, "view_builds")
    build = _build_or_404(build_id)
    return render_template("reports/build.html", build=build, ready=builds.published_ready(build))


@bp.route("/reports/builds/<int:build_id>/progress")
@login_required
def build_progress(build_id: int):
    require(current_user, "view_builds")
    build = _build_or_404(build_id)
    return jsonify(status=build.status, done=build.progress_done, total=build.progress_total,
                   label=build.progress_label, error=build.error,
                   download=url_for("reports.download", build_id=build.id)
                   if builds.published_ready(build) else None,
                   archive=url_for("reports.download_archive", build_id=build.id)
                   if build.status == "done" and build.archive_file_name else None)


@bp.route("/reports/builds/<int:build_id>/download")
@login_required
def download(build_id: int):
    require(current_user, "view_builds")
    build = _build_or_404(build_id)
    if not builds.published_ready(build):
        abort(404)
    return storage.send("reports", build.file_name, PDF, builds.download_name(build),
                        as_attachment=request.args.get("inline") is None)


@bp.route("/reports/builds/<int:build_id>/archive")
@login_required
def download_archive(build_id: int):
    """The archival copy (PDF/A-2b) of a finished build."""
    require(current_user, "view_builds")
    build = _build_or_404(build_id)
    if build.status != "done" or not build.archive_file_name:
        abort(404)
    return storage.send("reports", build.archive_file_name, PDF,
                        builds.download_name(build, archive=True), as_attachment=True)


@bp.route("/reports/<int:year>/kpis.xlsx")
@login_required
def kpi_workbook(year: int):
    require(current_user, "export_xlsx")
    cycle = cycle_or_404(year)
    from webapp.reports import spreadsheet  # openpyxl: loaded when a workbook is asked for
    return send_file(BytesIO(spreadsheet.workbook(cycle)), mimetype=XLSX, as_attachment=True,
                     download_name=f"KPI_{year}年度.xlsx")


@bp.route("/sheets/<int:sheet_id>/pdf")
@login_required
def sheet_pdf(sheet_id: int):
    """One sheet as printed, for anyone who may read it (also the editing preview).

    From the print cache; a sheet not printed yet is asked for on the fit queue
    (webapp.editing.fit.preview) and the page waits for it: the request never
    renders, and it counts towards the person's expensive jobs."""
    sheet = sheet_or_404(current_user, sheet_id)
    found = fit.preview(sheet, ask=False)
    if found.state == "pending":
        try:
            expensive.take(current_user, expensive.PREVIEW, sheet.id)
        except expensive.TooBusy as exc:
            db.session.rollback()
            return expensive.refused(exc)
        db.session.commit()  # before the job, which gives the place back
        found = fit.preview(sheet)
    if found.state != "ready":
        return render_template("reports/sheet_pdf_wait.html", sheet=sheet, preview=found), 202
    name = f"個票{sheet.project.file_number}_{sheet.cycle.year}年度.pdf"
    response = send_file(BytesIO(found.pdf), mimetype=PDF, as_attachment=False, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/sheets/<int:sheet_id>/pdf/progress")
@login_required
def sheet_pdf_progress(sheet_id: int):
    """Polled by the waiting page: is the sheet PDF ready? (Asks again for a check that
    prints if the one it waited for did not.)"""
    sheet = sheet_or_404(current_user, sheet_id)
    found = fit.preview(sheet)
    return jsonify(state=found.state, message=found.message,
                   url=url_for("reports.sheet_pdf", sheet_id=sheet.id))
