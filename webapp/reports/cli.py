"""flask build-report --year Y --out FILE.pdf [--html FILE] [--pdf-variant pdf/ua-1|pdf/a-2b] [--draft]"""
from __future__ import annotations

import hashlib
import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.extensions import db
from webapp.files import write_atomic
from webapp.models import ReportingCycle


def _fail(message: str) -> None:
    click.echo(f"エラー: {message}", err=True)
    sys.exit(1)


@click.command("build-report")
@click.option("--year", type=int, required=True, help="報告年度（例: 2023）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="書き出すPDF")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="印刷したHTMLも書き出す")
@click.option("--pdf-variant", "variant", type=click.Choice(["pdf/ua-1", "pdf/a-2b"]),
              default="pdf/ua-1", show_default=True,
              help="pdf/ua-1: 公表用（タグ付き）、pdf/a-2b: 保存用（PDF/A）")
@click.option("--draft", is_flag=True,
              help="確認用: 未承認の個票も含め、各ページに「未承認（状態）」と表示する")
@with_appcontext
def build_report_cmd(year, out, html_out, variant, draft):
    """Compile the approved sheets of year Y into the report PDF.

    The default is the published, tagged variant (PDF/UA-1); --draft makes
    the 確認用 report (fast print, untagged), whose file name must say so."""
    from webapp.printing.errors import PrintingError
    from webapp.reports import inputs, printer
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        _fail(f"{year}年度のデータがありません。")
    if draft and "確認用" not in os.path.basename(out):
        _fail("確認用PDFのファイル名には「確認用」を入れてください（例: report_確認用.pdf）。")
    collected = inputs.collect(cycle, draft=draft)
    if not collected.sheets:
        _fail(f"{year}年度には個票がありません。" if draft
              else f"{year}年度には承認済の個票がありません。")

    interactive = sys.stderr.isatty()

    def progress(done, total, label=""):
        # One line redrawn on a terminal; a line per sheet in logs.
        text = f"  {done}/{total} {label[:40]}"
        click.echo(("\r\033[K" + text) if interactive else text, nl=not interactive, err=True)

    try:
        pdf = printer.report_pdf(collected.meta, year, collected.sheets, progress=progress,
                                 variant=None if draft else variant, marks=collected.marks)
        html = printer.report_html(collected.meta, year, collected.sheets,
                                   marks=collected.marks) if html_out else None
    except PrintingError as exc:
        _fail(str(exc))
    if interactive:
        click.echo("", err=True)
    write_atomic(out, pdf)
    if html_out:
        with open(html_out, "w", encoding="utf-8") as fh:
            fh.write(html)
    kind = "確認用の報告書" if draft else (
        "報告書（保存用 PDF/A-2b）" if variant == "pdf/a-2b" else "報告書（公表用 タグ付きPDF）")
    click.echo(f"{year}年度の{kind}（個票 {len(collected.sheets)} 件）を {out} に書き出しました"
               f"（SHA-256 {hashlib.sha256(pdf).hexdigest()}）")


@click.command("set-report-date")
@click.option("--year", type=int, required=True, help="報告年度（例: 2023）")
@click.option("--date", "raw", required=True, help="表紙の日付 YYYY-MM-DD（例: 2024-03-29）")
@click.option("--by", "by_email", default=None, help="操作者のメールアドレス（記録用）")
@with_appcontext
def set_report_date_cmd(year, raw, by_email):
    """Set the date printed on year Y's report cover (the reports page's 表紙の日付)."""
    from webapp.cycles import CycleError, parse_report_date, set_report_date
    from webapp.editing.commands import _actor
    try:
        value = parse_report_date(year, raw.strip())
        set_report_date(year, value, _actor(by_email))
        db.session.commit()
    except CycleError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"{year}年度の表紙の日付を {value.year}年{value.month}月{value.day}日 にしました。")
