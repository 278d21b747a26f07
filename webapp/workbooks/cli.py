"""flask export-xlsx / import-xlsx: the Excel round trip from the command line."""
from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.editing.saving import ConflictError, NotEditableError, delete_files, save_content
from webapp.extensions import db
from webapp.files import write_atomic
from webapp.models import Organisation, Project, ProjectOrganisation, ReportingCycle, Sheet, User
from webapp.review.compare import kpi_changes
from webapp.sheet_content import content_loads, sheet_to_dict
from webapp.timeutil import format_datetime
from webapp.workbooks.merging import saved_since_export
from webapp.workbooks.reading import WorkbookError, prepare, read_file


def _fail(message: str) -> None:
    click.echo(f"エラー: {message}", err=True)
    sys.exit(1)


def organisation_sheets(organisation: Organisation, year: int) -> list[Sheet]:
    """The sheets of the year of every project the organisation leads or co-leads, by number."""
    return list(db.session.scalars(
        select(Sheet).join(Project).join(ReportingCycle)
        .where(ReportingCycle.year == year, Project.id.in_(
            select(ProjectOrganisation.project_id)
            .where(ProjectOrganisation.organisation_id == organisation.id)))
        .order_by(Project.number).options(*content_loads())))


@click.command("export-xlsx")
@click.option("--year", type=int, required=True, help="報告年度（例: 2024）")
@click.option("--project", "number", type=int, help="プロジェクト番号（例: 2）")
@click.option("--org", "org_name", help="組織名（その組織のすべての個票を1冊に）")
@click.argument("out", type=click.Path(dir_okay=False))
@with_appcontext
def export_xlsx_cmd(year, number, org_name, out):
    """Write a sheet (--project) or an organisation's sheets (--org) of year Y as an .xlsx workbook."""
    if (number is None) == (org_name is None):
        _fail("--project と --org のどちらか一方を指定してください。")
    if number is not None:
        sheet = db.session.scalar(select(Sheet).join(Project).join(ReportingCycle)
                                  .where(ReportingCycle.year == year, Project.number == number))
        if sheet is None:
            _fail(f"{year}年度のプロジェクト {number} の個票がありません。")
        sheets = [sheet]
    else:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if organisation is None:
            _fail(f"組織「{org_name}」が見つかりません。")
        sheets = organisation_sheets(organisation, year)
        if not sheets:
            _fail(f"{org_name}の{year}年度の個票がありません。")
    from webapp.workbooks import export  # openpyxl: loaded when this command runs
    data = export.workbook(sheets)
    write_atomic(out, data)
    click.echo(f"{year}年度の個票 {len(sheets)} 件を {out} に書き出しました。")


def _show(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def change_lines(item) -> list[str]:
    """One line per changed field; KPI figures one line per changed number (「2015年度 実績」)."""
    figures = kpi_changes(sheet_to_dict(item.sheet), item.content)
    explained = {c.kpi for c in figures}
    kpis = item.content["targets"]["kpis"]
    lines = []
    for change in item.changes:
        if change.key.startswith("kpi-"):
            position = int(change.key.removeprefix("kpi-")) - 1
            name = kpis[position]["name"] if position < len(kpis) else None
            if name in explained:
                continue
        lines.append(f"{change.label}: 「{_show(change.theirs)}」→「{_show(change.mine)}」")
    lines += [f"KPI『{_show(c.kpi, 30)}』{c.item}: 「{c.left}」→「{c.right}」" for c in figures]
    return lines


@click.command("import-xlsx")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", required=True, help="保存する利用者のメールアドレス（幹事の担当者）")
@click.option("--dry-run", is_flag=True, help="変更点を表示するだけで保存しない")
@with_appcontext
def import_xlsx_cmd(path, email, dry_run):
    """Read a filled-in workbook and save each sheet's changes as EMAIL (all or nothing).

    A workbook exported before the sheet's latest save is merged with it cell by cell;
    a cell changed on both sides refuses the whole import (non-zero), naming the cells."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        _fail(f"利用者 {email} が見つからないか、無効です。")
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        items = [prepare(user, entry) for entry in read_file(data, os.path.basename(path))]
    except WorkbookError as exc:
        _fail("\n".join(exc.messages))
    conflicts = []
    for item in items:
        p = item.sheet.project
        click.echo(f"{p.circled_number} {p.title}（{item.sheet.cycle.year}年度）")
        if item.stale and (item.kept or item.conflicts or not item.unchanged):
            click.echo(f"  注意: {saved_since_export(item.sheet, user)}"
                       + ("このブックは以前の形式のため、書き出した時点の内容がわかりません。"
                          "保存済みの内容と違う欄は、すべて食い違いとして扱います。" if item.old_format
                          else "ブックで変えた欄だけを反映し、その後に保存された内容は残します。"))
            if item.kept:
                click.echo(f"  そのまま残す欄（書き出した後に保存された内容）: {'、'.join(item.kept)}")
        if item.unchanged and not item.conflicts:
            click.echo("  変更はありません。")
        for line in change_lines(item):
            click.echo(f"  {line}")
        if item.conflicts:
            conflicts.append(item)
            for c in item.conflicts:
                click.echo(f"  食い違い {c.label}: 保存済み「{_show(c.saved)}」／ブック「{_show(c.workbook)}」")
    if conflicts:
        # The command line cannot ask which side to keep: nothing is saved, and the web page can.
        names = "；".join(f"{item.sheet.project.circled_number} " + "、".join(c.label for c in item.conflicts)
                         for item in conflicts)
        _fail("このブックを書き出した後に保存された内容と、ブックの内容とが同じ欄で食い違っています。"
              f"上書きはしていません（何も保存していません）。食い違う欄: {names}。"
              "最新の内容を書き出し直すか、Web画面の「Excelから取り込む」で欄ごとに選んでください。")
    if dry_run:
        click.echo("（--dry-run のため保存していません）")
        return
    removed, saved = [], 0
    for item in items:
        if item.unchanged:
            continue
        try:
            outcome = save_content(user, item.sheet, item.base_version, item.content, item.images)
        except NotEditableError as exc:
            db.session.rollback()
            _fail(f"{item.sheet.project.circled_number}: {exc}（何も保存していません）")
        except ConflictError as exc:
            # Saved by someone while this command ran; save_content rolled the whole
            # transaction back, so earlier sheets are not saved either.
            _fail(f"{exc.sheet.project.circled_number}: 取り込みの途中で個票が保存されました"
                  f"（{format_datetime(exc.sheet.updated_at)}）。何も保存していません。もう一度実行してください。")
        removed += outcome.removed_files
        saved += outcome.changed
    db.session.commit()
    delete_files(removed)
    click.echo(f"{saved} 件の個票を保存しました。" if saved else "変更はありませんでした。")
